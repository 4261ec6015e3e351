using System.Net;
using System.Text.Json;
using Dapper;
using GraphQL.Types;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>Write scope of the API: every mutation of the schema is tried with a read token and, with a write token, on county B's objects.</summary>
[TestClass]
public sealed class GraphQLMutationTests : SharedAppTests<GraphQLMutationTests>
{
    private const string CountyA = "05158";
    private const string CountyB = "16063";

    /// <summary>The product catalogue is shared reference data that license managers maintain: not tenant data.</summary>
    private static readonly HashSet<string> CatalogueMutations = ["createProduct", "updateProduct", "deleteProduct"];

    private static string _readToken = null!;
    private static string _writeToken = null!;

    [ClassInitialize]
    public static async Task CreateTokens(TestContext context)
    {
        _readToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", CountyA);
        _writeToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "write", CountyA);
    }

    private static IEnumerable<FieldType> Mutations()
    {
        var schema = Factory.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        return schema.Mutation!.Fields.OrderBy(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>A call of <paramref name="mutation"/> on the objects of county <paramref name="ags"/>; unknown mutations fail the test until it knows them.</summary>
    private static string Call(FieldType mutation, string ags)
    {
        using var connection = Factory.Database.Open();
        var family = "(SELECT id FROM organisations WHERE ags = @ags OR parent_id = (SELECT id FROM organisations WHERE ags = @ags))";
        string Id(string type, string table) => GraphQLClient.GlobalId(type, connection.ExecuteScalar<long>($"SELECT MIN(id) FROM {table} WHERE organisation_id IN {family}", new { ags }));
        var name = mutation.Name;
        var type = name.StartsWith("create", StringComparison.Ordinal) ? name[6..] : name.StartsWith("update", StringComparison.Ordinal) ? name[6..] : name.StartsWith("delete", StringComparison.Ordinal) ? name[6..] : "";
        var table = type switch
        {
            "Hosting" => "hostings", "Application" => "applications", "Contract" => "contracts", "License" => "licenses", _ => null,
        };
        var objectId = type switch
        {
            "Organisation" => GraphQLClient.GlobalId("Organisation", Scopes.OrganisationId(Factory.Database, ags)),
            "Product" => GraphQLClient.GlobalId("Product", connection.ExecuteScalar<long>("SELECT MIN(id) FROM products")),
            _ when table is not null => Id(type, table),
            _ => null,
        };
        const string Result = "{ succeeded errors { field message } }";
        // Complete, valid inputs: the only thing wrong is the organisation.
        var product = connection.ExecuteScalar<string>("SELECT MIN(product_key) FROM products");
        var input = type switch
        {
            "Organisation" => $"ags: \"{ags}\", name: \"Test\", kind: \"county\"",
            "Hosting" => $"ags: \"{ags}\", hostingKey: \"api\", name: \"Test\", operatorKind: \"self\", model: \"on_premises\"",
            "Application" => $"ags: \"{ags}\", applicationKey: \"api\", productKey: \"{product}\", hostingKey: \"{connection.ExecuteScalar<string>($"SELECT MIN(hosting_key) FROM hostings WHERE organisation_id IN {family}", new { ags })}\"",
            "Contract" => $"ags: \"{ags}\", contractKey: \"api\", vendor: \"Test\", title: \"Test\", evbItType: \"other\", startDate: \"2026-01-01\"",
            "License" => $"ags: \"{ags}\", contractKey: \"{connection.ExecuteScalar<string>($"SELECT MIN(contract_key) FROM contracts WHERE organisation_id IN {family}", new { ags })}\", productKey: \"{product}\", metric: \"device\", quantity: 1",
            _ => $"productKey: \"api\", name: \"Test\", vendor: \"Test\", category: \"dms\"",
        };
        return name switch
        {
            "updateMeasure" => $"mutation {{ updateMeasure(id: \"{GraphQLClient.GlobalId("Measure", Planted.MeasureOf(Factory.Database, Scopes.OrganisationId(Factory.Database, ags)))}\", rowVersion: 1, status: \"done\") {Result} }}",
            _ when name.StartsWith("create", StringComparison.Ordinal) => $"mutation {{ {name}(input: {{ {input} }}) {Result} }}",
            _ when name.StartsWith("update", StringComparison.Ordinal) => $"mutation {{ {name}(id: \"{objectId}\", rowVersion: 1, input: {{ }}) {Result} }}",
            _ when name.StartsWith("delete", StringComparison.Ordinal) => $"mutation {{ {name}(id: \"{objectId}\", rowVersion: 1) {Result} }}",
            "decideSuggestion" => $"mutation {{ decideSuggestion(id: \"{GraphQLClient.GlobalId("Suggestion", connection.ExecuteScalar<long>(
                $"SELECT MIN(so.suggestion_id) FROM suggestion_organisations so WHERE so.organisation_id IN {family} AND NOT EXISTS (SELECT 1 FROM suggestion_organisations x JOIN organisations o ON o.id = x.organisation_id WHERE x.suggestion_id = so.suggestion_id AND (o.ags LIKE '05158%'))", new { ags }))}\", decision: \"accepted\") {Result} }}",
            // A title only this county's inventory reports: another county's license manager cannot map it.
            "mapSoftwareTitle" => $"mutation {{ mapSoftwareTitle(softwareTitle: \"{GraphQLClient.GlobalId("SoftwareTitle", connection.ExecuteScalar<long?>($"""
                SELECT MIN(t.id) FROM software_titles t JOIN installations i ON i.software_title_id = t.id JOIN devices d ON d.id = i.device_id
                WHERE t.product_id IS NULL AND t.not_licensable = 0 AND d.organisation_id IN {family}
                  AND NOT EXISTS (SELECT 1 FROM installations x JOIN devices y ON y.id = x.device_id JOIN organisations o ON o.id = y.organisation_id
                                  WHERE x.software_title_id = t.id AND o.ags LIKE '05158%')
                """, new { ags }) ?? 0)}\", product: \"{GraphQLClient.GlobalId("Product", connection.ExecuteScalar<long>("SELECT MIN(id) FROM products"))}\") {Result} }}",
            "startReconciliation" => $"mutation {{ startReconciliation(organisation: \"{GraphQLClient.GlobalId("Organisation", Scopes.OrganisationId(Factory.Database, ags))}\") {Result} }}",
            _ => throw new AssertFailedException($"Teach this test the mutation {name}."),
        };
    }

    [TestMethod]
    public async Task ReadToken_EveryMutation_RefusedBeforeExecutionAndAudited()
    {
        var before = EstateChecksum.Compute(Factory.Database);
        using var connection = Factory.Database.Open();
        var auditedBefore = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_type = 'graphql:mutation'");
        var mutations = Mutations().ToList();

        foreach (var mutation in mutations)
        {
            var (status, body) = await GraphQLClient.PostAsync(Factory, _readToken, Call(mutation, CountyA));

            Assert.AreEqual(HttpStatusCode.BadRequest, status, $"{mutation.Name}: {body}");
            Assert.IsFalse(body.TryGetProperty("data", out _), $"{mutation.Name} must not execute");
            Assert.AreEqual("READ_ONLY_TOKEN", body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        }

        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(Factory.Database).ToList(), "no row changed");
        Assert.AreEqual(auditedBefore + mutations.Count, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_type = 'graphql:mutation'"));
        Assert.IsGreaterThanOrEqualTo(20, mutations.Count, "create/update/delete of six registry objects, decisions and reconciliation runs");
    }

    [TestMethod]
    public async Task WriteToken_EveryMutationOnForeignCounty_RefusedNoRowChanged()
    {
        var before = EstateChecksum.Compute(Factory.Database);

        foreach (var mutation in Mutations().Where(m => !CatalogueMutations.Contains(m.Name)))
        {
            var (status, body) = await GraphQLClient.PostAsync(Factory, _writeToken, Call(mutation, CountyB));

            Assert.AreEqual(HttpStatusCode.OK, status, $"{mutation.Name}: {body}");
            var payload = body.GetProperty("data").GetProperty(mutation.Name);
            Assert.IsFalse(payload.GetProperty("succeeded").GetBoolean(), $"{mutation.Name} on county B must be refused: {payload}");
            var messages = payload.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
            // Another county's unrecognised title is "not in your inventory", as on the page: its existence is not disclosed.
            Assert.IsTrue(messages.Any(m => m.Contains("Schreibberechtigung", StringComparison.Ordinal) || m.Contains("Zuständigkeitsbereich", StringComparison.Ordinal)
                                            || m.Contains("in Ihrem Bestand nicht unerkannt", StringComparison.Ordinal)),
                $"{mutation.Name} is refused for the foreign county, not for another reason: {string.Join(" | ", messages)}");
        }

        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(Factory.Database).ToList(), "no row changed");
    }

    [TestMethod]
    public async Task WriteToken_OwnApplication_CreateUpdateConflictDelete()
    {
        using var connection = Factory.Database.Open();
        var (productKey, hostingKey) = connection.QueryFirst<(string, string)>("""
            SELECT p.product_key, h.hosting_key FROM applications a JOIN products p ON p.id = a.product_id JOIN hostings h ON h.id = a.hosting_id
            JOIN organisations o ON o.id = a.organisation_id WHERE o.ags = @CountyA ORDER BY a.id
            """, new { CountyA });

        var (_, created) = await GraphQLClient.PostAsync(Factory, _writeToken, """
            mutation($input: ApplicationInput!) { createApplication(input: $input) { succeeded errors { field message } application { id rowVersion users name organisation { ags } } } }
            """, new { input = new { ags = CountyA, applicationKey = "api-test", productKey, hostingKey, name = "Über die API", users = 12, protectionNeed = "high", operation24x7 = true } });
        var application = created.GetProperty("data").GetProperty("createApplication").GetProperty("application");
        var id = application.GetProperty("id").GetString();
        var (_, updated) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($id: ID!) { updateApplication(id: $id, rowVersion: 1, input: { users: 40 }) { succeeded application { users name rowVersion } } }", new { id });
        var (_, stale) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($id: ID!) { updateApplication(id: $id, rowVersion: 1, input: { users: 1 }) { succeeded conflict } }", new { id });
        var (_, invalid) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($id: ID!) { updateApplication(id: $id, rowVersion: 2, input: { protectionNeed: \"extrem\" }) { succeeded errors { field message } } }", new { id });
        var (_, deleted) = await GraphQLClient.PostAsync(Factory, _writeToken, "mutation($id: ID!) { deleteApplication(id: $id, rowVersion: 2) { succeeded deletedId } }", new { id });

        Assert.AreEqual(CountyA, application.GetProperty("organisation").GetProperty("ags").GetString(), created.ToString());
        Assert.AreEqual(12, application.GetProperty("users").GetInt32());
        var after = updated.GetProperty("data").GetProperty("updateApplication").GetProperty("application");
        Assert.AreEqual(40, after.GetProperty("users").GetInt32());
        Assert.AreEqual("Über die API", after.GetProperty("name").GetString(), "fields left out keep their value");
        Assert.IsNotNull(stale.GetProperty("data").GetProperty("updateApplication").GetProperty("conflict").GetString());
        var error = invalid.GetProperty("data").GetProperty("updateApplication").GetProperty("errors")[0];
        Assert.AreEqual("protectionNeed", error.GetProperty("field").GetString());
        Assert.AreEqual(id, deleted.GetProperty("data").GetProperty("deleteApplication").GetProperty("deletedId").GetString());
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM applications WHERE application_key = 'api-test'"));
    }

    [TestMethod]
    public async Task AdminToken_DecideSuggestionAndStartReconciliation_Written()
    {
        var adminToken = (await Factory.Services.GetRequiredService<LandkreisLizenz.Core.Security.ApiTokenService>()
            .CreateAsync(await Scopes.ForUserNameAsync(Factory.Database, "admin"), "tests", "write", null)).Token;
        using var connection = Factory.Database.Open();
        var suggestion = GraphQLClient.GlobalId("Suggestion", connection.ExecuteScalar<long>(
            "SELECT MIN(id) FROM suggestions WHERE status = 'new' AND type NOT IN ('joint_procurement', 'shared_operation', 'shared_data_centre')"));
        var mettmann = GraphQLClient.GlobalId("Organisation", Scopes.OrganisationId(Factory.Database, CountyA));

        var (_, rejectedWithoutReason) = await GraphQLClient.PostAsync(Factory, adminToken, "mutation($id: ID!) { decideSuggestion(id: $id, decision: \"rejected\") { succeeded errors { message } } }", new { id = suggestion });
        var (_, accepted) = await GraphQLClient.PostAsync(Factory, adminToken, "mutation($id: ID!) { decideSuggestion(id: $id, decision: \"accepted\") { succeeded suggestion { status decisions { status userName } } } }", new { id = suggestion });
        var (_, run) = await GraphQLClient.PostAsync(Factory, adminToken, "mutation($o: ID!) { startReconciliation(organisation: $o) { succeeded run { status kind organisation { ags } } } }", new { o = mettmann });

        StringAssert.Contains(rejectedWithoutReason.GetProperty("data").GetProperty("decideSuggestion").GetProperty("errors")[0].GetProperty("message").GetString(), "Begründung");
        var decided = accepted.GetProperty("data").GetProperty("decideSuggestion").GetProperty("suggestion");
        Assert.AreEqual("accepted", decided.GetProperty("status").GetString());
        Assert.AreEqual("admin", decided.GetProperty("decisions").EnumerateArray().Last().GetProperty("userName").GetString());
        var started = run.GetProperty("data").GetProperty("startReconciliation").GetProperty("run");
        Assert.AreEqual("manual", started.GetProperty("kind").GetString(), run.ToString());
        Assert.AreEqual(CountyA, started.GetProperty("organisation").GetProperty("ags").GetString());
    }

    [TestMethod]
    public async Task CioSession_DecideForOwnClusterParticipant_OwnDecisionAndDerivedStatus()
    {
        // CIOs hold no API tokens; they use GraphQL with their session (e.g. the explorer).
        using var cio = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        using var connection = Factory.Database.Open();
        var county = Scopes.OrganisationId(Factory.Database, CountyA);
        var cluster = connection.ExecuteScalar<long>("""
            SELECT MIN(s.id) FROM suggestions s JOIN suggestion_organisations so ON so.suggestion_id = s.id AND so.role = 'participant'
            WHERE s.type IN ('joint_procurement', 'shared_operation') AND so.organisation_id = @county AND s.status <> 'obsolete'
            """, new { county });
        Assert.AreNotEqual(0L, cluster, "the test estate has no cluster with Mettmann");

        var decided = await GraphQLClient.PostWithSessionAsync(cio,
            "mutation($id: ID!, $o: ID!) { decideSuggestion(id: $id, decision: \"joined\", organisation: $o) { succeeded errors { message } suggestion { clusterStatus estimatedSavings clusterSavings participants { decision organisation { ags } } } } }",
            new { id = GraphQLClient.GlobalId("Suggestion", cluster), o = GraphQLClient.GlobalId("Organisation", county) });

        var payload = decided.GetProperty("data").GetProperty("decideSuggestion");
        Assert.IsTrue(payload.GetProperty("succeeded").GetBoolean(), decided.ToString());
        var suggestion = payload.GetProperty("suggestion");
        Assert.AreEqual("forming", suggestion.GetProperty("clusterStatus").GetString());
        Assert.AreEqual("joined", suggestion.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("organisation").GetProperty("ags").GetString() == CountyA).GetProperty("decision").GetString());
        Assert.IsLessThanOrEqualTo(suggestion.GetProperty("clusterSavings").GetDecimal(), suggestion.GetProperty("estimatedSavings").GetDecimal(), "the caller's share exceeds the cluster total");
    }

    [TestMethod]
    public async Task CioSession_MeasuresAndUpdateMeasure_GermanFieldErrorThenSaved()
    {
        using var cio = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        var measure = Planted.Measure(Factory.Database, Scopes.OrganisationId(Factory.Database, CountyA), planned: 1000m);
        Task<System.Text.Json.JsonElement> Post(string query, object variables) => GraphQLClient.PostWithSessionAsync(cio, query, variables);

        const string Update = "mutation($id: ID!, $d: String) { updateMeasure(id: $id, rowVersion: 1, status: \"in_progress\", responsible: \"Herr Muster\", dueDate: $d) { succeeded errors { field message } measure { status responsible dueDate } } }";
        var id = GraphQLClient.GlobalId("Measure", measure);
        var listed = await Post("{ measures { id plannedSavings organisation { ags } } }", new { });
        var refused = await Post(Update, new { id, d = "31.02.2027" });
        var saved = await Post(Update, new { id, d = "31.03.2027" });

        Assert.IsTrue(listed.GetProperty("data").GetProperty("measures").EnumerateArray().Any(m => m.GetProperty("id").GetString() == id), listed.ToString());
        var error = refused.GetProperty("data").GetProperty("updateMeasure").GetProperty("errors")[0];
        Assert.AreEqual(("due_date", "Datum als TT.MM.JJJJ angeben, z. B. 31.03.2027."), (error.GetProperty("field").GetString(), error.GetProperty("message").GetString()));
        var payload = saved.GetProperty("data").GetProperty("updateMeasure");
        Assert.IsTrue(payload.GetProperty("succeeded").GetBoolean(), saved.ToString());
        Assert.AreEqual("in_progress", payload.GetProperty("measure").GetProperty("status").GetString());
    }
}
