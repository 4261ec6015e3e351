using Hangfire;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>
/// Hangfire entry points of the reconciliation. A run fans out into one job per family; jobs take ids only, and
/// a family job that finds its family locked by another run fails and is retried later.
/// </summary>
public sealed class ReconciliationJobs(ReconciliationService reconciliation, IBackgroundJobClient jobs)
{
    public const string NightlyJobId = "reconciliation-nightly";

    [AutomaticRetry(Attempts = 3)]
    public async Task Nightly() => FanOut(await reconciliation.StartAsync(CallerScope.System("nightly"), null, "nightly"));

    [AutomaticRetry(Attempts = 3)]
    public async Task ForOrganisations(long[] organisationIds) =>
        FanOut(await reconciliation.StartAsync(CallerScope.System("import"), organisationIds, "import"));

    [AutomaticRetry(Attempts = 20, DelaysInSeconds = [5, 15, 30, 60, 120])]
    public async Task Family(long runId, long root)
    {
        reconciliation.ProcessFamily(runId, root);
        // The job that completes the run hands over to the suggestions (a duplicate hand-over only refreshes twice).
        if ((await reconciliation.GetRunAsync(CallerScope.System("reconciliation"), runId))?.Status == "succeeded")
        {
            jobs.Enqueue<SuggestionJobs>(j => j.Refresh());
        }
    }

    public void FanOut(ReconciliationRun run)
    {
        foreach (var root in run.Families)
        {
            jobs.Enqueue<ReconciliationJobs>(j => j.Family(run.Id, root));
        }
    }
}

/// <summary>Imports of licenses and usage queue a reconciliation of the organisations they touched.</summary>
public sealed class HangfireReconciliationTrigger(IBackgroundJobClient jobs) : IReconciliationTrigger
{
    public void OrganisationsChanged(IReadOnlyCollection<long> organisationIds) =>
        jobs.Enqueue<ReconciliationJobs>(j => j.ForOrganisations(organisationIds.ToArray()));
}
