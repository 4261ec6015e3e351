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
public sealed class ImportRobustnessTests
{
    private TestDatabase _db = null!;
    private ImportService _imports = null!;
    private CallerScope _manager = null!;

    [TestInitialize]
    public async Task Setup()
    {
        _db = TestDatabase.CopyOf(SharedEstate.Database);
        _imports = _db.Imports();
        _manager = await Scopes.ForUserNameAsync(_db.Database, "lm.mettmann");
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private async Task<long> StageAsync(ImportFormat format, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return await _imports.StageAsync(_manager, format, new MemoryStream(bytes), "datei.csv", bytes.Length);
    }

    private async Task<ImportBatch> BatchAsync(long id) => (await _imports.GetBatchAsync(_manager, id))!;

    [TestMethod]
    public async Task ValidateBatch_CellOfOneMegabyte_RejectedWithTheRowNotStuck()
    {
        var id = await StageAsync(ImportFormat.Contracts,
            "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-1;X;Y;other;2025-01-01\n05158;V-2;X;" + new string('y', 1024 * 1024) + ";other;2025-01-01\n");

        var outcome = _imports.ValidateBatch(_manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Rejected, batch.Status);
        var error = (await _imports.ErrorsAsync(_manager, id)).Single();
        Assert.AreEqual(3, error.Row);
        StringAssert.Contains(error.Reason, "länger als 256 KB");
        Assert.IsFalse(outcome.IsValid);
    }

    [TestMethod]
    public async Task ValidateBatch_HeaderWithoutLineBreakOfOneMegabyte_RejectedNotReadWhole()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;" + new string('x', 1024 * 1024));

        _imports.ValidateBatch(_manager, id);

        Assert.AreEqual(ImportStatus.Rejected, (await BatchAsync(id)).Status);
        StringAssert.Contains((await _imports.ErrorsAsync(_manager, id)).Single().Reason, "erste Zeile ist länger");
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
        var outcome = _imports.ValidateBatch(_manager, id);

        Assert.AreEqual(5000, outcome.ErrorCount);
        Assert.AreEqual(5000, (await BatchAsync(id)).ErrorCount);
        var stored = await _imports.ErrorsAsync(_manager, id);
        Assert.HasCount(ImportErrors.MaxKept, stored);
        Assert.AreEqual(2, stored[0].Row);
        using var connection = _db.Database.Open();
        Assert.AreEqual(ImportErrors.MaxKept, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_errors WHERE import_batch_id = @id", new { id }));
    }

    [TestMethod]
    public async Task CommitBatch_StagedFileLost_FailedWithGermanReasonNothingWritten()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-VERLOREN;X;Y;other;2025-01-01\n");
        Assert.IsTrue(_imports.ValidateBatch(_manager, id).IsValid);
        foreach (var file in Directory.GetFiles(Path.Combine(_db.Folder, "imports")))
        {
            File.Delete(file);
        }

        _imports.CommitBatch(_manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Failed, batch.Status);
        Assert.IsFalse(batch.IsRunning);
        StringAssert.Contains((await _imports.ErrorsAsync(_manager, id)).Single().Reason, "nicht mehr vorhanden");
        using var connection = _db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key = 'V-VERLOREN'"));
    }

    [TestMethod]
    public async Task CommitBatch_InterruptedAfterTheClaim_ResumedOnceWithTrueCountsAndOneAuditEntry()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-NEU-1;X;Y;other;2025-01-01\n05158;V-NEU-2;X;Y;other;2025-01-01\n");
        Assert.IsTrue(_imports.ValidateBatch(_manager, id).IsValid);
        using (var connection = _db.Database.Open())
        {
            // What a process that died inside the commit transaction leaves: the claim, and nothing of the data.
            connection.Execute("UPDATE import_batches SET status = 'committing' WHERE id = @id", new { id });
        }

        var queue = new RecordingQueue();
        var resumed = await _imports.ResumeInterruptedAsync(queue);
        CollectionAssert.AreEqual(new[] { id }, resumed.ToArray());
        Assert.AreEqual((id, true), queue.Queued.Single());

        _imports.CommitBatch(_manager, id);
        _imports.CommitBatch(_manager, id);

        var batch = await BatchAsync(id);
        Assert.AreEqual(ImportStatus.Completed, batch.Status);
        Assert.AreEqual(2, batch.InsertedRows, "the counts of the commit that wrote, not of a rerun that found everything there");
        Assert.AreEqual(0, batch.UnchangedRows);
        using var check = _db.Database.Open();
        Assert.AreEqual(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND object_type = 'contracts' AND after_json LIKE '%\"Batch\":' || @id || '%'", new { id }));
        Assert.AreEqual(2, check.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key LIKE 'V-NEU-%'"));
    }

    [TestMethod]
    public async Task CommitBatch_TwoAtOnce_OneWritesTheOtherReportsItsCounts()
    {
        var id = await StageAsync(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-ZWEI-1;X;Y;other;2025-01-01\n");
        Assert.IsTrue(_imports.ValidateBatch(_manager, id).IsValid);

        Task<ImportOutcome[]> both;
        using (var blocker = _db.Database.Open())
        {
            // Both commits wait for the write lock at the same point, then race for it as two nodes would.
            using var hold = blocker.BeginTransaction();
            blocker.Execute("UPDATE import_batches SET status = status WHERE id = @id", new { id }, hold);
            both = Task.WhenAll(Task.Run(() => _imports.CommitBatch(_manager, id)), Task.Run(() => _imports.CommitBatch(_manager, id)));
            await Task.Delay(500);
            hold.Rollback();
        }

        var outcomes = await both;

        Assert.IsTrue(outcomes.All(o => o.Committed && o.Inserts == 1), string.Join(" / ", outcomes.Select(o => $"{o.Inserts}+{o.Unchanged}")));
        using var check = _db.Database.Open();
        Assert.AreEqual(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND after_json LIKE '%\"Batch\":' || @id || '%'", new { id }));
        Assert.AreEqual(1, (await BatchAsync(id)).InsertedRows);
    }

    private sealed class RecordingQueue : IImportQueue
    {
        public List<(long, bool)> Queued { get; } = [];

        public void Enqueue(long batchId, bool commit) => Queued.Add((batchId, commit));
    }
}
