using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Reconciliation;

public sealed class PositionView
{
    public long OrganisationId { get; init; }
    public string OrganisationName { get; init; } = "";
    public long ProductId { get; init; }
    public string ProductName { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string CategoryKey { get; init; } = "";
    public string CategoryName { get; init; } = "";
    public string Metric { get; init; } = "";
    public long? Entitlement { get; init; }
    public long Consumption { get; init; }
    public long? Balance { get; init; }
    public string Status { get; init; } = "";
    public decimal? UnitPrice { get; init; }
    public decimal? AnnualCostPerUnit { get; init; }
    public decimal? RiskAmount { get; init; }
    public long Unused { get; init; }
    public long ActiveConsumption { get; init; }

    /// <summary>Licenses nobody actively uses (spec §4 right_size): entitlement minus active consumption, for limiting metrics.</summary>
    public long Reducible => Metric is LicenseMetrics.Inhabitants or LicenseMetrics.Site || Entitlement is not > 0
        ? 0
        : Math.Max(0, Entitlement.Value - ActiveConsumption);

    /// <summary>Annual savings of right-sizing: reducible licenses × annual cost per unit.</summary>
    public decimal? Savings => Reducible > 0 && AnnualCostPerUnit is { } cost ? Reducible * cost : null;
}

public sealed record PositionFilter(string? Status = null, string? Category = null, string Sort = "risk");

public sealed record PositionTotals(int Positions, int Shortfalls, int Unlicensed, int Surpluses, decimal Risk, decimal Savings);

public sealed class TrendPoint
{
    public long RunId { get; init; }
    public DateOnly AsOf { get; init; }
    public long? Entitlement { get; init; }
    public long Consumption { get; init; }
    public decimal? RiskAmount { get; init; }
}

public sealed class CountedLicense
{
    public long Id { get; init; }
    public long ContractId { get; init; }
    public string ContractKey { get; init; } = "";
    public string ContractTitle { get; init; } = "";
    public long Quantity { get; init; }
    public decimal? UnitPrice { get; init; }
    public decimal? AnnualCostPerUnit { get; init; }
    public DateOnly? ValidFrom { get; init; }
    public DateOnly? ValidTo { get; init; }
    public bool CoversMembers { get; init; }
    public bool Counts { get; set; }
}

/// <summary>A device or user counted by a position; <see cref="Detail"/> holds the cores of a server.</summary>
public sealed record Consumer(string Organisation, string Key, string Kind, string? Detail, bool Unused);

public sealed record PositionDetail(PositionView Position, DateOnly AsOf, IReadOnlyList<CountedLicense> Licenses, IReadOnlyList<Consumer> Consumers, IReadOnlyList<TrendPoint> Trend);

/// <summary>Read side of the reconciliation for pages and the API: the latest positions of an organisation, scoped.</summary>
public sealed class ReconciliationQueries(Database database, ReconciliationOptions options, AuditLog audit)
{
    private const string PositionsSql = """
        SELECT p.organisation_id AS OrganisationId, o.name AS OrganisationName, p.product_id AS ProductId, pr.name AS ProductName, pr.vendor AS Vendor,
               c.category_key AS CategoryKey, c.name AS CategoryName, p.metric AS Metric, p.entitlement AS Entitlement, p.consumption AS Consumption,
               p.balance AS Balance, p.status AS Status, p.unit_price AS UnitPrice, p.annual_cost_per_unit AS AnnualCostPerUnit,
               p.risk_amount AS RiskAmount, p.unused AS Unused, p.active_consumption AS ActiveConsumption
        FROM reconciliation_latest l
        JOIN license_positions p ON p.run_id = l.run_id AND p.organisation_id = l.organisation_id
        JOIN organisations o ON o.id = p.organisation_id
        JOIN products pr ON pr.id = p.product_id
        JOIN categories c ON c.id = pr.category_id
        WHERE l.organisation_id IN ({ids}) AND {scope:l.organisation_id}
        """;

    private const string LatestSql = """
        SELECT r.id AS Id, r.organisation_id AS OrganisationId, r.kind AS Kind, r.as_of AS AsOf, r.status AS Status, r.started_at AS StartedAt,
               r.finished_at AS FinishedAt, r.positions_count AS PositionsCount, r.organisations_count AS OrganisationsCount,
               r.families_total AS FamiliesTotal, r.families_done AS FamiliesDone, r.checksum AS Checksum
        FROM reconciliation_latest l JOIN reconciliation_runs r ON r.id = l.run_id
        WHERE l.organisation_id = @OrganisationId AND {scope:l.organisation_id}
        """;

