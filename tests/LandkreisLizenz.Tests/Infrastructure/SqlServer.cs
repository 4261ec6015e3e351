using Dapper;
using Microsoft.Data.SqlClient;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// The SQL Server the tests may use: LKL_TEST_SQLSERVER holds a connection string to a server. With it, every test
/// through <see cref="AppFactory"/> gets its own fresh database there (created and dropped by the test); without it,
/// everything runs on SQLite files and the SQL Server-only tests are skipped.
/// </summary>
public static class SqlServer
{
    public const string Variable = "LKL_TEST_SQLSERVER";

    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool Configured => Server is not null;

    public static string ConnectionString(string database) => new SqlConnectionStringBuilder(Server) { InitialCatalog = database }.ConnectionString;

    public static string CreateDatabase()
    {
        var name = "lkl_test_" + Guid.NewGuid().ToString("N")[..12];
        using var master = new SqlConnection(ConnectionString("master"));
        master.Open();
        master.Execute($"CREATE DATABASE [{name}]");
        return name;
    }

    public static void DropDatabase(string name)
    {
        SqlConnection.ClearAllPools();
        using var master = new SqlConnection(ConnectionString("master"));
        master.Open();
        master.Execute($"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{name}]");
    }
}
