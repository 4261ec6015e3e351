using System.Net;
using System.Security.Claims;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LandkreisLizenz.Tests.Web;

/// <summary>Security headers, cookies, antiforgery, login rate limit, session renewal and timeouts, error pages.</summary>
[TestClass]
public sealed class HardeningTests : SharedAppTests<HardeningTests>
{
    private static HttpClient Https(AppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://landkreislizenz.test"), AllowAutoRedirect = false, HandleCookies = true });

    [TestMethod]
    public async Task Headers_PagesStaticFilesErrorsAndApi_CarryEverySecurityHeader()
    {
        using var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var url in new[] { "/anmelden", "/css/site.css", "/fehler/404", "/gibt-es-nicht", "/graphql", "/health", "/barrierefreiheit" })
        {
            var response = await client.GetAsync(url);
            var headers = response.Headers;
            string Header(string name) => headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

            var csp = Header("Content-Security-Policy");
            StringAssert.Contains(csp, "script-src 'self';", url);
            Assert.DoesNotContain("'unsafe-inline'", csp, url);
            Assert.DoesNotContain("'unsafe-eval'", csp, url);
            StringAssert.Contains(csp, "frame-ancestors 'none'", url);
            StringAssert.Contains(csp, "object-src 'none'", url);
            Assert.AreEqual("nosniff", Header("X-Content-Type-Options"), url);
            Assert.AreEqual("DENY", Header("X-Frame-Options"), url);
            Assert.AreEqual("strict-origin-when-cross-origin", Header("Referrer-Policy"), url);
            StringAssert.Contains(Header("Permissions-Policy"), "camera=()", url);
            Assert.AreEqual("", Header("Strict-Transport-Security"), $"{url}: no HSTS over plain http");
        }
    }

    [TestMethod]
    public async Task Hsts_UnderHttps_OneYearWithSubdomains()
    {
        using var client = Https(Factory);

        var response = await client.GetAsync("/anmelden");

        Assert.AreEqual("max-age=31536000; includeSubDomains", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }

    [TestMethod]
    public async Task Cookies_LoginUnderHttps_SecureHttpOnlySameSite()
    {
        using var client = Https(Factory);

        var form = await client.GetAsync("/anmelden");
        var login = await AppFactory.LoginAsync(client, "lm.mettmann", DemoEstateGenerator.DemoPassword);

        var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("LandkreisLizenz.Antiforgery=", StringComparison.Ordinal)).ToLowerInvariant();
        var session = login.Headers.GetValues("Set-Cookie").Last(c => c.StartsWith("LandkreisLizenz.Auth=", StringComparison.Ordinal)).ToLowerInvariant();
        foreach (var cookie in new[] { antiforgery, session })
        {
            StringAssert.Contains(cookie, "; secure");
            StringAssert.Contains(cookie, "; httponly");
        }

        StringAssert.Contains(antiforgery, "samesite=strict");
        StringAssert.Contains(session, "samesite=lax");
    }

