namespace LandkreisLizenz.Core.Reconciliation;

/// <summary>Asks for a reconciliation of organisations whose licenses or usage changed (the web host queues a job).</summary>
public interface IReconciliationTrigger
{
    void OrganisationsChanged(IReadOnlyCollection<long> organisationIds);
}

/// <summary>
/// Told once per run, by the process that finished it, that the latest positions changed (the web host asks for a
/// suggestion refresh and queues it).
/// </summary>
public interface IRunFinishedListener
{
    void RunFinished(long runId);
}
