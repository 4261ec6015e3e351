using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Overview;

/// <summary>Key counts of the estate the caller may see (start page).</summary>
public sealed class EstateSummary
{
    public int Counties { get; init; }
    public int Municipalities { get; init; }
    public int Providers { get; init; }
    public int Applications { get; init; }
    public int ApplicationsOnOwnServers { get; init; }
    public int Hostings { get; init; }
    public int Contracts { get; init; }
    public int Licenses { get; init; }
    public int Devices { get; init; }
    public long Installations { get; init; }
    public int ProductsInUse { get; init; }

    /// <summary>Organisations the caller holds a role on (empty for admins and Verbund analysts).</summary>
    public IReadOnlyList<string> HomeOrganisations { get; set; } = [];

    public decimal OwnServerShare => Applications == 0 ? 0m : (decimal)ApplicationsOnOwnServers / Applications;
}

public sealed class EstateSummaryService(Database database)
{
    // One statement of scalar subqueries: one round trip whatever the estate size.
    private const string SummarySql = """
        SELECT
          (SELECT COUNT(*) FROM organisations o WHERE o.kind = 'county' AND {scope:o.id}) AS Counties,
          (SELECT COUNT(*) FROM organisations o WHERE o.kind = 'municipality' AND {scope:o.id}) AS Municipalities,
          (SELECT COUNT(*) FROM organisations o WHERE o.kind IN ('municipal_provider','state_provider','private_provider','association') AND {scope:o.id}) AS Providers,
          (SELECT COUNT(*) FROM applications a WHERE {scope:a.organisation_id}) AS Applications,
          (SELECT COUNT(*) FROM applications a JOIN hostings h ON h.id = a.hosting_id WHERE h.operator_kind = 'self' AND {scope:a.organisation_id}) AS ApplicationsOnOwnServers,
          (SELECT COUNT(*) FROM hostings h WHERE {scope:h.organisation_id}) AS Hostings,
          (SELECT COUNT(*) FROM contracts c WHERE {scope:c.organisation_id}) AS Contracts,
          (SELECT COUNT(*) FROM licenses l WHERE {scope:l.organisation_id}) AS Licenses,
          (SELECT COUNT(*) FROM devices d WHERE {scope:d.organisation_id}) AS Devices,
          (SELECT COUNT(*) FROM installations i JOIN devices d ON d.id = i.device_id WHERE {scope:d.organisation_id}) AS Installations,
          (SELECT COUNT(DISTINCT a.product_id) FROM applications a WHERE {scope:a.organisation_id}) AS ProductsInUse
        """;

    private const string HomeOrganisationsSql = """
        SELECT o.name FROM organisations o WHERE o.id IN @Ids AND {scope:o.id} ORDER BY o.name
        """;

    public async Task<EstateSummary> GetAsync(CallerScope scope)
    {
        using var connection = database.Open();
        var summary = await connection.QuerySingleScopedAsync<EstateSummary>(scope, SummarySql);
        if (scope.HomeOrganisationIds.Count > 0)
        {
            summary.HomeOrganisations = (await connection.QueryScopedAsync<string>(scope, HomeOrganisationsSql, new { Ids = scope.HomeOrganisationIds })).ToList();
        }

        return summary;
    }
}
