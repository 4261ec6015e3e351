using System.Data.Common;
using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.DemoEstate;

public sealed record DemoAccount(string UserName, string Password, string Role, string? OrganisationAgs, string Description);

public sealed record DemoEstateReport(
    DemoScale Scale,
    int Seed,
    DateOnly AsOf,
    int Counties,
    int Organisations,
    int Applications,
    int Contracts,
    int Licenses,
    int Devices,
    long Installations,
    IReadOnlyList<DemoAccount> Accounts,
    TimeSpan Elapsed);

/// <summary>
/// Builds a deterministic synthetic estate shaped like the county IT survey (≈161 applications per county,
/// ≈80 % on own servers, ≈154 servers of which ≈13 % physical, contracts of every EVB-IT type, licenses of every
/// metric) with planted cases of every suggestion type. All dates are relative to <c>asOf</c>, so the estate stays
/// "alive": deadlines are always ahead, some usage is always stale. The same seed and date give the same rows.
/// </summary>
public sealed class DemoEstateGenerator(Database database, TimeProvider clock)
{
    public const int DefaultSeed = 294;
    public const string DemoPassword = "Demo-2026!";

    /// <summary>Counties with fixed roles in the demo: the CIO's county and the reader's county.</summary>
    public const string CioCountyAgs = "05158";
    public const string ReaderCountyAgs = "16063";

    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("admin", DemoPassword, Roles.Admin, null, "Administration (alle Organisationen)"),
        new("verbund", DemoPassword, Roles.VerbundAnalyst, null, "Verbund-Analyse (alle Organisationen mit Freigabe)"),
        new("cio.mettmann", DemoPassword, Roles.Cio, CioCountyAgs, "CIO Kreis Mettmann mit kreisangehörigen Städten"),
        new("lm.mettmann", DemoPassword, Roles.LicenseManager, CioCountyAgs, "Lizenzmanagement Kreis Mettmann"),
        new("leser.wartburgkreis", DemoPassword, Roles.Reader, ReaderCountyAgs, "Lesezugriff Wartburgkreis"),
    ];

    private const string HasEstateSql = "SELECT COUNT(*) FROM organisations";

    public bool IsEmpty()
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>(HasEstateSql) == 0;
    }

    public DemoEstateReport Generate(DemoScale scale, int seed, DateOnly asOf, string seedFolder)
    {
        var stopwatch = Stopwatch.StartNew();
        var reference = ReferenceData.Load(seedFolder);
        var profile = DemoScaleProfile.For(scale);
        var now = clock.GetUtcNow().UtcDateTime;

        using var connection = database.Open();
        if (connection.ExecuteScalar<long>(HasEstateSql) != 0)
        {
            throw new InvalidOperationException("Die Datenbank enthält bereits Organisationen; der Demo-Bestand wird nur in eine leere Datenbank geschrieben.");
        }

        var catalogue = WriteCatalogue(connection, reference, now);
        var providers = WriteProviders(connection, now);
        var counties = WriteCounties(connection, reference, seed, now);

        var totals = new Totals();
        var estateCounties = profile.CountyAgs is null
            ? counties
            : counties.Where(c => profile.CountyAgs.Contains(c.Ags)).ToList();
        foreach (var county in estateCounties)
        {
            using var transaction = connection.BeginTransaction();
            using var builder = new CountyBuilder(connection, transaction, database.Dialect, catalogue, providers, profile, seed, asOf, now, totals);
            builder.Build(county);
            transaction.Commit();
        }

        WriteAccounts(connection, counties, now);
        var organisations = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations");
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            connection.Execute("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
        }

        return new DemoEstateReport(scale, seed, asOf, counties.Count, organisations, totals.Applications, totals.Contracts,
            totals.Licenses, totals.Devices, totals.Installations, Accounts, stopwatch.Elapsed);
    }

    private Catalogue WriteCatalogue(DbConnection connection, ReferenceData reference, DateTime now)
    {
        using var transaction = connection.BeginTransaction();
        var dialect = database.Dialect;
        var categoryIds = ReferenceEstate.WriteCategories(connection, transaction, dialect, reference.Categories);

        var products = new List<CatalogueProduct>();
        using (var insertProduct = new BulkInsert(connection, transaction, dialect, "products",
                   ["product_key", "name", "vendor", "category_id", "list_price", "row_version", "created_at", "updated_at"], returnsId: true))
        using (var insertRule = new BulkInsert(connection, transaction, dialect, "recognition_rules",
                   ["product_id", "software_pattern", "publisher_pattern", "created_at"], returnsId: true))
        using (var insertTitle = new BulkInsert(connection, transaction, dialect, "software_titles",
                   ["name", "publisher", "product_id", "rule_id"], returnsId: true))
        {
            var singleSystem = reference.Categories.ToDictionary(c => c.Key, c => c.SingleSystem);
            foreach (var p in reference.Products)
            {
                var id = insertProduct.Insert(p.Key, p.Name, p.Vendor, categoryIds[p.CategoryKey], p.ListPrice, 1, now, now);
                var ruleId = insertRule.Insert(id, p.SoftwarePattern, p.PublisherPattern, now);
                // What an inventory tool reports for the product: the pattern's literal parts, published by the vendor.
                var titleName = string.Join(' ', p.SoftwarePattern.Split('*', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                var titleId = insertTitle.Insert(titleName, p.Vendor, id, ruleId);
                products.Add(new CatalogueProduct(id, p, singleSystem[p.CategoryKey], titleId));
            }

            var unrecognised = DemoProviders.UnrecognisedSoftware
                .Select(s => insertTitle.Insert(s.Name, s.Publisher, null, null))
                .ToList();
            transaction.Commit();
            return new Catalogue(products, unrecognised);
        }
    }

    private Dictionary<string, long> WriteProviders(DbConnection connection, DateTime now)
    {
        using var transaction = connection.BeginTransaction();
        var dialect = database.Dialect;
        var ids = new Dictionary<string, long>();
        using var insert = new BulkInsert(connection, transaction, dialect, "organisations",
            ["ags", "name", "kind", "state_code", "shares_for_consolidation", "row_version", "created_at", "updated_at"], returnsId: true);
        foreach (var p in DemoProviders.Municipal.Concat(DemoProviders.State).Concat(DemoProviders.Private))
        {
            ids[p.Key] = insert.Insert(p.Key, p.Name, p.Kind, p.StateCode, p.Kind != "private_provider", 1, now, now);
        }

        transaction.Commit();
        return ids;
    }

    private List<CountyRow> WriteCounties(DbConnection connection, ReferenceData reference, int seed, DateTime now)
    {
        using var transaction = connection.BeginTransaction();
        var figures = reference.Counties.ToDictionary(c => c.Ags, c =>
        {
            var rng = CountyRandom(seed, c.Ags, 0);
            // About 70 % of counties opt in to cross-county analysis; the demo CIO's county does.
            var shares = c.Ags == CioCountyAgs || rng.NextDouble() < 0.7;
            var employees = (int)Math.Max(250, c.Population / 230 + rng.Next(-80, 80));
            return (Employees: (int?)employees, Shares: shares);
        });
        var ids = ReferenceEstate.WriteCounties(connection, transaction, database.Dialect, reference.Counties, now, c => figures[c.Ags]);
        transaction.Commit();
        return reference.Counties.Select((c, i) => new CountyRow(ids[i], c.Ags, c.Name, c.StateCode, c.Population, figures[c.Ags].Employees!.Value, figures[c.Ags].Shares)).ToList();
    }

    private void WriteAccounts(DbConnection connection, List<CountyRow> counties, DateTime now)
    {
        using var transaction = connection.BeginTransaction();
        var dialect = database.Dialect;
        foreach (var account in Accounts)
        {
            long? organisationId = account.OrganisationAgs is null ? null : counties.Single(c => c.Ags == account.OrganisationAgs).Id;
            AccountService.CreateUser(connection, transaction, dialect,
                new NewUser(account.UserName, account.Description, account.UserName + "@demo.landkreislizenz.invalid", account.Password, [(account.Role, organisationId)]),
                now);
        }

        transaction.Commit();
    }

    /// <summary>A random stream per county and purpose, independent of the order counties are built in.</summary>
    internal static Random CountyRandom(int seed, string ags, int purpose) =>
        new(unchecked(seed * 7919 + int.Parse(ags, System.Globalization.CultureInfo.InvariantCulture) * 31 + purpose));

    internal sealed record CatalogueProduct(long Id, ProductRecord Record, bool SingleSystem, long TitleId);

    internal sealed record Catalogue(IReadOnlyList<CatalogueProduct> Products, IReadOnlyList<long> UnrecognisedTitleIds);

    internal sealed record CountyRow(long Id, string Ags, string Name, string StateCode, long Population, int Employees, bool Shares);

    internal sealed class Totals
    {
        public int Applications;
        public int Contracts;
        public int Licenses;
        public int Devices;
        public long Installations;
    }
}
