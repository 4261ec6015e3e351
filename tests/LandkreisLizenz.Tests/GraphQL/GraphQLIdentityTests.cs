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
}
