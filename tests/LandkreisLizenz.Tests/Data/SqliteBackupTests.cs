using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Tests.Data;

[TestClass]
public sealed class SqliteBackupTests
{
    [TestMethod]
    public async Task Run_WhileAnotherConnectionWrites_SoundCopyWithEveryRowCommittedBeforeTheBackup()
    {
        using var database = TestDatabase.CopyOf(SharedEstate.Database, sqlite: true);
        var target = Path.Combine(database.Folder, "sicherung", "landkreislizenz-backup.db");
        var committed = new List<long>();
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A writer that commits one audit row after another, as the running app does, until the backup is done.
        var writer = Task.Run(() =>
        {
            using var connection = database.Database.Open();
            while (!stop.IsCancellationRequested)
            {
                using var transaction = connection.BeginTransaction();
                var id = connection.ExecuteScalar<long>("""
                    INSERT INTO audit_log (occurred_at, action, object_type, object_key, after_json)
                    VALUES (@Now, 'update', 'backup_test', 'row', @Payload) RETURNING id
                    """, new { Now = DateTime.UtcNow, Payload = new string('x', 2000) }, transaction);
                transaction.Commit();
                lock (committed)
                {
                    committed.Add(id);
                }

                if (committed.Count == 200)
                {
                    started.TrySetResult();
                }
            }
        });
        await started.Task;
        List<long> beforeBackup;
        lock (committed)
        {
            beforeBackup = [.. committed];
        }

        var report = SqliteBackup.Run(database.File, target);
        int afterBackup;
        lock (committed)
        {
            afterBackup = committed.Count;
        }

        await stop.CancelAsync();
        await writer;

        Assert.AreEqual("ok", report.IntegrityCheck);
        using var copy = new SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False");
        copy.Open();
        Assert.AreEqual("ok", copy.ExecuteScalar<string>("PRAGMA integrity_check"));
        var saved = copy.Query<long>("SELECT id FROM audit_log WHERE object_type = 'backup_test'").ToHashSet();
        CollectionAssert.IsSubsetOf(beforeBackup, saved.ToList(), "every row committed before the backup began is in it");
        Assert.IsTrue(saved.All(id => committed.Contains(id)), "nothing that was not committed");
        Assert.IsLessThanOrEqualTo(afterBackup, saved.Count);
        Assert.IsGreaterThan(afterBackup, committed.Count, "the writer went on writing around the backup (the backup did not stop it)");
        copy.Close();

        // Restore as docs/operations.md says: the backup becomes the database file of a fresh data folder.
        using var restored = TestDatabase.CreateEmpty(sqlite: true);
        SqliteConnection.ClearAllPools();
        File.Copy(target, restored.File, overwrite: true);
        File.Delete(restored.File + "-wal");
        File.Delete(restored.File + "-shm");
        Assert.IsEmpty(Migrator.Run(restored.Database, Migrator.LocateDbRoot()), "the restored database has the whole schema");
        var estate = EstateChecksum.Compute(restored.Database);
        Assert.AreEqual(EstateChecksum.Compute(database.Database)["licenses"], estate["licenses"], "the registry restores unchanged");
    }

    [TestMethod]
    public void BackupCommand_PublishedVerb_WritesFileAndRefusesMissingSource()
    {
        using var database = TestDatabase.CopyOf(SharedEstate.Database, sqlite: true);
        var target = Path.Combine(database.Folder, "kommando.db");
        var web = Path.Combine(AppContext.BaseDirectory, "LandkreisLizenz.Web.dll");

        var (ok, output) = Run(web, "backup", "--database", database.File, "--to", target);
        var (missing, error) = Run(web, "backup", "--database", Path.Combine(database.Folder, "gibt-es-nicht.db"), "--to", target + "2");

        Assert.AreEqual(0, ok, output);
        StringAssert.Contains(output, "integrity_check: ok");
        Assert.IsTrue(File.Exists(target));
        Assert.AreEqual(1, missing);
        StringAssert.Contains(error, "gibt es nicht");
        Assert.IsFalse(File.Exists(target + "2"));
    }

    private static (int ExitCode, string Output) Run(string dll, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
