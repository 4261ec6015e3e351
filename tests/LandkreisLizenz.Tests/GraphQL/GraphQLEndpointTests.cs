using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

[TestClass]
public sealed class GraphQLEndpointTests
{
    private static AppFactory _factory = null!;
    private static string _token = null!;

    [ClassInitialize]
    public static async Task Start(TestContext context)
    {
        _factory = new AppFactory();
        _factory.CreateClient().Dispose();
        var manager = await Scopes.ForUserNameAsync(_factory.Database, "lm.mettmann");
        _token = (await _factory.Services.GetRequiredService<ApiTokenService>().CreateAsync(manager, "tests", "read", Scopes.OrganisationId(_factory.Database, "05158"))).Token;
    }

    [ClassCleanup]
    public static void Stop() => _factory.Dispose();

    private static HttpClient Client(string? token = null)
    {
        var client = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? _token);
        return client;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> PostAsync(string query, object? variables = null, string? token = null)
    {
        using var client = Client(token);
        var response = await client.PostAsync("/graphql", new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    public async Task Post_Organisations_OwnScopeOnlyWithCursorPaging()
    {
        var (status, body, type) = await PostAsync("query($after: String) { viewer organisations(first: 5, after: $after) { totalCount hasNextPage endCursor nodes { id ags name } } }");
        var page = body.GetProperty("data").GetProperty("organisations");
        var (_, next, _) = await PostAsync("query($after: String) { organisations(first: 5, after: $after) { nodes { ags } } }", new { after = page.GetProperty("endCursor").GetString() });

        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual("application/graphql-response+json", type);
        Assert.AreEqual("lm.mettmann", body.GetProperty("data").GetProperty("viewer").GetString());
        Assert.AreEqual(11, page.GetProperty("totalCount").GetInt32(), "Mettmann and its ten towns");
        Assert.IsTrue(page.GetProperty("hasNextPage").GetBoolean());
        var all = page.GetProperty("nodes").EnumerateArray().Concat(next.GetProperty("data").GetProperty("organisations").GetProperty("nodes").EnumerateArray())
            .Select(n => n.GetProperty("ags").GetString()!).ToList();
        Assert.HasCount(10, all);
        Assert.AreEqual(10, all.Distinct().Count());
        Assert.IsTrue(all.All(a => a.StartsWith("05158", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Node_ForeignOrganisation_NullOwnFound()
    {
        string Id(string ags) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"Organisation:{Scopes.OrganisationId(_factory.Database, ags)}"));

        var (_, body, _) = await PostAsync("query($a: ID!, $b: ID!) { own: node(id: $a) { name } foreign: node(id: $b) { name } positions: licensePositions(organisation: $b) { productName } }",
            new { a = Id("05158"), b = Id("16063") });

        var data = body.GetProperty("data");
        Assert.AreEqual("Mettmann", data.GetProperty("own").GetProperty("name").GetString());
        Assert.AreEqual(JsonValueKind.Null, data.GetProperty("foreign").ValueKind);
        Assert.AreEqual(0, data.GetProperty("positions").GetArrayLength());
        using var connection = _factory.Database.Open();
        Assert.AreEqual(1, Dapper.SqlMapper.ExecuteScalar<int>(connection, "SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_type = 'graphql:node' AND object_key = @Id", new { Id = Id("16063") }),
            "the refused node lookup is audited");
    }

    [TestMethod]
    public async Task Limits_PageSizeOver100AndMalformedRequests_Refused()
    {
        var (_, tooMany, _) = await PostAsync("{ organisations(first: 500) { totalCount } }");
        var (syntax, syntaxBody, syntaxType) = await PostAsync("{ organisations(first: ");
        using var client = Client();
        var notJson = await client.PostAsync("/graphql", new StringContent("kein json", Encoding.UTF8, "application/json"));
        var anonymous = await _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
            .PostAsync("/graphql", new StringContent("{\"query\":\"{ viewer }\"}", Encoding.UTF8, "application/json"));

        StringAssert.Contains(tooMany.GetProperty("errors")[0].GetProperty("message").GetString(), "zwischen 1 und 100");
        Assert.AreEqual(HttpStatusCode.BadRequest, syntax);
        Assert.AreEqual("application/graphql-response+json", syntaxType);
        Assert.IsTrue(syntaxBody.TryGetProperty("errors", out _));
        Assert.AreEqual(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.AreNotEqual(HttpStatusCode.OK, anonymous.StatusCode, "no anonymous access, introspection included");
    }

    [TestMethod]
    public async Task NoticeDeadlinesAndSuggestions_OwnScopeOnly()
    {
        var (status, body, _) = await PostAsync("{ noticeDeadlines(days: 90) { organisationName noticeDeadline title } suggestions(first: 100) { id type title estimatedSavings } }");

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        var data = body.GetProperty("data");
        var deadlines = data.GetProperty("noticeDeadlines").EnumerateArray().ToList();
        Assert.IsNotEmpty(deadlines);
        Assert.IsTrue(deadlines.All(d => DateOnly.Parse(d.GetProperty("noticeDeadline").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= DateOnly.FromDateTime(DateTime.UtcNow).AddDays(91)));
        Assert.DoesNotContain("Wartburgkreis", body.ToString());
        Assert.IsNotEmpty(data.GetProperty("suggestions").EnumerateArray().ToList());
    }

    [TestMethod]
    public async Task Get_QueryParameter_Executes()
    {
        using var client = Client();

        var response = await client.GetAsync("/graphql?query=" + Uri.EscapeDataString("{ viewer }"));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "lm.mettmann");
    }
}
