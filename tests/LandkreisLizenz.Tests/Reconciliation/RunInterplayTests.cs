using System.Collections.Concurrent;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Reconciliation;

/// <summary>
/// Runs and refreshes as the jobs meet them: imports in quick succession, a manual and a nightly run over the same
/// families, family jobs in any order and at once (a busy family retried, as Hangfire does), refresh jobs overlapping.
/// </summary>
[TestClass]
public sealed class RunInterplayTests
{
    private sealed class Listener(SuggestionService suggestions) : IRunFinishedListener
    {
        public ConcurrentBag<long> Finished { get; } = [];

        public void RunFinished(long runId)
        {
            Finished.Add(runId);
            suggestions.RequestRefresh();
        }
    }

    private static (ReconciliationService Runs, SuggestionService Suggestions, Listener Listener) Services(TestDatabase db)
    {
        var clock = TestClock.Create();
        var audit = new AuditLog(db.Database, clock);
        var suggestions = new SuggestionService(db.Database, clock, audit, new SuggestionOptions());
        var listener = new Listener(suggestions);
        return (new ReconciliationService(db.Database, clock, audit, new ReconciliationOptions(), finished: listener), suggestions, listener);
    }

    private static void ProcessWithRetry(ReconciliationService runs, long runId, long root)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                runs.ProcessFamily(runId, root);
                return;
            }
            catch (FamilyBusyException) when (attempt < 200)
            {
                Thread.Sleep(10);
            }
        }
    }

    [TestMethod]
    public async Task LaterRunReconcilesAFamilyFirst_EarlierRunStillFinishesLatestStaysWithTheLaterOne()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var (runs, _, listener) = Services(db);
        var mettmann = Scopes.OrganisationId(db.Database, "05158");
        var system = CallerScope.System("test");

        var earlier = await runs.StartAsync(system, [mettmann], "import");
        var later = await runs.StartAsync(system, [mettmann], "manual");
        runs.ProcessFamily(later.Id, mettmann);
        runs.ProcessFamily(earlier.Id, mettmann);

        Assert.AreEqual("succeeded", (await runs.GetRunAsync(system, earlier.Id))!.Status, "the earlier run lost its family to the later one and hangs");
        Assert.AreEqual("succeeded", (await runs.GetRunAsync(system, later.Id))!.Status);
        using var connection = db.Database.Open();
        Assert.AreEqual(later.Id, connection.ExecuteScalar<long>("SELECT run_id FROM reconciliation_latest WHERE organisation_id = @mettmann", new { mettmann }),
            "an earlier run moved the latest pointer back");
        CollectionAssert.AreEquivalent(new[] { earlier.Id, later.Id }, listener.Finished.ToArray(), "each run hands over exactly once");
    }

    [TestMethod]
    public async Task OverlappingRunsAndRefreshes_InAnyOrderAtOnce_EveryRunFinishesOneRefreshAfterTheLastNoFailure()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var (runs, suggestions, listener) = Services(db);
        var system = CallerScope.System("test");
        var mettmann = Scopes.OrganisationId(db.Database, "05158");
        var wartburgkreis = Scopes.OrganisationId(db.Database, "16063");

        // Three imports in quick succession, a manual run and the nightly run over the whole estate.
        var started = new List<ReconciliationRun>
        {
            await runs.StartAsync(system, [mettmann], "import"),
            await runs.StartAsync(system, [mettmann, wartburgkreis], "import"),
            await runs.StartAsync(system, [wartburgkreis], "import"),
            await runs.StartAsync(system, [mettmann], "manual"),
            await runs.StartAsync(system, null, "nightly"),
        };
        var jobs = started.SelectMany(r => r.Families.Select(root => (Run: r.Id, Root: root))).OrderBy(j => HashCode.Combine(j.Run * 7919, j.Root)).ToList();
        var refreshes = 0;
        var failures = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        // Refresh jobs keep arriving while the family jobs run, as the hand-overs queue them.
        var refreshJobs = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Interlocked.Add(ref refreshes, await suggestions.RefreshWhenRequestedAsync());
                }
                catch (Exception ex)
                {
                    failures.Add(ex);
                }

                await Task.Delay(5);
            }
        })).ToList();

        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, (job, _) =>
        {
            try
            {
                ProcessWithRetry(runs, job.Run, job.Root);
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }

            return ValueTask.CompletedTask;
        });
        stop.Cancel();
        await Task.WhenAll(refreshJobs);
        // The jobs the last hand-overs queued: three at once, as duplicates in Hangfire.
        var last = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(suggestions.RefreshWhenRequestedAsync)));

        Assert.IsEmpty(failures, string.Join("\n", failures.Select(f => f.Message)));
        foreach (var run in started)
        {
            var summary = (await runs.GetRunAsync(system, run.Id))!;
            Assert.AreEqual(("succeeded", summary.FamiliesTotal), (summary.Status, summary.FamiliesDone), $"run {run.Id} did not finish");
        }

        CollectionAssert.AreEquivalent(started.Select(r => r.Id).ToArray(), listener.Finished.ToArray(), "a run handed over twice or never");
        var (requested, done) = suggestions.RefreshState();
        Assert.AreEqual((5L, 5L), (requested, done), "a hand-over was never refreshed");
        Assert.IsLessThanOrEqualTo(1, last.Sum(), "duplicate refresh jobs each refreshed");
        Assert.IsLessThanOrEqualTo(5, refreshes + last.Sum(), "more refreshes than hand-overs");
        Assert.IsGreaterThanOrEqualTo(1, refreshes + last.Sum());
    }

    [TestMethod]
    public async Task RefreshWhenRequested_FailedRefresh_LetsGoSoTheRetryRefreshes()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var audit = new AuditLog(db.Database, clock);
        await new ReconciliationService(db.Database, clock, audit, new ReconciliationOptions()).RunNow(CallerScope.System("test"), null);
        // A setting that makes the cluster formation throw: the refresh fails after it claimed the state.
        var broken = new SuggestionService(db.Database, clock, audit, new SuggestionOptions { MaxParticipants = 0 });
        var healthy = new SuggestionService(db.Database, clock, audit, new SuggestionOptions());
        healthy.RequestRefresh();

        await Assert.ThrowsExactlyAsync<DivideByZeroException>(broken.RefreshWhenRequestedAsync);

        Assert.AreEqual(1, await healthy.RefreshWhenRequestedAsync(), "the failed refresh kept its claim: the retry did nothing");
        Assert.AreEqual((1L, 1L), healthy.RefreshState());
    }

    [TestMethod]
    public async Task Refresh_TwoAtTheSameMomentOnAFreshEstate_NeitherFailsSameSuggestionsAsOne()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var audit = new AuditLog(db.Database, clock);
        await new ReconciliationService(db.Database, clock, audit, new ReconciliationOptions()).RunNow(CallerScope.System("test"), null);
        using var connection = db.Database.Open();
        connection.Execute("DELETE FROM suggestion_objects; DELETE FROM suggestion_organisations; DELETE FROM suggestion_decisions; DELETE FROM measures; DELETE FROM participant_decisions; DELETE FROM suggestions");
        var service = new SuggestionService(db.Database, clock, audit, new SuggestionOptions());

        // Both find nothing stored and would insert the same new keys (the command line beside a job).
        var results = await Task.WhenAll(Task.Run(service.RefreshAsync), Task.Run(service.RefreshAsync));

        var stored = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM suggestions");
        Assert.IsGreaterThan(0, stored);
        Assert.AreEqual(stored, results.Sum(r => r.Created), "one refresh created them, the other found them");
        Assert.AreEqual(stored, results.Max(r => r.Created + r.Updated + r.Unchanged));
    }
}
