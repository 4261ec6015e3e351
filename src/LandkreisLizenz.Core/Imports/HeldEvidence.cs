using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Evidence under a source tool's name that no rule decides yet (spec §7: kept for mapping, never an error): a user's
/// Microsoft 365 SKU, a license server feature's monthly peak, an i-doit license object's tranche. An import holds it
/// here; the decision of its title (<see cref="Recognition.RecognitionService"/>) releases it into user assignments,
/// usage peaks or licenses, or drops it when the title is not licensable.
/// </summary>
internal static class HeldEvidence
{
    private const string ExistingSql = """
        SELECT h.id AS Id, h.organisation_id AS OrganisationId, t.name AS Name, h.subject AS Subject, h.quantity AS Quantity,
               h.assigned_since AS AssignedSince, h.last_login AS LastLogin, h.unit_price AS UnitPrice, h.valid_from AS ValidFrom, h.valid_to AS ValidTo
        FROM held_evidence h
        JOIN software_titles t ON t.id = h.software_title_id
        WHERE h.kind = @Kind AND t.publisher = @Publisher AND h.organisation_id IN @Ids
        """;

    private const string InsertSql = """
        INSERT INTO held_evidence (organisation_id, software_title_id, kind, subject, quantity, assigned_since, last_login,
                                   contract_id, metric, license_key, unit_price, valid_from, valid_to, updated_at)
        VALUES (@OrganisationId, @TitleId, @Kind, @Subject, @Quantity, @AssignedSince, @LastLogin,
                @ContractId, @Metric, @LicenseKey, @UnitPrice, @ValidFrom, @ValidTo, @Now)
        """;

    private const string DeleteSql = "DELETE FROM held_evidence WHERE id IN @Ids";

    private const string UpdateSql = """
        UPDATE held_evidence SET quantity = @Quantity, assigned_since = @AssignedSince, last_login = @LastLogin,
            unit_price = @UnitPrice, valid_from = @ValidFrom, valid_to = @ValidTo, updated_at = @Now
        WHERE id = @Id
        """;

    // Which held rows a decision on these titles concerns: in the family, or (global) wherever no family decided on its own.
    private const string ConcernedSql = """
        h.software_title_id IN ({ids})
        AND EXISTS (SELECT 1 FROM organisation_family f
                    WHERE f.organisation_id = h.organisation_id
                      AND (f.family_id = @Family
                           OR (@Family IS NULL AND NOT EXISTS (SELECT 1 FROM family_title_recognition m
                                                               WHERE m.family_id = f.family_id AND m.software_title_id = h.software_title_id))))
        """;

    private static readonly string ReleaseAssignmentsSql = Concerned("""
        INSERT INTO user_assignments (organisation_id, user_key, product_id, assigned_since, last_login, updated_at)
        SELECT h.organisation_id, h.subject, @ProductId, MIN(h.assigned_since), MAX(h.last_login), @Now
        FROM held_evidence h
        WHERE h.kind = 'user_assignments' AND {concerned}
          AND NOT EXISTS (SELECT 1 FROM user_assignments a WHERE a.organisation_id = h.organisation_id AND a.product_id = @ProductId AND a.user_key = h.subject)
        GROUP BY h.organisation_id, h.subject
        """);

    // A month's peak is the highest any snapshot saw: a held one raises the stored peak, never lowers it.
    private static readonly string RaisePeaksSql = Concerned("""
        UPDATE usage_peaks SET updated_at = @Now, peak_concurrent = (
            SELECT MAX(h.quantity) FROM held_evidence h
            WHERE h.kind = 'usage_peaks' AND h.organisation_id = usage_peaks.organisation_id AND h.subject = usage_peaks.month AND {concerned})
        WHERE product_id = @ProductId AND peak_concurrent < (
            SELECT MAX(h.quantity) FROM held_evidence h
            WHERE h.kind = 'usage_peaks' AND h.organisation_id = usage_peaks.organisation_id AND h.subject = usage_peaks.month AND {concerned})
        """);

    private static readonly string ReleasePeaksSql = Concerned("""
        INSERT INTO usage_peaks (organisation_id, product_id, month, peak_concurrent, updated_at)
        SELECT h.organisation_id, @ProductId, h.subject, MAX(h.quantity), @Now
        FROM held_evidence h
        WHERE h.kind = 'usage_peaks' AND {concerned}
          AND NOT EXISTS (SELECT 1 FROM usage_peaks p WHERE p.organisation_id = h.organisation_id AND p.product_id = @ProductId AND p.month = h.subject)
        GROUP BY h.organisation_id, h.subject
        """);

