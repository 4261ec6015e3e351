using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>A real SQLite file in its own temp folder, built by the real migrations (and optionally the demo generator).</summary>
public sealed class TestDatabase : IDisposable
{
    private TestDatabase(string folder)
    {
        Folder = folder;
        File = Path.Combine(folder, "landkreislizenz.db");
        Database = Database.ForSqliteFile(File);
    }

    public string Folder { get; }

    public string File { get; }

    public Database Database { get; }

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lkl-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static TestDatabase CreateEmpty()
    {
        var db = new TestDatabase(NewFolder());
        Migrator.Run(db.Database, Migrator.LocateDbRoot());
        return db;
    }

    public static TestDatabase CreateSeeded(DemoScale scale = DemoScale.Test, int seed = DemoEstateGenerator.DefaultSeed)
    {
        var db = CreateEmpty();
        new DemoEstateGenerator(db.Database, TestClock.Create())
            .Generate(scale, seed, TestClock.Today, Path.Combine(Migrator.LocateDbRoot(), "seed"));
        return db;
    }

    /// <summary>A private copy of a seeded database (cheaper than seeding again) for tests that write.</summary>
    public static TestDatabase CopyOf(TestDatabase source)
    {
        var db = new TestDatabase(NewFolder());
        using (var connection = source.Database.Open())
        {
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        System.IO.File.Copy(source.File, db.File);
        return db;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A test host may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
