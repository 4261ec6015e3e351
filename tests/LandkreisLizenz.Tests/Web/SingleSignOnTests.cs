using System.Net;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LandkreisLizenz.Tests.Web;

/// <summary>OpenID Connect against a fake identity provider on a loopback port: the real protocol, browser steps done by hand.</summary>
[TestClass]
public sealed class SingleSignOnTests
{
    private static AppFactory App(FakeIdentityProvider idp) => new(settings: new()
    {
        ["Oidc:Enabled"] = "true",
        ["Oidc:DisplayName"] = "Keycloak",
        ["Oidc:Authority"] = idp.Issuer,
        ["Oidc:ClientId"] = FakeIdentityProvider.ClientId,
        ["Oidc:ClientSecret"] = FakeIdentityProvider.ClientSecret,
        ["Oidc:RequireHttpsMetadata"] = "false",
    });

    /// <summary>The browser's part: start at the app, follow the redirect to the provider and back; returns the app's last answer.</summary>
    private static async Task<HttpResponseMessage> LoginAsync(HttpClient app)
    {
        var challenge = await app.GetAsync("/anmelden/sso");
        Assert.AreEqual(HttpStatusCode.Redirect, challenge.StatusCode);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var authorize = await browser.GetAsync(challenge.Headers.Location);
        Assert.AreEqual(HttpStatusCode.Redirect, authorize.StatusCode, await authorize.Content.ReadAsStringAsync());
        StringAssert.StartsWith(authorize.Headers.Location!.ToString(), "https://landkreislizenz.test/signin-oidc?code=");
        return await app.GetAsync(authorize.Headers.Location.PathAndQuery);
    }

    private static HttpClient Browser(AppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://landkreislizenz.test"), AllowAutoRedirect = false, HandleCookies = true });

    [TestMethod]
    public async Task Login_ThroughProvider_SignsInAndMapsRolesAndOrganisation()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.NextUser = new FakeUser("kc-4711", "m.mustermann", "Maria Mustermann", ["lkl-lizenzmanagement", "offline_access"], ["05158"]);
        using var factory = App(idp);
        using var app = Browser(factory);

        var loginPage = await app.GetStringAsync("/anmelden");
        var callback = await LoginAsync(app);
        var home = await app.GetAsync("/");
        var html = await home.Content.ReadAsStringAsync();

        StringAssert.Contains(loginPage, "Anmelden mit Keycloak");
        Assert.AreEqual(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.AreEqual("/", callback.Headers.Location!.OriginalString);
        Assert.AreEqual(HttpStatusCode.OK, home.StatusCode);
        StringAssert.Contains(html, "m.mustermann");
        StringAssert.Contains(html, "href=\"/schnittstellen\"", "license managers see the API token page");
        Assert.AreEqual(1, idp.TokensIssued, "the code was redeemed with the client secret and the PKCE verifier");
        using var connection = factory.Database.Open();
        var grants = connection.Query<(string Role, string Ags)>("""
            SELECT g.role, o.ags FROM role_grants g JOIN users u ON u.id = g.user_id JOIN organisations o ON o.id = g.organisation_id WHERE u.external_subject = 'kc-4711'
            """).ToList();
        CollectionAssert.AreEqual(new[] { ("license_manager", "05158") }, grants, "the provider's role, mapped, for the organisation of the ags claim; unknown roles ignored");
        Assert.IsNull(connection.ExecuteScalar<string>("SELECT password_hash FROM users WHERE external_subject = 'kc-4711'"), "no local password");
    }

    [TestMethod]
    public async Task SecondLogin_RolesChangedAtProvider_GrantsReplaced()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        using var factory = App(idp);
        idp.NextUser = new FakeUser("kc-0815", "k.beispiel", "Karl Beispiel", ["lkl-lizenzmanagement"], ["05158"]);
        using (var first = Browser(factory))
        {
            await LoginAsync(first);
        }

        idp.NextUser = idp.NextUser with { Roles = ["lkl-leser"], Ags = ["16063"] };
        using var second = Browser(factory);
        await LoginAsync(second);
        var home = await second.GetStringAsync("/");

        using var connection = factory.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM users WHERE external_subject = 'kc-0815'"), "matched by subject, not created twice");
        CollectionAssert.AreEqual(new[] { ("reader", "16063") }, connection.Query<(string, string)>("""
            SELECT g.role, o.ags FROM role_grants g JOIN users u ON u.id = g.user_id JOIN organisations o ON o.id = g.organisation_id WHERE u.external_subject = 'kc-0815'
            """).ToList());
        Assert.DoesNotContain("href=\"/schnittstellen\"", home, "no longer a license manager");
    }

    [TestMethod]
    public async Task Login_NoKnownRole_RefusedWithGermanMessage()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.NextUser = new FakeUser("kc-9999", "gast", "Gast", ["offline_access"], []);
        using var factory = App(idp);
        using var app = Browser(factory);

        var callback = await LoginAsync(app);
        var page = await app.GetStringAsync(callback.Headers.Location!.OriginalString);
        var home = await app.GetAsync("/");

        Assert.AreEqual("/anmelden?sso=keine-rolle", callback.Headers.Location.OriginalString);
        StringAssert.Contains(page, "keine Rolle in LandkreisLizenz");
        Assert.AreEqual(HttpStatusCode.Redirect, home.StatusCode, "not signed in");
    }
}
