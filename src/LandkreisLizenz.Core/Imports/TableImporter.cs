using LandkreisLizenz.Core.Common;
using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Validates a whole file against one <see cref="TableSpec"/>, compares it with the stored rows by natural key
/// and, when asked to commit, upserts inside the caller's transaction. Any error leaves the database untouched.
/// </summary>
/// <param name="names">For a file that names products in its tool's words (<see cref="CsvSource.ProductNames"/>): how they are recognised.</param>
internal sealed class TableImporter(TableSpec spec, SqlDialect dialect, DateTime now, NamedProducts? names = null)
{
    // Chunks stay below SQL Server's 2,100 parameters per statement.
    private const int IdChunk = 1000;

    public ImportOutcome Run(IDbConnection connection, IDbTransaction? transaction, CsvSource source, CallerScope scope, bool commit)
    {
        var errors = new ImportErrors();
        var lookups = ImportLookups.Load(connection, transaction, spec.Format);
        lookups.Names = names;
        var reader = new RowReader(source.Header, spec.Columns, source.Delimiter, errors, source.Mapping);
        var pending = new List<(string Key, PendingRow Row)>();
        // Key → the row that first had it and its place in pending.
        var seen = new Dictionary<string, (int Row, int Index)>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (row, values, fieldsMatch, problem) in source.Records())
        {
            total++;
            if (!fieldsMatch)
            {
                errors.Add(new ImportError(row, null, null, $"{values.Length} Felder statt {source.SourceHeader.Count} wie in der Kopfzeile – Trennzeichen und Anführungszeichen prüfen"));
                continue;
            }

            if (problem is not null)
            {
                errors.Add(problem);
                continue;
            }

            reader.Load(row, values);
            var pendingRow = spec.Read(reader, lookups, scope);
            if (pendingRow is null)
            {
                continue;
            }

            var key = pendingRow.HeldName is null ? Key(pendingRow.KeyValues) : Key(pendingRow.KeyValues) + '\u001e' + pendingRow.HeldName;
            if (seen.TryGetValue(key, out var first) && names is not null && pendingRow.HeldName is null)
            {
                // Several features, SKUs or license objects of one product (AutoCAD's, two E3 variants, a county's two i-doit
                // objects of one Office under one contract): one product's evidence, summed for a peak or a license count.
                if (spec.Format is ImportFormat.UsagePeaks or ImportFormat.Licenses)
                {
                    var counted = spec.Format == ImportFormat.UsagePeaks ? "peak_concurrent" : "quantity";
                    var earlier = pending[first.Index].Row;
                    earlier.Values[counted] = Convert.ToInt64(earlier.Values[counted], CultureInfo.InvariantCulture)
                                              + Convert.ToInt64(pendingRow.Values[counted], CultureInfo.InvariantCulture);
                }

                continue;
            }

            if (seen.ContainsKey(key))
            {
                errors.Add(new ImportError(row, KeyColumnsForMessage(), pendingRow.DisplayKey, $"doppelter Schlüssel: steht schon in Zeile {first.Row}"));
                continue;
            }

            seen[key] = (row, pending.Count);
            pending.Add((key, pendingRow));
        }

        if (errors.Count > 0)
        {
            return ImportOutcome.Rejected(spec.Format, total, errors);
        }

