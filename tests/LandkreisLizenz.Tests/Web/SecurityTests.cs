using System.Net;
using Dapper;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.Web;

/// <summary>Every route of the app, taken from its route table: explicit policies, and no way from county A to county B's objects.</summary>
[TestClass]
public sealed class SecurityTests : SharedAppTests<SecurityTests>
{
    private const string ForeignAgs = "16063";
    private const string ForeignName = "Wartburgkreis";

    // Software titles are one global list of inventory names (the counts shown are scoped); a foreign-only title is
    // covered by RecognitionServiceTests.
    private static readonly string[] GlobalRoutes =
        ["inventar/nicht-erkannt/{titleId:long}", "inventar/nicht-erkannt/{titleId:long}/vorschau", "inventar/nicht-erkannt/{titleId:long}/zuordnen"];

    private static List<(RouteEndpoint Endpoint, string Method)> ControllerRoutes() => Factory.ControllerRoutes();

    /// <summary>Wartburgkreis's reader account and its grant.</summary>
    private static (long Id, long GrantId) ForeignUser()
    {
        using var connection = Factory.Database.Open();
        return connection.QuerySingle<(long, long)>("SELECT u.id, g.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE u.user_name = 'leser.wartburgkreis'");
    }

    [TestMethod]
    public void RouteTable_EveryControllerAction_HasExplicitPolicyOrAllowAnonymous()
    {
        var routes = ControllerRoutes();
        var offenders = routes
            .Where(r => !r.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy))
                        && r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(r => r.Endpoint.DisplayName)
            .Distinct()
            .ToList();

