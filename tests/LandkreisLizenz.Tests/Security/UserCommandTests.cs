using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using LandkreisLizenz.Web.Hosting;
using System.Net;

namespace LandkreisLizenz.Tests.Security;

/// <summary>
/// The account verbs of a real installation (issue 14): <c>users add|list|disable</c> on the same executable and
/// configuration, password from standard input, the database created and migrated when it is not there yet.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class UserCommandTests
{
    private string _folder = null!;

    [TestInitialize]
    public void Setup() => _folder = Path.Combine(Path.GetTempPath(), "lkl-users-" + Guid.NewGuid().ToString("N"));

    [TestCleanup]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private (int Code, string Out, string Error) Run(string stdin, params string[] args) => RunIn(_folder, stdin, args);

    private static (int Code, string Out, string Error) RunIn(string folder, string stdin, params string[] args)
    {
        var (input, output, error) = (Console.In, Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Console.SetIn(new StringReader(stdin));
            Console.SetOut(stdout);
            Console.SetError(stderr);
            var code = CommandLine.Run([.. args, $"--Database:DataFolder={folder}"]);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetIn(input);
            Console.SetOut(output);
            Console.SetError(error);
        }
    }

    private AccountService Accounts(out Database database)
    {
        database = Database.ForSqliteFile(Path.Combine(_folder, new DatabaseOptions().SqliteFile));
        var clock = TestClock.Create();
        return new AccountService(database, clock, new AuditLog(database, clock));
    }

    [TestMethod]
    public async Task UsersAdd_OnAnEmptyInstallation_FirstAdminSignsInDisableEndsIt()
    {
        var added = Run("Erstes-Passwort-2026\n", "users", "add", "--user", "betrieb", "--role", "admin");

        Assert.AreEqual(0, added.Code, added.Error);
        var accounts = Accounts(out var database);
        Assert.AreEqual(SignInOutcome.Succeeded, (await accounts.SignInAsync("betrieb", "Erstes-Passwort-2026", null)).Outcome);
        StringAssert.Contains(Run("", "users", "list").Out, "betrieb");

        Assert.AreEqual(0, Run("", "users", "disable", "--user", "betrieb").Code);
        Assert.AreNotEqual(SignInOutcome.Succeeded, (await accounts.SignInAsync("betrieb", "Erstes-Passwort-2026", null)).Outcome, "a disabled account signed in");
        using var connection = database.Open();
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE object_type = 'user' AND object_key = 'betrieb' AND action IN ('create', 'update')"));
    }

    [TestMethod]
    [DataRow("reader", null, "bitte deren AGS angeben")]
    [DataRow("admin", "05158", "ohne Organisation")]
    [DataRow("chef", null, "unbekannte Rolle")]
    [DataRow("cio", "99999", "keine Organisation mit dem AGS")]
    public void UsersAdd_WrongRoleOrOrganisation_GermanReasonNoAccount(string role, string? ags, string reason)
    {
        var args = new List<string> { "users", "add", "--user", "neu.konto", "--role", role };
        if (ags is not null)
        {
            args.AddRange(["--organisation", ags]);
        }

        var result = Run("Ein-langes-Passwort-1\n", [.. args]);

        Assert.AreEqual(1, result.Code);
        StringAssert.Contains(result.Error, reason);
        Assert.DoesNotContain("neu.konto", Run("", "users", "list").Out);
    }

    [TestMethod]
    public void UsersAdd_ShortPasswordOrTakenName_Refused()
    {
        Assert.AreEqual(0, Run("Erstes-Passwort-2026\n", "users", "add", "--user", "betrieb", "--role", "admin").Code);

        StringAssert.Contains(Run("kurz\n", "users", "add", "--user", "zweiter", "--role", "admin").Error, "mindestens 12 Zeichen");
        StringAssert.Contains(Run("Erstes-Passwort-2026\n", "users", "add", "--user", "Betrieb", "--role", "admin").Error, "gibt es schon");
    }

    [TestMethod]
    public async Task ProductionStart_UsersAddThenStartWithoutDemo_AdminSignsInOnCountiesAndCategoriesOnly()
    {
        using var factory = new AppFactory(settings: new() { ["Demo:SeedOnFirstStart"] = "false" });
        Assert.AreEqual(0, RunIn(factory.DataFolder, "Erstes-Passwort-2026\n", "users", "add", "--user", "betrieb", "--role", "admin").Code);

        var client = factory.CreateBrowserClient();
        Assert.AreEqual(HttpStatusCode.Redirect, (await AppFactory.LoginAsync(client, "betrieb", "Erstes-Passwort-2026")).StatusCode, "the first admin did not sign in");
        // Every page a newcomer opens first answers on an installation that holds nothing of its own yet.
        foreach (var page in new[] { "/", "/dashboard", "/register/organisationen", "/register/produkte", "/register/anwendungen", "/lizenzabgleich",
                     "/empfehlungen", "/fristen", "/verbund", "/massnahmen", "/inventar/nicht-erkannt", "/import", "/protokoll" })
        {
            var response = await client.GetAsync(page);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, page);
        }

        StringAssert.Contains(await client.GetStringAsync("/register/organisationen?suche=Mettmann"), "Mettmann");
        using var connection = factory.Database.Open();
        Assert.AreEqual(294, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE kind = 'county' AND population > 0"));
        Assert.AreEqual(294, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations"));
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE shares_for_consolidation = 1"), "a county shares before it decided to");
        Assert.AreEqual(20, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM categories WHERE kind IN ('fachverfahren', 'office', 'infrastructure')"));
        foreach (var table in new[] { "products", "recognition_rules", "software_titles", "hostings", "applications", "contracts", "licenses", "devices", "installations", "suggestions" })
        {
            Assert.AreEqual(0, connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM {table}"), table);
        }

        Assert.AreEqual("betrieb", connection.ExecuteScalar<string>("SELECT group_concat(user_name) FROM users"));
    }
}
