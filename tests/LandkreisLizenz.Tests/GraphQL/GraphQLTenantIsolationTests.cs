using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>
/// Tenant isolation generated from the running schema: one query per root field that selects every field of every
/// type reachable from it (each type expanded once per path), with county B's ids wherever an argument names an
/// object, sent with county A's token. Every global id in every answer must belong to A (or to the shared catalogue),
/// and nothing of B — id, AGS or name — may appear; aliases and batched requests are tried the same way.
/// </summary>
[TestClass]
public sealed class GraphQLTenantIsolationTests : SharedAppTests<GraphQLTenantIsolationTests>
{
    private const string CountyA = "05158";
    private const int MaxSelectionDepth = 9;

    private static string _token = null!;
    private static long _userA;
    private static HashSet<long> _scopeA = null!;
    private static (long Id, string Ags, string Name) _countyB;
    private static Dictionary<string, long> _foreignIds = null!;

    [ClassInitialize]
    public static async Task Prepare(TestContext context)
    {
        _token = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", CountyA);
        using var connection = Factory.Database.Open();
        _userA = connection.ExecuteScalar<long>("SELECT id FROM users WHERE user_name = 'lm.mettmann'");
        _scopeA = connection.Query<long>("SELECT organisation_id FROM user_organisation_scope WHERE user_id = @_userA", new { _userA }).ToHashSet();
        // B: a county with data that has not opted in to cross-county analysis, so no shared suggestion may name it either.
        _countyB = connection.QueryFirst<(long, string, string)>("""
            SELECT o.id, o.ags, o.name FROM organisations o
            WHERE o.kind = 'county' AND o.shares_for_consolidation = 0 AND o.ags <> @CountyA
              AND EXISTS (SELECT 1 FROM applications a WHERE a.organisation_id = o.id)
              AND EXISTS (SELECT 1 FROM suggestions s JOIN suggestion_organisations so ON so.suggestion_id = s.id WHERE so.organisation_id = o.id)
            ORDER BY o.ags
            """, new { CountyA });

        // A run started for B, so reconciliation runs of B exist to be hidden.
        await Factory.Services.GetRequiredService<ReconciliationService>().RunNow(CallerScope.System("tests"), [_countyB.Id], "manual");

        var family = "(SELECT id FROM organisations WHERE id = @B OR parent_id = @B)";
        _foreignIds = new Dictionary<string, long>
        {
            ["Organisation"] = _countyB.Id,
            ["Hosting"] = connection.ExecuteScalar<long>($"SELECT MIN(id) FROM hostings WHERE organisation_id IN {family}", new { B = _countyB.Id }),
            ["Application"] = connection.ExecuteScalar<long>($"SELECT MIN(id) FROM applications WHERE organisation_id IN {family}", new { B = _countyB.Id }),
            ["Contract"] = connection.ExecuteScalar<long>($"SELECT MIN(id) FROM contracts WHERE organisation_id IN {family}", new { B = _countyB.Id }),
            ["License"] = connection.ExecuteScalar<long>($"SELECT MIN(id) FROM licenses WHERE organisation_id IN {family}", new { B = _countyB.Id }),
            ["Suggestion"] = connection.ExecuteScalar<long>($"SELECT MIN(suggestion_id) FROM suggestion_organisations WHERE organisation_id IN {family}", new { B = _countyB.Id }),
            ["ReconciliationRun"] = connection.ExecuteScalar<long>("SELECT MAX(id) FROM reconciliation_runs WHERE organisation_id = @B", new { B = _countyB.Id }),
            ["ImportBatch"] = connection.ExecuteScalar<long?>("SELECT MIN(id) FROM import_batches WHERE user_id <> @_userA", new { _userA }) ?? 999_999,
        };
        Assert.IsTrue(_foreignIds.Values.All(id => id > 0), "county B has an object of every kind");
    }

    [TestMethod]
    public async Task EveryRootFieldAndEdge_TokenOfCountyA_ReturnsNothingOfCountyB()
    {
        var queries = GeneratedQueries(out var covered);
        var seenTypes = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (root, query) in queries)
        {
            var (status, body) = await GraphQLClient.PostAsync(Factory, _token, query);

            Assert.AreEqual(HttpStatusCode.OK, status, $"{root}: {body}");
            Assert.IsFalse(body.TryGetProperty("errors", out var errors), $"{root} must run without errors: {errors}\n{query}");
            AssertNothingOfCountyB(root, body, seenTypes);
        }

