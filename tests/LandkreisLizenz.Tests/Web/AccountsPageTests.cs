using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

/// <summary>
/// User management (issue 14): an admin keeps every account, a county CIO those within the county; a new account or a
/// reset gets a one-time initial password shown once; a change ends the account's sessions; everything is audited.
/// </summary>
[TestClass]
public sealed partial class AccountsPageTests
{
    [GeneratedRegex(@"sichtbar[^:]*: ([A-Za-z0-9-]{16})</p>")]
    private static partial Regex InitialPassword();

    /// <summary>What a newcomer does with an initial password: sign in, be sent to choose their own, choose it.</summary>
    private static async Task<HttpClient> ChooseOwnPasswordAsync(AppFactory factory, string userName, string initialPassword, string ownPassword)
    {
        var client = factory.CreateBrowserClient();
        var login = await AppFactory.LoginAsync(client, userName, initialPassword);
        Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode);
        StringAssert.StartsWith(login.Headers.Location!.OriginalString, "/anmelden/passwort?benutzer=");
        Assert.AreEqual(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode, "an initial password gave a session");
        var chosen = await AppFactory.PostFormAsync(client, login.Headers.Location.OriginalString, "/anmelden/passwort", new()
        {
            ["UserName"] = userName, ["InitialPassword"] = initialPassword, ["NewPassword"] = ownPassword, ["RepeatPassword"] = ownPassword,
        });
        Assert.AreEqual(HttpStatusCode.Redirect, chosen.StatusCode, await chosen.Content.ReadAsStringAsync());
        Assert.AreEqual("/", chosen.Headers.Location!.OriginalString);
        return client;
    }

    private static long UserId(AppFactory factory, string userName)
    {
        using var connection = factory.Database.Open();
        return connection.ExecuteScalar<long>("SELECT id FROM users WHERE user_name = @userName", new { userName });
    }

    private static int Audited(AppFactory factory, string action, string key)
    {
        using var connection = factory.Database.Open();
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = @action AND object_type = 'user' AND object_key = @key", new { action, key });
    }

    [TestMethod]
    public async Task Admin_CreatesAccount_InitialPasswordShownOnceAndSignsIn()
    {
        using var factory = new AppFactory();
        using var admin = await AppFactory.SignedInClientAsync(factory, "admin");

        var response = await AppFactory.PostFormAsync(admin, "/verwaltung/konten", "/verwaltung/konten",
            new() { ["userName"] = "lm.neu", ["displayName"] = "Neue Lizenzverwaltung", ["role"] = "license_manager", ["organisation"] = "05158" });
        var html = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, html);
        Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString());
        var password = InitialPassword().Match(html).Groups[1].Value;
        Assert.AreEqual(16, password.Length, html);
        Assert.DoesNotContain(password, await admin.GetStringAsync("/verwaltung/konten"), "the initial password is shown once only");
        using var newcomer = await ChooseOwnPasswordAsync(factory, "lm.neu", password, "Mein-eigenes-Passwort-1");
        StringAssert.Contains(await newcomer.GetStringAsync("/"), "Mettmann");
        Assert.AreEqual(1, Audited(factory, "create", "lm.neu"));
        var again = await AppFactory.LoginAsync(factory.CreateBrowserClient(), "lm.neu", password);
        Assert.AreEqual(HttpStatusCode.OK, again.StatusCode, "the initial password worked twice");
        Assert.AreEqual(HttpStatusCode.Redirect, (await AppFactory.LoginAsync(factory.CreateBrowserClient(), "lm.neu", "Mein-eigenes-Passwort-1")).StatusCode);
    }

    [TestMethod]
    public async Task Cio_SeesAndKeepsTheCountysAccountsOnly_CountyRolesOnly()
    {
        using var factory = new AppFactory();
        using var cio = await AppFactory.SignedInClientAsync(factory, "cio.mettmann");

        var list = await cio.GetStringAsync("/verwaltung/konten");
        var admin = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", "/verwaltung/konten", new() { ["userName"] = "chef", ["role"] = "admin" });
        var foreign = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", "/verwaltung/konten",
            new() { ["userName"] = "leser.fremd", ["role"] = "reader", ["organisation"] = "16063" });
        var town = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", "/verwaltung/konten",
            new() { ["userName"] = "leser.erkrath", ["role"] = "reader", ["organisation"] = "05158004" });
        var foreignDisable = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", $"/verwaltung/konten/{UserId(factory, "leser.wartburgkreis")}/sperren");

        StringAssert.Contains(list, "lm.mettmann");
        Assert.DoesNotContain("leser.wartburgkreis", list);
        Assert.DoesNotContain(">admin<", list);
        Assert.AreEqual(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, foreign.StatusCode);
        StringAssert.Contains(await foreign.Content.ReadAsStringAsync(), "nur im eigenen Landkreis");
        Assert.AreEqual(HttpStatusCode.OK, town.StatusCode, await town.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.NotFound, foreignDisable.StatusCode);
        using var connection = factory.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM audit_log a JOIN organisations o ON o.id = a.organisation_id
            WHERE a.action = 'access_denied' AND a.object_type = 'users' AND a.user_name = 'cio.mettmann' AND o.ags = '16063'
            """), "the attempt on Wartburgkreis's account is audited for Wartburgkreis");
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM users WHERE user_name = 'leser.wartburgkreis' AND is_active = 1"));
    }

    [TestMethod]
    public async Task Cio_DisablesLicenseManager_SessionEndsAtOnceAndIsAudited()
    {
        using var factory = new AppFactory();
        using var manager = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        using var cio = await AppFactory.SignedInClientAsync(factory, "cio.mettmann");
        Assert.AreEqual(HttpStatusCode.OK, (await manager.GetAsync("/import")).StatusCode);

        var disabled = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", $"/verwaltung/konten/{UserId(factory, "lm.mettmann")}/sperren");

        Assert.AreEqual(HttpStatusCode.OK, disabled.StatusCode);
        var after = await manager.GetAsync("/import");
        Assert.AreEqual(HttpStatusCode.Redirect, after.StatusCode);
        StringAssert.Contains(after.Headers.Location!.OriginalString, "/anmelden");
        Assert.AreEqual(1, Audited(factory, "update", "lm.mettmann"));
    }

    [TestMethod]
    public async Task Admin_ResetsPassword_OldOneAndSessionsEndNewOneWorks()
    {
        using var factory = new AppFactory();
        using var manager = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        using var admin = await AppFactory.SignedInClientAsync(factory, "admin");

        var reset = await AppFactory.PostFormAsync(admin, "/verwaltung/konten", $"/verwaltung/konten/{UserId(factory, "lm.mettmann")}/passwort");
        var password = InitialPassword().Match(await reset.Content.ReadAsStringAsync()).Groups[1].Value;

        Assert.AreEqual(HttpStatusCode.Redirect, (await manager.GetAsync("/import")).StatusCode, "the old session still works");
        Assert.AreNotEqual(HttpStatusCode.Redirect, (await AppFactory.LoginAsync(factory.CreateBrowserClient(), "lm.mettmann", LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DemoPassword)).StatusCode);
        using var again = await ChooseOwnPasswordAsync(factory, "lm.mettmann", password, "Neu-gewaehlt-2026!");
        StringAssert.Contains(await again.GetStringAsync("/import"), "Import");
    }

    [TestMethod]
    public async Task ChoosePassword_TooShortOrWrongInitial_RefusedNoSession()
    {
        using var factory = new AppFactory();
        using var admin = await AppFactory.SignedInClientAsync(factory, "admin");
        var created = await AppFactory.PostFormAsync(admin, "/verwaltung/konten", "/verwaltung/konten",
            new() { ["userName"] = "leser.neu", ["role"] = "reader", ["organisation"] = "05158" });
        var password = InitialPassword().Match(await created.Content.ReadAsStringAsync()).Groups[1].Value;
        using var client = factory.CreateBrowserClient();

        var shortOne = await AppFactory.PostFormAsync(client, "/anmelden/passwort", "/anmelden/passwort", new()
        {
            ["UserName"] = "leser.neu", ["InitialPassword"] = password, ["NewPassword"] = "kurz", ["RepeatPassword"] = "kurz",
        });
        var wrong = await AppFactory.PostFormAsync(client, "/anmelden/passwort", "/anmelden/passwort", new()
        {
            ["UserName"] = "leser.neu", ["InitialPassword"] = "falsch-falsch-falsch", ["NewPassword"] = "Lang-genug-2026!", ["RepeatPassword"] = "Lang-genug-2026!",
        });
        var demo = await AppFactory.PostFormAsync(client, "/anmelden/passwort", "/anmelden/passwort", new()
        {
            ["UserName"] = "lm.mettmann", ["InitialPassword"] = LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DemoPassword,
            ["NewPassword"] = "Lang-genug-2026!", ["RepeatPassword"] = "Lang-genug-2026!",
        });

        StringAssert.Contains(await shortOne.Content.ReadAsStringAsync(), "mindestens 12 Zeichen");
        StringAssert.Contains(await wrong.Content.ReadAsStringAsync(), "erstes Passwort ist falsch");
        StringAssert.Contains(await demo.Content.ReadAsStringAsync(), "erstes Passwort ist falsch", "an account without initial password changed it here");
        using (var connection = factory.Database.Open())
        {
            Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'login_succeeded' AND object_key = 'lm.mettmann'"),
                "the initial-password page recorded a sign-in of an account that has no initial password");
        }

        Assert.AreEqual(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
        Assert.AreEqual(HttpStatusCode.Redirect, (await AppFactory.LoginAsync(factory.CreateBrowserClient(), "lm.mettmann", LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DemoPassword)).StatusCode);
    }

    [TestMethod]
    public async Task GrantChange_ByAdmin_EndsSessionsAndCioCannotChangeAnAccountHeldOutsideTheCounty()
    {
        using var factory = new AppFactory();
        using var manager = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        using var admin = await AppFactory.SignedInClientAsync(factory, "admin");
        var id = UserId(factory, "lm.mettmann");

        var added = await AppFactory.PostFormAsync(admin, "/verwaltung/konten", $"/verwaltung/konten/{id}/rechte", new() { ["role"] = "reader", ["organisation"] = "16063" });
        using var cio = await AppFactory.SignedInClientAsync(factory, "cio.mettmann");
        var byCio = await AppFactory.PostFormAsync(cio, "/verwaltung/konten", $"/verwaltung/konten/{id}/sperren");
        var self = await AppFactory.PostFormAsync(admin, "/verwaltung/konten", $"/verwaltung/konten/{UserId(factory, "admin")}/sperren");

        Assert.AreEqual(HttpStatusCode.OK, added.StatusCode, await added.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.Redirect, (await manager.GetAsync("/import")).StatusCode, "a changed grant left the session running");
        Assert.AreEqual(HttpStatusCode.Forbidden, byCio.StatusCode);
        StringAssert.Contains(await byCio.Content.ReadAsStringAsync(), "außerhalb Ihres Landkreises");
        Assert.AreEqual(HttpStatusCode.Forbidden, self.StatusCode, "an admin disabled the own account");
    }

    [TestMethod]
    public async Task LicenseManager_UserManagement_Forbidden()
    {
        using var factory = new AppFactory();
        using var manager = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");

        var response = await manager.GetAsync("/verwaltung/konten");

        Assert.IsTrue(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("/fehler/403", StringComparison.Ordinal) == true);
    }
}