    private const string TrendSql = """
        SELECT p.run_id AS RunId, r.as_of AS AsOf, p.entitlement AS Entitlement, p.consumption AS Consumption, p.risk_amount AS RiskAmount
        FROM license_positions p JOIN reconciliation_runs r ON r.id = p.run_id
        WHERE p.organisation_id = @OrganisationId AND p.product_id = @ProductId AND p.metric = @Metric AND {scope:p.organisation_id}
        ORDER BY r.as_of, p.run_id
        """;

    private const string LicensesSql = """
        SELECT l.id AS Id, k.id AS ContractId, k.contract_key AS ContractKey, k.title AS ContractTitle, l.quantity AS Quantity, l.unit_price AS UnitPrice,
               l.annual_cost_per_unit AS AnnualCostPerUnit, l.valid_from AS ValidFrom, l.valid_to AS ValidTo, l.covers_members AS CoversMembers
        FROM licenses l JOIN contracts k ON k.id = l.contract_id
        WHERE l.organisation_id = @OrganisationId AND l.product_id = @ProductId AND l.metric = @Metric AND {scope:l.organisation_id}
        ORDER BY l.valid_from DESC, l.id DESC
        """;

    private const string LicenseRowsSql = FamilyLoader.LicenseRowSelectSql + FamilyLoader.LicenseRowFromSql + "WHERE l.id IN @Ids";

    private const string DevicesSql = "SELECT id AS Id, device_key AS DeviceKey, organisation_id AS OrganisationId FROM devices WHERE id IN @Ids";

    private const string NamesSql = "SELECT id AS Id, name AS Name FROM organisations WHERE id IN @Ids";

    private const string VisibleOrganisationSql = "SELECT COUNT(*) FROM organisations o WHERE o.id = @Id AND {scope:o.id}";

    private const string RootSql = "SELECT COALESCE(CASE WHEN kind = 'municipality' THEN parent_id END, id) FROM organisations WHERE id = @Id";

    public Task<IReadOnlyList<PositionView>> PositionsAsync(CallerScope scope, long organisationId, PositionFilter filter) =>
        PositionsAsync(scope, [organisationId], filter);

    /// <summary>Latest positions of several organisations in one statement (batched lookups), largest risk (or savings) first.</summary>
    public async Task<IReadOnlyList<PositionView>> PositionsAsync(CallerScope scope, IReadOnlyCollection<long> organisationIds, PositionFilter filter)
    {
        using var connection = database.Open();
        var sql = PositionsSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);
        var positions = (await connection.QueryScopedAsync<PositionView>(scope, sql, new { Ids = SqlDialect.IdList(organisationIds) }))
            .Where(p => filter.Status is null || p.Status == filter.Status)
            .Where(p => filter.Category is null || p.CategoryKey == filter.Category);
        return (filter.Sort == "savings"
                ? positions.OrderByDescending(p => p.Savings ?? 0).ThenByDescending(p => p.RiskAmount ?? 0)
                : positions.OrderByDescending(p => p.RiskAmount ?? 0).ThenByDescending(p => p.Savings ?? 0))
            .ThenBy(p => p.ProductName, StringComparer.Ordinal).ThenBy(p => p.Metric, StringComparer.Ordinal).ThenBy(p => p.OrganisationId)
            .ToList();
    }

    public static PositionTotals Totals(IReadOnlyList<PositionView> positions) => new(
        positions.Count,
        positions.Count(p => p.Status == PositionStatus.Shortfall),
        positions.Count(p => p.Status == PositionStatus.Unlicensed),
        positions.Count(p => p.Status == PositionStatus.Surplus),
        positions.Sum(p => p.RiskAmount ?? 0),
        positions.Sum(p => p.Savings ?? 0));

    public async Task<RunSummary?> LatestRunAsync(CallerScope scope, long organisationId)
    {
        using var connection = database.Open();
        return await connection.QuerySingleOrDefaultScopedAsync<RunSummary>(scope, LatestSql, new { OrganisationId = organisationId });
    }

