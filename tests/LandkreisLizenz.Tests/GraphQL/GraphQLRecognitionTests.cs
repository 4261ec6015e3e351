using System.Net;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>Unrecognised software over the API (issue 15): the page's list in the caller's scope, and mapping with a write token under the same rules.</summary>
[TestClass]
public sealed class GraphQLRecognitionTests : SharedAppTests<GraphQLRecognitionTests>
{
    private const string List = "query($search: String) { unrecognisedSoftware(first: 100, search: $search) { totalCount nodes { softwareTitle name publisher devices installations heldEvidence } } }";

    [TestMethod]
    public async Task UnrecognisedSoftware_ListedInScopeThenMappedWithWriteTokenOnly()
    {
        var read = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", "05158");
        var write = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "write", "05158");
        var (status, body) = await GraphQLClient.PostAsync(Factory, read, List);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToString());
        var list = body.GetProperty("data").GetProperty("unrecognisedSoftware");
        var first = list.GetProperty("nodes")[0];
        Assert.IsGreaterThan(0, list.GetProperty("totalCount").GetInt32());
        Assert.IsGreaterThan(0, first.GetProperty("devices").GetInt32());
        var title = first.GetProperty("softwareTitle").GetString()!;
        var name = first.GetProperty("name").GetString()!;
        long product;
        using (var connection = Factory.Database.Open())
        {
            product = connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = 'caigos'");
        }

        var mutation = $"mutation {{ mapSoftwareTitle(softwareTitle: \"{title}\", product: \"{GraphQLClient.GlobalId("Product", product)}\") {{ succeeded errors {{ field message }} mapping {{ titlesRecognised installationsReattributed }} }} }}";
        var (refused, refusedBody) = await GraphQLClient.PostAsync(Factory, read, mutation);
        var (mapped, mappedBody) = await GraphQLClient.PostAsync(Factory, write, mutation);
        var (_, after) = await GraphQLClient.PostAsync(Factory, read, List, new { search = name });

        Assert.AreEqual(HttpStatusCode.BadRequest, refused, "a read token maps nothing");
        Assert.AreEqual("READ_ONLY_TOKEN", refusedBody.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.AreEqual(HttpStatusCode.OK, mapped, mappedBody.ToString());
        var payload = mappedBody.GetProperty("data").GetProperty("mapSoftwareTitle");
        Assert.IsTrue(payload.GetProperty("succeeded").GetBoolean(), payload.ToString());
        Assert.IsGreaterThanOrEqualTo(1, payload.GetProperty("mapping").GetProperty("titlesRecognised").GetInt32());
        Assert.IsFalse(after.GetProperty("data").GetProperty("unrecognisedSoftware").GetProperty("nodes").EnumerateArray()
            .Any(n => n.GetProperty("softwareTitle").GetString() == title), "the mapped title is no longer unrecognised");

        var (_, again) = await GraphQLClient.PostAsync(Factory, write, mutation);
        var error = again.GetProperty("data").GetProperty("mapSoftwareTitle").GetProperty("errors")[0];
        StringAssert.Contains(error.GetProperty("message").GetString(), "nicht unerkannt", "a decided title cannot be mapped again");
    }
}
