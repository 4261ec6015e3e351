using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Dashboards;

public sealed record NamedValue(string Key, string Label, decimal Value);

public sealed record TrendValue(long RunId, DateOnly AsOf, decimal Risk, decimal LicenseSpend);

/// <summary>The county CIO's figures: one organisation family (the county and its member municipalities).</summary>
public sealed class CioDashboard
{
    public required long OrganisationId { get; init; }
    public required string OrganisationName { get; init; }
    public int Applications { get; init; }
    public int ApplicationsOnOwnServers { get; init; }
    public int ApplicationsOnDvsHosting { get; init; }
    public decimal AnnualLicenseSpend { get; init; }
    public decimal AnnualOperatingSpend { get; init; }
    public decimal ComplianceRisk { get; init; }
    public required IReadOnlyList<NamedValue> SavingsByType { get; init; }
    public required IReadOnlyList<Deadline> NextDeadlines { get; init; }
    public required IReadOnlyList<NamedValue> SpendByCategory { get; init; }
    public required IReadOnlyList<NamedValue> HostingModels { get; init; }
    public required IReadOnlyList<NamedValue> PositionsByStatus { get; init; }
    public required IReadOnlyList<TrendValue> Trend { get; init; }

    public decimal OwnServerShare => Applications == 0 ? 0 : (decimal)ApplicationsOnOwnServers / Applications;

    public decimal DvsShare => Applications == 0 ? 0 : (decimal)ApplicationsOnDvsHosting / Applications;

    public decimal SavingsPotential => SavingsByType.Sum(s => s.Value);
}

/// <summary>
/// Figures of the CIO dashboard, each from one set-based query over the family (so the number of statements does not
/// grow with the estate). Everything is filtered through the caller's scope.
/// </summary>
public sealed class CioDashboardService(Database database, DeadlineCalendar deadlines, TimeProvider clock, AuditLog audit)
{
    // Applications of the family with the DVS criteria (spec §4) evaluated in SQL.
    private const string ApplicationsSql = """
        SELECT COUNT(*) AS Applications,
               SUM(CASE WHEN h.operator_kind = 'self' THEN 1 ELSE 0 END) AS OwnServers,
               SUM(CASE WHEN h.country = 'DE' AND (h.c5 IN ('type1','type2') OR h.iso27001 = 'grundschutz')
                             AND (a.operation_24x7 = 0 OR h.georedundant = 1) THEN 1 ELSE 0 END) AS Dvs,
               COALESCE(SUM(a.annual_operating_cost), 0) AS OperatingSpend
        FROM applications a JOIN hostings h ON h.id = a.hosting_id
        WHERE a.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:a.organisation_id}
        """;

    private const string HostingModelsSql = """
        SELECT h.model AS "Key", COUNT(*) AS Value
        FROM applications a JOIN hostings h ON h.id = a.hosting_id
        WHERE a.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:a.organisation_id}
        GROUP BY h.model ORDER BY h.model
        """;

    private const string OperatingByCategorySql = """
        SELECT c.name AS "Key", COALESCE(SUM(a.annual_operating_cost), 0) AS Value
        FROM applications a JOIN products p ON p.id = a.product_id JOIN categories c ON c.id = p.category_id
        WHERE a.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:a.organisation_id}
        GROUP BY c.name
        """;

    private const string LicensesSql = FamilyLoader.LicenseRowSelectSql + ", c.name AS CategoryName" + FamilyLoader.LicenseRowFromSql + """
        JOIN products p ON p.id = l.product_id JOIN categories c ON c.id = p.category_id
        WHERE l.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:l.organisation_id}
        """;

    private const string PositionsSql = """
        SELECT p.status AS "Key", COUNT(*) AS Value, COALESCE(SUM(p.risk_amount), 0) AS Risk
        FROM reconciliation_latest l JOIN license_positions p ON p.run_id = l.run_id AND p.organisation_id = l.organisation_id
        WHERE l.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:p.organisation_id}
        GROUP BY p.status
        """;

    // What the family saves: its participants' own shares (spec §6.3), counted by the suggestion list's rule.
    private static readonly string SavingsSql = """
        SELECT s.type AS "Key", COALESCE(SUM(so.savings_share), 0) AS Value
        FROM suggestions s
        JOIN suggestion_organisations so ON so.suggestion_id = s.id AND so.role = 'participant'
        WHERE so.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:so.organisation_id}
          AND so.savings_share IS NOT NULL AND {counted}
        GROUP BY s.type
        """.Replace("{counted}", Suggestions.SuggestionService.CountedSql.Trim(), StringComparison.Ordinal);