        Assert.IsGreaterThan(15, routes.Count, "The route table was not read.");
        Assert.IsEmpty(offenders, string.Join("\n", offenders));
    }

    [TestMethod]
    public async Task RouteTable_ForeignCountyObjects_AnswerForbiddenOrNotFoundAndChangeNothing()
    {
        using var admin = await AppFactory.SignedInClientAsync(Factory, "admin");
        var foreignBatch = (await AppFactory.UploadAsync(admin, "organisations", "o.csv", File.ReadAllBytes(Repository.ImportSample("organisations"))))
            .Headers.Location!.OriginalString.Split('/').Last();
        var foreignOrganisation = ForeignId(RegistryEntities.Organisations);
        var foreignRun = (await Factory.Services.GetRequiredService<LandkreisLizenz.Core.Reconciliation.ReconciliationService>()
            .RunNow(LandkreisLizenz.Core.Security.CallerScope.System("test"), [foreignOrganisation], "manual")).Id;
        var (foreignProduct, foreignMetric) = ForeignPosition(foreignOrganisation);
        var foreignRule = Planted.LocalRule(Factory.Database, foreignOrganisation, "Nur-im-Wartburgkreis*");
        var foreignMeasure = Planted.MeasureOf(Factory.Database, foreignOrganisation);
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var token = await AppFactory.TokenFromAsync(client, "/import");
        var before = EstateChecksum.Compute(Factory.Database);
        var tested = new List<string>();
        var untested = new List<string>();

        foreach (var (endpoint, method) in ControllerRoutes())
        {
            var pattern = endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.Contains(":long}", StringComparison.Ordinal) || GlobalRoutes.Contains(pattern))
            {
                continue;
            }

            var candidates = new List<string>();
            if (pattern.Contains("{slug}", StringComparison.Ordinal))
            {
                foreach (var entity in RegistryEntities.All.Where(e => !e.Global))
                {
                    candidates.Add(pattern.Replace("{slug}", entity.Slug).Replace("{id:long}", ForeignId(entity).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
            else
            {
                candidates.Add(pattern
                    .Replace("{id:long}", pattern.StartsWith("import/", StringComparison.Ordinal) ? foreignBatch
                        : pattern.StartsWith("empfehlungen/", StringComparison.Ordinal) ? ForeignSuggestion()
                        : pattern.StartsWith("massnahmen/", StringComparison.Ordinal) ? foreignMeasure.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : pattern.StartsWith("schnittstellen/", StringComparison.Ordinal) ? await ForeignTokenAsync()
                        : pattern.StartsWith("verwaltung/konten/", StringComparison.Ordinal) ? ForeignUser().Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "{unknown}")
                    .Replace("{grantId:long}", ForeignUser().GrantId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{profileId:long}", Planted.Profile(Factory.Database, foreignOrganisation).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{organisationId:long}", foreignOrganisation.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{productId:long}", foreignProduct.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{metric}", foreignMetric)
                    .Replace("{runId:long}", foreignRun.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{ruleId:long}", foreignRule.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{format:regex(^(csv|xlsx)$)}", "xlsx"));
            }

            var urls = candidates.Where(c => !c.Contains('{')).Select(c => "/" + c).ToList();
            if (urls.Count == 0)
            {
                untested.Add(pattern);
            }

            foreach (var url in urls)
            {
                var auditedBefore = LastAuditId();
                var response = method == "GET"
                    ? await client.GetAsync(url)
                    : await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = token, ["__rowVersion"] = "1", ["fields[name]"] = "gekapert", ["fields[title]"] = "gekapert",
                    }));
                var forbidden = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden
                                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/fehler/403", StringComparison.Ordinal));
                Assert.IsTrue(forbidden,
                    $"{method} {url} answered {(int)response.StatusCode} {response.Headers.Location}");
                // One audit rule for every door: the refusal is written, and where the target has an owner, with it,
                // so that the targeted county's CIO sees the attempt.
                var refusals = RefusalsSince(auditedBefore, "lm.mettmann");
                Assert.IsNotEmpty(refusals, $"{method} {url} was refused without an audit entry.");
                if (response.StatusCode == HttpStatusCode.NotFound && !url.StartsWith("/import/", StringComparison.Ordinal) && !url.StartsWith("/schnittstellen/", StringComparison.Ordinal))
                {
                    Assert.IsTrue(refusals.Any(o => o == foreignOrganisation), $"{method} {url}: the refusal does not name {ForeignName} ({string.Join(",", refusals)}).");
                }

                tested.Add($"{method} {url}");
            }
        }

        Assert.IsEmpty(untested, "Routes with ids that this test does not know how to fill: " + string.Join(", ", untested));
        Assert.IsGreaterThan(20, tested.Count, string.Join("\n", tested));
        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(Factory.Database).ToList(), "A foreign request changed data.");
    }

    [TestMethod]
    public async Task RouteTable_ListAndExportPages_ShowNothingOfForeignCounty()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var pages = new List<string>();
        foreach (var (endpoint, method) in ControllerRoutes().Where(r => r.Method == "GET"))
        {
            var pattern = endpoint.RoutePattern.RawText!.TrimStart('/');
            if (pattern.Contains("{id", StringComparison.Ordinal) || pattern.Contains("{titleId", StringComparison.Ordinal) || pattern.Contains("vorlagen", StringComparison.Ordinal))
            {
                continue;
            }

            var urls = pattern.Contains("{slug}", StringComparison.Ordinal)
                ? RegistryEntities.All.Select(e => "/" + pattern.Replace("{slug}", e.Slug).Replace("{format:regex(^(csv|xlsx)$)}", "csv")).ToList()
                : ["/" + pattern.Replace("{code:int}", "404")];
            foreach (var url in urls.Where(u => !u.Contains('{')))
            {
                var body = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
                Assert.DoesNotContain(ForeignName, body, $"{url} shows {ForeignName}");
                Assert.DoesNotContain(ForeignAgs + ";", body, $"{url} exports {ForeignAgs}");
                pages.Add(url);
            }
        }

        Assert.IsGreaterThan(10, pages.Count, string.Join(", ", pages));
    }

    [TestMethod]
    public async Task StoredScriptInName_RendersEncodedOnListAndDetail()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        const string payload = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        var created = await AppFactory.PostFormAsync(client, "/register/vertraege/neu", "/register/vertraege/neu", new()
        {
            ["fields[ags]"] = "05158", ["fields[contract_key]"] = "V-XSS", ["fields[vendor]"] = payload, ["fields[title]"] = payload,
            ["fields[evb_it_type]"] = "other", ["fields[start_date]"] = "2025-01-01",
        });
        var detailUrl = created.Headers.Location!.OriginalString;

        var list = await client.GetStringAsync("/register/vertraege?suche=V-XSS");
        var detail = await client.GetStringAsync(detailUrl);

        foreach (var html in new[] { list, detail })
        {
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("<img src=x", html);
            StringAssert.Contains(html, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;");
        }
    }

    [TestMethod]
    public async Task ForbiddenRequest_WrittenToAuditLog()
    {
        using var reader = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");

        var response = await reader.GetAsync("/register/vertraege/neu");

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        StringAssert.Contains(response.Headers.Location!.OriginalString, "/fehler/403");
        using var connection = Factory.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND user_name = 'leser.wartburgkreis' AND object_key = 'GET /register/vertraege/neu'"));
    }

    [TestMethod]
    public async Task AuditPage_CioSeesOwnCountyOnly_ReaderRefused()
    {
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        await AppFactory.PostFormAsync(manager, "/register/vertraege/neu", "/register/vertraege/neu", new()
        {
            ["fields[ags]"] = "05158", ["fields[contract_key]"] = "V-AUDIT", ["fields[vendor]"] = "X", ["fields[title]"] = "Audit",
            ["fields[evb_it_type]"] = "other", ["fields[start_date]"] = "2025-01-01",
        });
        using var cio = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        using var reader = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");

        var page = await cio.GetStringAsync("/protokoll?suche=V-AUDIT");
        var refused = await reader.GetAsync("/protokoll");

        StringAssert.Contains(page, "05158/V-AUDIT");
        StringAssert.Contains(page, "lm.mettmann");
        StringAssert.Contains(await cio.GetStringAsync("/protokoll/export.csv?suche=V-AUDIT"), ";create;contracts;05158/V-AUDIT;");
        Assert.DoesNotContain(ForeignName, page);
        StringAssert.Contains(refused.Headers.Location!.OriginalString, "/fehler/403");
    }

    private static long LastAuditId()
    {
        using var connection = Factory.Database.Open();
        return connection.ExecuteScalar<long?>("SELECT MAX(id) FROM audit_log") ?? 0;
    }

    /// <summary>The organisations named by access_denied entries of the user after that id (null: without organisation).</summary>
    private static List<long?> RefusalsSince(long id, string userName)
    {
        using var connection = Factory.Database.Open();
        return connection.Query<long?>("SELECT organisation_id FROM audit_log WHERE id > @id AND action = 'access_denied' AND user_name = @userName",
            new { id, userName }).ToList();
    }

    /// <summary>An API token of another user (the admin).</summary>
    private static async Task<string> ForeignTokenAsync()
    {
        var admin = await LandkreisLizenz.Tests.Infrastructure.Scopes.ForUserNameAsync(Factory.Database, "admin");
        var created = await Factory.Services.GetRequiredService<LandkreisLizenz.Core.Security.ApiTokenService>().CreateAsync(admin, "fremd", "read", null);
        return created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A suggestion about the foreign county alone.</summary>
    private static string ForeignSuggestion()
    {
        using var connection = Factory.Database.Open();
        return connection.ExecuteScalar<long>("SELECT MIN(id) FROM suggestions WHERE suggestion_key LIKE @Key", new { Key = $"right_size:{ForeignAgs}:%" })
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (long Product, string Metric) ForeignPosition(long organisation)
    {
        using var connection = Factory.Database.Open();
        return connection.QueryFirst<(long, string)>(
            "SELECT p.product_id, p.metric FROM license_positions p JOIN reconciliation_latest l ON l.run_id = p.run_id AND l.organisation_id = p.organisation_id WHERE p.organisation_id = @organisation",
            new { organisation });
    }

    private static long ForeignId(RegistryEntity entity)
    {
        using var connection = Factory.Database.Open();
        var organisation = connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = @Ags", new { Ags = ForeignAgs });
        return entity == RegistryEntities.Organisations
            ? organisation
            : connection.ExecuteScalar<long>($"SELECT MIN(id) FROM {entity.Table} WHERE organisation_id = @Id", new { Id = organisation });
    }
}
