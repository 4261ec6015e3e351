using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

[TestClass]
public sealed class SchemaFileTests
{
    /// <summary>docs/schema.graphql is the running schema in SDL. After a schema change run the tests once with UPDATE_SCHEMA=1.</summary>
    [TestMethod]
    public void SchemaFile_MatchesRunningSchema()
    {
        using var factory = new AppFactory();
        factory.CreateClient().Dispose();
        var schema = factory.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var printed = schema.Print().Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
        var file = Path.Combine(Repository.Root(), "docs", "schema.graphql");

        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(file, printed);
        }

        Assert.IsTrue(File.Exists(file), "docs/schema.graphql is missing");
        Assert.AreEqual(printed, File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal), "docs/schema.graphql differs from the running schema");
        StringAssert.Contains(printed, "Global id, usable with node(id:).");
    }
}
