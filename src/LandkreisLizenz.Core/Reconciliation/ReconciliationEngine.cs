namespace LandkreisLizenz.Core.Reconciliation;

public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    /// <summary>An installation or assignment not used for longer than this many days counts as unused.</summary>
    public int UnusedThresholdDays { get; set; } = 90;

    /// <summary>Family jobs that run at the same time in a full run (SQLite has one writer; reading is parallel).</summary>
    public int Parallelism { get; set; } = 2;
}

public static class LicenseMetrics
{
    public const string Device = "device";
    public const string NamedUser = "named_user";
    public const string Subscription = "subscription";
    public const string ConcurrentUser = "concurrent_user";
    public const string Core = "core";
    public const string Instance = "instance";
    public const string Inhabitants = "inhabitants";
    public const string Site = "site";
}

public static class PositionStatus
{
    public const string Unlicensed = "unlicensed";
    public const string Shortfall = "shortfall";
    public const string Surplus = "surplus";
    public const string Compliant = "compliant";

    public static readonly IReadOnlyList<string> All = [Unlicensed, Shortfall, Surplus, Compliant];

    public static string GermanName(string status) => status switch
    {
        Unlicensed => "Nicht lizenziert",
        Shortfall => "Unterdeckung",
        Surplus => "Überdeckung",
        Compliant => "Ausgeglichen",
        _ => status,
    };
}

/// <summary>One license position: entitlement against consumption for (pool organisation, product, metric), spec §2.</summary>
public sealed record LicensePosition(
    long OrganisationId,
    long ProductId,
    string Metric,
    long? Entitlement,
    long Consumption,
    long? Balance,
    string Status,
    decimal? UnitPrice,
    decimal? AnnualCostPerUnit,
    decimal? RiskAmount,
    long Unused,
    long ActiveConsumption);

internal sealed record FamilyOrganisation(long Id, long? ParentId, string Kind, long Population);

/// <summary>A license active on the as-of date (validity window and contract checked by the loader).</summary>
internal sealed record ActiveLicense(long Id, long OrganisationId, long ProductId, string Metric, long Quantity, decimal? UnitPrice,
    decimal? AnnualCostPerUnit, DateOnly Started, bool CoversMembers, int? MinCores);

internal readonly record struct DeviceUse(bool IsServer, int Cores, bool Active);

/// <summary>What one organisation consumes of one product.</summary>
internal sealed class ProductUsage
{
    public Dictionary<long, DeviceUse> Devices { get; } = [];

    /// <summary>User id → used recently (any installation of the product on a device of that user).</summary>
    public Dictionary<string, bool> InstallationUsers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, bool> AssignedUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>Month (yyyy-MM) → peak concurrent users.</summary>
    public Dictionary<string, long> Peaks { get; } = new(StringComparer.Ordinal);

    public void AddDevice(long deviceId, bool isServer, int cores, bool active)
    {
        // A device is active if any installation of the product on it is.
        Devices[deviceId] = Devices.TryGetValue(deviceId, out var known) ? known with { Active = known.Active || active } : new DeviceUse(isServer, cores, active);
    }

    public static void AddUser(Dictionary<string, bool> users, string user, bool active) =>
        users[user] = users.TryGetValue(user, out var known) ? known || active : active;
}

/// <summary>Everything needed to reconcile one family: a county with its member municipalities, or a standalone organisation.</summary>
internal sealed class FamilyData
{
    public required IReadOnlyList<FamilyOrganisation> Organisations { get; init; }
    public required IReadOnlyList<ActiveLicense> Licenses { get; init; }
    public required Dictionary<(long OrganisationId, long ProductId), ProductUsage> Usage { get; init; }
    public required IReadOnlyDictionary<long, decimal?> ListPrices { get; init; }

    /// <summary>Metric of a product's consumption where nobody holds a license for it (the metric it is usually licensed by).</summary>
    public required IReadOnlyDictionary<long, string> UsualMetrics { get; init; }
}

/// <summary>The rules of spec §2 on in-memory data; the loader decides what is active, the engine what it means.</summary>
internal static class ReconciliationEngine
{
    public static List<LicensePosition> Compute(FamilyData data, DateOnly asOf)
    {
        var organisations = data.Organisations.ToDictionary(o => o.Id);
        var own = data.Licenses.ToLookup(l => (l.OrganisationId, l.ProductId, l.Metric));
        var positions = new List<LicensePosition>();
        foreach (var ((poolId, productId, metric), members) in Pools(data))
        {
            var licenses = own[(poolId, productId, metric)].ToList();
            positions.Add(Position(organisations[poolId], productId, metric, licenses, members, data.ListPrices.GetValueOrDefault(productId), asOf));
        }

        return positions;
    }

    /// <summary>The organisations (and their usage) whose consumption a position counts.</summary>
    public static IReadOnlyList<(long Organisation, ProductUsage Usage)> Members(FamilyData data, long pool, long productId, string metric) =>
        Pools(data).TryGetValue((pool, productId, metric), out var members) ? members : [];

