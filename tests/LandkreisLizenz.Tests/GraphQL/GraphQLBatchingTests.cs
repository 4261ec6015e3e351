using System.Net;
using System.Text.Json;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using SQLitePCL;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>
/// N+1: the SQL statements a nested query costs are counted with SQLite's trace hook on every connection the app opens;
/// they must not depend on the page size.
/// </summary>
[TestClass]
public sealed class GraphQLBatchingTests : SharedAppTests<GraphQLBatchingTests>
{
    private static string _token = null!;
    private static int _statements;

    [ClassInitialize]
    public static async Task Prepare(TestContext context)
    {
        _token = (await Factory.Services.GetRequiredService<LandkreisLizenz.Core.Security.ApiTokenService>()
            .CreateAsync(await Scopes.ForUserNameAsync(Factory.Database, "admin"), "tests", "read", null)).Token;
        Factory.Services.GetRequiredService<Database>().OnSqliteOpened =
            connection => raw.sqlite3_trace(connection.Handle, (strdelegate_trace)((_, _) => Interlocked.Increment(ref _statements)), null);
    }

    private static async Task<(int Statements, JsonElement Data)> CountAsync(string query)
    {
        if (SqlServer.Configured)
        {
            Assert.Inconclusive("Statements are counted with SQLite's trace hook; this test runs on the SQLite default.");
        }

        await GraphQLClient.PostAsync(Factory, _token, "{ viewer { userName } }"); // token lookup and scope warm, as for every request
        Interlocked.Exchange(ref _statements, 0);
        var (status, body) = await GraphQLClient.PostAsync(Factory, _token, query);
        var statements = Volatile.Read(ref _statements);
        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        Assert.IsFalse(body.TryGetProperty("errors", out var errors), errors.ToString());
        return (statements, body.GetProperty("data"));
    }

    private const string RootPaged = """
        { applications(first: PAGE) { nodes { name product { name category { name } } hosting { name dvsConformant }
                                        organisation { name parent { name } } } }
          contracts(first: PAGE) { nodes { title nextNoticeDeadline organisation { ags } licenses(first: 2) { nodes { quantity product { vendor } contract { title } } } } }
          suggestions(first: PAGE) { nodes { title rationale participants { role organisation { name } } } } }
        """;

    [TestMethod]
    public async Task NestedQuery_RootPageSize10And100_SameStatementCount()
    {
        var (ten, small) = await CountAsync(RootPaged.Replace("PAGE", "10", StringComparison.Ordinal));
        var (hundred, large) = await CountAsync(RootPaged.Replace("PAGE", "100", StringComparison.Ordinal));

        Assert.AreEqual(10, small.GetProperty("applications").GetProperty("nodes").GetArrayLength());
        Assert.AreEqual(100, large.GetProperty("applications").GetProperty("nodes").GetArrayLength());
        Assert.AreEqual(100, large.GetProperty("contracts").GetProperty("nodes").GetArrayLength());
        Assert.AreEqual(ten, hundred, $"statements for 10 objects per page: {ten}, for 100: {hundred}");
        Assert.IsLessThan(100, hundred, "a few statements per kind of object and level (plus authentication), far below one per object (300 objects)");
    }

    [TestMethod]
    public async Task SuggestionObjectsAndMeasures_PageSize10And100_SameStatementCount()
    {
        const string Query = """
            { suggestions(first: PAGE) { nodes { objects { kind object { id ... on Application { name } ... on Contract { title } } }
                                               cluster { leadName lead { name } } } }
              measures { suggestion { title } } }
            """;

        var (ten, small) = await CountAsync(Query.Replace("PAGE", "10", StringComparison.Ordinal));
        var (hundred, large) = await CountAsync(Query.Replace("PAGE", "100", StringComparison.Ordinal));

        Assert.AreEqual(100, large.GetProperty("suggestions").GetProperty("nodes").GetArrayLength());
        Assert.IsGreaterThan(0, large.GetProperty("suggestions").GetProperty("nodes").EnumerateArray().Sum(n => n.GetProperty("objects").GetArrayLength()), "the page names objects");
        Assert.AreEqual(ten, hundred, $"statements for 10 suggestions per page: {ten}, for 100: {hundred}");
    }

    [TestMethod]
    public async Task NestedQuery_NestedPageSize10And100_SameStatementCount()
    {
        const string Nested = """
            { organisations(first: 5, kind: "county", orderBy: APPLICATIONS, descending: true) { nodes { name
                applications(first: PAGE) { totalCount nodes { name product { name } hosting { name } } }
                licensePositions { productName product { vendor } } } } }
            """;

        var (ten, small) = await CountAsync(Nested.Replace("PAGE", "10", StringComparison.Ordinal));
        var (hundred, large) = await CountAsync(Nested.Replace("PAGE", "100", StringComparison.Ordinal));

        int Applications(JsonElement data) => data.GetProperty("organisations").GetProperty("nodes").EnumerateArray().Sum(o => o.GetProperty("applications").GetProperty("nodes").GetArrayLength());
        Assert.IsGreaterThan(Applications(small), Applications(large), "the larger page returns more objects");
        Assert.AreEqual(ten, hundred, $"statements for 10 objects per page: {ten}, for 100: {hundred}");
    }
}
