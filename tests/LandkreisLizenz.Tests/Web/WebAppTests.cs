using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed partial class WebAppTests : SharedAppTests<WebAppTests>
{
    [TestMethod]
    public void FirstStart_EmptyDataFolder_CreatesDatabaseWithCountiesAndDemoAccounts()
    {
        using var connection = Factory.Database.Open();

        Assert.AreEqual(294, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE kind = 'county'"));
        Assert.AreEqual("Wartburgkreis", connection.ExecuteScalar<string>("SELECT name FROM organisations WHERE ags = '16063'"));
        CollectionAssert.AreEquivalent(
            DemoEstateGenerator.Accounts.Select(a => a.UserName).ToArray(),
            connection.Query<string>("SELECT user_name FROM users").ToArray());
        if (!SqlServer.Configured)
        {
            Assert.AreEqual("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        }
    }

    [TestMethod]
    public async Task Health_Database_Returns200Healthy()
    {
        using var client = Factory.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("Healthy", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Health_NoReconciliationFor36Hours_DegradedStill200()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(37));
        using var later = Factory.WithWebHostBuilder(b => Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(b,
            s => s.AddSingleton<TimeProvider>(clock)));
        using var client = later.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "degraded, not down: the load balancer keeps the node");
        Assert.AreEqual("Degraded", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    [DataRow("/css/site.css", "text/css")]
    [DataRow("/lib/chart.js/chart.umd.min.js", "text/javascript")]
    public async Task StaticFile_FromRepositoryWwwroot_Served(string path, string contentType)
    {
        using var client = Factory.CreateClient();

        var response = await client.GetAsync(path);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.IsGreaterThan(1000L, response.Content.Headers.ContentLength ?? 0);
    }

    [TestMethod]
    [DataRow("/")]
    [DataRow("/register/organisationen")]
    [DataRow("/register/anwendungen/1")]
    public async Task ProtectedPage_Anonymous_RedirectsToLogin(string path)
    {
        using var client = Factory.CreateBrowserClient();

        var response = await client.GetAsync(path);

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        StringAssert.StartsWith(response.Headers.Location?.OriginalString, "http://localhost/anmelden?ReturnUrl=");
    }

    [TestMethod]
    public async Task LoginPage_Anonymous_RendersGermanForm()
    {
        using var client = Factory.CreateBrowserClient();

        var html = await client.GetStringAsync("/anmelden");

        StringAssert.Contains(html, "<html lang=\"de\">");
        StringAssert.Contains(html, "<label for=\"UserName\">Benutzername</label>");
        StringAssert.Contains(html, "__RequestVerificationToken");
    }

    [TestMethod]
    public async Task Login_WrongPassword_ShowsGermanErrorAndStaysAnonymous()
    {
        using var client = Factory.CreateBrowserClient();

        var response = await AppFactory.LoginAsync(client, "cio.mettmann", "falsch");
        var html = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        StringAssert.Contains(html, "Benutzername oder Passwort ist falsch.");
        Assert.AreEqual(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [TestMethod]
    [DataRow("cio.mettmann", "05158")]
    [DataRow("leser.wartburgkreis", "16063")]
    public async Task StartPage_SignedIn_ShowsCountsOfOwnScope(string userName, string countyAgs)
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, userName);
        using var connection = Factory.Database.Open();
        var orgs = $"(SELECT id FROM organisations WHERE ags = '{countyAgs}' OR parent_id = (SELECT id FROM organisations WHERE ags = '{countyAgs}'))";
        var expected = new Dictionary<string, long>
        {
            ["counties"] = 1,
            ["municipalities"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM organisations WHERE kind = 'municipality' AND id IN {orgs}"),
            ["applications"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM applications WHERE organisation_id IN {orgs}"),
            ["contracts"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM contracts WHERE organisation_id IN {orgs}"),
            ["licenses"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM licenses WHERE organisation_id IN {orgs}"),
            ["devices"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM devices WHERE organisation_id IN {orgs}"),
            ["installations"] = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM installations WHERE device_id IN (SELECT id FROM devices WHERE organisation_id IN {orgs})"),
        };

        var html = await client.GetStringAsync("/");

        var shown = Kpi().Matches(html).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value.Replace(".", ""), System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (kpi, value) in expected)
        {
            Assert.AreEqual(value, shown[kpi], $"KPI {kpi}");
        }

        Assert.IsGreaterThan(0L, shown["applications"]);
    }

    [TestMethod]
    public async Task ApplicationPage_OtherCounty_Returns404()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");
        var foreign = Scopes.FirstApplicationOf(Factory.Database, "05158");
        var own = Scopes.FirstApplicationOf(Factory.Database, "16063");

        var foreignResponse = await client.GetAsync($"/register/anwendungen/{foreign}");
        var ownResponse = await client.GetAsync($"/register/anwendungen/{own}");

        Assert.AreEqual(HttpStatusCode.NotFound, foreignResponse.StatusCode);
        StringAssert.Contains(await foreignResponse.Content.ReadAsStringAsync(), "außerhalb Ihres Zuständigkeitsbereichs");
        Assert.AreEqual(HttpStatusCode.OK, ownResponse.StatusCode);
    }

    [TestMethod]
    public async Task OrganisationPage_OtherCounty_Returns404()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var response = await client.GetAsync($"/register/organisationen/{Scopes.OrganisationId(Factory.Database, "16063")}");

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    public async Task JobsDashboard_AdminAllowed_OthersRefused()
    {
        using var admin = await AppFactory.SignedInClientAsync(Factory, "admin");
        using var cio = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        using var anonymous = Factory.CreateBrowserClient();

        Assert.AreEqual(HttpStatusCode.OK, (await admin.GetAsync("/jobs")).StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, (await cio.GetAsync("/jobs")).StatusCode);
        var anonymousResponse = await anonymous.GetAsync("/jobs");
        Assert.AreEqual(HttpStatusCode.Redirect, anonymousResponse.StatusCode);
        StringAssert.Contains(anonymousResponse.Headers.Location?.OriginalString, "/anmelden");
    }

    [TestMethod]
    public async Task Logout_WithoutAntiforgeryToken_Rejected()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var response = await client.PostAsync("/abmelden", new FormUrlEncodedContent([]));

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [GeneratedRegex("data-kpi=\"([a-z-]+)\">([0-9.]+)")]
    private static partial Regex Kpi();
}

[TestClass]
public sealed class LoginLockoutTests
{
    [TestMethod]
    public async Task Login_FiveWrongPasswords_LocksAccount()
    {
        using var factory = new AppFactory();
        using var client = factory.CreateBrowserClient();

        for (var i = 0; i < 5; i++)
        {
            await AppFactory.LoginAsync(client, "lm.mettmann", "falsch" + i);
        }

        var response = await AppFactory.LoginAsync(client, "lm.mettmann", DemoEstateGenerator.DemoPassword);
        var html = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "The right password must not sign in a locked account.");
        StringAssert.Contains(html, "gesperrt");
        using var connection = factory.Database.Open();
        Assert.AreEqual(5, connection.ExecuteScalar<int>("SELECT failed_attempts FROM login_throttle WHERE user_name = 'lm.mettmann'"));
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'login_locked_out' AND user_name = 'lm.mettmann'"),
            "The fifth failure and the refused attempt while locked are both audited.");
    }
}
