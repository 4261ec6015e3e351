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
}