    private static SortedDictionary<(long Pool, long Product, string Metric), List<(long Organisation, ProductUsage Usage)>> Pools(FamilyData data)
    {
        var organisations = data.Organisations.ToDictionary(o => o.Id);
        var own = data.Licenses.ToLookup(l => (l.OrganisationId, l.ProductId, l.Metric));
        var pools = new SortedDictionary<(long Pool, long Product, string Metric), List<(long Organisation, ProductUsage Usage)>>();
        foreach (var license in data.Licenses)
        {
            Pool(pools, (license.OrganisationId, license.ProductId, license.Metric));
        }

        foreach (var ((organisationId, productId), usage) in data.Usage.OrderBy(u => u.Key))
        {
            var organisation = organisations[organisationId];
            var county = organisation.Kind == "municipality" ? organisation.ParentId : null;
            var metrics = data.Licenses
                .Where(l => l.ProductId == productId && (l.OrganisationId == organisationId || (l.OrganisationId == county && l.CoversMembers)))
                .Select(l => l.Metric)
                .Distinct()
                .ToList();
            if (metrics.Count == 0)
            {
                metrics.Add(data.UsualMetrics.TryGetValue(productId, out var usual) ? usual : FallbackMetric(usage));
            }

            foreach (var metric in metrics)
            {
                // Attribution: own license first, then the county's covers_members license, else the own (empty) pool.
                var pool = own.Contains((organisationId, productId, metric))
                    ? organisationId
                    : county is { } c && own[(c, productId, metric)].Any(l => l.CoversMembers) ? c : organisationId;
                Pool(pools, (pool, productId, metric)).Add((organisationId, usage));
            }
        }

        return pools;
    }

    private static List<(long, ProductUsage)> Pool(SortedDictionary<(long, long, string), List<(long, ProductUsage)>> pools, (long, long, string) key)
    {
        if (!pools.TryGetValue(key, out var members))
        {
            pools[key] = members = [];
        }

        return members;
    }

    private static string FallbackMetric(ProductUsage usage) =>
        usage.Peaks.Count > 0 ? LicenseMetrics.ConcurrentUser
        : usage.Devices.Count > 0 ? LicenseMetrics.Device
        : LicenseMetrics.NamedUser;

    private static LicensePosition Position(FamilyOrganisation pool, long productId, string metric, List<ActiveLicense> licenses,
        List<(long Organisation, ProductUsage Usage)> members, decimal? listPrice, DateOnly asOf)
    {
        var recent = licenses.OrderByDescending(l => l.Started).ThenByDescending(l => l.Id).FirstOrDefault();
        var (consumption, unused) = Consumption(pool, metric, members, recent?.MinCores, asOf);
        long? entitlement = metric == LicenseMetrics.Site ? null : licenses.Sum(l => l.Quantity);
        long? balance = entitlement - consumption;
        var status = metric == LicenseMetrics.Site ? PositionStatus.Compliant
            : entitlement == 0 && consumption > 0 ? PositionStatus.Unlicensed
            : balance < 0 ? PositionStatus.Shortfall
            : balance > 0 ? PositionStatus.Surplus
            : PositionStatus.Compliant;
        var unitPrice = recent?.UnitPrice ?? listPrice;
        decimal? risk = status is PositionStatus.Shortfall or PositionStatus.Unlicensed && unitPrice is { } price ? -balance!.Value * price : null;
        return new LicensePosition(pool.Id, productId, metric, entitlement, consumption, balance, status, unitPrice, recent?.AnnualCostPerUnit,
            risk, unused, consumption - unused);
    }

    private static (long Consumption, long Unused) Consumption(FamilyOrganisation pool, string metric, List<(long Organisation, ProductUsage Usage)> members, int? minCores, DateOnly asOf)
    {
        switch (metric)
        {
            case LicenseMetrics.Device:
            case LicenseMetrics.Site:
            {
                var devices = members.SelectMany(m => m.Usage.Devices.Values).ToList();
                return (devices.Count, devices.Count(d => !d.Active));
            }

            case LicenseMetrics.NamedUser:
            {
                long total = 0, unused = 0;
                foreach (var (_, usage) in members)
                {
                    var users = new Dictionary<string, bool>(usage.InstallationUsers, StringComparer.Ordinal);
                    foreach (var (user, active) in usage.AssignedUsers)
                    {
                        ProductUsage.AddUser(users, user, active);
                    }

                    users.Remove("");
                    total += users.Count;
                    unused += users.Count(u => !u.Value);
                }

                return (total, unused);
            }

            case LicenseMetrics.Subscription:
                return (members.Sum(m => (long)m.Usage.AssignedUsers.Count), members.Sum(m => (long)m.Usage.AssignedUsers.Count(u => !u.Value)));

            case LicenseMetrics.ConcurrentUser:
            {
                var last = new DateOnly(asOf.Year, asOf.Month, 1);
                long max = 0;
                for (var i = 0; i < 12; i++)
                {
                    var month = last.AddMonths(-i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
                    max = Math.Max(max, members.Sum(m => m.Usage.Peaks.GetValueOrDefault(month)));
                }

                return (max, 0);
            }

            case LicenseMetrics.Core:
            {
                var minimum = Math.Max(minCores ?? 0, 1);
                return (members.SelectMany(m => m.Usage.Devices.Values).Where(d => d.IsServer).Sum(d => (long)Math.Max(d.Cores, minimum)), 0);
            }

            case LicenseMetrics.Instance:
                return (members.SelectMany(m => m.Usage.Devices.Values).Count(d => d.IsServer), 0);

            case LicenseMetrics.Inhabitants:
                return (pool.Population, 0);

            default:
                throw new InvalidOperationException($"Unknown metric {metric}.");
        }
    }
}
