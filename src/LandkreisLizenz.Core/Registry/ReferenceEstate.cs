using System.Data.Common;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;

namespace LandkreisLizenz.Core.Registry;

/// <summary>What an installation holds before anyone has entered anything.</summary>
public sealed record ReferenceEstateReport(int Counties, int Categories);

/// <summary>
/// The reference data every installation starts with, demo or not: the 294 Landkreise of Destatis with their
/// population (dl-de/by-2-0, © Statistisches Bundesamt) and the catalogue's categories with their kinds. Products,
/// municipalities, accounts and everything else are the installation's own.
/// </summary>
public static class ReferenceEstate
{
    private const string OrganisationCountSql = "SELECT COUNT(*) FROM organisations";

    private const string CategoryCountSql = "SELECT COUNT(*) FROM categories";

    /// <summary>
    /// Writes the counties into an installation without organisations and the categories into one without categories,
    /// in one transaction; an installation that has either keeps it. Reentrant: a second start writes nothing.
    /// </summary>
    public static ReferenceEstateReport EnsureWritten(Database database, TimeProvider clock, string seedFolder)
    {
        // Read only on an installation that needs it: every later start finds both tables filled and reads no file.
        var reference = new Lazy<ReferenceData>(() => ReferenceData.Load(seedFolder));
        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var counties = connection.ExecuteScalar<long>(OrganisationCountSql, transaction: transaction) == 0
            ? WriteCounties(connection, transaction, database.Dialect, reference.Value.Counties, now, _ => (null, false)).Count
            : 0;
        var categories = connection.ExecuteScalar<long>(CategoryCountSql, transaction: transaction) == 0
            ? WriteCategories(connection, transaction, database.Dialect, reference.Value.Categories).Count
            : 0;
        transaction.Commit();
        return new ReferenceEstateReport(counties, categories);
    }

    /// <returns>The new category ids by key.</returns>
    internal static Dictionary<string, long> WriteCategories(DbConnection connection, DbTransaction transaction, SqlDialect dialect, IEnumerable<CategoryRecord> categories)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        using var insert = new BulkInsert(connection, transaction, dialect, "categories", ["category_key", "name", "single_system", "kind"], returnsId: true);
        foreach (var c in categories)
        {
            ids[c.Key] = insert.Insert(c.Key, c.Name, c.SingleSystem, c.Kind);
        }

        return ids;
    }

    /// <param name="figures">
    /// Employees (unknown in a real installation) and whether the county shares its data for consolidation — a
    /// county decides that itself (spec §6), so a real installation starts with no county sharing.
    /// </param>
    /// <returns>The new organisation ids in the order of <paramref name="counties"/>.</returns>
    internal static List<long> WriteCounties(DbConnection connection, DbTransaction transaction, SqlDialect dialect, IEnumerable<CountyRecord> counties, DateTime now,
        Func<CountyRecord, (int? Employees, bool Shares)> figures)
    {
        var ids = new List<long>();
        using var insert = new BulkInsert(connection, transaction, dialect, "organisations",
            ["ags", "name", "kind", "county_type", "state_code", "population", "employees", "shares_for_consolidation", "row_version", "created_at", "updated_at"], returnsId: true);
        foreach (var c in counties)
        {
            var (employees, shares) = figures(c);
            ids.Add(insert.Insert(c.Ags, c.Name, OrganisationKinds.County, c.CountyType, c.StateCode, c.Population, employees, shares, 1, now, now));
        }

        return ids;
    }
}
