using System.Net;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Tests.GraphQL;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Data.SqlClient;

namespace LandkreisLizenz.Tests.Data;

/// <summary>
/// The application on a real SQL Server, when one is given: LKL_TEST_SQLSERVER holds a connection string to a server
/// (the test creates its own database and drops it afterwards). Migrations, the test estate, a full reconciliation and
/// the suggestions must give the same checksums as on SQLite, and the web app and GraphQL must serve from it.
/// Without the variable these tests are skipped with that message; no SQL Server runs on the build machine, where
/// every SQL Server statement is still parsed with ScriptDom (<see cref="SqlServerStatementTests"/>).
/// </summary>
[TestClass]
[TestCategory("SqlServer")]
public sealed class SqlServerIntegrationTests
{
    private static string? _server;
    private static string _databaseName = "";
    private static Database _database = null!;

    [ClassInitialize]
    public static void CreateDatabase(TestContext context)
    {
        _server = SqlServer.Server;
        if (_server is null)
        {
            return;
        }

        _databaseName = SqlServer.CreateDatabase();
        _database = Database.FromOptions(new DatabaseOptions { Provider = DatabaseProvider.SqlServer, ConnectionString = SqlServer.ConnectionString(_databaseName) }, Path.GetTempPath());
    }

    [ClassCleanup]
    public static void DropDatabase()
    {
        if (_server is not null)
        {
            SqlServer.DropDatabase(_databaseName);
        }
    }

    private static void RequireServer()
    {
        if (_server is null)
        {
            Assert.Inconclusive($"SQL Server tests skipped: set {SqlServer.Variable} to a connection string of a SQL Server (the test creates and drops its own database).");
        }
    }

    [TestMethod]
    public async Task Estate_MigratedSeededReconciled_SameChecksumsAsSqlite()
    {
        RequireServer();

        var applied = Migrator.Run(_database, Migrator.LocateDbRoot());
        var again = Migrator.Run(_database, Migrator.LocateDbRoot());
        new DemoEstateGenerator(_database, TestClock.Create()).Generate(DemoScale.Test, DemoEstateGenerator.DefaultSeed, TestClock.Today, Path.Combine(Migrator.LocateDbRoot(), "seed"));
        var reconciliation = new ReconciliationService(_database, TestClock.Create(), new Core.Audit.AuditLog(_database, TestClock.Create()), new ReconciliationOptions());
        var run = await reconciliation.RunNow(CallerScope.System("tests"), null);
        var suggestions = await new SuggestionService(_database, TestClock.Create(), new Core.Audit.AuditLog(_database, TestClock.Create()), new SuggestionOptions()).RefreshAsync();

        using var sqlite = TestDatabase.CopyOf(SharedEstate.Database);
        var sqliteRun = await new ReconciliationService(sqlite.Database, TestClock.Create(), new Core.Audit.AuditLog(sqlite.Database, TestClock.Create()), new ReconciliationOptions())
            .RunNow(CallerScope.System("tests"), null);
        var sqliteSuggestions = await new SuggestionService(sqlite.Database, TestClock.Create(), new Core.Audit.AuditLog(sqlite.Database, TestClock.Create()), new SuggestionOptions()).RefreshAsync();

        Assert.IsNotEmpty(applied);
        Assert.IsEmpty(again, "a second run applies nothing");
        Assert.AreEqual(sqliteRun.Checksum, run.Checksum, "the reconciliation computes the same positions on both providers");
        Assert.AreEqual(sqliteSuggestions.Created, suggestions.Created);
        var scope = await Scopes.ForUserNameAsync(_database, "lm.mettmann");
        var page = await new RegistryService(_database, TestClock.Create(), new Core.Audit.AuditLog(_database, TestClock.Create()))
            .ListAsync(scope, RegistryEntities.Applications, new ListQuery(Search: "ok", Sort: "vendor", PageSize: 10));
        Assert.IsGreaterThan(0, page.TotalCount);
    }

    [TestMethod]
    public async Task WebApp_OnSqlServer_SignInAndGraphQL()
    {
        RequireServer();
        Migrator.Run(_database, Migrator.LocateDbRoot());
        using (var connection = _database.Open())
        {
            if (connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations") == 0)
            {
                new DemoEstateGenerator(_database, TestClock.Create()).Generate(DemoScale.Test, DemoEstateGenerator.DefaultSeed, TestClock.Today, Path.Combine(Migrator.LocateDbRoot(), "seed"));
            }
        }

        using var factory = new AppFactory(settings: new()
        {
            ["Database:Provider"] = "SqlServer",
            ["Database:ConnectionString"] = SqlServer.ConnectionString(_databaseName),
        });
        using var client = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        var token = await GraphQLClient.TokenAsync(factory, "lm.mettmann", "read", "05158");

        var home = await client.GetAsync("/register/anwendungen");
        var (status, body) = await GraphQLClient.PostAsync(factory, token, "{ organisations(first: 20) { totalCount } }");

        Assert.AreEqual(HttpStatusCode.OK, home.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        Assert.AreEqual(11, body.GetProperty("data").GetProperty("organisations").GetProperty("totalCount").GetInt32());
    }
}
