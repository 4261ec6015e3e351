using System.Text.Json;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>What a suggestion concerns and, for a cluster, its figures — read as an integrator would, within the caller's scope.</summary>
[TestClass]
public sealed class SuggestionGraphTypeTests : SharedAppTests<SuggestionGraphTypeTests>
{
    private static string _token = null!;

    [ClassInitialize]
    public static async Task CreateToken(TestContext context) => _token = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", "05158");

    private static async Task<JsonElement> NodesAsync(string arguments)
    {
        var (_, body) = await GraphQLClient.PostAsync(Factory, _token, $$"""
            { suggestions({{arguments}}) { nodes { id type objects { kind label object { __typename id } }
                cluster { stateCode leadName lead { name } annualCost sharePercent migrationCost paybackMonths } } } }
            """);
        Assert.IsFalse(body.TryGetProperty("errors", out var errors), errors.ToString());
        return body.GetProperty("data").GetProperty("suggestions").GetProperty("nodes");
    }

    [TestMethod]
    public async Task Objects_OfTheCountysOwnSuggestions_ResolveToTheRegistryObjects()
    {
        var nodes = (await NodesAsync("first: 50")).EnumerateArray().Where(n => n.GetProperty("cluster").ValueKind == JsonValueKind.Null).ToList();
        Assert.IsNotEmpty(nodes, "The county has suggestions of its own.");
        var objects = nodes.SelectMany(n => n.GetProperty("objects").EnumerateArray()).ToList();
        Assert.IsNotEmpty(objects);
        var typeOf = new Dictionary<string, string> { ["application"] = "Application", ["contract"] = "Contract", ["product"] = "Product", ["hosting"] = "Hosting" };
        foreach (var o in objects)
        {
            var kind = o.GetProperty("kind").GetString()!;
            Assert.IsTrue(typeOf.ContainsKey(kind), kind);
            Assert.IsFalse(string.IsNullOrWhiteSpace(o.GetProperty("label").GetString()));
            var resolved = o.GetProperty("object");
            Assert.AreEqual(JsonValueKind.Object, resolved.ValueKind, $"The county's own {kind} {o.GetProperty("label")} did not resolve.");
            Assert.AreEqual(typeOf[kind], resolved.GetProperty("__typename").GetString());
            Assert.AreEqual(typeOf[kind], GraphQLClient.ParseGlobalId(resolved.GetProperty("id").GetString()!)!.Value.Type);
        }
    }

    [TestMethod]
    public async Task Cluster_OfAJointProcurement_HasItsLandLeadAndFigures()
    {
        var clusters = (await NodesAsync("type: \"joint_procurement\", first: 20")).EnumerateArray().Select(n => n.GetProperty("cluster")).ToList();
        Assert.IsNotEmpty(clusters);
        foreach (var cluster in clusters)
        {
            Assert.AreEqual("05", cluster.GetProperty("stateCode").GetString(), "Kreis Mettmann's clusters lie in Nordrhein-Westfalen.");
            Assert.IsFalse(string.IsNullOrWhiteSpace(cluster.GetProperty("leadName").GetString()));
            Assert.IsGreaterThan(0m, cluster.GetProperty("annualCost").GetDecimal());
            Assert.IsGreaterThan(0m, cluster.GetProperty("sharePercent").GetDecimal());
        }

        // A lead in another county is named, but its organisation stays out of reach; one in the caller's scope is the one named.
        using var connection = Factory.Database.Open();
        var own = connection.Query<string>("SELECT name FROM organisations WHERE ags = '05158' OR parent_id = (SELECT id FROM organisations WHERE ags = '05158')").ToHashSet();
        foreach (var cluster in clusters)
        {
            var name = cluster.GetProperty("leadName").GetString()!;
            var lead = cluster.GetProperty("lead");
            Assert.AreEqual(own.Contains(name), lead.ValueKind == JsonValueKind.Object, $"lead {name}: {lead}");
            if (lead.ValueKind == JsonValueKind.Object)
            {
                Assert.AreEqual(name, lead.GetProperty("name").GetString());
            }
        }
    }

    [TestMethod]
    public async Task Measure_LeadsToTheSuggestionItComesFrom()
    {
        var measure = Planted.MeasureOf(Factory.Database, Scopes.OrganisationId(Factory.Database, "05158"));
        using var connection = Factory.Database.Open();
        var suggestion = connection.ExecuteScalar<long>("SELECT suggestion_id FROM measures WHERE id = @measure", new { measure });
        var (_, body) = await GraphQLClient.PostAsync(Factory, _token, "query($id: ID!) { node(id: $id) { ... on Measure { suggestion { id title } } } }",
            new { id = GraphQLClient.GlobalId("Measure", measure) });
        var found = body.GetProperty("data").GetProperty("node").GetProperty("suggestion");
        Assert.AreEqual(GraphQLClient.GlobalId("Suggestion", suggestion), found.GetProperty("id").GetString(), body.ToString());
        Assert.IsFalse(string.IsNullOrWhiteSpace(found.GetProperty("title").GetString()));
    }
}
