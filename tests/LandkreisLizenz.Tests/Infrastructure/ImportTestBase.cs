using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>Import tests: a private copy of the test estate, its import service and Mettmann's license manager.</summary>
public abstract class ImportTestBase
{
    protected TestDatabase Db { get; private set; } = null!;

    protected ImportService Imports { get; private set; } = null!;

    protected CallerScope Manager { get; set; } = null!;

    [TestInitialize]
    public async Task SetUpEstate()
    {
        Db = TestDatabase.CopyOf(SharedEstate.Database);
        Imports = Db.Imports();
        Manager = await Scopes.ForUserNameAsync(Db.Database, "lm.mettmann");
    }

    [TestCleanup]
    public void TearDownEstate() => Db.Dispose();

    /// <summary>An export fixture of the tools counties use (tests/fixtures/sources, attribution in its README).</summary>
    protected static string SourceFixture(string name) => Path.Combine(Repository.Root(), "tests", "fixtures", "sources", name);

    protected RecognitionService Recognition()
    {
        var clock = TimeProvider.System;
        return new RecognitionService(Db.Database, clock, new AuditLog(Db.Database, clock));
    }

    protected long Scalar(string sql, object? parameters = null)
    {
        using var connection = Db.Database.Open();
        return connection.ExecuteScalar<long>(sql, parameters);
    }

    protected long ProductId(string key) => Scalar("SELECT id FROM products WHERE product_key = @key", new { key });
}
