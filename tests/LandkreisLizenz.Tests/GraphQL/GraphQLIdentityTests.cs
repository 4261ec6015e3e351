using Dapper;
using GraphQL.Types;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>What an integrator's normalised cache relies on: a global id names one object for ever, and a cursor keeps its place.</summary>
[TestClass]
public sealed class GraphQLIdentityTests : SharedAppTests<GraphQLIdentityTests>
{
    private const string Mettmann = "05158";

    /// <summary>The table behind every node type of the schema; a new node type fails the test until it is listed here.</summary>
    private static readonly Dictionary<string, string> NodeTables = new(StringComparer.Ordinal)
    {
        ["Organisation"] = "organisations", ["Category"] = "categories", ["Product"] = "products", ["Hosting"] = "hostings",
        ["Application"] = "applications", ["Contract"] = "contracts", ["License"] = "licenses", ["SoftwareTitle"] = "software_titles",
        ["Suggestion"] = "suggestions", ["ReconciliationRun"] = "reconciliation_runs", ["ImportBatch"] = "import_batches",
        ["Measure"] = "measures", ["Notification"] = "notifications",
    };

    private static string _writeToken = null!;

    [ClassInitialize]
    public static async Task CreateToken(TestContext context) => _writeToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "write", Mettmann);

    [TestMethod]
    public async Task CreateHosting_AfterTheNewestWasDeleted_GetsAnIdNeverGivenBefore()
    {
        const string Create = """
            mutation($input: HostingInput!) { createHosting(input: $input) { succeeded errors { message } hosting { id rowVersion } } }
            """;
        var input = new { input = new { ags = Mettmann, hostingKey = "ID-PROBE", name = "Probe", operatorKind = "self", model = "on_premises" } };
        var given = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var (_, created) = await GraphQLClient.PostAsync(Factory, _writeToken, Create, input);
            var hosting = created.GetProperty("data").GetProperty("createHosting").GetProperty("hosting");
            var id = hosting.GetProperty("id").GetString()!;
            using (var connection = Factory.Database.Open())
            {
                Assert.AreEqual(GraphQLClient.ParseGlobalId(id)!.Value.Id, connection.ExecuteScalar<long>("SELECT MAX(id) FROM hostings"), "The probe is the newest hosting, the one SQLite used to hand out again.");
            }

            var (_, deleted) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($id: ID!, $v: Int!) { deleteHosting(id: $id, rowVersion: $v) { succeeded } }",
                new { id, v = hosting.GetProperty("rowVersion").GetInt32() });
            Assert.IsTrue(deleted.GetProperty("data").GetProperty("deleteHosting").GetProperty("succeeded").GetBoolean(), deleted.ToString());
            given.Add(id);
        }

        Assert.HasCount(3, given.Distinct().ToList(), "A deleted hosting's id came back: " + string.Join(", ", given));
        var (_, lookup) = await GraphQLClient.PostAsync(Factory, _writeToken, "query($id: ID!) { node(id: $id) { id } }", new { id = given[0] });
        Assert.AreEqual(System.Text.Json.JsonValueKind.Null, lookup.GetProperty("data").GetProperty("node").ValueKind, lookup.ToString());
    }

    [TestMethod]
    public void NodeTables_OfEveryNodeType_NeverHandOutAnIdTwice()
    {
        var schema = Factory.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var nodeTypes = schema.AllTypes.OfType<IObjectGraphType>().Where(t => t.ResolvedInterfaces.Any(i => i.Name == "Node")).Select(t => t.Name).ToList();
        Assert.IsNotEmpty(nodeTypes);
        using var connection = Factory.Database.Open();
        foreach (var type in nodeTypes)
        {
            Assert.IsTrue(NodeTables.TryGetValue(type, out var table), $"Node type {type} is not known to this test: which table gives its ids?");
            var definition = connection.ExecuteScalar<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = @table", new { table });
            StringAssert.Contains(definition, "AUTOINCREMENT", $"{table} (ids of {type}) would give a deleted row's id to the next one.");
        }
    }

    private static async Task<System.Text.Json.JsonElement> QueryAsync(string query, object? variables = null)
    {
        var (_, body) = await GraphQLClient.PostAsync(Factory, _writeToken, query, variables);
        Assert.IsFalse(body.TryGetProperty("errors", out var errors), errors.ToString());
        return body.GetProperty("data");
    }

    private static List<string> Ids(System.Text.Json.JsonElement connection) =>
        connection.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!).ToList();

    [TestMethod]
    public async Task Applications_InsertBeforeTheCursor_NextPageContinuesAfterTheLastSeen()
    {
        const string Page = """
            query($after: String) { applications(first: 5, after: $after, orderBy: NAME) { edges { cursor node { id name } } pageInfo { endCursor hasNextPage hasPreviousPage } } }
            """;
        var expected = Ids((await QueryAsync(Page.Replace("first: 5", "first: 10", StringComparison.Ordinal))).GetProperty("applications"))[5..];
        var first = (await QueryAsync(Page)).GetProperty("applications");
        Assert.IsTrue(first.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.IsFalse(first.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());

        // Two applications that sort before every name of the first page: an offset cursor would now repeat two of its rows.
        using (var connection = Factory.Database.Open())
        {
            var product = connection.ExecuteScalar<string>("SELECT MIN(product_key) FROM products");
            var hosting = connection.ExecuteScalar<string>("SELECT MIN(h.hosting_key) FROM hostings h JOIN organisations o ON o.id = h.organisation_id WHERE o.ags = @ags", new { ags = Mettmann });
            foreach (var key in new[] { "CURSOR-1", "CURSOR-2" })
            {
                var (_, created) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($input: ApplicationInput!) { createApplication(input: $input) { succeeded errors { message } } }",
                    new { input = new { ags = Mettmann, applicationKey = key, productKey = product, hostingKey = hosting, name = "!!! " + key } });
                Assert.IsTrue(created.GetProperty("data").GetProperty("createApplication").GetProperty("succeeded").GetBoolean(), created.ToString());
            }
        }

        var after = first.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        var second = (await QueryAsync(Page, new { after })).GetProperty("applications");
        CollectionAssert.AreEqual(expected, Ids(second), "The page after the cursor shifted with the insert before it.");
        Assert.IsTrue(second.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
    }

    /// <summary>Every list, walked forwards and backwards by cursors in small pages, yields the list read at once, in order (ties, NULLs and descending terms included).</summary>
    [TestMethod]
    [DataRow("applications(search: \"Ratingen\", orderBy: HOSTING, descending: true", "applications")]
    [DataRow("organisations(orderBy: POPULATION", "organisations")]
    [DataRow("contracts(search: \"Ratingen\", orderBy: ORGANISATION", "contracts")]
    [DataRow("suggestions(type: \"joint_procurement\"", "suggestions")]
    [DataRow("unrecognisedSoftware(", "unrecognisedSoftware")]
    [DataRow("organisation(ags: \"05158\") { members(", "organisation.members")]
    [DataRow("organisation(ags: \"05158\") { applications(", "organisation.applications")]
    public async Task Walk_ForwardsAndBackwardsInPagesOfSeven_YieldsTheWholeListInOrder(string field, string path)
    {
        var close = field.Contains('{', StringComparison.Ordinal) ? " }" : "";
        var node = path == "unrecognisedSoftware" ? "softwareTitle" : "id";
        string Query(string paging) => $"query{(paging.Contains('$', StringComparison.Ordinal) ? "($cursor: String)" : "")} {{ {field}{(field.EndsWith('(') ? "" : ", ")}{paging}) {{ totalCount edges {{ cursor node {{ {node} }} }} pageInfo {{ startCursor endCursor hasNextPage hasPreviousPage }} }}{close} }}";
        System.Text.Json.JsonElement At(System.Text.Json.JsonElement data) => path.Split('.').Aggregate(data, (e, p) => e.GetProperty(p));
        List<string> Nodes(System.Text.Json.JsonElement connection) => connection.GetProperty("edges").EnumerateArray()
            .Select(e => e.GetProperty("node").ToString()).ToList();

        var whole = At(await QueryAsync(Query("first: 100")));
        var all = Nodes(whole);
        Assert.IsGreaterThan(7, all.Count, $"{path}: too few rows to page through.");
        Assert.IsLessThan(100, whole.GetProperty("totalCount").GetInt32(), $"{path}: the whole list must fit one page for this test.");

        var forwards = new List<string>();
        string? cursor = null;
        for (var guard = 0; guard < 20; guard++)
        {
            var page = At(await QueryAsync(Query("first: 7, after: $cursor"), new { cursor }));
            forwards.AddRange(Nodes(page));
            if (!page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean())
            {
                break;
            }

            cursor = page.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        }

        var backwards = new List<string>();
        cursor = null;
        for (var guard = 0; guard < 20; guard++)
        {
            var page = At(await QueryAsync(Query("last: 7, before: $cursor"), new { cursor }));
            backwards.InsertRange(0, Nodes(page));
            if (!page.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean())
            {
                break;
            }

            cursor = page.GetProperty("pageInfo").GetProperty("startCursor").GetString();
        }

        CollectionAssert.AreEqual(all, forwards, $"{path}: forwards by after.");
        CollectionAssert.AreEqual(all, backwards, $"{path}: backwards by before.");
    }

    [TestMethod]
    public async Task Cursor_OfAnotherOrderOrAltered_RefusedInGerman()
    {
        var data = await QueryAsync("{ applications(first: 1, orderBy: NAME) { pageInfo { endCursor } } }");
        var cursor = data.GetProperty("applications").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        var (_, other) = await GraphQLClient.PostAsync(Factory, _writeToken, "query($c: String) { applications(first: 1, after: $c, orderBy: VENDOR) { totalCount } }", new { c = cursor });
        StringAssert.Contains(other.GetProperty("errors")[0].GetProperty("message").GetString(), "gehört zu einer anderen Liste oder Sortierung");

        // The same list, but a place with a value missing: refused, not a server error.
        var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
        var cut = System.Text.RegularExpressions.Regex.Replace(text, "\\[(\"[^\"]*\"),", "[");
        Assert.AreNotEqual(text, cut);
        var (_, altered) = await GraphQLClient.PostAsync(Factory, _writeToken, "query($c: String) { applications(first: 1, after: $c, orderBy: NAME) { totalCount } }",
            new { c = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(cut)) });
        Assert.AreEqual("Ungültiger Cursor.", altered.GetProperty("errors")[0].GetProperty("message").GetString(), altered.ToString());

        var (_, both) = await GraphQLClient.PostAsync(Factory, _writeToken, "{ applications(first: 1, last: 1) { totalCount } }");
        StringAssert.Contains(both.GetProperty("errors")[0].GetProperty("message").GetString(), "schließen einander aus");
    }
}
