using LandkreisLizenz.Core.Imports;
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
}
