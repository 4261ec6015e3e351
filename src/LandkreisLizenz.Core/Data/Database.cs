using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Core.Data;

/// <summary>Opens connections for the configured provider and knows its dialect.</summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(DatabaseProvider provider, string connectionString)
    {
        DapperSetup.EnsureRegistered();
        Provider = provider;
        _connectionString = connectionString;
        Dialect = provider == DatabaseProvider.Sqlite ? SqlDialect.Sqlite : SqlDialect.SqlServer;
    }

    public DatabaseProvider Provider { get; }

    public SqlDialect Dialect { get; }

    public string ConnectionString => _connectionString;

    /// <summary>SQLite file of this database, or null for SQL Server.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite
        ? new SqliteConnectionStringBuilder(_connectionString).DataSource
        : null;

    public static Database ForSqliteFile(string path) =>
        new(DatabaseProvider.Sqlite, SqliteConnectionString(path));

    public static string SqliteConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
        ForeignKeys = true,
    }.ToString();

    /// <summary>Resolves the options against a content root into a database (SQLite paths become absolute).</summary>
    public static Database FromOptions(DatabaseOptions options, string contentRoot)
    {
        if (options.Provider == DatabaseProvider.SqlServer)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new InvalidOperationException("Database:ConnectionString is required for the SqlServer provider.");
            }

            return new Database(DatabaseProvider.SqlServer, options.ConnectionString);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new Database(DatabaseProvider.Sqlite, options.ConnectionString);
        }

        var folder = ResolveDataFolder(options, contentRoot);
        return ForSqliteFile(Path.Combine(folder, options.SqliteFile));
    }

    public static string ResolveDataFolder(DatabaseOptions options, string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(options.DataFolder) ? options.DataFolder : Path.Combine(contentRoot, options.DataFolder));

    /// <summary>Benchmarks count statements per request with it (SQLite trace); null in production.</summary>
    public Action<SqliteConnection>? OnSqliteOpened { get; set; }

    public DbConnection Open()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var connection = new SqliteConnection(_connectionString);
            connection.Open();
            OnSqliteOpened?.Invoke(connection);
            using var pragma = connection.CreateCommand();
            // WAL is a property of the file (set by the migrator); NORMAL sync is safe under WAL and per connection.
            pragma.CommandText = "PRAGMA synchronous = NORMAL;";
            pragma.ExecuteNonQuery();
            return connection;
        }

        var sql = new SqlConnection(_connectionString);
        sql.Open();
        return sql;
    }
}
