using System.Data;
using System.Data.Common;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Registry;

public sealed record ListQuery(string? Search = null, string? Filter = null, string? Sort = null, bool Descending = false, int Page = 1, int PageSize = 50);

public sealed record RegistryPage(RegistryEntity Entity, ListQuery Query, IReadOnlyList<IDictionary<string, object?>> Rows, int Page, int PageSize, int TotalCount)
{
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

public sealed record RegistryRecord(RegistryEntity Entity, IDictionary<string, object?> Values, IReadOnlyList<(RelatedList List, IReadOnlyList<IDictionary<string, object?>> Rows)> Related)
{
    public long Id => Convert.ToInt64(Values["id"], System.Globalization.CultureInfo.InvariantCulture);

    public long RowVersion => Convert.ToInt64(Values["row_version"], System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record SaveResult(long? Id, IReadOnlyDictionary<string, string> FieldErrors, string? Conflict)
{
    public bool Succeeded => Id is not null && FieldErrors.Count == 0 && Conflict is null;
}

/// <summary>
/// Lists, details, exports and edits of the registry objects. Reads go through the caller's scope; writes are
/// validated by the same <see cref="TableSpec"/> as the CSV import and refuse a stale row version.
/// </summary>
public sealed class RegistryService(Database database, TimeProvider clock, AuditLog audit)
{
    /// <summary>Lists are paged; exports stream every row that matches the filter.</summary>
    public async Task<RegistryPage> ListAsync(CallerScope scope, RegistryEntity entity, ListQuery query)
    {
        var page = new PageRequest(query.Page, query.PageSize);
        var (from, parameters) = Where(entity, query);
        parameters.Add("Skip", page.Skip);
        parameters.Add("Take", page.SafePageSize);
        using var connection = database.Open();
        var total = await ScalarAsync(connection, scope, entity, CountSql(from), parameters);
        var rows = await QueryAsync(connection, scope, entity.Global, ListSql(entity, from, query, database.Dialect), parameters);
        return new RegistryPage(entity, query, rows, page.SafePage, page.SafePageSize, total);
    }

    /// <summary>
    /// A page of typed rows (<paramref name="select"/> is the row type's constant SELECT list) with the list's search,
    /// filter and allow-listed sort, by places (keyset), and the number of all matching rows; for integrations.
    /// </summary>
    public async Task<KeysetPage<T>> PageAsync<T>(CallerScope scope, RegistryEntity entity, string select, ListQuery query, KeysetRequest request)
    {
        var (from, parameters) = Where(entity, query);
        var order = Order(entity, query);
        var (window, readOrder) = KeysetSql.Window(database.Dialect, order, request, parameters);
        parameters.Add("Skip", 0);
        parameters.Add("Take", request.SafeTake + 1);
        using var connection = database.Open();
        var total = await ScalarAsync(connection, scope, entity, CountSql(from), parameters);
        var read = await PlacesAsync<T>(connection, scope, entity.Global, KeysetPageSql(select, from, order, window, readOrder, database.Dialect), order.Count, parameters);
        return KeysetSql.Page(read, request, total);
    }

    /// <summary>The rows with these ids that the caller may see, in one statement however many ids (batched lookups).</summary>
    public async Task<IReadOnlyList<T>> ByIdsAsync<T>(CallerScope scope, RegistryEntity entity, string select, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        using var connection = database.Open();
        return await QueryAsync<T>(connection, scope, entity.Global, ByIdsSql(entity, select, database.Dialect), new DynamicParameters(new { Ids = SqlDialect.IdList(ids) }));
    }

    /// <summary>The organisation with this AGS (or provider key) if the caller may see it.</summary>
    public async Task<OrganisationRow?> OrganisationByAgsAsync(CallerScope scope, string ags)
    {
        using var connection = database.Open();
        return (await QueryAsync<OrganisationRow>(connection, scope, catalogueRows: false, OrganisationByAgsSql, new DynamicParameters(new { Ags = ags.Trim() }))).SingleOrDefault();
    }

    private static readonly string OrganisationByAgsSql = $"SELECT {OrganisationRow.Select}\n{RegistryEntities.Organisations.FromSql}\n  AND o.ags = @Ags";

    /// <summary>Reference columns a child list may be grouped by; the column name goes into SQL, so only these.</summary>
    private static readonly HashSet<string> ParentColumns = ["parent_id", "organisation_id", "product_id", "hosting_id", "contract_id", "category_id"];

    /// <summary>
    /// For many parents at once (e.g. the applications of 100 organisations): of each parent's children the caller may
    /// see, the page of <paramref name="request"/> in the list's default order (by places), and every parent's total.
    /// Two statements, whatever the number of parents.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, KeysetPage<T>>> ByParentAsync<T>(CallerScope scope, RegistryEntity entity, string select,
        string parentColumn, Func<T, long?> parentOf, IReadOnlyCollection<long> parentIds, KeysetRequest request)
    {
        if (!ParentColumns.Contains(parentColumn))
        {
            throw new ArgumentException($"Unknown reference column {parentColumn}.", nameof(parentColumn));
        }

        if (parentIds.Count == 0)
        {
            return new Dictionary<long, KeysetPage<T>>();
        }

        var order = Order(entity, new ListQuery());
        var parameters = new DynamicParameters(new { Ids = SqlDialect.IdList(parentIds), Take = request.SafeTake + 1 });
        var (window, readOrder) = KeysetSql.Window(database.Dialect, order, request, parameters);
        var (rowsSql, totalsSql) = ByParentSql(entity, select, parentColumn, order, window, readOrder, database.Dialect);
        using var connection = database.Open();
        var read = await PlacesAsync<T>(connection, scope, entity.Global, rowsSql, order.Count, parameters);
        var totals = (await QueryAsync<(long ParentId, int Total)>(connection, scope, entity.Global, totalsSql, parameters)).ToDictionary(t => t.ParentId, t => t.Total);
        var byParent = read.ToLookup(r => parentOf(r.Row) ?? 0);
        return parentIds.ToDictionary(p => p, p => KeysetSql.Page(byParent[p].ToList(), request, totals.GetValueOrDefault(p)));
    }

    /// <summary>Every row of the filtered list in the entity's import format (column names and value forms), for CSV/XLSX export.</summary>
    public async Task<(IReadOnlyList<string> Columns, IReadOnlyList<IDictionary<string, object?>> Rows)> ExportAsync(CallerScope scope, RegistryEntity entity, ListQuery query)
    {
        var (from, parameters) = Where(entity, query);
        using var connection = database.Open();
        var rows = await QueryAsync(connection, scope, entity.Global, ExportSql(entity, from, query), parameters);
        return (ImportFormatDescriptions.AllColumns(entity.Format), rows);
    }

    public async Task<IReadOnlyList<(string Code, string Name)>> FilterOptionsAsync(RegistryEntity entity)
    {
        if (entity.Filter is null)
        {
            return [];
        }

        if (entity.Filter.Options is { } options)
        {
            return options.Select(o => (o.Key, o.Value)).ToList();
        }

        using var connection = database.Open();
        return (await connection.QueryAsync<(string Code, string Name)>(entity.Filter.OptionsSql!)).ToList();
    }

    /// <returns>null when the record does not exist or lies outside the caller's scope.</returns>
    public async Task<RegistryRecord?> GetAsync(CallerScope scope, RegistryEntity entity, long id)
    {
        using var connection = database.Open();
        var parameters = new DynamicParameters(new { Id = id });
        var row = (await QueryAsync(connection, scope, entity.Global, GetSql(entity), parameters)).SingleOrDefault();
        if (row is null)
        {
            if (!entity.Global)
            {
                await audit.RefusedAsync(scope, entity.Table, id);
            }

            return null;
        }

        var related = new List<(RelatedList, IReadOnlyList<IDictionary<string, object?>>)>();
        foreach (var list in entity.Related)
        {
            related.Add((list, await QueryAsync(connection, scope, catalogueRows: false, list.Sql, new DynamicParameters(new { Id = id }))));
        }

        return new RegistryRecord(entity, row, related);
    }

    /// <summary>
    /// Creates (<paramref name="id"/> null) or updates a record from form fields named like the import columns.
    /// On update the natural key is taken from the stored record, and a changed row version means someone else
    /// saved in between: nothing is written and the caller gets a conflict to show next to the kept input.
    /// </summary>
    /// <param name="keepOmitted">On update, columns missing from <paramref name="fields"/> keep their stored value (API patches); forms send every column.</param>
    public async Task<SaveResult> SaveAsync(CallerScope scope, RegistryEntity entity, long? id, IReadOnlyDictionary<string, string?> fields, long? expectedRowVersion,
        bool keepOmitted = false)
    {
        var spec = TableSpecs.For(entity.Format);
        var values = spec.Columns.ToDictionary(c => c.Name, c => (fields.GetValueOrDefault(c.Name) ?? "").Trim());
        RegistryRecord? before = null;
        if (id is not null)
        {
            before = await GetAsync(scope, entity, id.Value) ?? throw new KeyNotFoundException($"{entity.Singular} existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.");
            foreach (var column in spec.Columns.Where(c => entity.KeyColumns.Contains(c.Name) || (keepOmitted && !fields.ContainsKey(c.Name))))
            {
                values[column.Name] = ValueText.Normalise(before.Values.TryGetValue(column.Name, out var stored) ? stored : null) ?? "";
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var lookups = ImportLookups.Load(connection, transaction, entity.Format);
        var errors = new ImportErrors();
        var header = spec.Columns.Select(c => c.Name).ToList();
        var reader = new RowReader(header, spec.Columns, ';', errors);
        reader.Load(0, header.Select(h => values[h]).ToArray());
        var pending = spec.Read(reader, lookups, scope);
        if (pending is null || errors.Count > 0)
        {
            // SQLite transactions hold the write lock; release it before the audit log (its own connection) writes.
            transaction.Rollback();
            // One entry per refused target organisation, so that its CIO sees the attempt (catalogue refusals have none).
            var key = string.Join("/", entity.KeyColumns.Select(k => values[k]));
            foreach (var owner in errors.RefusedOrganisations)
            {
                await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, entity.Table, key, owner));
            }

            return new SaveResult(null, errors.Kept.GroupBy(e => e.Column ?? "").ToDictionary(g => g.Key, g => g.First().Reason), null);
        }

        var importer = new TableImporter(spec, database.Dialect, now);
        var idByAgs = lookups.Organisations.Values.Where(o => o.Id > 0).ToDictionary(o => o.Ags, o => o.Id, StringComparer.Ordinal);
        TableImporter.ResolveParent(pending, idByAgs);
        long savedId;
        if (id is null)
        {
            if (Exists(connection, transaction, spec, pending))
            {
                return new SaveResult(null, new Dictionary<string, string> { [entity.KeyColumns[^1]] = $"{entity.Singular} mit diesem Schlüssel existiert bereits." }, null);
            }

            savedId = importer.Insert(connection, transaction, pending);
        }
        else
        {
            if (importer.Update(connection, transaction, id.Value, pending.Values, expectedRowVersion) == 0)
            {
                return new SaveResult(null, new Dictionary<string, string>(),
                    $"{entity.Singular} wurde inzwischen von jemand anderem geändert. Ihre Änderungen wurden nicht gespeichert – sie stehen noch im Formular. Bitte vergleichen Sie mit dem aktuellen Stand (neu laden) und speichern Sie dann erneut.");
            }

            savedId = id.Value;
        }

        transaction.Commit();
        await audit.WriteAsync(scope, new AuditEntry(id is null ? AuditActions.Create : AuditActions.Update, entity.Table,
            string.Join("/", entity.KeyColumns.Select(k => values[k])), pending.OrganisationId ?? (entity == RegistryEntities.Organisations ? savedId : null),
            Before: before?.Values.Where(v => header.Contains(v.Key)).ToDictionary(v => v.Key, v => ValueText.Normalise(v.Value)),
            After: values));
        return new SaveResult(savedId, new Dictionary<string, string>(), null);
    }

    /// <summary>Deletes a record the caller may write, if nobody changed it meanwhile and nothing refers to it.</summary>
    public async Task<string?> DeleteAsync(CallerScope scope, RegistryEntity entity, long id, long expectedRowVersion)
    {
        var record = await GetAsync(scope, entity, id) ?? throw new KeyNotFoundException($"{entity.Singular} existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.");
        var organisationId = entity == RegistryEntities.Organisations ? id : entity.Global ? (long?)null : Convert.ToInt64(record.Values["organisation_id"], System.Globalization.CultureInfo.InvariantCulture);
        var allowed = organisationId is { } org ? scope.CanWrite(org) : scope.CanWriteCatalogue;
        var key = string.Join("/", entity.KeyColumns.Select(k => ValueText.Normalise(record.Values[k])));
        if (!allowed)
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, entity.Table, key, organisationId));
            throw new AccessDeniedException($"Sie dürfen diese(n) {entity.Singular} nicht löschen.");
        }

