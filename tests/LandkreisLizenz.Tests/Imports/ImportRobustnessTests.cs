using System.Text;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// What real files find in an import (issue 14, item 6): every failure ends the batch rejected or failed with a German
/// reason — never a running state —, errors are counted completely and stored capped, and a commit writes its data,
/// its counts and its audit entry in one transaction.
/// </summary>
[TestClass]
public sealed class ImportRobustnessTests : ImportTestBase
{

    private async Task<long> StageAsync(ImportFormat format, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return await Imports.StageAsync(Manager, format, new MemoryStream(bytes), "datei.csv", bytes.Length);
    }

    private async Task<ImportBatch> BatchAsync(long id) => (await Imports.GetBatchAsync(Manager, id))!;

    [TestMethod]
    public async Task ValidateBatch_CellOfOneMegabyte_RejectedWithTheRowNotStuck()
    {
        var id = await StageAsync(ImportFormat.Contracts,
            "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-1;X;Y;other;2025-01-01\n05158;V-2;X;" + new string('y', 1024 * 1024) + ";other;2025-01-01\n");

        var outcome = Imports.ValidateBatch(Manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Rejected, batch.Status);
        var error = (await Imports.ErrorsAsync(Manager, id)).Single();
        Assert.AreEqual(3, error.Row);
        StringAssert.Contains(error.Reason, "länger als 256 KB");
        Assert.IsFalse(outcome.IsValid);
    }

    [TestMethod]
    public async Task ValidateBatch_HeaderWithoutLineBreakOfOneMegabyte_RejectedNotReadWhole()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;" + new string('x', 1024 * 1024));

        Imports.ValidateBatch(Manager, id);

        Assert.AreEqual(ImportStatus.Rejected, (await BatchAsync(id)).Status);
        StringAssert.Contains((await Imports.ErrorsAsync(Manager, id)).Single().Reason, "erste Zeile ist länger");
    }

    [TestMethod]
    public async Task ValidateBatch_FiveThousandBadRows_AllCountedFirstThousandStored()
    {
        var csv = new StringBuilder("ags;contract_key;vendor;title;evb_it_type;start_date\n");
        for (var i = 0; i < 5000; i++)
        {
            csv.Append($"05158;V-{i};X;Y;other;kein-datum\n");
        }

        var id = await StageAsync(ImportFormat.Contracts, csv.ToString());
        var outcome = Imports.ValidateBatch(Manager, id);

        Assert.AreEqual(5000, outcome.ErrorCount);
        Assert.AreEqual(5000, (await BatchAsync(id)).ErrorCount);
        var stored = await Imports.ErrorsAsync(Manager, id);
        Assert.HasCount(ImportErrors.MaxKept, stored);
        Assert.AreEqual(2, stored[0].Row);
        using var connection = Db.Database.Open();
        Assert.AreEqual(ImportErrors.MaxKept, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_errors WHERE import_batch_id = @id", new { id }));
    }

    [TestMethod]
    public async Task CommitBatch_StagedFileLost_FailedWithGermanReasonNothingWritten()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-VERLOREN;X;Y;other;2025-01-01\n");
        Assert.IsTrue(Imports.ValidateBatch(Manager, id).IsValid);
        foreach (var file in Directory.GetFiles(Path.Combine(Db.Folder, "imports")))
        {
            File.Delete(file);
        }

        Imports.CommitBatch(Manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Failed, batch.Status);
        Assert.IsFalse(batch.IsRunning);
        StringAssert.Contains((await Imports.ErrorsAsync(Manager, id)).Single().Reason, "nicht mehr vorhanden");
        using var connection = Db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key = 'V-VERLOREN'"));
    }

    [TestMethod]
    public async Task CommitBatch_InterruptedAfterTheClaim_ResumedOnceWithTrueCountsAndOneAuditEntry()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-NEU-1;X;Y;other;2025-01-01\n05158;V-NEU-2;X;Y;other;2025-01-01\n");
        Assert.IsTrue(Imports.ValidateBatch(Manager, id).IsValid);
        using (var connection = Db.Database.Open())
        {
            // What a process that died inside the commit transaction leaves: the claim, and nothing of the data.
            connection.Execute("UPDATE import_batches SET status = 'committing' WHERE id = @id", new { id });
        }

        var queue = new RecordingQueue();
        var resumed = await Imports.ResumeInterruptedAsync(queue);
        CollectionAssert.AreEqual(new[] { id }, resumed.ToArray());
        Assert.AreEqual((id, true), queue.Queued.Single());

        Imports.CommitBatch(Manager, id);
        Imports.CommitBatch(Manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Completed, batch.Status);
        Assert.AreEqual(2, batch.InsertedRows, "the counts of the commit that wrote, not of a rerun that found everything there");
        Assert.AreEqual(0, batch.UnchangedRows);
        using var check = Db.Database.Open();
        Assert.AreEqual(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND object_type = 'contracts' AND after_json LIKE '%\"Batch\":' || @id || '%'", new { id }));
        Assert.AreEqual(2, check.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key LIKE 'V-NEU-%'"));
    }

    [TestMethod]
    public async Task CommitBatch_TwoAtOnce_OneWritesTheOtherReportsItsCounts()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-ZWEI-1;X;Y;other;2025-01-01\n");
        Assert.IsTrue(Imports.ValidateBatch(Manager, id).IsValid);

        Task<ImportOutcome[]> both;
        using (var blocker = Db.Database.Open())
        {
            // Both commits wait for the write lock at the same point, then race for it as two nodes would.
            using var hold = blocker.BeginTransaction();
            blocker.Execute("UPDATE import_batches SET status = status WHERE id = @id", new { id }, hold);
            both = Task.WhenAll(Task.Run(() => Imports.CommitBatch(Manager, id)), Task.Run(() => Imports.CommitBatch(Manager, id)));
            await Task.Delay(500);
            hold.Rollback();
        }

        var outcomes = await both;

        Assert.IsTrue(outcomes.All(o => o.Committed && o.Inserts == 1), string.Join(" / ", outcomes.Select(o => $"{o.Inserts}+{o.Unchanged}")));
        using var check = Db.Database.Open();
        Assert.AreEqual(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND after_json LIKE '%\"Batch\":' || @id || '%'", new { id }));
        Assert.AreEqual(1, (await BatchAsync(id)).InsertedRows);
    }

    private sealed class RecordingQueue : IImportQueue
    {
        public List<(long, bool)> Queued { get; } = [];

        public void Enqueue(long batchId, bool commit) => Queued.Add((batchId, commit));
    }
}