        var (emptiedProducts, emptiedHeld) = ListedWithoutRows(source, lookups, scope, pending.Select(p => p.Row).ToList());
        var held = names is null ? (Inserts: 0, Updates: 0, Unchanged: 0)
            : HeldEvidence.Hold(connection, transaction, spec.Format, pending.Where(p => p.Row.HeldName is not null).Select(p => p.Row).ToList(), names, commit, now,
                source.NamesComplete, emptiedHeld);
        var ignored = pending.Count(p => p.Row.Ignored);
        pending.RemoveAll(p => p.Row.HeldName is not null || p.Row.Ignored);
        // A license server report is one snapshot: the month's peak is the highest of its snapshots (spec §7).
        var highestWins = names is not null && spec.Format == ImportFormat.UsagePeaks;
        var existing = LoadExisting(connection, transaction, pending.Select(p => p.Row.OrganisationId).OfType<long>().Distinct().ToList());
        int inserts = 0, updates = 0, unchanged = ignored;
        var affected = new HashSet<long>();
        var idByAgs = lookups.Organisations.Values.Where(o => o.Id > 0).ToDictionary(o => o.Ags, o => o.Id, StringComparer.Ordinal);
        foreach (var (key, row) in pending)
        {
            ResolveParent(row, idByAgs);

            if (existing.TryGetValue(key, out var stored))
            {
                var changed = highestWins
                    ? row.Values.Where(v => Convert.ToInt64(v.Value, CultureInfo.InvariantCulture) > Convert.ToInt64(stored[v.Key], CultureInfo.InvariantCulture)).Select(v => v.Key).ToList()
                    : row.Values.Where(v => Normalise(v.Value) != Normalise(stored[v.Key])).Select(v => v.Key).ToList();
                if (changed.Count == 0)
                {
                    unchanged++;
                    continue;
                }

                updates++;
                var id = Convert.ToInt64(stored["id"], CultureInfo.InvariantCulture);
                affected.Add(row.OrganisationId ?? id);
                if (commit)
                {
                    Update(connection, transaction, id, row.Values);
                }
            }
            else
            {
                inserts++;
                if (commit)
                {
                    var id = Insert(connection, transaction, row);
                    affected.Add(row.OrganisationId ?? id);
                    if (spec.Format == ImportFormat.Organisations)
                    {
                        idByAgs[(string)row.KeyValues["ags"]!] = id;
                    }
                }
                else if (row.OrganisationId is { } organisationId)
                {
                    affected.Add(organisationId);
                }
            }
        }