        using var connection = database.Open();
        try
        {
            var deleted = await connection.ExecuteAsync(DeleteSql(entity), new { Id = id, Expected = expectedRowVersion });
            if (deleted == 0)
            {
                return $"{entity.Singular} wurde inzwischen geändert und deshalb nicht gelöscht. Bitte prüfen Sie den aktuellen Stand.";
            }
        }
        catch (DbException ex) when (database.Dialect.IsForeignKeyViolation(ex))
        {
            return $"{entity.Singular} kann nicht gelöscht werden, weil noch andere Einträge darauf verweisen (z. B. Anwendungen, Lizenzen oder Gemeinden). Bitte diese zuerst ändern oder löschen.";
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Delete, entity.Table, key, organisationId,
            Before: record.Values.ToDictionary(v => v.Key, v => ValueText.Normalise(v.Value))));
        return null;
    }

    private static bool Exists(IDbConnection connection, IDbTransaction transaction, TableSpec spec, PendingRow row)
    {
        var parameters = new DynamicParameters();
        var columns = row.KeyValues.Select((kv, i) =>
        {
            parameters.Add("k" + i, kv.Value);
            return kv.Key;
        }).ToList();
        return connection.ExecuteScalar<int>(ExistsSql(spec.Table, columns), parameters, transaction) > 0;
    }

    private static string ExistsSql(string table, IEnumerable<string> keyColumns) =>
        $"SELECT COUNT(*) FROM {table} WHERE {string.Join(" AND ", keyColumns.Select((c, i) => $"{c} = @k{i}"))}";

    private (string From, DynamicParameters Parameters) Where(RegistryEntity entity, ListQuery query)
    {
        var parameters = new DynamicParameters();
        var search = !string.IsNullOrWhiteSpace(query.Search);
        var filter = entity.Filter is not null && !string.IsNullOrWhiteSpace(query.Filter);
        if (search)
        {
            parameters.Add("Search", query.Search!.Trim());
        }

        if (filter)
        {
            parameters.Add("Filter", query.Filter);
        }

        return (FromSql(entity, search, filter, database.Dialect), parameters);
    }

    // The statements, built in one place each; Statements() lists every form for review and for the SQL Server parse test.

    private static string FromSql(RegistryEntity entity, bool search, bool filter, SqlDialect dialect) =>
        entity.FromSql
        + (search ? "\n  AND (" + string.Join(" OR ", entity.SearchSql.Select(c => dialect.ContainsIgnoreCase(c, "@Search"))) + ")" : "")
        + (filter ? $"\n  AND {entity.Filter!.Sql} = @Filter" : "");

    private static string CountSql(string from) => "SELECT COUNT(*) " + from;

    private static string ListSql(RegistryEntity entity, string from, ListQuery query, SqlDialect dialect) =>
        dialect.Page($"SELECT {entity.Alias}.id AS id, " + string.Join(", ", entity.Columns.Select(c => $"{c.Sql} AS {c.Key}"))
                     + (entity.Global || entity == RegistryEntities.Organisations ? "" : ", o.id AS organisation_id")
                     + $"\n{from}\nORDER BY {OrderBy(entity, query)}");

    private static string KeysetPageSql(string select, string from, IReadOnlyList<SortTerm> order, string window, IReadOnlyList<SortTerm> readOrder, SqlDialect dialect) =>
        dialect.Page($"SELECT {select}, {KeysetSql.Columns(order)}\n{from}\n  AND {window}\n{dialect.OrderBy(readOrder)}");

    private static string ByIdsSql(RegistryEntity entity, string select, SqlDialect dialect) =>
        $"SELECT {select}\n{entity.FromSql}\n  AND {entity.Alias}.id IN ({dialect.IdSet("@Ids")})";

    private static (string Rows, string Totals) ByParentSql(RegistryEntity entity, string select, string parentColumn, IReadOnlyList<SortTerm> order,
        string window, IReadOnlyList<SortTerm> readOrder, SqlDialect dialect)
    {
        var column = $"{entity.Alias}.{parentColumn}";
        var from = $"{entity.FromSql}\n  AND {column} IN ({dialect.IdSet("@Ids")})";
        return ($"""
            SELECT x.* FROM (
              SELECT {select}, {KeysetSql.Columns(order)}, ROW_NUMBER() OVER (PARTITION BY {column} {dialect.OrderBy(readOrder)}) AS RowNumber
              {from}
              AND {window}) x
            WHERE x.RowNumber <= @Take
            ORDER BY x.RowNumber
            """, $"SELECT {column} AS ParentId, COUNT(*) AS Total\n{from}\nGROUP BY {column}");
    }

    private static string ExportSql(RegistryEntity entity, string from, ListQuery query) => $"SELECT {entity.ExportSelectSql}\n{from}\nORDER BY {OrderBy(entity, query)}";

    private static string GetSql(RegistryEntity entity) =>
        $"SELECT {entity.Alias}.id AS id, {entity.Alias}.row_version AS row_version, {entity.ExportSelectSql}{entity.DetailExtraSql}\n{entity.FromSql}\n  AND {entity.Alias}.id = @Id";

    private static string DeleteSql(RegistryEntity entity) => $"DELETE FROM {entity.Table} WHERE id = @Id AND row_version = @Expected";

    /// <summary>Every statement this service can issue in <paramref name="dialect"/>, with placeholders still in (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect)
    {
        foreach (var entity in RegistryEntities.All)
        {
            var select = RegistryRows.SelectFor(entity);
            foreach (var (search, filter) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var from = FromSql(entity, search, filter && entity.Filter is not null, dialect);
                foreach (var column in entity.Columns.Where(c => c.Sortable))
                {
                    var query = new ListQuery(Sort: column.Key);
                    yield return ($"{entity.Slug}: list by {column.Key}", ListSql(entity, from, query, dialect));
                    foreach (var (name, request) in KeysetSql.Samples)
                    {
                        var order = Order(entity, query);
                        var (window, readOrder) = KeysetSql.Window(dialect, order, KeysetSql.Sample(request, order.Count), new DynamicParameters());
                        yield return ($"{entity.Slug}: typed page by {column.Key}, {name}", KeysetPageSql(select, from, order, window, readOrder, dialect));
                    }
                    yield return ($"{entity.Slug}: export by {column.Key}", ExportSql(entity, from, query));
                }

                yield return ($"{entity.Slug}: count", CountSql(from));
            }

            yield return ($"{entity.Slug}: get", GetSql(entity));
            yield return ($"{entity.Slug}: by ids", ByIdsSql(entity, select, dialect));
            foreach (var column in ParentColumns)
            {
                var order = Order(entity, new ListQuery());
                foreach (var (name, request) in KeysetSql.Samples)
                {
                    var (window, readOrder) = KeysetSql.Window(dialect, order, KeysetSql.Sample(request, order.Count), new DynamicParameters());
                    var (rows, totals) = ByParentSql(entity, select, column, order, window, readOrder, dialect);
                    yield return ($"{entity.Slug}: by {column}, {name}", rows);
                    yield return ($"{entity.Slug}: totals by {column}", totals);
                }
            }

            yield return ($"{entity.Slug}: delete", DeleteSql(entity));
            foreach (var related in entity.Related)
            {
                yield return ($"{entity.Slug}: related {related.Heading}", related.Sql);
            }

            if (entity.Filter?.OptionsSql is { } options)
            {
                yield return ($"{entity.Slug}: filter options", options);
            }

            var spec = TableSpecs.For(entity.Format);
            yield return ($"{entity.Slug}: exists", ExistsSql(spec.Table, spec.KeyColumns));
        }
    }

    /// <summary>Sort keys come from the entity's column list only; anything else falls back to the default. The id last makes every place unique.</summary>
    private static IReadOnlyList<SortTerm> Order(RegistryEntity entity, ListQuery query)
    {
        var column = entity.Columns.FirstOrDefault(c => c.Sortable && c.Key == query.Sort)
                     ?? entity.Columns.First(c => c.Key == entity.DefaultSort);
        return [new SortTerm(column.Sql, query.Descending), new SortTerm($"{entity.Alias}.id", Nullable: false)];
    }

    private static string OrderBy(RegistryEntity entity, ListQuery query) =>
        string.Join(", ", Order(entity, query).Select(t => t.Sql + (t.Descending ? " DESC" : " ASC")));

    private static async Task<IReadOnlyList<(T Row, Keyset Place)>> PlacesAsync<T>(IDbConnection connection, CallerScope scope, bool catalogueRows, string sql, int terms,
        DynamicParameters parameters) =>
        catalogueRows
            ? (await connection.QueryAsync<T, PlaceColumns, (T, Keyset)>(sql, (row, place) => (row, place.Place(terms)), parameters, splitOn: "K0")).ToList()
            : await connection.QueryPlacesScopedAsync<T>(scope, sql, terms, parameters);

    /// <summary>
    /// Rows of the shared catalogue (<paramref name="catalogueRows"/>: a global entity or a catalogue list) are read as they are; every other
    /// statement goes through the caller's scope and is refused without its placeholder. Which of the two is decided by
    /// the entity, never by the SQL text, so a forgotten placeholder fails instead of reading unscoped.
    /// </summary>
    private static async Task<IReadOnlyList<IDictionary<string, object?>>> QueryAsync(IDbConnection connection, CallerScope scope, bool catalogueRows, string sql, DynamicParameters parameters) =>
        (await QueryAsync<dynamic>(connection, scope, catalogueRows, sql, parameters)).Select(r => (IDictionary<string, object?>)r).ToList();

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(IDbConnection connection, CallerScope scope, bool catalogueRows, string sql, DynamicParameters parameters) =>
        (catalogueRows
            ? await connection.QueryAsync<T>(sql, parameters)
            : await connection.QueryScopedAsync<T>(scope, sql, parameters)).ToList();

    private static async Task<int> ScalarAsync(IDbConnection connection, CallerScope scope, RegistryEntity entity, string sql, DynamicParameters parameters) =>
        entity.Global
            ? await connection.ExecuteScalarAsync<int>(sql, parameters)
            : await connection.ExecuteScalarScopedAsync<int>(scope, sql, parameters);
}
