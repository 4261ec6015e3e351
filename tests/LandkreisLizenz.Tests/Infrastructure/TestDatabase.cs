using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// A real database built by the real migrations (and optionally the demo generator): a SQLite file in its own temp
/// folder, or — when <see cref="SqlServer.Variable"/> names a server — a fresh SQL Server database dropped afterwards.
/// Tests of SQLite itself (WAL, online backup) ask for SQLite explicitly.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string? _sqlServerDatabase;
    private (DemoScale Scale, int Seed)? _seeded;

    private TestDatabase(string folder, bool sqlite)
    {
        Folder = folder;
        File = Path.Combine(folder, "landkreislizenz.db");
        if (sqlite || !SqlServer.Configured)
        {
            Database = Database.ForSqliteFile(File);
        }
        else
        {
            _sqlServerDatabase = SqlServer.CreateDatabase();
            Database = Database.FromOptions(new DatabaseOptions { Provider = DatabaseProvider.SqlServer, ConnectionString = SqlServer.ConnectionString(_sqlServerDatabase) }, folder);
        }
    }

    /// <summary>Working folder (import staging); for SQLite also the folder of <see cref="File"/>.</summary>
    public string Folder { get; }

    /// <summary>The SQLite file (meaningful only for SQLite databases).</summary>
    public string File { get; }

    public Database Database { get; }

    /// <summary>The import service over this database, as the app builds it (staging in this folder).</summary>
    public LandkreisLizenz.Core.Imports.ImportService Imports(LandkreisLizenz.Core.Imports.ImportOptions? options = null)
    {
        var clock = TestClock.Create();
        var audit = new LandkreisLizenz.Core.Audit.AuditLog(Database, clock);
        return new(Database, clock, audit, new LandkreisLizenz.Core.Recognition.RecognitionService(Database, clock, audit), options ?? new(), Folder);
    }

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lkl-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static TestDatabase CreateEmpty(bool sqlite = false)
    {
        var db = new TestDatabase(NewFolder(), sqlite);
        Migrator.Run(db.Database, Migrator.LocateDbRoot());
        return db;
    }

    public static TestDatabase CreateSeeded(DemoScale scale = DemoScale.Test, int seed = DemoEstateGenerator.DefaultSeed, bool sqlite = false)
    {
        var db = CreateEmpty(sqlite);
        new DemoEstateGenerator(db.Database, TestClock.Create())
            .Generate(scale, seed, TestClock.Today, Path.Combine(Migrator.LocateDbRoot(), "seed"));
        db._seeded = (scale, seed);
        return db;
    }

    /// <summary>
    /// A private copy of a seeded database for tests that write: the file copied (cheaper than seeding again), or on
    /// SQL Server the same estate generated again (the generator is deterministic).
    /// </summary>
    public static TestDatabase CopyOf(TestDatabase source, bool sqlite = false)
    {
        if (source.Database.Provider != DatabaseProvider.Sqlite)
        {
            return source._seeded is { } seeded ? CreateSeeded(seeded.Scale, seeded.Seed, sqlite) : CreateEmpty(sqlite);
        }

        var db = new TestDatabase(NewFolder(), sqlite: true);
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
        if (_sqlServerDatabase is not null)
        {
            SqlServer.DropDatabase(_sqlServerDatabase);
        }

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
