using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.GraphQL;

[TestClass]
public sealed class GraphQLEndpointTests : SharedAppTests<GraphQLEndpointTests>
{
    private static string _token = null!;

    [ClassInitialize]
    public static async Task CreateToken(TestContext context) => _token = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", "05158");

    private static Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string query, object? variables = null) => GraphQLClient.PostAsync(Factory, _token, query, variables);

    private static string Message(JsonElement body) => body.GetProperty("errors")[0].GetProperty("message").GetString()!;

    [TestMethod]
    public async Task Post_Organisations_OwnScopeOnlyWithCursorPaging()
    {
        using var client = GraphQLClient.Client(Factory, _token);
        var response = await client.PostAsync("/graphql", new StringContent(JsonSerializer.Serialize(new { query = "{ viewer { userName readOnly } organisations(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { id ags name } } }" }),
            Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var page = body.GetProperty("data").GetProperty("organisations");
        var (_, next) = await PostAsync("query($after: String) { organisations(first: 5, after: $after) { pageInfo { hasPreviousPage } edges { cursor node { ags } } } }",
            new { after = page.GetProperty("pageInfo").GetProperty("endCursor").GetString() });

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("application/graphql-response+json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("lm.mettmann", body.GetProperty("data").GetProperty("viewer").GetProperty("userName").GetString());
        Assert.IsTrue(body.GetProperty("data").GetProperty("viewer").GetProperty("readOnly").GetBoolean());
        Assert.AreEqual(11, page.GetProperty("totalCount").GetInt32(), "Mettmann and its ten towns");
        Assert.IsTrue(page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        var second = next.GetProperty("data").GetProperty("organisations");
        Assert.IsTrue(second.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
        var all = page.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("ags").GetString()!)
            .Concat(second.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("ags").GetString()!)).ToList();
        Assert.HasCount(10, all);
        Assert.AreEqual(10, all.Distinct().Count());
        Assert.IsTrue(all.All(a => a.StartsWith("05158", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Node_ForeignOrganisation_NullOwnFoundAndAudited()
    {
        var own = GraphQLClient.GlobalId("Organisation", Scopes.OrganisationId(Factory.Database, "05158"));
        var foreignId = Scopes.OrganisationId(Factory.Database, "16063");
        var foreign = GraphQLClient.GlobalId("Organisation", foreignId);

        var (_, body) = await PostAsync("query($a: ID!, $b: ID!) { own: node(id: $a) { ... on Organisation { name } } foreign: node(id: $b) { id } positions: licensePositions(organisation: $b) { productName } }",
            new { a = own, b = foreign });

        var data = body.GetProperty("data");
        Assert.AreEqual("Mettmann", data.GetProperty("own").GetProperty("name").GetString());
        Assert.AreEqual(JsonValueKind.Null, data.GetProperty("foreign").ValueKind);
        Assert.AreEqual(0, data.GetProperty("positions").GetArrayLength());
        using var connection = Factory.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_type = 'organisations' AND object_key = @key AND organisation_id = @foreignId",
                new { key = "graphql:node " + foreignId, foreignId }),
            "the refused node lookup is audited with the organisation it targeted");
    }

    [TestMethod]
    public async Task Register_ApplicationsWithProductHostingAndContractTerms_Resolved()
    {
        var (status, body) = await PostAsync("""
            { organisation(ags: "05158") {
                applications(first: 100) { totalCount nodes { applicationKey product { name vendor category { name } } hosting { name dvsConformant failedDvsCriteria } dvsConformant } }
                contracts(first: 100) { nodes { contractKey currentTermEnd nextNoticeDeadline licenses(first: 10) { nodes { metric quantity product { name } } } } } } }
            """);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        var organisation = body.GetProperty("data").GetProperty("organisation");
        var applications = organisation.GetProperty("applications");
        using var connection = Factory.Database.Open();
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");
        Assert.AreEqual(connection.ExecuteScalar<int>("SELECT COUNT(*) FROM applications WHERE organisation_id = @mettmann", new { mettmann }), applications.GetProperty("totalCount").GetInt32());
        var nodes = applications.GetProperty("nodes").EnumerateArray().ToList();
        Assert.IsTrue(nodes.All(a => a.GetProperty("product").GetProperty("name").GetString()!.Length > 0 && a.GetProperty("hosting").ValueKind == JsonValueKind.Object));
        Assert.IsTrue(nodes.All(a => a.GetProperty("dvsConformant").GetBoolean() == (a.GetProperty("hosting").GetProperty("failedDvsCriteria").GetArrayLength() == 0)
                                     || !a.GetProperty("dvsConformant").GetBoolean()), "an application is conformant only on a conformant hosting");
        var contracts = organisation.GetProperty("contracts").GetProperty("nodes").EnumerateArray().ToList();
        Assert.IsTrue(contracts.Any(k => k.GetProperty("nextNoticeDeadline").ValueKind == JsonValueKind.String));
        Assert.IsTrue(contracts.SelectMany(k => k.GetProperty("licenses").GetProperty("nodes").EnumerateArray()).Any());
    }

    [TestMethod]
    public async Task Limits_PageSizeOver100_RefusedBeforeExecution()
    {
        var (status, body) = await PostAsync("{ organisations(first: 1000) { totalCount } }");
        var (viaVariable, variableBody) = await PostAsync("query($n: Int) { organisation(ags: \"05158\") { applications(first: $n) { totalCount } } }", new { n = 1000 });
        var (nestedOk, _) = await PostAsync("{ organisations(first: 100) { totalCount } }");

        Assert.AreEqual(HttpStatusCode.BadRequest, status, body.ToString());
        StringAssert.Contains(Message(body), "zwischen 1 und 100");
        Assert.IsFalse(body.TryGetProperty("data", out _), "nothing executed");
        Assert.AreEqual(HttpStatusCode.BadRequest, viaVariable, "a variable cannot get around it");
        Assert.AreEqual("PAGE_SIZE", variableBody.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.AreEqual(HttpStatusCode.OK, nestedOk);
    }

    [TestMethod]
    public async Task Limits_QueryDeeperThanTen_RefusedBeforeExecution()
    {
        var (status, body) = await PostAsync("{ organisations(first: 1) { nodes { applications(first: 1) { nodes { hosting { applications(first: 1) { nodes { product { applications(first: 1) { nodes { hosting { name } } } } } } } } } } } }");

        Assert.AreEqual(HttpStatusCode.BadRequest, status, body.ToString());
        Assert.IsFalse(body.TryGetProperty("data", out _), "nothing executed");
        StringAssert.Contains(Message(body), "zu tief verschachtelt");
    }

    [TestMethod]
    public async Task Limits_AliasFlood_RefusedBeforeExecution()
    {
        // 150 aliases stay below the token limit, so that the complexity limit is what refuses them.
        var aliases = string.Join(" ", Enumerable.Range(1, 150).Select(i => $"a{i}: organisations(first: 100) {{ nodes {{ name ags }} }}"));

        var (status, body) = await PostAsync("{ " + aliases + " }");

        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        Assert.IsFalse(body.TryGetProperty("data", out _), "nothing executed");
        StringAssert.Contains(Message(body), "zu aufwendig");
    }

    [TestMethod]
    public async Task Limits_BatchOverTenRequests_Refused()
    {
        var batch = JsonSerializer.Serialize(Enumerable.Range(1, 11).Select(_ => new { query = "{ viewer { userName } }" }));

        var (status, body) = await GraphQLClient.PostJsonAsync(Factory, _token, batch);

        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        StringAssert.Contains(Message(body), "1 bis 10");
    }

    [TestMethod]
    public async Task Introspection_Anonymous_RefusedSignedInAllowed()
    {
        const string Introspection = "{ __schema { queryType { name } } }";

        var (anonymous, _) = await GraphQLClient.PostAsync(Factory, null, Introspection);
        var (status, body) = await PostAsync(Introspection);

        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous);
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual("Query", body.GetProperty("data").GetProperty("__schema").GetProperty("queryType").GetProperty("name").GetString());
    }

    [TestMethod]
    public async Task Errors_MisspelledFieldAndBadCursor_NoSuggestionsNoStackTraces()
    {
        var (_, misspelled) = await PostAsync("{ organisations(first: 1) { nodes { nam } } }");
        var (_, cursor) = await PostAsync("{ organisations(first: 1, after: \"kaputt\") { totalCount } }");

        var text = misspelled.ToString() + cursor.ToString();
        StringAssert.Contains(Message(misspelled), "Das Feld „nam“ gibt es im Typ „Organisation“ nicht.");
        Assert.DoesNotContain("Did you mean", text);
        Assert.DoesNotContain("\"name\"", Message(misspelled));
        Assert.AreEqual("after: ungültiger Cursor.", Message(cursor));
        Assert.DoesNotContain(" at LandkreisLizenz", text);
        Assert.DoesNotContain("stacktrace", text.ToLowerInvariant());
    }

    [TestMethod]
    public async Task Malformed_SyntaxErrorOrNotJson_400()
    {
        var (syntax, syntaxBody) = await PostAsync("{ organisations(first: ");
        var (notJson, _) = await GraphQLClient.PostJsonAsync(Factory, _token, "kein json");

        Assert.AreEqual(HttpStatusCode.BadRequest, syntax);
        Assert.IsTrue(syntaxBody.TryGetProperty("errors", out _));
        Assert.AreEqual(HttpStatusCode.BadRequest, notJson);
    }

    [TestMethod]
    public async Task NoticeDeadlinesAndSuggestions_OwnScopeOnly()
    {
        var (status, body) = await PostAsync("{ noticeDeadlines(days: 90) { organisationName noticeDeadline daysLeft title } suggestions(first: 100) { totalCount nodes { id type title estimatedSavings rationale participants { role organisation { ags } } decisions { status } } } }");

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        var data = body.GetProperty("data");
        var deadlines = data.GetProperty("noticeDeadlines").EnumerateArray().ToList();
        Assert.IsNotEmpty(deadlines);
        Assert.IsTrue(deadlines.All(d => d.GetProperty("daysLeft").GetInt32() is >= 0 and <= 90));
        Assert.IsTrue(deadlines.All(d => d.GetProperty("organisationName").GetString()! is var name && (name == "Mettmann" || name.EndsWith(", Stadt", StringComparison.Ordinal))),
            "only Mettmann and its towns");
        var suggestions = data.GetProperty("suggestions").GetProperty("nodes").EnumerateArray().ToList();
        Assert.IsNotEmpty(suggestions);
        Assert.IsTrue(suggestions.All(s => s.GetProperty("rationale").GetString()!.Length > 0));
        Assert.IsTrue(suggestions.SelectMany(s => s.GetProperty("participants").EnumerateArray())
            .All(p => p.GetProperty("organisation").GetProperty("ags").GetString()!.StartsWith("05158", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task SignedInSession_TextPlainPostOrMutationOverGet_RefusedNothingWritten()
    {
        using var browser = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var before = LandkreisLizenz.Core.DemoEstate.EstateChecksum.Compute(Factory.Database);
        var mettmann = GraphQLClient.GlobalId("Organisation", Scopes.OrganisationId(Factory.Database, "05158"));
        var mutation = $"mutation {{ updateOrganisation(id: \"{mettmann}\", rowVersion: 1, input: {{ population: 1 }}) {{ succeeded }} }}";

        var formPost = await browser.PostAsync("/graphql", new StringContent(JsonSerializer.Serialize(new { query = mutation }), Encoding.UTF8, "text/plain"));
        var overGet = await browser.GetAsync("/graphql?query=" + Uri.EscapeDataString(mutation));
        var session = await browser.PostAsync("/graphql", new StringContent(JsonSerializer.Serialize(new { query = "{ viewer { userName } }" }), Encoding.UTF8, "application/json"));

        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, formPost.StatusCode, "a cross-site form cannot send application/json");
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, overGet.StatusCode, await overGet.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.OK, session.StatusCode, "the signed-in session itself works");
        StringAssert.Contains(await session.Content.ReadAsStringAsync(), "lm.mettmann");
        CollectionAssert.AreEqual(before.ToList(), LandkreisLizenz.Core.DemoEstate.EstateChecksum.Compute(Factory.Database).ToList());
    }

    [TestMethod]
    public async Task Get_QueryParameter_Executes()
    {
        using var client = GraphQLClient.Client(Factory, _token);

        var response = await client.GetAsync("/graphql?query=" + Uri.EscapeDataString("{ viewer { userName } }"));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "lm.mettmann");
    }
}
