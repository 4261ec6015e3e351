using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Contracts;

namespace LandkreisLizenz.Core.Reconciliation;

/// <summary>
/// Reads one family's licenses and usage. Installations are streamed row by row through a data reader and folded
/// into per-product usage at once, so memory grows with devices × products of one family, never with the estate.
/// </summary>
internal static class FamilyLoader
{
    private const string OrganisationsSql = """
        SELECT id AS Id, parent_id AS ParentId, kind AS Kind, COALESCE(population, 0) AS Population
        FROM organisations WHERE id = @Root OR parent_id = @Root
        """;

    /// <summary>
    /// What a <see cref="LicenseRow"/> reads: the license with the contract fields that decide whether it is active.
    /// Every reader of licenses uses it and adds its own joins and filter.
    /// </summary>
    internal const string LicenseRowSelectSql = """
        SELECT l.id AS Id, l.organisation_id AS OrganisationId, l.contract_id AS ContractId, l.product_id AS ProductId, l.metric AS Metric,
               l.quantity AS Quantity, l.unit_price AS UnitPrice, l.annual_cost_per_unit AS AnnualCostPerUnit, l.valid_from AS ValidFrom,
               l.valid_to AS ValidTo, l.covers_members AS CoversMembers, l.min_cores_per_device AS MinCores,
               k.start_date AS StartDate, k.initial_term_months AS InitialTermMonths, k.renewal_term_months AS RenewalTermMonths,
               k.notice_period_months AS NoticePeriodMonths, k.end_date AS EndDate
        """;

    internal const string LicenseRowFromSql = "\nFROM licenses l JOIN contracts k ON k.id = l.contract_id\n";

    private const string LicensesSql = LicenseRowSelectSql + LicenseRowFromSql + """
        JOIN organisations o ON o.id = l.organisation_id
        WHERE o.id = @Root OR o.parent_id = @Root
        """;

    // Drives from the family's devices (index on devices.organisation_id) to their installations (index on device_id).
    // A title counts for its global product unless the family decided it locally (spec §6.1): those few titles are
    // read first, and only their installations are read besides the globally recognised ones.
    private const string InstallationsSql = """
        SELECT d.organisation_id, d.id, d.device_kind, d.cores, t.id, t.product_id, i.user_key, i.last_used
        FROM organisations o
        JOIN devices d ON d.organisation_id = o.id
        JOIN installations i ON i.device_id = d.id
        JOIN software_titles t ON t.id = i.software_title_id
        WHERE (o.id = @Root OR o.parent_id = @Root)
          AND (t.product_id IS NOT NULL OR EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = @Root AND m.software_title_id = t.id))
        """;

    private const string LocalDecisionsSql = """
        SELECT software_title_id AS TitleId, product_id AS ProductId FROM family_title_recognition WHERE family_id = @Root
        """;

    private const string AssignmentsSql = """
        SELECT a.organisation_id AS OrganisationId, a.product_id AS ProductId, a.user_key AS UserKey, a.last_login AS LastLogin
        FROM user_assignments a JOIN organisations o ON o.id = a.organisation_id
        WHERE o.id = @Root OR o.parent_id = @Root
        """;

    private const string PeaksSql = """
        SELECT p.organisation_id AS OrganisationId, p.product_id AS ProductId, p.month AS Month, p.peak_concurrent AS PeakConcurrent
        FROM usage_peaks p JOIN organisations o ON o.id = p.organisation_id
        WHERE (o.id = @Root OR o.parent_id = @Root) AND p.month >= @FirstMonth AND p.month <= @LastMonth
        """;