    private const string TrendSql = """
        SELECT p.run_id AS RunId, r.as_of AS AsOf, COALESCE(SUM(p.risk_amount), 0) AS Risk,
               COALESCE(SUM(COALESCE(p.entitlement, 0) * COALESCE(p.annual_cost_per_unit, 0)), 0) AS LicenseSpend
        FROM license_positions p JOIN reconciliation_runs r ON r.id = p.run_id
        WHERE r.status = 'succeeded' AND p.organisation_id IN (SELECT f.id FROM organisations f WHERE f.id = @Root OR f.parent_id = @Root) AND {scope:p.organisation_id}
        GROUP BY p.run_id, r.as_of
        ORDER BY r.as_of, p.run_id
        """;

    private const string OrganisationSql = "SELECT id AS Id, name AS Name FROM organisations o WHERE o.id = @Root AND {scope:o.id}";

    /// <returns>null when the organisation lies outside the caller's scope.</returns>
    public async Task<CioDashboard?> GetAsync(CallerScope scope, long root)
    {
        var today = BusinessDate.Today(clock);
        using var connection = database.Open();
        var organisation = await connection.QuerySingleOrDefaultScopedAsync<(long Id, string Name)?>(scope, OrganisationSql, new { Root = root });
        if (organisation is null)
        {
            await audit.RefusedAsync(scope, "organisations", root, "dashboard");
            return null;
        }

        var p = new { Root = root };
        var apps = await connection.QuerySingleScopedAsync<(long Applications, long? OwnServers, long? Dvs, decimal OperatingSpend)>(scope, ApplicationsSql, p);
        var licenses = (await connection.QueryScopedAsync<LicenseWithCategory>(scope, LicensesSql, p)).Where(l => FamilyLoader.IsActive(l, today)).ToList();
        var operatingByCategory = (await connection.QueryScopedAsync<(string Key, decimal Value)>(scope, OperatingByCategorySql, p)).ToDictionary(x => x.Key, x => x.Value);
        var licenseByCategory = licenses.GroupBy(l => l.CategoryName).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity * (l.AnnualCostPerUnit ?? 0)));
        var positions = (await connection.QueryScopedAsync<(string Key, long Value, decimal Risk)>(scope, PositionsSql, p)).ToList();
        var savings = (await connection.QueryScopedAsync<(string Key, decimal Value)>(scope, SavingsSql, p)).ToDictionary(x => x.Key, x => x.Value);
        var hosting = (await connection.QueryScopedAsync<(string Key, long Value)>(scope, HostingModelsSql, p)).ToList();
        var trend = (await connection.QueryScopedAsync<TrendValue>(scope, TrendSql, p)).ToList();
        var next = (await deadlines.UpcomingAsync(scope, today, 12, familyRoot: root)).Take(5).ToList();

        return new CioDashboard
        {
            OrganisationId = root,
            OrganisationName = organisation.Value.Name,
            Applications = (int)apps.Applications,
            ApplicationsOnOwnServers = (int)(apps.OwnServers ?? 0),
            ApplicationsOnDvsHosting = (int)(apps.Dvs ?? 0),
            AnnualOperatingSpend = apps.OperatingSpend,
            AnnualLicenseSpend = licenseByCategory.Values.Sum(),
            ComplianceRisk = positions.Sum(x => x.Risk),
            SavingsByType = Suggestions.SuggestionTypes.All.Where(savings.ContainsKey)
                .Select(t => new NamedValue(t, Suggestions.SuggestionTypes.GermanName(t), savings[t])).ToList(),
            NextDeadlines = next,
            SpendByCategory = operatingByCategory.Keys.Union(licenseByCategory.Keys).Order(StringComparer.Ordinal)
                .Select(c => new NamedValue(c, c, operatingByCategory.GetValueOrDefault(c) + licenseByCategory.GetValueOrDefault(c)))
                .OrderByDescending(c => c.Value).ToList(),
            HostingModels = hosting.Select(h => new NamedValue(h.Key, Registry.Labels.Models.GetValueOrDefault(h.Key, h.Key), h.Value)).ToList(),
            PositionsByStatus = PositionStatus.All.Select(s => new NamedValue(s, PositionStatus.GermanName(s), positions.Where(x => x.Key == s).Sum(x => x.Value))).ToList(),
            Trend = trend,
        };
    }

    private sealed class LicenseWithCategory : FamilyLoader.LicenseRow
    {
        public string CategoryName { get; init; } = "";
    }
}
