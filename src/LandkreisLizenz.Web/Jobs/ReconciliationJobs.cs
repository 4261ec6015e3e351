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

    // The family that finishes the run hands over to the suggestions (ReconciliationService tells IRunFinishedListener).
    [AutomaticRetry(Attempts = 20, DelaysInSeconds = [5, 15, 30, 60, 120])]
    public void Family(long runId, long root) => reconciliation.ProcessFamily(runId, root);

    public void FanOut(ReconciliationRun run)
    {
        foreach (var root in run.Families)
        {
            jobs.Enqueue<ReconciliationJobs>(j => j.Family(run.Id, root));
        }
    }
}

/// <summary>A finished run asks for a suggestion refresh and queues one (duplicates return at once, see SuggestionService).</summary>
public sealed class HangfireRunFinishedListener(LandkreisLizenz.Core.Suggestions.SuggestionService suggestions, IBackgroundJobClient jobs) : IRunFinishedListener
{
    public void RunFinished(long runId)
    {
        suggestions.RequestRefresh();
        jobs.Enqueue<SuggestionJobs>(j => j.Refresh());
    }
}

/// <summary>Imports of licenses and usage queue a reconciliation of the organisations they touched.</summary>
public sealed class HangfireReconciliationTrigger(IBackgroundJobClient jobs) : IReconciliationTrigger
{
    public void OrganisationsChanged(IReadOnlyCollection<long> organisationIds) =>
        jobs.Enqueue<ReconciliationJobs>(j => j.ForOrganisations(organisationIds.ToArray()));
}
