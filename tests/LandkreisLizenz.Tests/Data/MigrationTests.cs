using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace LandkreisLizenz.Tests.Data;

[TestClass]
public sealed class MigrationTests
{
    private static string DbRoot => Migrator.LocateDbRoot();

    private static string[] ScriptNames(string dialect) =>
        Directory.GetFiles(Path.Combine(DbRoot, dialect), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [TestMethod]
    public void Scripts_EveryScript_HasTwinInOtherDialect()
    {
        var sqlite = ScriptNames("sqlite");
        var sqlServer = ScriptNames("sqlserver");

        Assert.IsNotEmpty(sqlite);
        CollectionAssert.AreEqual(sqlite, sqlServer, "db/sqlite and db/sqlserver must hold the same file names.");
        foreach (var name in sqlite)
        {
            StringAssert.Matches(name, new System.Text.RegularExpressions.Regex(@"^\d{4}_[a-z0-9_]+\.sql$"), "Scripts are numbered: 0001_name.sql");
        }
    }

    [TestMethod]
    public void SqlServerScripts_ParsedByScriptDom_HaveNoErrors()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(DbRoot, "sqlserver"), "*.sql"))
        {
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            using var reader = new StringReader(File.ReadAllText(file));
            var fragment = parser.Parse(reader, out var errors);

            Assert.IsEmpty(errors, $"{Path.GetFileName(file)}: " + string.Join("; ", errors.Select(e => $"line {e.Line}: {e.Message}")));
            Assert.IsNotNull(fragment);
        }
    }

    [TestMethod]
    public void Run_EmptySqliteFile_AppliesAllThenNone()
    {
        var folder = TestDatabase.NewFolder();
        var database = Database.ForSqliteFile(Path.Combine(folder, "fresh.db"));

        var first = Migrator.Run(database, DbRoot);
        var second = Migrator.Run(database, DbRoot);

        CollectionAssert.AreEqual(ScriptNames("sqlite"), first.ToArray());
        Assert.IsEmpty(second);
        using var connection = database.Open();
        var tables = connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table'").ToHashSet();
        foreach (var table in new[] { "organisations", "categories", "products", "recognition_rules", "hostings", "applications", "contracts", "licenses",
                     "devices", "software_titles", "installations", "user_assignments", "usage_peaks", "reconciliation_runs", "license_positions",
                     "suggestions", "suggestion_organisations", "suggestion_decisions", "notifications", "audit_log", "users", "role_grants",
                     "api_tokens", "import_batches", "import_errors" })
        {
            Assert.Contains(table, tables, $"table {table} missing");
        }
    }

    [TestMethod]
    public void Open_SqliteConnection_UsesWalAndForeignKeys()
    {
        using var sqlite = TestDatabase.CreateEmpty(sqlite: true);
        using var connection = sqlite.Database.Open();

        Assert.AreEqual("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.AreEqual(1L, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
    }

    [TestMethod]
    public void AuditLog_UpdateOrDelete_RefusedByDatabase()
    {
        using var db = TestDatabase.CreateEmpty();
        using var connection = db.Database.Open();
        connection.Execute("INSERT INTO audit_log (occurred_at, action) VALUES ('2026-11-27T08:00:00Z', 'login_failed')");

        Assert.ThrowsExactly<Microsoft.Data.Sqlite.SqliteException>(() => connection.Execute("UPDATE audit_log SET action = 'x'"));
        Assert.ThrowsExactly<Microsoft.Data.Sqlite.SqliteException>(() => connection.Execute("DELETE FROM audit_log"));
        Assert.AreEqual("login_failed", connection.ExecuteScalar<string>("SELECT action FROM audit_log"));
    }
}