        // A directory group lists all its members: the products its name stands for are listed completely.
        var complete = spec.Format != ImportFormat.UserAssignments ? null
            : names is null ? source.Mapping?.Complete?.Select(k => lookups.Products.TryGetValue(k, out var id) ? id : (long?)null).OfType<long>().ToList()
            : source.NamesComplete ? pending.Select(p => Convert.ToInt64(p.Row.KeyValues["product_id"], CultureInfo.InvariantCulture)).Concat(emptiedProducts).Distinct().ToList()
            : null;
        var removed = complete is not { Count: > 0 } ? 0
            : RemoveUnlisted(connection, transaction, source.Mapping, complete, pending.Select(p => p.Row).ToList(), lookups, scope, commit, affected);
        return new ImportOutcome(spec.Format, total, inserts, updates, unchanged, [], affected.Order().ToList(), commit)
        {
            Removed = removed, Held = held.Inserts + held.Updates + held.Unchanged, HeldChanged = held.Inserts + held.Updates,
        };
    }

    /// <summary>
    /// The names a complete list (<see cref="CsvSource.ListedNames"/>) names without any row — an empty directory group: the
    /// products they stand for, whose holders in the organisation are all gone, and the held names whose held holders are.
    /// </summary>
    private (List<long> Products, List<(long OrganisationId, string Name)> Held) ListedWithoutRows(CsvSource source, ImportLookups lookups, CallerScope scope,
        List<PendingRow> rows)
    {
        if (names is null || !source.NamesComplete || source.ListedNames is not { Count: > 0 } listed)
        {
            return ([], []);
        }

        // Without a row, no row's check has looked at the organisation: the list's own is checked here.
        var organisation = CompleteListOrganisation(source.Mapping, lookups, scope);

        var withRows = rows.Where(r => r.HeldName is not null).Select(r => r.HeldName!).ToHashSet(StringComparer.Ordinal);
        var products = new List<long>();
        var held = new List<(long, string)>();
        foreach (var name in listed.Select(names.Canonical).Distinct(StringComparer.Ordinal))
        {
            var resolved = names.Resolve(name, organisation);
            if (resolved.ProductId is { } product)
            {
                products.Add(product);
            }
            else if (resolved.Held && !withRows.Contains(resolved.Name))
            {
                held.Add((organisation.Id, resolved.Name));
            }
        }

        return (products, held);
    }

    /// <summary>The organisation a complete list of holders (a directory group export) is for: its mapping's constant, which the caller may write.</summary>
    private static OrganisationRef CompleteListOrganisation(ImportMapping? mapping, ImportLookups lookups, CallerScope scope)
    {
        if (mapping?.Constants.TryGetValue("ags", out var ags) != true || !lookups.Organisations.TryGetValue(ags!, out var organisation) || !scope.CanWrite(organisation.Id))
        {
            throw new ImportFileException(new ImportError(0, "ags", null, "Eine vollständige Liste von Zuweisungen (Gruppenmitglieder) braucht die Organisation, für die sie gilt und für die Sie schreiben dürfen – beim Hochladen oder mit --organisation angeben."));
        }

        return organisation;
    }

    private const string AssignmentsOfSql = """
        SELECT id AS Id, product_id AS ProductId, user_key AS UserKey FROM user_assignments WHERE organisation_id = @Organisation AND product_id IN @Products
        """;

    private const string DeleteAssignmentSql = "DELETE FROM user_assignments WHERE id IN @Ids";

    /// <summary>
    /// A file that lists a product's assignments completely (a directory group): the assignments of those products in
    /// the organisation that it does not list are removed — a member who left the group no longer needs the license.
    /// </summary>
    private static int RemoveUnlisted(IDbConnection connection, IDbTransaction? transaction, ImportMapping? mapping, IReadOnlyList<long> products,
        List<PendingRow> rows, ImportLookups lookups, CallerScope scope, bool commit, HashSet<long> affected)
    {
        var organisation = CompleteListOrganisation(mapping, lookups, scope);

        var listed = rows.Select(r => (Convert.ToInt64(r.KeyValues["product_id"], CultureInfo.InvariantCulture), (string)r.KeyValues["user_key"]!)).ToHashSet();
        var unlisted = products.Count == 0 ? [] : connection.Query<(long Id, long ProductId, string UserKey)>(AssignmentsOfSql, new { Organisation = organisation.Id, Products = products }, transaction)
            .Where(a => !listed.Contains((a.ProductId, a.UserKey))).Select(a => a.Id).ToList();
        if (unlisted.Count > 0)
        {
            affected.Add(organisation.Id);
            if (commit)
            {
                foreach (var chunk in unlisted.Chunk(IdChunk))
                {
                    connection.Execute(DeleteAssignmentSql, new { Ids = chunk }, transaction);
                }
            }
        }

        return unlisted.Count;
    }

    /// <summary>Organisations name their parent by AGS; the id is known only once earlier rows are written.</summary>
    internal static void ResolveParent(PendingRow row, IReadOnlyDictionary<string, long> idByAgs)
    {
        if (row.ParentAgs is not null)
        {
            row.Values["parent_id"] = row.ParentAgs.Length == 0 ? null : idByAgs.GetValueOrDefault(row.ParentAgs);
        }
    }

    private string KeyColumnsForMessage() => string.Join(", ", spec.Columns.Where(c => c.Required).Take(spec.KeyColumns.Length).Select(c => c.Name));

    private static string Key(Dictionary<string, object?> keyValues) =>
        string.Join('\u001f', keyValues.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => Normalise(k.Value)));

    private Dictionary<string, IDictionary<string, object?>> LoadExisting(IDbConnection connection, IDbTransaction? transaction, List<long> organisationIds)
    {
        var rows = new List<IDictionary<string, object?>>();
        if (spec.OrganisationColumn is null)
        {
            rows.AddRange(connection.Query(ExistingSql(spec), transaction: transaction).Cast<IDictionary<string, object?>>());
        }
        else
        {
            foreach (var chunk in organisationIds.Chunk(IdChunk))
            {
                rows.AddRange(connection.Query(ExistingSql(spec), new { Ids = chunk }, transaction)
                    .Cast<IDictionary<string, object?>>());
            }
        }

        var result = new Dictionary<string, IDictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            result[Key(spec.KeyColumns.ToDictionary(c => c, c => row[c]))] = row;
        }

        return result;
    }

    internal long Insert(IDbConnection connection, IDbTransaction? transaction, PendingRow row)
    {
        var values = new Dictionary<string, object?>(row.KeyValues);
        foreach (var (column, value) in row.Values)
        {
            values[column] = value;
        }

        if (spec.HasRowVersion)
        {
            values["row_version"] = 1;
        }

        if (spec.HasCreatedAt)
        {
            values["created_at"] = now;
        }

        if (spec.HasUpdatedAt)
        {
            values["updated_at"] = now;
        }

        var columns = values.Keys.ToList();
        var parameters = new DynamicParameters();
        for (var i = 0; i < columns.Count; i++)
        {
            parameters.Add("p" + i, values[columns[i]]);
        }

        return connection.ExecuteScalar<long>(dialect.InsertReturningId(SqlDialect.InsertSql(spec.Table, columns)), parameters, transaction);
    }

    /// <returns>Rows changed: 0 when <paramref name="expectedRowVersion"/> is given and someone else saved in between.</returns>
    internal int Update(IDbConnection connection, IDbTransaction? transaction, long id, Dictionary<string, object?> values, long? expectedRowVersion = null)
    {
        var columns = values.Keys.ToList();
        var parameters = new DynamicParameters();
        parameters.Add("Id", id);
        for (var i = 0; i < columns.Count; i++)
        {
            parameters.Add("p" + i, values[columns[i]]);
        }

        if (spec.HasUpdatedAt)
        {
            parameters.Add("Now", now);
        }

        var checkVersion = expectedRowVersion is not null && spec.HasRowVersion;
        if (checkVersion)
        {
            parameters.Add("Expected", expectedRowVersion);
        }

        return connection.Execute(UpdateSql(spec, columns, checkVersion), parameters, transaction);
    }

    private static string UpdateSql(TableSpec spec, IReadOnlyList<string> columns, bool checkVersion)
    {
        var assignments = columns.Select((c, i) => $"{c} = @p{i}").ToList();
        if (spec.HasRowVersion)
        {
            assignments.Add("row_version = row_version + 1");
        }

        if (spec.HasUpdatedAt)
        {
            assignments.Add("updated_at = @Now");
        }

        return $"UPDATE {spec.Table} SET {string.Join(", ", assignments)} WHERE id = @Id" + (checkVersion ? " AND row_version = @Expected" : "");
    }

    private static string ExistingSql(TableSpec spec) =>
        spec.OrganisationColumn is null ? $"SELECT * FROM {spec.Table}" : $"SELECT * FROM {spec.Table} WHERE {spec.OrganisationColumn} IN @Ids";

    /// <summary>Every statement the importer can issue, for the tables' real columns (<paramref name="columnsOf"/>, without id).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect, Func<string, IReadOnlyList<string>> columnsOf)
    {
        foreach (var format in Enum.GetValues<ImportFormat>().Where(f => f != ImportFormat.Installations))
        {
            var spec = TableSpecs.For(format);
            var columns = columnsOf(spec.Table);
            yield return ($"{format}: existing rows", ExistingSql(spec));
            yield return ($"{format}: insert", dialect.InsertReturningId(SqlDialect.InsertSql(spec.Table, columns)));
            yield return ($"{format}: update", UpdateSql(spec, columns.Where(c => c is not ("row_version" or "updated_at" or "created_at")).ToList(), checkVersion: true));
        }
    }

    internal static string? Normalise(object? value) => ValueText.Normalise(value);

}