    public static FamilyData Load(DbConnection connection, long root, DateOnly asOf, int unusedDays, IReadOnlyDictionary<long, decimal?> listPrices, IReadOnlyDictionary<long, string> usualMetrics)
    {
        var organisations = connection.Query<FamilyOrganisation>(OrganisationsSql, new { Root = root }).ToList();
        var licenses = connection.Query<LicenseRow>(LicensesSql, new { Root = root })
            .Where(l => IsActive(l, asOf))
            .Select(l => new ActiveLicense(l.Id, l.OrganisationId, l.ProductId, l.Metric, l.Quantity, l.UnitPrice, l.AnnualCostPerUnit,
                l.ValidFrom ?? l.StartDate, l.CoversMembers, l.MinCores))
            .ToList();

        var threshold = asOf.AddDays(-unusedDays);
        var thresholdText = threshold.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var usage = new Dictionary<(long, long), ProductUsage>();
        ProductUsage UsageOf(long organisationId, long productId)
        {
            if (!usage.TryGetValue((organisationId, productId), out var u))
            {
                usage[(organisationId, productId)] = u = new ProductUsage();
            }

            return u;
        }

        var local = connection.Query<(long TitleId, long? ProductId)>(LocalDecisionsSql, new { Root = root }).ToDictionary(d => d.TitleId, d => d.ProductId);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = InstallationsSql;
            var p = command.CreateParameter();
            p.ParameterName = "@Root";
            p.Value = root;
            command.Parameters.Add(p);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var organisationId = reader.GetInt64(0);
                var deviceId = reader.GetInt64(1);
                var kind = reader.GetString(2);
                var cores = reader.IsDBNull(3) ? 0 : reader.GetInt32(3);
                // A local decision wins; a local "not licensable" (null) counts for no product.
                long? productId = local.TryGetValue(reader.GetInt64(4), out var decided) ? decided : reader.GetInt64(5);
                if (productId is null)
                {
                    continue;
                }

                var user = reader.IsDBNull(6) ? null : reader.GetString(6);
                var active = reader.IsDBNull(7) || IsRecent(reader.GetValue(7), thresholdText, threshold);
                var u = UsageOf(organisationId, productId.Value);
                u.AddDevice(deviceId, kind is "server" or "virtual_server", cores, active);
                if (!string.IsNullOrEmpty(user))
                {
                    ProductUsage.AddUser(u.InstallationUsers, user, active);
                }
            }
        }

        foreach (var a in connection.Query<AssignmentRow>(AssignmentsSql, new { Root = root }))
        {
            ProductUsage.AddUser(UsageOf(a.OrganisationId, a.ProductId).AssignedUsers, a.UserKey, a.LastLogin is null || IsRecent(a.LastLogin, thresholdText, threshold));
        }

        var lastMonth = new DateOnly(asOf.Year, asOf.Month, 1);
        foreach (var peak in connection.Query<PeakRow>(PeaksSql, new
                 {
                     Root = root,
                     FirstMonth = lastMonth.AddMonths(-11).ToString("yyyy-MM", CultureInfo.InvariantCulture),
                     LastMonth = lastMonth.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                 }))
        {
            UsageOf(peak.OrganisationId, peak.ProductId).Peaks[peak.Month] = peak.PeakConcurrent;
        }

        return new FamilyData
        {
            Organisations = organisations,
            Licenses = licenses,
            Usage = usage,
            ListPrices = listPrices,
            UsualMetrics = usualMetrics,
        };
    }

    /// <summary>Spec §2: valid on the day and the contract has not ended before it.</summary>
    internal static bool IsActive(LicenseRow l, DateOnly asOf) =>
        (l.ValidFrom is null || l.ValidFrom <= asOf)
        && (l.ValidTo is null || l.ValidTo >= asOf)
        && !ContractTerms.EndedBefore(l.Terms, asOf);

    /// <summary>SQLite returns ISO text (compared as text, which orders like dates); SQL Server a DateTime.</summary>
    private static bool IsRecent(object value, string thresholdText, DateOnly threshold) => value switch
    {
        string text => string.CompareOrdinal(text, 0, thresholdText, 0, 10) >= 0,
        DateTime date => DateOnly.FromDateTime(date) >= threshold,
        DateOnly date => date >= threshold,
        _ => true,
    };

    internal class LicenseRow : ContractTermColumns
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public long ContractId { get; init; }
        public long ProductId { get; init; }
        public string Metric { get; init; } = "";
        public long Quantity { get; init; }
        public decimal? UnitPrice { get; init; }
        public decimal? AnnualCostPerUnit { get; init; }
        public DateOnly? ValidFrom { get; init; }
        public DateOnly? ValidTo { get; init; }
        public bool CoversMembers { get; init; }
        public int? MinCores { get; init; }
    }

    private sealed class AssignmentRow
    {
        public long OrganisationId { get; init; }
        public long ProductId { get; init; }
        public string UserKey { get; init; } = "";
        public object? LastLogin { get; init; }
    }

    private sealed class PeakRow
    {
        public long OrganisationId { get; init; }
        public long ProductId { get; init; }
        public string Month { get; init; } = "";
        public long PeakConcurrent { get; init; }
    }
}