        CollectionAssert.IsSubsetOf(new[] { "Organisation", "Hosting", "Application", "Contract", "License", "Suggestion", "Product", "Category" }, seenTypes.ToList(),
            "the generated queries reached A's own data, so the check above had something to check");
        var missing = AllFields().Where(f => f != "Query.node").Except(covered).ToList();
        Assert.IsEmpty(missing, "every field of every type reachable from the query root is selected: " + string.Join(", ", missing));
    }

    [TestMethod]
    public async Task AliasesAndBatch_ForeignIdsUnderManyNames_StayHidden()
    {
        var aliases = string.Join("\n", _foreignIds.Select(f => $"{f.Key.ToLowerInvariant()}1: node(id: \"{GraphQLClient.GlobalId(f.Key, f.Value)}\") {{ id }}\n"
                                                               + $"{f.Key.ToLowerInvariant()}2: node(id: \"{GraphQLClient.GlobalId(f.Key, f.Value)}\") {{ id }}"));
        var foreignOrganisation = GraphQLClient.GlobalId("Organisation", _countyB.Id);
        var batch = JsonSerializer.Serialize(new object[]
        {
            new { query = $"{{ {aliases} }}" },
            new { query = "query($o: ID!) { a: licensePositions(organisation: $o) { productName } b: dashboard(organisation: $o) { applications } }", variables = new { o = foreignOrganisation } },
            new { query = $"{{ organisation(ags: \"{_countyB.Ags}\") {{ name }} nodes(ids: [\"{foreignOrganisation}\"]) {{ id }} }}" },
        });

        var (status, body) = await GraphQLClient.PostJsonAsync(Factory, _token, batch);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        Assert.AreEqual(3, body.GetArrayLength());
        foreach (var result in body.EnumerateArray())
        {
            Assert.IsFalse(result.TryGetProperty("errors", out var errors), errors.ToString());
            foreach (var field in result.GetProperty("data").EnumerateObject())
            {
                Assert.IsTrue(field.Value.ValueKind is JsonValueKind.Null || (field.Value.ValueKind == JsonValueKind.Array && field.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Null)),
                    $"{field.Name} must be null or empty of objects, was {field.Value}");
            }
        }

        using var connection = Factory.Database.Open();
        Assert.IsGreaterThanOrEqualTo(2 * _foreignIds.Count, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_key LIKE 'graphql:node%'"),
            "every refused node lookup is audited");
        Assert.IsGreaterThanOrEqualTo(2, connection.ExecuteScalar<int>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_type = 'organisations' AND object_key IN (@positions, @dashboard) AND organisation_id = @id",
            new { positions = "graphql:licensePositions " + _countyB.Id, dashboard = "graphql:dashboard " + _countyB.Id, id = _countyB.Id }),
            "so are positions and dashboard asked for another county, with that county named");
    }

    private static void AssertNothingOfCountyB(string root, JsonElement body, HashSet<string> seenTypes)
    {
        using var connection = Factory.Database.Open();
        foreach (var (property, value) in GraphQLClient.Strings(body))
        {
            Assert.AreNotEqual(_countyB.Name, value, $"{root}: B's name in {property}");
            if (property == "ags" || property.EndsWith("_ags", StringComparison.Ordinal))
            {
                Assert.IsFalse(value.StartsWith(_countyB.Ags, StringComparison.Ordinal), $"{root}: B's AGS {value}");
            }

            if (property is not ("id" or "contractId") || GraphQLClient.ParseGlobalId(value) is not { } id)
            {
                continue;
            }

            seenTypes.Add(id.Type);
            var owned = id.Type switch
            {
                "Organisation" => _scopeA.Contains(id.Id),
                "Hosting" or "Application" or "Contract" or "License" => _scopeA.Contains(connection.ExecuteScalar<long>(
                    $"SELECT organisation_id FROM {id.Type.ToLowerInvariant()}s WHERE id = @Id", new { id.Id })),
                "Suggestion" => connection.Query<long>("SELECT organisation_id FROM suggestion_organisations WHERE suggestion_id = @Id", new { id.Id }).Any(_scopeA.Contains),
                "ReconciliationRun" => connection.ExecuteScalar<long?>("SELECT organisation_id FROM reconciliation_runs WHERE id = @Id", new { id.Id }) is { } o && _scopeA.Contains(o),
                "ImportBatch" => connection.QuerySingle<(long? Org, long? User)>("SELECT organisation_id, user_id FROM import_batches WHERE id = @Id", new { id.Id }) is var b
                                 && (b.User == _userA || (b.Org is { } bo && _scopeA.Contains(bo))),
                "Notification" => connection.ExecuteScalar<long>("SELECT user_id FROM notifications WHERE id = @Id", new { id.Id }) == _userA,
                "Product" or "Category" => true, // the shared catalogue
                _ => throw new AssertFailedException($"{root}: unknown id type {id.Type}: add its owner check."),
            };
            Assert.IsTrue(owned, $"{root}: {id.Type} {id.Id} does not belong to county A");
        }
    }

    private static ISchema Schema()
    {
        var schema = Factory.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        return schema;
    }

    /// <summary>(Type, field) of every object type reachable from the query root (introspection and mutation payloads aside).</summary>
    private static IEnumerable<string> AllFields()
    {
        var schema = Schema();
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        void Visit(IGraphType type)
        {
            var named = type.GetNamedType();
            if (named is IComplexGraphType complex && reachable.Add(named.Name))
            {
                foreach (var field in complex.Fields)
                {
                    Visit(field.ResolvedType!);
                }

                if (named is IInterfaceGraphType)
                {
                    foreach (var implementation in PossibleTypes(schema, named.Name))
                    {
                        Visit(implementation);
                    }
                }
            }
        }

        Visit(schema.Query);
        return reachable.Where(t => schema.AllTypes[t] is IObjectGraphType)
            .SelectMany(t => ((IObjectGraphType)schema.AllTypes[t]!).Fields.Select(f => $"{t}.{f.Name}"));
    }

    private static IEnumerable<IObjectGraphType> PossibleTypes(ISchema schema, string interfaceName) =>
        schema.AllTypes.OfType<IObjectGraphType>().Where(t => t.ResolvedInterfaces.Any(i => i.Name == interfaceName)).OrderBy(t => t.Name, StringComparer.Ordinal);

    /// <summary>
    /// For every root field one query with all its leaves, and for every edge (type.field leading to an object) the first
    /// time it is reached one query down that path with all leaves on the way. One query for everything would exceed the
    /// complexity limit, which is the point of the limit.
    /// </summary>
    private static List<(string Root, string Query)> GeneratedQueries(out HashSet<string> covered)
    {
        var schema = Schema();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queries = new List<(string, string)>();
        foreach (var field in schema.Query.Fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (field.Name == "node")
            {
                // One query per kind of object, each with B's id: all kinds in one document would exceed the token limit.
                foreach (var (kind, id) in _foreignIds)
                {
                    queries.Add(("node", $"{{ {kind.ToLowerInvariant()}: node(id: \"{GraphQLClient.GlobalId(kind, id)}\") {Leaves(schema, field.ResolvedType!, seen)} }}"));
                }

                continue;
            }

            if (field.Name == "nodes")
            {
                // One query per kind of object: all kinds in one list would exceed the complexity limit.
                foreach (var implementation in PossibleTypes(schema, field.ResolvedType!.GetNamedType().Name))
                {
                    queries.Add(("nodes", $"{{ nodes{Arguments(field)} {{ __typename ... on {implementation.Name} {Leaves(schema, implementation, seen)} }} }}"));
                }

                seen.Add("Query.nodes");
                continue;
            }

            seen.Add("Query." + field.Name);
            var steps = ImmutableList.Create((Owner: (IGraphType)schema.Query, Step: field.Name + Arguments(field)));
            queries.Add((field.Name, Build(schema, steps, field.ResolvedType!, seen)));
            Walk(schema, field.ResolvedType!, ImmutableHashSet.Create(StringComparer.Ordinal, "Query"), 2, steps, field.Name, queries, seen);
        }

        covered = seen;
        return queries;
    }

    private static void Walk(ISchema schema, IGraphType type, ImmutableHashSet<string> path, int depth, ImmutableList<(IGraphType Owner, string Step)> steps, string root,
        List<(string, string)> queries, HashSet<string> seen)
    {
        var named = type.GetNamedType();
        if (named is IInterfaceGraphType)
        {
            foreach (var implementation in PossibleTypes(schema, named.Name))
            {
                Walk(schema, implementation, path, depth, steps.Add((named, "... on " + implementation.Name)), root, queries, seen);
            }

            return;
        }

        if (named is not IObjectGraphType complex)
        {
            return;
        }

        foreach (var field in complex.Fields)
        {
            var child = field.ResolvedType!.GetNamedType();
            // Each type once per path (no cycles), and within the depth limit.
            if (IsLeaf(child) || path.Contains(child.Name) || depth >= MaxSelectionDepth)
            {
                continue;
            }

            // Every path is walked (a field skipped on one path may be reachable on another); a query is sent for the first path to each edge.
            var next = steps.Add((complex, field.Name + Arguments(field)));
            if (seen.Add($"{complex.Name}.{field.Name}"))
            {
                queries.Add((root + " … " + complex.Name + "." + field.Name, Build(schema, next, field.ResolvedType!, seen)));
            }

            Walk(schema, field.ResolvedType!, path.Add(complex.Name), depth + 1, next, root, queries, seen);
        }
    }

    /// <summary>The query along <paramref name="steps"/>, with all leaves of every type on the way and of the last type.</summary>
    private static string Build(ISchema schema, ImmutableList<(IGraphType Owner, string Step)> steps, IGraphType last, HashSet<string> seen)
    {
        var inner = Leaves(schema, last, seen);
        for (var i = steps.Count - 1; i >= 1; i--)
        {
            var owner = steps[i].Owner;
            var leaves = owner is IInterfaceGraphType ? "__typename" : Leaves(schema, owner, seen)[1..^1].Trim();
            inner = $"{{ {leaves} {steps[i].Step} {inner} }}";
        }

        return $"{{ {steps[0].Step} {inner} }}";
    }

    private static bool IsLeaf(IGraphType named) => named is ScalarGraphType or EnumerationGraphType;

    private static string Leaves(ISchema schema, IGraphType type, HashSet<string> seen, bool aliased = false)
    {
        var named = type.GetNamedType();
        if (named is IInterfaceGraphType)
        {
            // Same-named fields of different nullability may not meet in one selection: alias them per type.
            return "{ __typename " + string.Concat(PossibleTypes(schema, named.Name).Select(t => $" ... on {t.Name} {Leaves(schema, t, seen, aliased: true)}")) + " }";
        }

        var complex = (IComplexGraphType)named;
        var builder = new StringBuilder("{ __typename");
        foreach (var field in complex.Fields.Where(f => IsLeaf(f.ResolvedType!.GetNamedType())))
        {
            seen.Add($"{complex.Name}.{field.Name}");
            builder.Append(' ').Append(aliased && field.Name != "id" ? $"{complex.Name}_{field.Name}: " : "").Append(field.Name).Append(Arguments(field));
        }

        // A connection without its nodes would show only counts: every edge query reads the objects behind it.
        if (complex.GetField("nodes") is { } nodes)
        {
            seen.Add($"{complex.Name}.nodes");
            builder.Append(" nodes ").Append(Leaves(schema, nodes.ResolvedType!, seen, aliased));
        }

        return builder.Append(" }").ToString();
    }

    /// <summary>Small pages, and B's ids for every argument that names an object; an unknown required argument fails the test.</summary>
    private static string Arguments(FieldType field)
    {
        var arguments = new List<string>();
        foreach (var argument in field.Arguments ?? [])
        {
            var value = argument.Name switch
            {
                "first" => "1",
                "organisation" => $"\"{GraphQLClient.GlobalId("Organisation", _countyB.Id)}\"",
                "ags" => $"\"{_countyB.Ags}\"",
                "ids" => "[" + string.Join(", ", _foreignIds.Select(f => $"\"{GraphQLClient.GlobalId(f.Key, f.Value)}\"")) + "]",
                "product" => null,
                _ when argument.ResolvedType is NonNullGraphType => throw new AssertFailedException($"Fill the required argument {field.Name}({argument.Name}:) in this test."),
                _ => null,
            };
            if (value is not null)
            {
                arguments.Add($"{argument.Name}: {value}");
            }
        }

        return arguments.Count == 0 ? "" : "(" + string.Join(", ", arguments) + ")";
    }
}
