using System.Net;
using System.Net.Http.Headers;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Security;

[TestClass]
public sealed class ApiTokenServiceTests
{
    private TestDatabase _db = null!;
    private ApiTokenService _tokens = null!;

    [TestInitialize]
    public void Setup()
    {
        _db = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        _tokens = new ApiTokenService(_db.Database, clock, new AuditLog(_db.Database, clock), new ScopeService(_db.Database));
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    [TestMethod]
    public async Task CreateAsync_LicenseManagerOwnOrganisation_StoredHashedAuthenticatesReadOnly()
    {
        var manager = await Scopes.ForUserNameAsync(_db.Database, "lm.mettmann");
        var mettmann = Scopes.OrganisationId(_db.Database, "05158");

        var created = await _tokens.CreateAsync(manager, "Data Warehouse", "read", mettmann);
        var scope = await _tokens.AuthenticateAsync(created.Token);

        StringAssert.StartsWith(created.Token, ApiTokenService.Prefix);
        using var connection = _db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM api_tokens WHERE token_hash = @t OR token_prefix = @t", new { t = created.Token }), "never stored in plain text");
        Assert.IsNotNull(connection.ExecuteScalar<string>("SELECT last_used_at FROM api_tokens WHERE id = @Id", new { created.Id }));
        Assert.IsNotNull(scope);
        Assert.IsTrue(scope.ReadOnly);
        Assert.IsFalse(scope.CanWrite(mettmann), "a read token never writes");
        Assert.IsFalse(scope.CanWriteCatalogue);
    }

    [TestMethod]
    public async Task CreateAsync_ForeignOrganisationOrReader_Denied()
    {
        var manager = await Scopes.ForUserNameAsync(_db.Database, "lm.mettmann");
        var reader = await Scopes.ForUserNameAsync(_db.Database, "leser.wartburgkreis");

        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _tokens.CreateAsync(manager, "x", "write", Scopes.OrganisationId(_db.Database, "16063")));
        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _tokens.CreateAsync(reader, "x", "read", Scopes.OrganisationId(_db.Database, "16063")));
        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _tokens.CreateAsync(manager, "x", "write", null));
    }

    [TestMethod]
    public async Task RevokeAsync_Token_NoLongerAuthenticates()
    {
        var admin = await Scopes.ForUserNameAsync(_db.Database, "admin");
        var created = await _tokens.CreateAsync(admin, "Monitoring", "write", null);

        Assert.IsNotNull(await _tokens.AuthenticateAsync(created.Token));
        var manager = await Scopes.ForUserNameAsync(_db.Database, "lm.mettmann");
        Assert.IsNull(await _tokens.RevokeAsync(manager, created.Id), "someone else's token");
        Assert.IsTrue(await _tokens.RevokeAsync(admin, created.Id));
        Assert.IsFalse(await _tokens.RevokeAsync(admin, created.Id));
        Assert.IsNull(await _tokens.AuthenticateAsync(created.Token));
        Assert.IsNull(await _tokens.AuthenticateAsync(created.Token + "x"));
        Assert.IsNull(await _tokens.AuthenticateAsync("falsch"));
    }
}

[TestClass]
public sealed class BearerTokenWebTests
{
    [TestMethod]
    public async Task BearerToken_ReadsOwnScope_ForeignNotFound_InvalidUnauthorized()
    {
        using var factory = new AppFactory();
        using var browser = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        var page = await AppFactory.PostFormAsync(browser, "/schnittstellen", "/schnittstellen", new() { ["name"] = "Test", ["zugriff"] = "read", ["organisation"] = Scopes.OrganisationId(factory.Database, "05158").ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "data-new-token>([^<]+)<").Groups[1].Value;
        using var api = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var own = await api.GetAsync($"/register/organisationen/{Scopes.OrganisationId(factory.Database, "05158")}");
        var foreign = await api.GetAsync($"/register/organisationen/{Scopes.OrganisationId(factory.Database, "16063")}");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
        var invalid = await api.GetAsync("/register/organisationen");

        StringAssert.StartsWith(token, "lkl_");
        Assert.AreEqual(HttpStatusCode.OK, own.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, invalid.StatusCode);
        StringAssert.Contains(await browser.GetStringAsync("/schnittstellen"), "Test");
    }
}
