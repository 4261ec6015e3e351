using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Security;

[TestClass]
public sealed class AccountServiceTests
{
    private static (AccountService Service, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock) Create(TestDatabase db)
    {
        var clock = TestClock.Create();
        return (new AccountService(db.Database, clock, new AuditLog(db.Database, clock)), clock);
    }

    private static TestDatabase WithDemoAccounts()
    {
        var db = TestDatabase.CreateEmpty();
        using var connection = db.Database.Open();
        AccountService.CreateUser(connection, null, db.Database.Dialect,
            new NewUser("lm.test", "Test", null, DemoEstateGenerator.DemoPassword, [(Roles.Admin, null)]), TestClock.Now.UtcDateTime);
        return db;
    }

    [TestMethod]
    public async Task SignInAsync_CorrectPassword_SucceedsAndAudits()
    {
        using var db = WithDemoAccounts();
        var (service, _) = Create(db);

        var result = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, "127.0.0.1");

        Assert.AreEqual(SignInOutcome.Succeeded, result.Outcome);
        using var connection = db.Database.Open();
        Assert.AreEqual(AuditActions.LoginSucceeded, connection.ExecuteScalar<string>("SELECT action FROM audit_log"));
    }

    [TestMethod]
    public async Task SignInAsync_CountyAccount_AuditedForItsOrganisationSoItsCioSeesIt()
    {
        using var db = TestDatabase.CreateSeeded();
        var (service, _) = Create(db);

        Assert.AreEqual(SignInOutcome.Succeeded, (await service.SignInAsync("lm.mettmann", DemoEstateGenerator.DemoPassword, "127.0.0.1")).Outcome);
        Assert.AreEqual(SignInOutcome.Failed, (await service.SignInAsync("lm.mettmann", "falsch", "127.0.0.1")).Outcome);
        Assert.AreEqual(SignInOutcome.Failed, (await service.SignInAsync("niemand", "falsch", "127.0.0.1")).Outcome);

        using var connection = db.Database.Open();
        var grantOrganisations = connection.Query<long>("SELECT g.organisation_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.user_name = 'lm.mettmann'").ToHashSet();
        var logged = connection.Query<(string Action, long? OrganisationId)>(
            "SELECT action AS Action, organisation_id AS OrganisationId FROM audit_log WHERE object_key = 'lm.mettmann' ORDER BY id").ToList();
        CollectionAssert.AreEquivalent(grantOrganisations.ToList(), logged.Where(l => l.Action == AuditActions.LoginSucceeded).Select(l => l.OrganisationId!.Value).ToList());
        Assert.IsTrue(logged.Any(l => l.Action == AuditActions.LoginFailed && l.OrganisationId is not null), "A failed attempt on a county's account is the county's to see.");
        Assert.IsNull(connection.ExecuteScalar<long?>("SELECT organisation_id FROM audit_log WHERE object_key = 'niemand'"), "A name that is no account belongs to no organisation.");

        var cio = await Scopes.ForUserNameAsync(db.Database, "cio.mettmann");
        var protocol = await new AuditQueries(db.Database, new AuditLog(db.Database, TestClock.Create())).ListAsync(cio, new AuditFilter(), new LandkreisLizenz.Core.Common.PageRequest(1, 50));
        Assert.IsTrue(protocol.Items.Any(i => i.Action == AuditActions.LoginSucceeded && i.UserName == "lm.mettmann"), "The CIO's Protokoll shows the logins of the county's people.");
        Assert.IsFalse(protocol.Items.Any(i => i.UserName == "niemand"));
    }

    [TestMethod]
    public async Task SignInAsync_FiveWrongPasswords_LocksEvenTheRightPassword()
    {
        using var db = WithDemoAccounts();
        var (service, clock) = Create(db);

        var outcomes = new List<SignInOutcome>();
        for (var i = 0; i < AccountService.MaxFailedAttempts; i++)
        {
            outcomes.Add((await service.SignInAsync("lm.test", "falsch", null)).Outcome);
        }

        var withRightPassword = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, null);
        clock.Advance(AccountService.LockoutDuration + TimeSpan.FromSeconds(1));
        var afterLockout = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, null);

        CollectionAssert.AreEqual(
            new[] { SignInOutcome.Failed, SignInOutcome.Failed, SignInOutcome.Failed, SignInOutcome.Failed, SignInOutcome.LockedOut },
            outcomes);
        Assert.AreEqual(SignInOutcome.LockedOut, withRightPassword.Outcome);
        Assert.AreEqual(SignInOutcome.Succeeded, afterLockout.Outcome);
    }

    [TestMethod]
    public async Task SignInAsync_FailureAfterExpiredLockout_StartsFreshCount()
    {
        using var db = WithDemoAccounts();
        var (service, clock) = Create(db);
        for (var i = 0; i < AccountService.MaxFailedAttempts; i++)
        {
            await service.SignInAsync("lm.test", "falsch", null);
        }

        clock.Advance(AccountService.LockoutDuration + TimeSpan.FromSeconds(1));
        var oneMoreFailure = await service.SignInAsync("lm.test", "falsch", null);
        var rightPassword = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, null);

        Assert.AreEqual(SignInOutcome.Failed, oneMoreFailure.Outcome);
        Assert.AreEqual(SignInOutcome.Succeeded, rightPassword.Outcome);
    }

    [TestMethod]
    public async Task SignInAsync_UnknownUser_FailsAndAudits()
    {
        using var db = WithDemoAccounts();
        var (service, _) = Create(db);

        var result = await service.SignInAsync("niemand", "x", null);

        Assert.AreEqual(SignInOutcome.Failed, result.Outcome);
        using var connection = db.Database.Open();
        Assert.AreEqual("niemand", connection.ExecuteScalar<string>("SELECT user_name FROM audit_log WHERE action = 'login_failed'"));
    }

    [TestMethod]
    public async Task SignInAsync_UnknownAndKnownNames_LockAfterTheSameAttemptsWithTheSameOutcome()
    {
        using var db = WithDemoAccounts();
        var (service, _) = Create(db);

        var known = new List<SignInOutcome>();
        var unknown = new List<SignInOutcome>();
        for (var i = 0; i <= AccountService.MaxFailedAttempts; i++)
        {
            known.Add((await service.SignInAsync("lm.test", "falsch", "10.0.0.1")).Outcome);
            unknown.Add((await service.SignInAsync("gibt.es.nicht", "falsch", "10.0.0.1")).Outcome);
        }

        CollectionAssert.AreEqual(known, unknown, "The outcome tells whether the account exists.");
        Assert.AreEqual(SignInOutcome.LockedOut, unknown[^1]);
    }

    [TestMethod]
    public async Task SignInAsync_ConcurrentFailuresOfOneNameAndSource_EachCountedNoneFails()
    {
        using var db = WithDemoAccounts();
        var (service, _) = Create(db);
        var attempts = AccountService.MaxFailedAttempts - 1;

        // The first failures of a name race for the throttle row: none may fail, none may be lost.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, attempts).Select(_ => Task.Run(() => service.SignInAsync("gleichzeitig", "falsch", "10.0.0.9"))));
        var last = await service.SignInAsync("gleichzeitig", "falsch", "10.0.0.9");

        Assert.IsTrue(outcomes.All(o => o.Outcome == SignInOutcome.Failed), string.Join(",", outcomes.Select(o => o.Outcome)));
        using var connection = db.Database.Open();
        Assert.AreEqual(AccountService.MaxFailedAttempts, connection.ExecuteScalar<int>("SELECT failed_attempts FROM login_throttle WHERE user_name = 'gleichzeitig'"));
        Assert.AreEqual(SignInOutcome.LockedOut, last.Outcome, "A failure was lost, so the lockout came late.");
    }

    [TestMethod]
    public async Task SignInAsync_LockedFromOneAddress_OwnerSignsInFromAnother()
    {
        using var db = WithDemoAccounts();
        var (service, _) = Create(db);
        for (var i = 0; i < AccountService.MaxFailedAttempts; i++)
        {
            await service.SignInAsync("lm.test", "falsch", "203.0.113.9");
        }

        var attacker = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, "203.0.113.9");
        var owner = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, "10.1.2.3");

        Assert.AreEqual(SignInOutcome.LockedOut, attacker.Outcome);
        Assert.AreEqual(SignInOutcome.Succeeded, owner.Outcome, "A stranger's failures locked the owner out of their own workplace.");
    }

    [TestMethod]
    public async Task SignOutAsync_SignedInUser_RotatesStampSoOldSessionsEndAndAudits()
    {
        using var db = WithDemoAccounts();
        var (service, clock) = Create(db);
        var signIn = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, null);
        var scopes = new ScopeService(db.Database);
        var scope = (await scopes.ForSessionAsync(signIn.UserId!.Value, signIn.SecurityStamp))!;

        await service.SignOutAsync(scope, "127.0.0.1");

        Assert.IsNull(await scopes.ForSessionAsync(signIn.UserId.Value, signIn.SecurityStamp), "The old session still works after logout.");
        Assert.IsNull(await scopes.ForSessionAsync(signIn.UserId.Value, null));
        using var connection = db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'logout' AND user_name = 'lm.test'"));
        var again = await service.SignInAsync("lm.test", DemoEstateGenerator.DemoPassword, null);
        Assert.IsNotNull(await scopes.ForSessionAsync(again.UserId!.Value, again.SecurityStamp));
    }
}
