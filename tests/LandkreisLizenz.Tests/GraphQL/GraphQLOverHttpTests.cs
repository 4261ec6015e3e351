using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>
/// /graphql as standard tooling meets it (issue 15): the standard introspection query answers, cost is bounded before
/// anything is parsed or validated, the answer's media type follows Accept (GraphQL-over-HTTP), refusals of the
/// authentication are GraphQL JSON with a Bearer challenge, request errors are German and propose no names.
/// </summary>
[TestClass]
public sealed class GraphQLOverHttpTests : SharedAppTests<GraphQLOverHttpTests>
{
    /// <summary>graphql-js 16 <c>getIntrospectionQuery()</c> with all its options (tests/fixtures/graphql).</summary>
    private static readonly string StandardIntrospection = File.ReadAllText(Path.Combine(Repository.Root(), "tests", "fixtures", "graphql", "introspection-query.graphql"));

    private static string _token = null!;

    [ClassInitialize]
    public static async Task CreateToken(TestContext context) => _token = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", "05158");

    private static async Task<(HttpStatusCode Status, string? MediaType, HttpResponseMessage Response, JsonElement Body)> SendAsync(string json, string? accept, string? token = "")
    {
        using var client = GraphQLClient.Client(Factory, token == "" ? _token : token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (accept is not null)
        {
            // "" sends no Accept at all; anything else replaces the modern client's default.
            request.Headers.Accept.Clear();
            client.DefaultRequestHeaders.Accept.Clear();
            if (accept.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, response, body);
    }

    private static string Query(string query, string? operationName = null) => JsonSerializer.Serialize(new { query, operationName });

    private static JsonElement FirstError(JsonElement body) => body.GetProperty("errors")[0];

    [TestMethod]
    public async Task Introspection_GraphqlJsStandardQueryWithAllOptions_AnswersTheSchema()
    {
        var (status, _, _, body) = await SendAsync(Query(StandardIntrospection), null);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        var schema = body.GetProperty("data").GetProperty("__schema");
        var types = schema.GetProperty("types").EnumerateArray().ToList();
        Assert.IsGreaterThan(20, types.Count);
        var organisation = types.Single(t => t.GetProperty("name").GetString() == "Organisation");
        Assert.AreEqual(JsonValueKind.Null, organisation.GetProperty("specifiedByURL").ValueKind);
        Assert.IsTrue(schema.GetProperty("directives").EnumerateArray().All(d => d.TryGetProperty("isRepeatable", out _)));
        var reserved = types.Select(t => t.GetProperty("name").GetString()!).Where(n => n.StartsWith("__", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        CollectionAssert.AreEqual(new[] { "__Directive", "__DirectiveLocation", "__EnumValue", "__Field", "__InputValue", "__Schema", "__Type", "__TypeKind" }, reserved.ToArray(),
            "only the specification's introspection types: graphql-js rejects a schema with others");
    }

    [TestMethod]
    public async Task Introspection_DeeperThanDataQueriesMayBe_StillRefusedWhenItAlsoReadsData()
    {
        var mixed = "{ viewer { userName } __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }";

        var (status, _, _, body) = await SendAsync(Query(mixed), null);

        Assert.AreEqual(HttpStatusCode.BadRequest, status, "only an operation of introspection alone is exempt from the depth limit");
        StringAssert.Contains(FirstError(body).GetProperty("message").GetString(), "zu tief verschachtelt");
    }

    [TestMethod]
    public async Task Limits_FortyThousandFields_RefusedBeforeParsingInGerman()
    {
        var document = "{ viewer { " + string.Concat(Enumerable.Repeat("userName ", 40_000)) + "} }";

        var (status, _, _, body) = await SendAsync(Query(document), null);

        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        Assert.IsFalse(body.TryGetProperty("data", out _), "nothing executed");
        var error = FirstError(body);
        Assert.AreEqual("DOCUMENT_TOO_LARGE", error.GetProperty("extensions").GetProperty("code").GetString());
        StringAssert.Contains(error.GetProperty("message").GetString(), "höchstens 3.000 Tokens");
    }

    [TestMethod]
    public async Task Limits_TenMegabyteBody_413WithAndWithoutLength()
    {
        var huge = "{\"query\":\"{ viewer { userName } }\",\"extensions\":{\"x\":\"" + new string('x', 10 * 1024 * 1024) + "\"}}";
        using var client = GraphQLClient.Client(Factory, _token);

        var announced = await client.PostAsync("/graphql", new StringContent(huge, Encoding.UTF8, "application/json"));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, announced.StatusCode);
        StringAssert.Contains(JsonDocument.Parse(await announced.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("message").GetString(), "zu groß");
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode, "a body without a length is cut off at the limit too");
    }

    [TestMethod]
    [DataRow("", "application/json", HttpStatusCode.OK)]
    [DataRow("application/graphql-response+json", "application/graphql-response+json", HttpStatusCode.BadRequest)]
    [DataRow("application/json", "application/json", HttpStatusCode.OK)]
    [DataRow("application/json;q=0.9, application/graphql-response+json", "application/graphql-response+json", HttpStatusCode.BadRequest)]
    [DataRow("text/html, application/json;q=0.5", "application/json", HttpStatusCode.OK)]
    [DataRow("*/*", "application/json", HttpStatusCode.OK)]
    [DataRow("text/html", null, HttpStatusCode.NotAcceptable)]
    public async Task Accept_Variants_AnsweredInTheAcceptedTypeOr406(string? accept, string? mediaType, HttpStatusCode invalidQueryStatus)
    {
        var (valid, validType, _, validBody) = await SendAsync(Query("{ viewer { userName } }"), accept);
        var (invalid, invalidType, _, _) = await SendAsync(Query("{ viewer { keinFeld } }"), accept);

        if (mediaType is null)
        {
            Assert.AreEqual(HttpStatusCode.NotAcceptable, valid);
            Assert.AreEqual(HttpStatusCode.NotAcceptable, invalid);
            return;
        }

        Assert.AreEqual(HttpStatusCode.OK, valid, validBody.ToString());
        Assert.AreEqual(mediaType, validType);
        Assert.AreEqual(mediaType, invalidType);
        Assert.AreEqual(invalidQueryStatus, invalid, "a validation error is 400 in graphql-response+json, 200 in legacy application/json");
    }

    [TestMethod]
    public async Task Unauthorized_InvalidOrMissingToken_GraphQLErrorWithBearerChallenge()
    {
        var (invalid, invalidType, invalidResponse, invalidBody) = await SendAsync(Query("{ viewer { userName } }"), null, "lkl_ungueltig");
        var (missing, _, missingResponse, missingBody) = await SendAsync(Query("{ viewer { userName } }"), "application/json", null);

        Assert.AreEqual(HttpStatusCode.Unauthorized, invalid);
        Assert.AreEqual("application/graphql-response+json", invalidType);
        Assert.AreEqual("Bearer error=\"invalid_token\"", invalidResponse.Headers.WwwAuthenticate.ToString());
        StringAssert.Contains(FirstError(invalidBody).GetProperty("message").GetString(), "API-Token");
        Assert.AreEqual(HttpStatusCode.Unauthorized, missing);
        Assert.AreEqual("Bearer", missingResponse.Headers.WwwAuthenticate.ToString());
        Assert.AreEqual("UNAUTHENTICATED", FirstError(missingBody).GetProperty("extensions").GetProperty("code").GetString());
    }

    [TestMethod]
    [DataRow("{ organisations(first: 1) { nodes { nam } } }", "Das Feld „nam“ gibt es im Typ „Organisation“ nicht.")]
    [DataRow("{ organisation { name } }", "verlangt das Argument „ags“")]
    [DataRow("{ organisations(erste: 1) { totalCount } }", "Unbekanntes Argument „erste“")]
    [DataRow("{ viewer }", "braucht eine Auswahl von Unterfeldern")]
    [DataRow("{ viewer { userName { x } } }", "hat keine Unterfelder")]
    [DataRow("query($n: Int) { viewer { userName } }", "Die Variable „$n“ wird nicht verwendet.")]
    [DataRow("{ organisations(first: ", "Syntaxfehler in der Abfrage bei Zeile 1, Spalte 24.")]
    [DataRow("fragment F on Unbekannt { x } { viewer { ...F } }", "Unbekannter Typ „Unbekannt“.")]
    public async Task Errors_CommonValidationErrors_GermanWithoutProposals(string query, string expected)
    {
        var (status, _, _, body) = await SendAsync(Query(query), null);

        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        var error = FirstError(body);
        StringAssert.Contains(error.GetProperty("message").GetString(), expected);
        Assert.DoesNotContain("Did you mean", body.ToString());
        Assert.IsFalse(error.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("number", out _), "the rule's number is not passed on");
    }

    [TestMethod]
    public async Task OperationName_QueryBesideAMutation_ReadOnlyTokenRunsTheSelectedQuery()
    {
        const string Document = "query Wer { viewer { userName } } mutation Aendern { deleteOrganisation(id: \"x\", rowVersion: 1) { succeeded } }";

        var (query, _, _, queryBody) = await SendAsync(Query(Document, "Wer"), null);
        var (mutation, _, _, mutationBody) = await SendAsync(Query(Document, "Aendern"), null);

        Assert.AreEqual(HttpStatusCode.OK, query, queryBody.ToString());
        Assert.AreEqual("lm.mettmann", queryBody.GetProperty("data").GetProperty("viewer").GetProperty("userName").GetString());
        Assert.AreEqual(HttpStatusCode.BadRequest, mutation);
        StringAssert.Contains(FirstError(mutationBody).GetProperty("message").GetString(), "nur lesen");
    }
}
