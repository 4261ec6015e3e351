using System.Data;
using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Evidence under a source tool's name that no rule decides yet (spec §7: kept for mapping, never an error): a user's
/// Microsoft 365 SKU, a license server feature's monthly peak. An import holds it here; the decision of its title
/// (<see cref="Recognition.RecognitionService"/>) releases it into user assignments or usage peaks, or drops it when the
/// title is not licensable.
/// </summary>
internal static class HeldEvidence
{
    private const string ExistingSql = """
        SELECT h.id AS Id, h.organisation_id AS OrganisationId, t.name AS Name, h.subject AS Subject, h.quantity AS Quantity,
               h.assigned_since AS AssignedSince, h.last_login AS LastLogin
        FROM held_evidence h
        JOIN software_titles t ON t.id = h.software_title_id
        WHERE h.kind = @Kind AND t.publisher = @Publisher AND h.organisation_id IN @Ids
        """;

    private const string InsertSql = """
        INSERT INTO held_evidence (organisation_id, software_title_id, kind, subject, quantity, assigned_since, last_login, updated_at)
        VALUES (@OrganisationId, @TitleId, @Kind, @Subject, @Quantity, @AssignedSince, @LastLogin, @Now)
        """;

    private const string DeleteSql = "DELETE FROM held_evidence WHERE id IN @Ids";

    private const string UpdateSql = """
        UPDATE held_evidence SET quantity = @Quantity, assigned_since = @AssignedSince, last_login = @LastLogin, updated_at = @Now WHERE id = @Id
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

    private static readonly string DropSql = Concerned("DELETE FROM held_evidence WHERE id IN (SELECT h.id FROM held_evidence h WHERE {concerned})");

    private static readonly string[] ReleaseStatements = [ReleaseAssignmentsSql, RaisePeaksSql, ReleasePeaksSql];

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
        var peaks = format == ImportFormat.UsagePeaks;
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
            var subject = (string)(peaks ? row.KeyValues["month"] : row.KeyValues["user_key"])!;
            listed.Add((organisationId, row.HeldName!, subject));
            var quantity = peaks ? Convert.ToInt32(row.Values["peak_concurrent"], System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
            var assignedSince = TableImporter.Normalise(row.Values.GetValueOrDefault("assigned_since"));
            var lastLogin = TableImporter.Normalise(row.Values.GetValueOrDefault("last_login"));
            if (existing.TryGetValue((organisationId, row.HeldName!, subject), out var stored))
            {
                var changed = peaks
                    ? quantity > stored.Quantity
                    : (row.Values.ContainsKey("assigned_since") && assignedSince != TableImporter.Normalise(stored.AssignedSince))
                      || (row.Values.ContainsKey("last_login") && lastLogin != TableImporter.Normalise(stored.LastLogin));
                if (!changed)
                {
                    unchanged++;
                    continue;
                }

                updates++;
                if (commit)
                {
                    connection.Execute(UpdateSql, new
                    {
                        stored.Id, Quantity = peaks ? quantity : null,
                        AssignedSince = row.Values.TryGetValue("assigned_since", out var since) ? since : stored.AssignedSince,
                        LastLogin = row.Values.TryGetValue("last_login", out var login) ? login : stored.LastLogin, Now = now,
                    }, transaction);
                }

                continue;
            }

            inserts++;
            if (commit)
            {
                connection.Execute(InsertSql, new
                {
                    OrganisationId = organisationId, TitleId = names.TitleId(row.HeldName!), Kind = kind, Subject = subject, Quantity = quantity,
                    AssignedSince = row.Values.GetValueOrDefault("assigned_since"), LastLogin = row.Values.GetValueOrDefault("last_login"), Now = now,
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

    private sealed class Stored
    {
        public long Id { get; init; }

        public long OrganisationId { get; init; }

        public string Name { get; init; } = "";

        public string Subject { get; init; } = "";

        public int? Quantity { get; init; }

        public object? AssignedSince { get; init; }

        public object? LastLogin { get; init; }
    }
}