    // Objects of one product under one contract add up, as on import: a tranche already released (an earlier object's
    // decision) gains the count of the one decided now; the others become licenses.
    private static readonly string AddToLicensesSql = Concerned("""
        UPDATE licenses SET updated_at = @Now, row_version = row_version + 1, quantity = quantity + (
            SELECT SUM(h.quantity) FROM held_evidence h
            WHERE h.kind = 'licenses' AND h.organisation_id = licenses.organisation_id AND h.contract_id = licenses.contract_id
              AND h.metric = licenses.metric AND h.license_key = licenses.license_key AND {concerned})
        WHERE product_id = @ProductId AND EXISTS (
            SELECT 1 FROM held_evidence h
            WHERE h.kind = 'licenses' AND h.organisation_id = licenses.organisation_id AND h.contract_id = licenses.contract_id
              AND h.metric = licenses.metric AND h.license_key = licenses.license_key AND {concerned})
        """);

    private static readonly string ReleaseLicensesSql = Concerned("""
        INSERT INTO licenses (organisation_id, contract_id, product_id, metric, license_key, quantity, unit_price, valid_from, valid_to,
                              covers_members, row_version, created_at, updated_at)
        SELECT h.organisation_id, h.contract_id, @ProductId, h.metric, h.license_key, SUM(h.quantity), MAX(h.unit_price), MIN(h.valid_from), MAX(h.valid_to),
               0, 1, @Now, @Now
        FROM held_evidence h
        WHERE h.kind = 'licenses' AND {concerned}
          AND NOT EXISTS (SELECT 1 FROM licenses l WHERE l.organisation_id = h.organisation_id AND l.contract_id = h.contract_id
                          AND l.product_id = @ProductId AND l.metric = h.metric AND l.license_key = h.license_key)
        GROUP BY h.organisation_id, h.contract_id, h.metric, h.license_key
        """);

    private static readonly string DropSql = Concerned("DELETE FROM held_evidence WHERE id IN (SELECT h.id FROM held_evidence h WHERE {concerned})");

    private static readonly string[] ReleaseStatements = [ReleaseAssignmentsSql, RaisePeaksSql, ReleasePeaksSql, AddToLicensesSql, ReleaseLicensesSql];

    /// <summary>Holds (or, without <paramref name="commit"/>, counts) the rows whose name waits for its mapping.</summary>
    /// <param name="complete">The file lists all holders of each name (a directory group): held holders it no longer lists are let go.</param>
    /// <param name="listedWithoutRows">With <paramref name="complete"/>: held names the file lists without any holder (an empty
    /// group), whose held holders are all let go.</param>
    /// <returns>The rows new, changed (let go included) and unchanged among the held ones.</returns>
    public static (int Inserts, int Updates, int Unchanged) Hold(IDbConnection connection, IDbTransaction? transaction, ImportFormat format,
        IReadOnlyList<PendingRow> rows, NamedProducts names, bool commit, DateTime now, bool complete = false,
        IReadOnlyCollection<(long OrganisationId, string Name)>? listedWithoutRows = null)
    {
        listedWithoutRows ??= [];
        if (rows.Count == 0 && listedWithoutRows.Count == 0)
        {
            return (0, 0, 0);
        }

        var kind = format.Key();
        var existing = new Dictionary<(long, string, string), Stored>();
        foreach (var chunk in rows.Select(r => r.OrganisationId!.Value).Concat(listedWithoutRows.Select(l => l.OrganisationId)).Distinct().Chunk(1000))
        {
            foreach (var stored in connection.Query<Stored>(ExistingSql, new { Kind = kind, names.Publisher, Ids = chunk }, transaction))
            {
                existing[(stored.OrganisationId, stored.Name, stored.Subject)] = stored;
            }
        }

        int inserts = 0, updates = 0, unchanged = 0;
        var listed = new HashSet<(long, string, string)>();
        foreach (var row in rows)
        {
            var organisationId = row.OrganisationId!.Value;
            var held = Held.Of(format, row);
            listed.Add((organisationId, row.HeldName!, held.Subject));
            if (existing.TryGetValue((organisationId, row.HeldName!, held.Subject), out var stored))
            {
                if (!held.Changes(format, stored, row))
                {
                    unchanged++;
                    continue;
                }

                updates++;
                if (commit)
                {
                    // A column the file does not have keeps what was held.
                    connection.Execute(UpdateSql, new
                    {
                        stored.Id, held.Quantity,
                        AssignedSince = row.Values.TryGetValue("assigned_since", out var since) ? since : stored.AssignedSince,
                        LastLogin = row.Values.TryGetValue("last_login", out var login) ? login : stored.LastLogin,
                        UnitPrice = row.Values.TryGetValue("unit_price", out var price) ? price : stored.UnitPrice,
                        ValidFrom = row.Values.TryGetValue("valid_from", out var from) ? from : stored.ValidFrom,
                        ValidTo = row.Values.TryGetValue("valid_to", out var to) ? to : stored.ValidTo, Now = now,
                    }, transaction);
                }

                continue;
            }

            inserts++;
            if (commit)
            {
                connection.Execute(InsertSql, new
                {
                    OrganisationId = organisationId, TitleId = names.TitleId(row.HeldName!), Kind = kind, held.Subject, held.Quantity,
                    AssignedSince = row.Values.GetValueOrDefault("assigned_since"), LastLogin = row.Values.GetValueOrDefault("last_login"),
                    ContractId = row.KeyValues.GetValueOrDefault("contract_id"), Metric = row.KeyValues.GetValueOrDefault("metric"),
                    LicenseKey = row.KeyValues.GetValueOrDefault("license_key"), UnitPrice = row.Values.GetValueOrDefault("unit_price"),
                    ValidFrom = row.Values.GetValueOrDefault("valid_from"), ValidTo = row.Values.GetValueOrDefault("valid_to"), Now = now,
                }, transaction);
            }
        }

        if (complete)
        {
            var listedNames = listed.Select(l => (l.Item1, l.Item2)).Concat(listedWithoutRows).ToHashSet();
            var gone = existing.Where(e => listedNames.Contains((e.Key.Item1, e.Key.Item2)) && !listed.Contains(e.Key)).Select(e => e.Value.Id).ToList();
            updates += gone.Count;
            if (commit)
            {
                foreach (var chunk in gone.Chunk(1000))
                {
                    connection.Execute(DeleteSql, new { Ids = chunk }, transaction);
                }
            }
        }

        return (inserts, updates, unchanged);
    }

