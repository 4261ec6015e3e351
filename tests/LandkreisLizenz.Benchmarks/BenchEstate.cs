using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;

/// <summary>A throwaway folder with a migrated SQLite file holding the deterministic <c>test</c> estate.</summary>
internal static class BenchEstate
{
    public static (string Folder, Database Database) Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lkl-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Database.ForSqliteFile(Path.Combine(folder, "bench.db"));
        var dbRoot = Migrator.LocateDbRoot();
        Migrator.Run(database, dbRoot);
        new DemoEstateGenerator(database, TimeProvider.System).Generate(DemoScale.Test, DemoEstateGenerator.DefaultSeed, new DateOnly(2026, 11, 27), Path.Combine(dbRoot, "seed"));
        return (folder, database);
    }
}
