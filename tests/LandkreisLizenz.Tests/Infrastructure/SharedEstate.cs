using LandkreisLizenz.Core.DemoEstate;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>One seeded test-scale estate for the read-only tests of the whole run.</summary>
[TestClass]
public static class SharedEstate
{
    private static TestDatabase? _database;

    public static TestDatabase Database => _database ?? throw new InvalidOperationException("Assembly not initialised.");

    [AssemblyInitialize]
    public static void Initialise(TestContext context) => _database = TestDatabase.CreateSeeded(DemoScale.Test);

    [AssemblyCleanup]
    public static void Cleanup() => _database?.Dispose();
}