    /// <summary>
    /// Moves the evidence held under <paramref name="titleIds"/> into the evidence of <paramref name="productId"/> (null: the
    /// titles are not licensable, the evidence is dropped), for the family decided (<paramref name="familyId"/>) or, for a
    /// global decision, wherever no family decided on its own; inside the decision's transaction.
    /// </summary>
    public static void Release(IDbConnection connection, IDbTransaction transaction, SqlDialect dialect, long? familyId, long? productId,
        IReadOnlyCollection<long> titleIds, DateTime now)
    {
        if (titleIds.Count == 0)
        {
            return;
        }

        var parameters = new { Family = familyId, ProductId = productId, Ids = SqlDialect.IdList(titleIds), Now = now };
        if (productId is not null)
        {
            foreach (var sql in ReleaseStatements)
            {
                connection.Execute(Compose(sql, dialect), parameters, transaction);
            }
        }

        connection.Execute(Compose(DropSql, dialect), parameters, transaction);
    }

    private static string Concerned(string sql) => sql.Replace("{concerned}", ConcernedSql.Trim(), StringComparison.Ordinal);

    private static string Compose(string sql, SqlDialect dialect) => sql.Replace("{ids}", dialect.IdSet("@Ids"), StringComparison.Ordinal);

    /// <summary>What a held row is within its organisation and name (its subject), and the count it carries.</summary>
    private readonly record struct Held(string Subject, int? Quantity)
    {
        public static Held Of(ImportFormat format, PendingRow row) => format switch
        {
            ImportFormat.UsagePeaks => new((string)row.KeyValues["month"]!, Count(row.Values["peak_concurrent"])),
            // A tranche: the contract, how it is counted and its license key (the license format's key without the product).
            ImportFormat.Licenses => new(string.Join('/', Convert.ToString(row.KeyValues["contract_id"], CultureInfo.InvariantCulture), row.KeyValues["metric"], row.KeyValues["license_key"]),
                Count(row.Values["quantity"])),
            _ => new((string)row.KeyValues["user_key"]!, null),
        };

        /// <summary>A month's peak only rises (the highest snapshot wins); other evidence changes when a column the file has differs.</summary>
        public bool Changes(ImportFormat format, Stored stored, PendingRow row) => format switch
        {
            ImportFormat.UsagePeaks => Quantity > stored.Quantity,
            ImportFormat.Licenses => Quantity != stored.Quantity || Differs(row, "unit_price", stored.UnitPrice)
                                     || Differs(row, "valid_from", stored.ValidFrom) || Differs(row, "valid_to", stored.ValidTo),
            _ => Differs(row, "assigned_since", stored.AssignedSince) || Differs(row, "last_login", stored.LastLogin),
        };

        private static bool Differs(PendingRow row, string column, object? stored) =>
            row.Values.TryGetValue(column, out var value) && TableImporter.Normalise(value) != TableImporter.Normalise(stored);

        private static int Count(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private sealed class Stored
    {
        public long Id { get; init; }

        public long OrganisationId { get; init; }

        public string Name { get; init; } = "";

        public string Subject { get; init; } = "";

        public int? Quantity { get; init; }

        public object? AssignedSince { get; init; }

        public object? LastLogin { get; init; }

        public object? UnitPrice { get; init; }

        public object? ValidFrom { get; init; }

        public object? ValidTo { get; init; }
    }
}
