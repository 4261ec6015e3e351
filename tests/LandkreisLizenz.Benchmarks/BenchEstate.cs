using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Security;

/// <summary>The estates benchmarks run on: a seeded file given on the command line, or a throwaway <c>test</c> estate.</summary>
internal static class BenchEstate
{
    /// <summary>A seeded SQLite file, migrated to the current schema.</summary>
    public static Database Open(string file)
    {
        var database = Database.ForSqliteFile(Path.GetFullPath(file));
        Migrator.Run(database, Migrator.LocateDbRoot());
        return database;
    }

    /// <summary>The scope a demo account acts with, as a request would load it.</summary>
    public static async Task<CallerScope> ScopeAsync(Database database, string userName)
    {
        using var connection = database.Open();
        var id = connection.ExecuteScalar<long>("SELECT id FROM users WHERE user_name = @userName", new { userName });
        return (await new ScopeService(database).ForUserAsync(id))!;
    }

    /// <summary>A throwaway folder with a migrated SQLite file holding the deterministic <c>test</c> estate.</summary>
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