    /// <summary>A position with the licenses it counts, the devices or users it counts (attributed members included) and its history.</summary>
    public async Task<PositionDetail?> DetailAsync(CallerScope scope, long organisationId, long productId, string metric)
    {
        var position = (await PositionsAsync(scope, organisationId, new PositionFilter()))
            .FirstOrDefault(p => p.ProductId == productId && p.Metric == metric);
        var run = await LatestRunAsync(scope, organisationId);
        if (position is null || run is null)
        {
            // Nothing found in the scope: a refusal only if the organisation itself lies outside it (asked the scope, not a copy of its rule).
            using var check = database.Open();
            if (await check.ExecuteScalarScopedAsync<int>(scope, VisibleOrganisationSql, new { Id = organisationId }) == 0)
            {
                await audit.RefusedAsync(scope, "organisations", organisationId, "position");
            }

            return null;
        }

        using var connection = database.Open();
        var licenses = (await connection.QueryScopedAsync<CountedLicense>(scope, LicensesSql, new { OrganisationId = organisationId, ProductId = productId, Metric = metric })).ToList();
        var active = connection.Query<FamilyLoader.LicenseRow>(LicenseRowsSql, new { Ids = licenses.Select(l => l.Id).DefaultIfEmpty(0).ToArray() })
            .Where(l => FamilyLoader.IsActive(l, run.AsOf)).Select(l => l.Id).ToHashSet();
        licenses.ForEach(l => l.Counts = active.Contains(l.Id));

        var root = await connection.ExecuteScalarAsync<long>(RootSql, new { Id = organisationId });
        var data = FamilyLoader.Load(connection, root, run.AsOf, options.UnusedThresholdDays, new Dictionary<long, decimal?>(), new Dictionary<long, string>());
        var members = ReconciliationEngine.Members(data, organisationId, productId, metric);
        var consumers = await ConsumersAsync(connection, members, metric);
        var trend = (await connection.QueryScopedAsync<TrendPoint>(scope, TrendSql, new { OrganisationId = organisationId, ProductId = productId, Metric = metric })).ToList();
        return new PositionDetail(position, run.AsOf, licenses, consumers, trend);
    }

    private static async Task<IReadOnlyList<Consumer>> ConsumersAsync(System.Data.IDbConnection connection, IReadOnlyList<(long Organisation, ProductUsage Usage)> members, string metric)
    {
        var names = (await connection.QueryAsync<(long Id, string Name)>(NamesSql, new { Ids = members.Select(m => m.Organisation).DefaultIfEmpty(0).ToArray() }))
            .ToDictionary(n => n.Id, n => n.Name);
        var result = new List<Consumer>();
        if (metric is LicenseMetrics.NamedUser or LicenseMetrics.Subscription)
        {
            foreach (var (organisation, usage) in members)
            {
                var users = new Dictionary<string, bool>(usage.AssignedUsers, StringComparer.Ordinal);
                if (metric == LicenseMetrics.NamedUser)
                {
                    foreach (var (user, isActive) in usage.InstallationUsers)
                    {
                        ProductUsage.AddUser(users, user, isActive);
                    }
                }

                result.AddRange(users.Where(u => u.Key.Length > 0).Select(u => new Consumer(names[organisation], u.Key, "Benutzer", null, !u.Value)));
            }
        }
        else if (metric is not (LicenseMetrics.ConcurrentUser or LicenseMetrics.Inhabitants))
        {
            var devices = members.SelectMany(m => m.Usage.Devices.Select(d => (m.Organisation, DeviceId: d.Key, d.Value)))
                .Where(d => metric is LicenseMetrics.Device or LicenseMetrics.Site || d.Value.IsServer)
                .ToList();
            foreach (var chunk in devices.Chunk(500))
            {
                var keys = (await connection.QueryAsync<(long Id, string DeviceKey, long OrganisationId)>(DevicesSql, new { Ids = chunk.Select(d => d.DeviceId).ToArray() }))
                    .ToDictionary(d => d.Id, d => d.DeviceKey);
                result.AddRange(chunk.Select(d => new Consumer(names[d.Organisation], keys[d.DeviceId], d.Value.IsServer ? "Server" : "Arbeitsplatz",
                    d.Value.Cores > 0 ? d.Value.Cores.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, !d.Value.Active)));
            }
        }

        return result.OrderBy(c => c.Unused ? 0 : 1).ThenBy(c => c.Organisation, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
    }
}
