namespace LandkreisLizenz.Core.Reconciliation;

/// <summary>Asks for a reconciliation of organisations whose licenses or usage changed (the web host queues a job).</summary>
public interface IReconciliationTrigger
{
    void OrganisationsChanged(IReadOnlyCollection<long> organisationIds);
}
