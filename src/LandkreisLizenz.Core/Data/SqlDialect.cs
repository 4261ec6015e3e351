namespace LandkreisLizenz.Core.Data;

/// <summary>
/// The few places where SQLite and SQL Server differ. Everything else is written once in portable SQL.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect SqlServer = new SqlServerDialect();

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Appends paging to a statement that already has an ORDER BY; binds @Skip and @Take.</summary>
    public abstract string Page(string sqlWithOrderBy);

    /// <summary>Turns "INSERT INTO t (...) VALUES (...)" into a statement that returns the new id.</summary>
    public abstract string InsertReturningId(string insertSql);

    /// <summary>Case-insensitive LIKE on a column (SQLite LIKE is ASCII-only case-insensitive; SQL Server collations usually are).</summary>
    public abstract string ContainsIgnoreCase(string column, string parameter);

    /// <summary>
    /// A one-column table of the ids in a JSON array parameter ("[1,2,3]"), for batched lookups: one parameter however
    /// many ids, so a batch never meets SQL Server's 2,100-parameter limit and the statement text stays the same.
    /// </summary>
    public abstract string IdSet(string parameter);

    /// <summary>As <see cref="IdSet"/>, for texts (a JSON array of strings, <see cref="TextList"/>).</summary>
    public abstract string TextSet(string parameter);

    /// <summary>The database refused a row because its key (primary or unique) exists already.</summary>
    public abstract bool IsUniqueViolation(System.Data.Common.DbException exception);

    /// <summary>The database refused a change because a foreign key refers to, or names a missing, row.</summary>
    public abstract bool IsForeignKeyViolation(System.Data.Common.DbException exception);

    /// <summary>
    /// Session settings for writing millions of rows in one transaction, and what restores the defaults afterwards on the
    /// pooled connection (null: none needed). SQLite's default page cache of 2 MB makes every index insert of a large
    /// inventory a read; 64 MB hold the pages an import touches, and are given back when it ends.
    /// </summary>
    public abstract (string Begin, string End)? BulkWriteSettings { get; }

    /// <summary>
    /// Brings the query planner's statistics up to date after a large change (null: the server does it itself). Statistics
    /// taken on a small database mislead the planner once an import has added millions of rows.
    /// </summary>
    public abstract string? RefreshStatistics { get; }

    /// <summary>
    /// Where NULL sorts: SQLite and SQL Server put it first in ascending and last in descending order, so one rule serves
    /// both; a provider that differs overrides <see cref="OrderBy"/> and <see cref="Beyond"/> together.
    /// </summary>
    public virtual string OrderBy(IReadOnlyList<Common.SortTerm> order) =>
        "ORDER BY " + string.Join(", ", order.Select(t => t.Sql + (t.Descending ? " DESC" : "")));

    /// <summary>
    /// The rows that lie beyond <paramref name="place"/> in <paramref name="order"/> (keyset paging): lexicographically,
    /// term by term, with NULL where <see cref="OrderBy"/> puts it. Values become parameters @{prefix}0, @{prefix}1, ….
    /// </summary>
    public virtual string Beyond(IReadOnlyList<Common.SortTerm> order, Common.Keyset place, string prefix, Dapper.DynamicParameters parameters)
    {
        var alternatives = new List<string>();
        var equalSoFar = new List<string>();
        for (var i = 0; i < order.Count; i++)
        {
            var term = order[i];
            var value = place.Values[i];
            var name = "@" + prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (value is not null)
            {
                parameters.Add(name, value);
            }

            string? further = (value, term.Descending) switch
            {
                (null, false) => $"{term.Sql} IS NOT NULL",
                (null, true) => null, // nothing sorts after NULL in descending order
                (_, false) => $"{term.Sql} > {name}",
                (_, true) => term.Nullable ? $"({term.Sql} < {name} OR {term.Sql} IS NULL)" : $"{term.Sql} < {name}",
            };
            if (further is not null)
            {
                alternatives.Add("(" + string.Join(" AND ", equalSoFar.Append(further)) + ")");
            }

            equalSoFar.Add(value is null ? $"{term.Sql} IS NULL" : $"{term.Sql} = {name}");
        }

        return alternatives.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", alternatives) + ")";
    }

    /// <summary>INSERT of one row with the values as parameters @p0, @p1, … (table and column names come from code).</summary>
    public static string InsertSql(string table, IReadOnlyList<string> columns) =>
        $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";

    /// <summary>The JSON array <see cref="IdSet"/> expects.</summary>
    public static string IdList(IEnumerable<long> ids) => "[" + string.Join(",", ids.Distinct().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>The JSON array <see cref="TextSet"/> expects.</summary>
    public static string TextList(IEnumerable<string> texts) => System.Text.Json.JsonSerializer.Serialize(texts.Distinct(StringComparer.Ordinal));

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
        public override string Page(string sqlWithOrderBy) => sqlWithOrderBy + "\nLIMIT @Take OFFSET @Skip";
        public override string InsertReturningId(string insertSql) => insertSql.TrimEnd().TrimEnd(';') + " RETURNING id;";
        public override string ContainsIgnoreCase(string column, string parameter) =>
            $"instr(lower({column}), lower({parameter})) > 0";

        public override string IdSet(string parameter) => $"SELECT value FROM json_each({parameter})";

        // json_each yields texts and numbers alike.
        public override string TextSet(string parameter) => IdSet(parameter);

        public override (string Begin, string End)? BulkWriteSettings => ("PRAGMA cache_size = -65536", "PRAGMA cache_size = -2000");

        // A sample of 1,000 rows an index is what SQLite recommends with optimize: a full ANALYZE of 29 million installations
        // took 4 s of the commit. The limit is put back to its default, so the pooled connection stays as it was.
        public override string? RefreshStatistics => "PRAGMA analysis_limit = 1000; PRAGMA optimize; PRAGMA analysis_limit = 0";

        // SQLITE_CONSTRAINT (19) with its extended codes: PRIMARYKEY 1555, UNIQUE 2067, FOREIGNKEY 787.
        public override bool IsUniqueViolation(System.Data.Common.DbException exception) =>
            exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 };

        public override bool IsForeignKeyViolation(System.Data.Common.DbException exception) =>
            exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 };
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.SqlServer;
        public override string Page(string sqlWithOrderBy) => sqlWithOrderBy + "\nOFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY";

        public override string InsertReturningId(string insertSql)
        {
            var sql = insertSql.TrimEnd().TrimEnd(';');
            var valuesAt = sql.LastIndexOf(" VALUES", StringComparison.OrdinalIgnoreCase);
            if (valuesAt < 0)
            {
                valuesAt = sql.LastIndexOf("\nVALUES", StringComparison.OrdinalIgnoreCase);
            }

            if (valuesAt < 0)
            {
                throw new ArgumentException("INSERT statement needs a VALUES clause.", nameof(insertSql));
            }

            return sql[..valuesAt] + " OUTPUT INSERTED.id" + sql[valuesAt..] + ";";
        }

        public override string ContainsIgnoreCase(string column, string parameter) =>
            $"CHARINDEX(LOWER({parameter}), LOWER({column})) > 0";

        public override string IdSet(string parameter) => $"SELECT CAST([value] AS bigint) FROM OPENJSON({parameter})";

        public override string TextSet(string parameter) => $"SELECT CAST([value] AS nvarchar(400)) FROM OPENJSON({parameter})";

        public override (string Begin, string End)? BulkWriteSettings => null;

        // Automatic statistics update (the default) refreshes a table's statistics once a fifth of it has changed.
        public override string? RefreshStatistics => null;

        public override bool IsUniqueViolation(System.Data.Common.DbException exception) =>
            exception is Microsoft.Data.SqlClient.SqlException { Number: 2627 or 2601 };

        public override bool IsForeignKeyViolation(System.Data.Common.DbException exception) =>
            exception is Microsoft.Data.SqlClient.SqlException { Number: 547 };
    }
}
