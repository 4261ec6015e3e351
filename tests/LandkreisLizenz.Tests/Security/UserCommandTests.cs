using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using LandkreisLizenz.Web.Hosting;

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
        Directory.Delete(_folder, recursive: true);
    }

    private (int Code, string Out, string Error) Run(string stdin, params string[] args)
    {
        var (input, output, error) = (Console.In, Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Console.SetIn(new StringReader(stdin));
            Console.SetOut(stdout);
            Console.SetError(stderr);
            var code = CommandLine.Run([.. args, $"--Database:DataFolder={_folder}"]);
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
}
