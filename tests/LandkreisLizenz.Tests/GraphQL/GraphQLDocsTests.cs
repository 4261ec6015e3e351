using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using GraphQL.Types;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>The documentation's example queries run against the demo estate, and every part of the schema is described.</summary>
[TestClass]
public sealed partial class GraphQLDocsTests : SharedAppTests<GraphQLDocsTests>
{
    [GeneratedRegex("```graphql\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex GraphQLBlock();

    [TestMethod]
    public async Task Examples_InDocsGraphqlMd_RunWithoutErrorsAndReturnData()
    {
        var token = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "write", "05158");
        using var connection = Factory.Database.Open();
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");
        var (applicationId, rowVersion) = connection.QueryFirst<(long, long)>("SELECT id, row_version FROM applications WHERE organisation_id = @mettmann ORDER BY id", new { mettmann });
        var product = connection.ExecuteScalar<long>("""
            SELECT MIN(s.product_id) FROM suggestions s JOIN suggestion_organisations so ON so.suggestion_id = s.id
            WHERE s.type = 'shared_operation' AND so.organisation_id = @mettmann
            """, new { mettmann });
        var cluster = connection.ExecuteScalar<long>("""
            SELECT MIN(s.id) FROM suggestions s JOIN suggestion_organisations so ON so.suggestion_id = s.id
            WHERE s.type IN ('joint_procurement', 'shared_operation') AND so.organisation_id = @mettmann AND so.role = 'participant'
            """, new { mettmann });
        // An undecided title of Mettmann's own inventory, for the mapping example.
        var title = connection.ExecuteScalar<long>("""
            SELECT MIN(t.id) FROM software_titles t JOIN installations i ON i.software_title_id = t.id JOIN devices d ON d.id = i.device_id
            WHERE t.product_id IS NULL AND t.not_licensable = 0 AND d.organisation_id = @mettmann
            """, new { mettmann });
        var variables = new Dictionary<string, object?>
        {
            ["title"] = GraphQLClient.GlobalId("SoftwareTitle", title),
            ["cluster"] = GraphQLClient.GlobalId("Suggestion", cluster),
            ["organisation"] = GraphQLClient.GlobalId("Organisation", mettmann),
            ["product"] = GraphQLClient.GlobalId("Product", product),
            ["application"] = GraphQLClient.GlobalId("Application", applicationId),
            ["rowVersion"] = rowVersion,
            ["after"] = null,
        };
        var examples = GraphQLBlock().Matches(File.ReadAllText(Path.Combine(Repository.Root(), "docs", "graphql.md"))).Select(m => m.Groups[1].Value).ToList();

        foreach (var example in examples)
        {
            var used = variables.Where(v => example.Contains("$" + v.Key, StringComparison.Ordinal)).ToDictionary(v => v.Key, v => v.Value);
            var (status, body) = await GraphQLClient.PostAsync(Factory, token, example, used);

            Assert.AreEqual(HttpStatusCode.OK, status, $"{example}\n{body}");
            Assert.IsFalse(body.TryGetProperty("errors", out var errors), $"{example}\n{errors}");
            foreach (var field in body.GetProperty("data").EnumerateObject())
            {
                Assert.AreNotEqual(JsonValueKind.Null, field.Value.ValueKind, $"{field.Name} returned nothing for\n{example}");
                if (field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("succeeded", out var succeeded))
                {
                    Assert.IsTrue(succeeded.GetBoolean(), $"{field.Name}: {field.Value}");
                }
            }

            Assert.IsFalse(body.ToString().Contains("\"totalCount\":0", StringComparison.Ordinal), $"the example finds something in the demo estate:\n{example}\n{body}");
        }

        Assert.IsGreaterThanOrEqualTo(6, examples.Count, "register, shortfalls, deadlines, shared operation, dashboard and changes");
    }

    [TestMethod]
    public void Schema_EveryTypeFieldArgumentAndEnumValue_HasDescription()
    {
        var schema = Factory.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var missing = new List<string>();
        foreach (var type in schema.AllTypes.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal) && !t.IsBuiltInScalar()))
        {
            if (string.IsNullOrWhiteSpace(type.Description))
            {
                missing.Add(type.Name);
            }

            if (type is IComplexGraphType complex)
            {
                foreach (var field in complex.Fields)
                {
                    if (string.IsNullOrWhiteSpace(field.Description))
                    {
                        missing.Add($"{type.Name}.{field.Name}");
                    }

                    missing.AddRange((field.Arguments ?? []).Where(a => string.IsNullOrWhiteSpace(a.Description)).Select(a => $"{type.Name}.{field.Name}({a.Name}:)"));
                }
            }

            if (type is EnumerationGraphType enumeration)
            {
                missing.AddRange(enumeration.Values.Where(v => string.IsNullOrWhiteSpace(v.Description)).Select(v => $"{type.Name}.{v.Name}"));
            }
        }

        Assert.IsEmpty(missing, "without description: " + string.Join(", ", missing));
    }
}

internal static class GraphTypeExtensions
{
    private static readonly HashSet<string> BuiltIn = ["String", "Int", "Float", "Boolean", "ID"];

    public static bool IsBuiltInScalar(this IGraphType type) => type is ScalarGraphType && BuiltIn.Contains(type.Name);
}
