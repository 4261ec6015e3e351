using Dapper;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LandkreisLizenz.Tests.Notifications;

[TestClass]
public sealed class ReminderServiceTests
{
    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private long _contract;

    [TestInitialize]
    public void Setup()
    {
        _db = TestDatabase.CreateEmpty();
        _clock = TestClock.Create();
        var estate = new EstateBuilder(_db.Database);
        var county = estate.Organisation("05158");
        var municipality = estate.Organisation("05158004", "municipality", county);
        // Term 21.05.2026–20.05.2027, renewing, 3 months notice: deadline 20.02.2027, 85 days after 27.11.2026 (offset 90 applies).
        _contract = estate.Contract(municipality, "2026-05-21", initial: 12, renewal: 12);
        using var connection = _db.Database.Open();
        connection.Execute("UPDATE contracts SET notice_period_months = 3, title = 'Pflege OK.VORFAHRT' WHERE id = @Id", new { Id = _contract });
        AccountService.CreateUser(connection, null, _db.Database.Dialect,
            new NewUser("lm", "Lizenzmanagement", "lm@kreis.invalid", "x", [(Roles.LicenseManager, county)]), TestClock.Now.UtcDateTime);
        AccountService.CreateUser(connection, null, _db.Database.Dialect,
            new NewUser("leser", "Leser", "leser@kreis.invalid", "x", [(Roles.Reader, county)]), TestClock.Now.UtcDateTime);
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private ReminderService Service(SmtpOptions? smtp = null) => new(_db.Database, _clock, new ReminderOptions(), smtp ?? new SmtpOptions());

    private List<string> Keys()
    {
        using var connection = _db.Database.Open();
        return connection.Query<string>("SELECT notification_key FROM notifications ORDER BY id").ToList();
    }

    [TestMethod]
    public async Task RunAsync_RerunSameDay_CreatesNoSecondReminder()
    {
        var first = await Service().RunAsync();
        var second = await Service().RunAsync();

        Assert.AreEqual(1, first.Created, "one recipient: the license manager (the county grant covers the municipality); the reader gets none");
        Assert.AreEqual(0, second.Created);
        CollectionAssert.AreEqual(new[] { $"deadline:{_contract}:20270220:90" }, Keys());
    }

    [TestMethod]
    public async Task RunAsync_DaysPass_EachOffsetFiresOnce()
    {
        await Service().RunAsync();
        for (var day = 0; day < 60; day++)
        {
            _clock.Advance(TimeSpan.FromDays(1));
            await Service().RunAsync();
            await Service().RunAsync();
        }

        CollectionAssert.AreEqual(new[] { $"deadline:{_contract}:20270220:90", $"deadline:{_contract}:20270220:30" }, Keys());
    }

    [TestMethod]
    public async Task RunAsync_SmtpConfigured_SendsRealMailOnceOverLoopback()
    {
        await using var smtp = new LoopbackSmtpServer();
        var options = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, From = "landkreislizenz@kreis.invalid" };

        var first = await Service(options).RunAsync();
        var second = await Service(options).RunAsync();

        Assert.AreEqual(1, first.Emailed);
        Assert.AreEqual(0, second.Emailed);
        Assert.HasCount(1, smtp.Messages);
        var (from, to, data) = smtp.Messages.Single();
        StringAssert.Contains(from, "landkreislizenz@kreis.invalid");
        CollectionAssert.AreEqual(new[] { "<lm@kreis.invalid>" }, to);
        StringAssert.Contains(data, "Subject: =?utf-8?");
        StringAssert.Contains(data, "20.02.2027");
        using var connection = _db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL"));
    }

    [TestMethod]
    public async Task Notifications_OwnOnly_UnreadCountAndMarkRead()
    {
        await Service().RunAsync();
        var lm = await Scopes.ForUserNameAsync(_db.Database, "lm");
        var reader = await Scopes.ForUserNameAsync(_db.Database, "leser");
        var notifications = new NotificationService(_db.Database, _clock);

        Assert.AreEqual(1, await notifications.UnreadCountAsync(lm));
        Assert.AreEqual(0, await notifications.UnreadCountAsync(reader));
        await notifications.MarkReadAsync(reader, null);
        Assert.AreEqual(1, await notifications.UnreadCountAsync(lm), "someone else's mark-read does not touch mine");
        await notifications.MarkReadAsync(lm, (await notifications.ListAsync(lm))[0].Id);
        Assert.AreEqual(0, await notifications.UnreadCountAsync(lm));
    }
}