    [TestMethod]
    public async Task EveryFormPost_WithoutAntiforgeryToken_RejectedNothingWritten()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "admin");
        var before = EstateChecksum.Compute(Factory.Database);
        var posts = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .ToList();

        foreach (var pattern in posts)
        {
            var url = System.Text.RegularExpressions.Regex.Replace(pattern.Replace("{slug}", "anwendungen", StringComparison.Ordinal).Replace("{metric}", "device", StringComparison.Ordinal), "\\{[^}]+\\}", "1");

            var response = await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["fields[name]"] = "ohne Token", ["__rowVersion"] = "1" }));

            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, $"POST {url} without antiforgery token");
        }

        Assert.IsGreaterThan(10, posts.Count, string.Join(", ", posts));
        Assert.Contains("/anmelden", posts);
        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(Factory.Database).ToList());
    }

    [TestMethod]
    public async Task Login_MoreAttemptsThanTheLimitPerMinute_429InGerman()
    {
        using var factory = new AppFactory(settings: new() { ["Security:LoginAttemptsPerMinute"] = "5" });
        using var client = factory.CreateBrowserClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            last = await AppFactory.LoginAsync(client, $"niemand{attempt}", "falsch");
            statuses.Add(last.StatusCode);
        }

        CollectionAssert.AreEqual(Enumerable.Repeat(HttpStatusCode.OK, 5).ToList(), statuses.Take(5).ToList(), "wrong passwords show the form again");
        Assert.AreEqual(HttpStatusCode.TooManyRequests, statuses[5]);
        StringAssert.Contains(await last.Content.ReadAsStringAsync(), "Zu viele Anmeldeversuche");
        Assert.AreEqual("60", last.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Login_SecondLoginOnSameClient_NewSessionCookieAndSessionId()
    {
        using var client = Factory.CreateBrowserClient();
        client.DefaultRequestHeaders.Add("Cookie", "LandkreisLizenz.Auth=vom-angreifer-gesetzt");

        var first = SessionCookie(await AppFactory.LoginAsync(client, "lm.mettmann", DemoEstateGenerator.DemoPassword));
        var second = SessionCookie(await AppFactory.LoginAsync(client, "lm.mettmann", DemoEstateGenerator.DemoPassword));

        Assert.AreNotEqual("vom-angreifer-gesetzt", first);
        Assert.AreNotEqual(first, second);
        var firstSession = SessionId(first);
        Assert.IsFalse(string.IsNullOrEmpty(firstSession));
        Assert.AreNotEqual(firstSession, SessionId(second), "every login starts a new session");
    }

    [TestMethod]
    public async Task Session_IdleLongerThan30Minutes_SignedOut()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = WithClock(clock);
        using var client = await SignedInAsync(factory, "lm.mettmann");

        clock.Advance(TimeSpan.FromMinutes(20));
        var active = await client.GetAsync("/");
        clock.Advance(TimeSpan.FromMinutes(31));
        var idle = await client.GetAsync("/");

        Assert.AreEqual(HttpStatusCode.OK, active.StatusCode, "20 minutes idle: still signed in (and the cookie slides)");
        Assert.AreEqual(HttpStatusCode.Redirect, idle.StatusCode);
        StringAssert.StartsWith(idle.Headers.Location!.AbsolutePath, "/anmelden");
    }

    [TestMethod]
    public async Task Session_ActiveLongerThanAbsoluteLimit_SignedOut()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = WithClock(clock);
        using var client = await SignedInAsync(factory, "lm.mettmann");

        HttpResponseMessage response = null!;
        for (var step = 0; step < 42; step++)
        {
            clock.Advance(TimeSpan.FromMinutes(15));
            response = await client.GetAsync("/");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                break;
            }
        }

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode, "a session ends 10 hours after the login however active");
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromHours(10), clock.GetUtcNow() - clock.Start);
        Assert.IsLessThanOrEqualTo(TimeSpan.FromHours(10.5), clock.GetUtcNow() - clock.Start);
    }

    [TestMethod]
    public async Task Errors_UnhandledException_GermanPageWithoutInternals()
    {
        using var factory = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new ThrowingEndpoint())));
        using var client = await SignedInAsync(factory, "lm.mettmann");

        var response = await client.GetAsync("/test/absturz");
        var html = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        StringAssert.Contains(html, "lang=\"de\"");
        StringAssert.Contains(html, "Fehler");
        Assert.DoesNotContain("InvalidOperationException", html);
        Assert.DoesNotContain("Geheimnis", html);
        Assert.DoesNotContain(" at ", html);
    }

    /// <summary>The shared app (same database) on a clock the test moves.</summary>
    private static WebApplicationFactory<Program> WithClock(TimeProvider clock) =>
        Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(clock)));

    private static async Task<HttpClient> SignedInAsync(WebApplicationFactory<Program> factory, string userName)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.AreEqual(HttpStatusCode.Redirect, (await AppFactory.LoginAsync(client, userName, DemoEstateGenerator.DemoPassword)).StatusCode);
        return client;
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Last(c => c.StartsWith("LandkreisLizenz.Auth=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            .Split(';')[0]["LandkreisLizenz.Auth=".Length..];

    private static string? SessionId(string cookie)
    {
        var options = Factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        return options.TicketDataFormat.Unprotect(Uri.UnescapeDataString(cookie))?.Principal.FindFirstValue("sid");
    }

    private sealed class ThrowingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map("/test/absturz", branch => branch.Run(_ => throw new InvalidOperationException("Geheimnis: Verbindungszeichenfolge")));
        };
    }
}
