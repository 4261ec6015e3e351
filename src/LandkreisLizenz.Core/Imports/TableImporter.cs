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
internal sealed class TableImporter(TableSpec spec, SqlDialect dialect, DateTime now)
{
    // Chunks stay below SQL Server's 2,100 parameters per statement.
    private const int IdChunk = 1000;

    public ImportOutcome Run(IDbConnection connection, IDbTransaction? transaction, CsvSource source, CallerScope scope, bool commit)
    {
        var errors = new List<ImportError>();
        var lookups = ImportLookups.Load(connection, transaction, spec.Format);
        var reader = new RowReader(source.Header, spec.Columns, source.Delimiter, errors);
        var pending = new List<(string Key, PendingRow Row)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (row, values) in source.Records())
        {
            total++;
            if (values.Length != source.Header.Count)
            {
                errors.Add(new ImportError(row, null, null, $"{values.Length} Felder statt {source.Header.Count} wie in der Kopfzeile – Trennzeichen und Anführungszeichen prüfen"));
                continue;
            }

            reader.Load(row, values);
            var pendingRow = spec.Read(reader, lookups, scope);
            if (pendingRow is null)
            {
                continue;
            }

            var key = Key(pendingRow.KeyValues);
            if (seen.TryGetValue(key, out var first))
            {
                errors.Add(new ImportError(row, KeyColumnsForMessage(), pendingRow.DisplayKey, $"doppelter Schlüssel: steht schon in Zeile {first}"));
                continue;
            }

            seen[key] = row;
            pending.Add((key, pendingRow));
        }

        if (errors.Count > 0)
        {
            return ImportOutcome.Rejected(spec.Format, total, errors);
        }

        var existing = LoadExisting(connection, transaction, pending.Select(p => p.Row.OrganisationId).OfType<long>().Distinct().ToList());
        int inserts = 0, updates = 0, unchanged = 0;
        var affected = new HashSet<long>();
        var idByAgs = lookups.Organisations.Values.Where(o => o.Id > 0).ToDictionary(o => o.Ags, o => o.Id, StringComparer.Ordinal);
        foreach (var (key, row) in pending)
        {
            ResolveParent(row, idByAgs);

            if (existing.TryGetValue(key, out var stored))
            {
                var changed = row.Values.Where(v => Normalise(v.Value) != Normalise(stored[v.Key])).Select(v => v.Key).ToList();
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

        return new ImportOutcome(spec.Format, total, inserts, updates, unchanged, [], affected.Order().ToList(), commit);
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
            rows.AddRange(connection.Query($"SELECT * FROM {spec.Table}", transaction: transaction).Cast<IDictionary<string, object?>>());
        }
        else
        {
            foreach (var chunk in organisationIds.Chunk(IdChunk))
            {
                rows.AddRange(connection.Query($"SELECT * FROM {spec.Table} WHERE {spec.OrganisationColumn} IN @Ids", new { Ids = chunk }, transaction)
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

        var sql = $"INSERT INTO {spec.Table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        return connection.ExecuteScalar<long>(dialect.InsertReturningId(sql), parameters, transaction);
    }

    /// <returns>Rows changed: 0 when <paramref name="expectedRowVersion"/> is given and someone else saved in between.</returns>
    internal int Update(IDbConnection connection, IDbTransaction? transaction, long id, Dictionary<string, object?> values, long? expectedRowVersion = null)
    {
        var columns = values.Keys.ToList();
        var parameters = new DynamicParameters();
        parameters.Add("Id", id);
        var assignments = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            parameters.Add("p" + i, values[columns[i]]);
            assignments.Add($"{columns[i]} = @p{i}");
        }

        if (spec.HasRowVersion)
        {
            assignments.Add("row_version = row_version + 1");
        }

        if (spec.HasUpdatedAt)
        {
            parameters.Add("Now", now);
            assignments.Add("updated_at = @Now");
        }

        var where = "id = @Id";
        if (expectedRowVersion is not null && spec.HasRowVersion)
        {
            parameters.Add("Expected", expectedRowVersion);
            where += " AND row_version = @Expected";
        }

        return connection.Execute($"UPDATE {spec.Table} SET {string.Join(", ", assignments)} WHERE {where}", parameters, transaction);
    }

    internal static string? Normalise(object? value) => ValueText.Normalise(value);

}
