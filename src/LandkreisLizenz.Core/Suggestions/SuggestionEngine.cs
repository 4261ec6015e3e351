using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Reconciliation;

namespace LandkreisLizenz.Core.Suggestions;

/// <summary>
/// An organisation a suggestion concerns, with its own figures: its annual cost for what the suggestion concerns, its
/// share of the savings (what it is shown), its users (for the cost allocation) and its one-off migration cost.
/// </summary>
public sealed record SuggestionParty(long OrganisationId, string Role, decimal? AnnualCost = null, decimal? SavingsShare = null, int? Users = null, decimal? MigrationCost = null);

/// <summary>What makes a cross-organisation suggestion a cluster (spec §6.2–6.3).</summary>
public sealed record ClusterFigures(string StateCode, long LeadOrganisationId, decimal AnnualCost, decimal SharePercent, decimal? MigrationCost, decimal? PaybackMonths);

/// <summary>A suggestion as the engine derives it; <see cref="Key"/> is stable across runs (type + natural keys).</summary>
public sealed record SuggestionCandidate(
    string Key, string Type, long? ProductId, string Title, string Rationale, decimal? Savings, decimal? Risk,
    IReadOnlyList<SuggestionParty> Organisations, IReadOnlyList<(string Type, long Id)> Objects, ClusterFigures? Cluster = null);

/// <summary>The nine rules of spec §4 over the latest positions and the registry. Reads the whole estate; writes nothing.</summary>
internal sealed class SuggestionEngine(SuggestionOptions options, DateOnly today)
{
    private static readonly CultureInfo De = CultureInfo.GetCultureInfo("de-DE");

    private const string PositionsSql = """
        SELECT p.organisation_id AS OrganisationId, o.ags AS Ags, o.name AS OrganisationName, p.product_id AS ProductId, pr.product_key AS ProductKey,
               pr.name AS ProductName, p.metric AS Metric, p.entitlement AS Entitlement, p.consumption AS Consumption, p.status AS Status,
               p.unit_price AS UnitPrice, p.annual_cost_per_unit AS AnnualCostPerUnit, p.risk_amount AS RiskAmount, p.unused AS Unused,
               p.active_consumption AS ActiveConsumption
        FROM reconciliation_latest l
        JOIN license_positions p ON p.run_id = l.run_id AND p.organisation_id = l.organisation_id
        JOIN organisations o ON o.id = p.organisation_id
        JOIN products pr ON pr.id = p.product_id
        """;

    private const string OrganisationsSql = """
        SELECT id AS Id, ags AS Ags, name AS Name, kind AS Kind, parent_id AS ParentId, state_code AS StateCode, shares_for_consolidation AS Shares
        FROM organisations
        """;

    private const string LicensesSql = FamilyLoader.LicenseRowSelectSql + FamilyLoader.LicenseRowFromSql;

    private const string ContractsSql = """
        SELECT k.id AS Id, k.organisation_id AS OrganisationId, k.contract_key AS ContractKey, k.title AS Title, k.vendor AS Vendor,
               k.start_date AS StartDate, k.initial_term_months AS InitialTermMonths, k.renewal_term_months AS RenewalTermMonths,
               k.notice_period_months AS NoticePeriodMonths, k.end_date AS EndDate, k.annual_cost AS AnnualCost, k.framework AS Framework
        FROM contracts k
        """;

    private const string ApplicationsSql = """
        SELECT a.id AS Id, a.organisation_id AS OrganisationId, a.application_key AS ApplicationKey, COALESCE(a.name, a.application_key) AS Name,
               a.product_id AS ProductId, p.product_key AS ProductKey, p.name AS ProductName, c.category_key AS CategoryKey, c.name AS CategoryName, c.kind AS CategoryKind,
               c.single_system AS SingleSystem, a.users AS Users, a.protection_need AS ProtectionNeed, a.kritis AS Kritis, a.operation_24x7 AS Operation24x7,
               a.lifecycle AS Lifecycle, a.annual_operating_cost AS AnnualOperatingCost, h.id AS HostingId, h.hosting_key AS HostingKey, h.name AS HostingName,
               h.operator_kind AS OperatorKind, h.operator_organisation_id AS OperatorId, h.country AS Country, h.c5 AS C5, h.iso27001 AS Iso27001,
               h.georedundant AS Georedundant
        FROM applications a
        JOIN products p ON p.id = a.product_id
        JOIN categories c ON c.id = p.category_id
        JOIN hostings h ON h.id = a.hosting_id
        """;

    // Every hosting with what the data centre rule needs: its cost, and whether an application on it runs 24x7.
    private const string HostingsSql = $"""
        SELECT {Registry.HostingRow.Select},
               CASE WHEN EXISTS (SELECT 1 FROM applications a WHERE a.hosting_id = h.id AND a.operation_24x7 = 1) THEN 1 ELSE 0 END AS Operation24x7,
               COALESCE((SELECT SUM(a.users) FROM applications a WHERE a.hosting_id = h.id), 0) AS Users
        FROM hostings h
        """;

    // Who declined which kind of cluster recently (spec §6.4: not proposed again for that type and product).
    private const string DeclinedSql = """
        SELECT s.type AS Type, s.product_id AS ProductId, pd.organisation_id AS OrganisationId
        FROM participant_decision_latest pd JOIN suggestions s ON s.id = pd.suggestion_id
        WHERE pd.status = 'declined' AND pd.decided_at >= @Since
        """;

    private HashSet<(string Type, long? ProductId, long OrganisationId)> _declined = [];

    public List<SuggestionCandidate> Compute(IDbConnection connection)
    {
        var since = today.AddMonths(-options.DeclineQuietMonths).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        _declined = connection.Query<(string Type, long? ProductId, long OrganisationId)>(DeclinedSql, new { Since = since }).ToHashSet();
        var organisations = connection.Query<Org>(OrganisationsSql).ToDictionary(o => o.Id);
        var positions = connection.Query<Pos>(PositionsSql).ToList();
        var licenses = connection.Query<FamilyLoader.LicenseRow>(LicensesSql).Where(l => FamilyLoader.IsActive(l, today)).ToList();
        var contracts = connection.Query<Con>(ContractsSql).ToDictionary(c => c.Id);
        var applications = connection.Query<App>(ApplicationsSql).ToList();
        var hostings = connection.Query<Registry.HostingRow, HostingUse, Hosting>(HostingsSql, (row, use) => new Hosting(row, use.Operation24x7, use.Users),
            splitOn: nameof(HostingUse.Operation24x7)).ToList();
        var servedBy = ServedBy(hostings);

        var result = new List<SuggestionCandidate>();
        RightSizeAndRisk(positions, result);
        Terminate(contracts, licenses, positions, organisations, result);
        Redundant(applications, licenses, organisations, result);
        JointProcurement(licenses, contracts, organisations, servedBy, connection, result);
        SharedOperation(applications, organisations, servedBy, result);
        SharedDataCentre(hostings, organisations, servedBy, result);
        HostingCompliance(applications, organisations, result);
        MemberPooling(licenses, organisations, connection, result);
        return result;
    }

    private static string Money(decimal? value) => value is { } v ? v.ToString("C", De) : "unbekannt";

    private static string Percent(decimal share) => (share * 100).ToString("0.#", De) + " %";

    /// <summary>The one participant of a single-organisation suggestion: all of it is its own.</summary>
    private static IReadOnlyList<SuggestionParty> One(long organisationId, decimal? savings) => [new SuggestionParty(organisationId, "participant", SavingsShare: savings)];

    private static string N(long value) => value.ToString("N0", De);

    private static void RightSizeAndRisk(List<Pos> positions, List<SuggestionCandidate> result)
    {
        foreach (var p in positions)
        {
            var key = $"{p.Ags}:{p.ProductKey}:{p.Metric}";
            var reducible = p.Metric is LicenseMetrics.Inhabitants or LicenseMetrics.Site || p.Entitlement is not > 0 ? 0 : p.Entitlement.Value - p.ActiveConsumption;
            if (reducible > 0)
            {
                var savings = p.AnnualCostPerUnit is { } cost ? reducible * cost : (decimal?)null;
                var nobody = Math.Max(0, p.Entitlement!.Value - p.Consumption);
                result.Add(new SuggestionCandidate($"{SuggestionTypes.RightSize}:{key}", SuggestionTypes.RightSize, p.ProductId,
                    $"{p.ProductName}: {N(reducible)} Lizenzen zu viel ({p.OrganisationName})",
                    $"{p.OrganisationName} hält {N(p.Entitlement.Value)} Lizenzen ({p.Metric}) für {p.ProductName}, aktiv genutzt werden {N(p.ActiveConsumption)}. "
                    + $"{N(p.Unused)} Installationen bzw. Zuweisungen sind seit über 90 Tagen unbenutzt und können entfernt werden; {N(nobody)} Lizenzen hat niemand. "
                    + $"Einsparung: {N(reducible)} × {Money(p.AnnualCostPerUnit)} = {Money(savings)} pro Jahr.",
                    savings, null, One(p.OrganisationId, savings), [("product", p.ProductId)]));
            }

            if (p.Status is PositionStatus.Shortfall or PositionStatus.Unlicensed)
            {
                var missing = p.Consumption - (p.Entitlement ?? 0);
                result.Add(new SuggestionCandidate($"{SuggestionTypes.ComplianceRisk}:{key}", SuggestionTypes.ComplianceRisk, p.ProductId,
                    $"{p.ProductName}: {N(missing)} Lizenzen fehlen ({p.OrganisationName})",
                    $"{p.OrganisationName} verbraucht {N(p.Consumption)} ({p.Metric}) von {p.ProductName}, lizenziert sind {N(p.Entitlement ?? 0)}. "
                    + $"Risiko bei einem Audit: {N(missing)} × {Money(p.UnitPrice)} = {Money(p.RiskAmount)}.",
                    null, p.RiskAmount, One(p.OrganisationId, null), [("product", p.ProductId)]));
            }
        }
    }

    private void Terminate(Dictionary<long, Con> contracts, List<FamilyLoader.LicenseRow> licenses, List<Pos> positions, Dictionary<long, Org> organisations, List<SuggestionCandidate> result)
    {
        var consumption = positions.ToLookup(p => (p.OrganisationId, p.ProductId, p.Metric), p => p.Consumption);
        foreach (var group in licenses.GroupBy(l => l.ContractId))
        {
            var c = contracts[group.Key];
            var term = ContractTerms.NextDeadline(c.Terms, today);
            if (term is null || term.NoticeDeadline.DayNumber - today.DayNumber > options.TerminationWindowDays)
            {
                continue;
            }

            if (group.Any(l => consumption[(l.OrganisationId, l.ProductId, l.Metric)].Sum() > 0))
            {
                continue;
            }

            var org = organisations[c.OrganisationId];
            result.Add(new SuggestionCandidate($"{SuggestionTypes.TerminateContract}:{org.Ags}:{c.ContractKey}", SuggestionTypes.TerminateContract, null,
                $"Vertrag „{c.Title}“ kündigen ({org.Name})",
                $"Für die {N(group.Count())} Lizenz(en) aus diesem Vertrag mit {c.Vendor} gibt es keinen Verbrauch. Die Kündigung muss bis {term.NoticeDeadline.ToString("dd.MM.yyyy", De)} "
                + $"eingehen (noch {N(term.NoticeDeadline.DayNumber - today.DayNumber)} Tage), dann endet der Vertrag zum {term.End.ToString("dd.MM.yyyy", De)}. Einsparung: Jahreskosten {Money(c.AnnualCost)}.",
                c.AnnualCost, null, One(c.OrganisationId, c.AnnualCost), [("contract", c.Id)]));
        }
    }

    private static decimal LicenseCost(IEnumerable<FamilyLoader.LicenseRow> licenses) => licenses.Sum(l => l.Quantity * (l.AnnualCostPerUnit ?? 0));

    private static void Redundant(List<App> applications, List<FamilyLoader.LicenseRow> licenses, Dictionary<long, Org> organisations, List<SuggestionCandidate> result)
    {
        var byOrgProduct = licenses.ToLookup(l => (l.OrganisationId, l.ProductId));
        foreach (var group in applications.Where(a => a.SingleSystem && a.Lifecycle != "eliminate").GroupBy(a => (a.OrganisationId, a.CategoryKey)))
        {
            var apps = group.OrderByDescending(a => a.Users ?? 0).ThenBy(a => a.Id).ToList();
            if (apps.Count < 2)
            {
                continue;
            }

            var keep = apps[0];
            var retire = apps.Skip(1).ToList();
            var savings = retire.Sum(a => (a.AnnualOperatingCost ?? 0) + LicenseCost(byOrgProduct[(a.OrganisationId, a.ProductId)]));
            var org = organisations[group.Key.OrganisationId];
            result.Add(new SuggestionCandidate($"{SuggestionTypes.RedundantApplications}:{org.Ags}:{group.Key.CategoryKey}", SuggestionTypes.RedundantApplications, null,
                $"{N(apps.Count)} Systeme für {keep.CategoryName} ({org.Name})",
                $"{org.Name} betreibt für {keep.CategoryName}, wofür eine Organisation üblicherweise ein System braucht, {N(apps.Count)} Anwendungen: "
                + string.Join(", ", apps.Select(a => $"{a.Name} ({a.ProductName}, {N(a.Users ?? 0)} Nutzer)"))
                + $". Vorschlag: auf {keep.Name} (meiste Nutzer) konsolidieren. Einsparung: Betriebskosten und Lizenzkosten der übrigen = {Money(savings)} pro Jahr.",
                savings, null, One(org.Id, savings), apps.Select(a => ("application", a.Id)).ToList()));
        }
    }

    /// <summary>
    /// The operator organisation that already serves an organisation: the one operating most of its hostings for it
    /// (ties: the lower id); organisations that run everything themselves have none. Clusters group these first.
    /// </summary>
    private static Dictionary<long, long> ServedBy(List<Hosting> hostings) =>
        hostings.Select(h => h.Row).Where(h => h.OperatorKind != "self" && h.OperatorOrganisationId is not null)
            .GroupBy(h => h.OrganisationId)
            .ToDictionary(g => g.Key, g => g.GroupBy(h => h.OperatorOrganisationId!.Value).OrderByDescending(o => o.Count()).ThenBy(o => o.Key).First().Key);

    /// <summary>The clusters of those who qualify, leaving out who declined this type and product within the quiet period.</summary>
    private IReadOnlyList<IReadOnlyList<ClusterFormation.Member>> Clusters(string type, long? productId, IEnumerable<long> qualifying, Dictionary<long, Org> organisations,
        Dictionary<long, long> servedBy) =>
        ClusterFormation.Form(
            qualifying.Where(id => !_declined.Contains((type, productId, id)))
                .Select(id => organisations[id]).Select(o => new ClusterFormation.Member(o.Id, o.Ags, o.StateCode, servedBy.TryGetValue(o.Id, out var by) ? by : null)),
            options.MinParticipants, options.MaxParticipants, options.CrossState);

    /// <summary>"in Nordrhein-Westfalen", or nothing when clusters may cross Länder.</summary>
    private string InLand(string stateCode) => options.CrossState ? "" : " in " + Registry.States.Name(stateCode);

    /// <summary>The stable key of a cluster: type + product (or hosting kind) + lead, numbered when one lead leads several.</summary>
    private static string ClusterKey(string type, string subject, string leadAgs, Dictionary<string, int> used)
    {
        var key = $"{type}:{subject}:{leadAgs}";
        var n = used[key] = used.GetValueOrDefault(key) + 1;
        return n == 1 ? key : $"{key}:{n}";
    }

    private void JointProcurement(List<FamilyLoader.LicenseRow> licenses, Dictionary<long, Con> contracts, Dictionary<long, Org> organisations,
        Dictionary<long, long> servedBy, IDbConnection connection, List<SuggestionCandidate> result)
    {
        var names = connection.Query<(long Id, string Key, string Name)>("SELECT id, product_key, name FROM products").ToDictionary(p => p.Id);
        foreach (var group in licenses.Where(l => contracts[l.ContractId].Framework is null && organisations[l.OrganisationId].Shares).GroupBy(l => l.ProductId).OrderBy(g => g.Key))
        {
            var costs = group.GroupBy(l => l.OrganisationId).ToDictionary(g => g.Key, LicenseCost);
            var product = names[group.Key];
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var cluster in Clusters(SuggestionTypes.JointProcurement, group.Key, costs.Keys, organisations, servedBy))
            {
                var discount = options.DiscountFor(cluster.Count);
                var cost = cluster.Sum(m => costs[m.Id]);
                // The lead: the participant with the largest license volume (ties: AGS order).
                var lead = organisations[cluster.OrderByDescending(m => costs[m.Id]).ThenBy(m => m.Ags, StringComparer.Ordinal).First().Id];
                var contractCount = group.Where(l => cluster.Any(m => m.Id == l.OrganisationId)).Select(l => l.ContractId).Distinct().Count();
                result.Add(new SuggestionCandidate(ClusterKey(SuggestionTypes.JointProcurement, product.Key, lead.Ags, used), SuggestionTypes.JointProcurement, group.Key,
                    $"{product.Name} gemeinsam beschaffen ({N(cluster.Count)} Organisationen{InLand(lead.StateCode)}, federführend {lead.Name})",
                    $"{N(cluster.Count)} Organisationen mit Verbund-Freigabe{InLand(lead.StateCode)} halten Lizenzen für {product.Name} aus {N(contractCount)} getrennten Verträgen ohne Rahmenvertrag. "
                    + $"Jährliche Lizenzkosten zusammen {Money(cost)}; bei {N(cluster.Count)} Beteiligten sind {Percent(discount)} Rabatt üblich: Einsparung {Money(cost * discount)} pro Jahr, "
                    + $"für jede Organisation {Percent(discount)} ihrer eigenen Lizenzkosten. Federführend wäre {lead.Name} (größtes Lizenzvolumen).",
                    cost * discount, null,
                    cluster.Select(m => new SuggestionParty(m.Id, "participant", costs[m.Id], costs[m.Id] * discount)).ToList(), [("product", group.Key)],
                    new ClusterFigures(lead.StateCode, lead.Id, cost, discount * 100, null, null)));
            }
        }
    }

    internal static IReadOnlyList<string> FailedDvsCriteria(App a) =>
        Registry.DvsCriteria.Failed(a.Country, a.C5, a.Iso27001, a.Operation24x7, a.Georedundant);

    /// <summary>Savings, migration cost and payback of a cluster whose participants bring <paramref name="costs"/> (spec §6.3).</summary>
    private (decimal Share, decimal Savings, decimal Migration, decimal? PaybackMonths) SharedFigures(IReadOnlyCollection<decimal> costs)
    {
        var share = options.ShareFor(costs.Count);
        var savings = costs.Sum() * share;
        var migration = costs.Sum() * options.MigrationCostShare;
        return (share, savings, migration, savings > 0 ? Math.Round(migration / (savings / 12m), 1) : null);
    }

    private void SharedOperation(List<App> applications, Dictionary<long, Org> organisations, Dictionary<long, long> servedBy, List<SuggestionCandidate> result)
    {
        // EfA is for specialised applications; infrastructure moves with a shared data centre, office stays with each body.
        foreach (var group in applications.Where(a => a.CategoryKind == "fachverfahren").GroupBy(a => a.ProductId).OrderBy(g => g.Key))
        {
            var own = group.Where(a => a.OperatorKind == "self" && organisations[a.OrganisationId].Shares).ToList();
            var byOrganisation = own.GroupBy(a => a.OrganisationId).ToDictionary(g => g.Key, g => (Cost: g.Sum(a => a.AnnualOperatingCost ?? 0), Users: g.Sum(a => a.Users ?? 0), Apps: g.ToList()));
            // Operator candidates: who already runs the product on DVS-conformant hosting — public providers first, then counties, by users.
            var candidates = group
                .Where(a => FailedDvsCriteria(a).Count == 0)
                .Select(a => (Id: a.OperatorKind == "self" ? a.OrganisationId : a.OperatorId ?? a.OrganisationId, a.Users))
                .Where(c => organisations.TryGetValue(c.Id, out var candidate) && candidate.Shares)
                .GroupBy(c => c.Id)
                .Select(g => (Org: organisations[g.Key], Users: g.Sum(c => c.Users ?? 0)))
                .OrderBy(c => c.Org.Kind switch { "municipal_provider" => 0, "association" => 0, "county" => 1, "state_provider" => 2, _ => 3 })
                .ThenByDescending(c => c.Users)
                .ThenBy(c => c.Org.Ags, StringComparer.Ordinal)
                .ToList();
            var product = group.First();
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var cluster in Clusters(SuggestionTypes.SharedOperation, group.Key, byOrganisation.Keys, organisations, servedBy))
            {
                var land = organisations[cluster[0].Id].StateCode;
                var operators = candidates.Where(c => options.CrossState || c.Org.StateCode == land).Take(3).ToList();
                // Without an operator of the Land already running it, the participant with most users would run it for the others.
                var lead = operators.FirstOrDefault().Org
                           ?? organisations[cluster.OrderByDescending(m => byOrganisation[m.Id].Users).ThenBy(m => m.Ags, StringComparer.Ordinal).First().Id];
                var inHouse = lead.Kind is "county" or "association" or "municipal_provider";
                var award = operators.Count == 0
                    ? $"Noch betreibt niemand{InLand(land)} das Produkt DVS-konform; {lead.Name} (meiste Nutzer) könnte es für alle übernehmen, der Betrieb ist DVS-konform auszulegen."
                    : inHouse
                        ? $"Inhouse-Vergabe nach § 108 GWB an {lead.Name} möglich (öffentlicher Auftraggeber bzw. kommunaler Dienstleister)."
                        : $"{lead.Name} ist nicht inhousefähig: der Betrieb ist auszuschreiben.";
                var costs = cluster.Select(m => byOrganisation[m.Id].Cost).ToList();
                var (share, savings, migration, payback) = SharedFigures(costs);
                result.Add(new SuggestionCandidate(ClusterKey(SuggestionTypes.SharedOperation, product.ProductKey, lead.Ags, used), SuggestionTypes.SharedOperation, group.Key,
                    $"{product.ProductName}: gemeinsamer Betrieb durch {lead.Name} ({N(cluster.Count)} Organisationen{InLand(land)})",
                    $"{N(cluster.Count)} Organisationen mit Verbund-Freigabe{InLand(land)} betreiben {product.ProductName} jeweils selbst, Betriebskosten zusammen {Money(costs.Sum())} pro Jahr. "
                    + $"Ein Betreiber für {N(cluster.Count)} Beteiligte spart erfahrungsgemäß {Percent(share)} = {Money(savings)} pro Jahr; jede Organisation spart {Percent(share)} ihrer eigenen Betriebskosten. "
                    + $"Einmalige Umstellung {Money(migration)} ({Percent(options.MigrationCostShare)} der eigenen Jahreskosten je Beteiligtem)"
                    + (payback is { } months ? $", amortisiert nach {months.ToString("0.#", De)} Monaten. " : ". ")
                    + (operators.Count > 0 ? $"Betreiber-Kandidaten{InLand(land)}: {N(operators.Count)}, vorgeschlagen {lead.Name}. " : "")
                    + award,
                    savings, null,
                    cluster.Select(m => new SuggestionParty(m.Id, "participant", byOrganisation[m.Id].Cost, byOrganisation[m.Id].Cost * share, byOrganisation[m.Id].Users,
                            byOrganisation[m.Id].Cost * options.MigrationCostShare))
                        .Concat(operators.Where(c => cluster.All(m => m.Id != c.Org.Id)).Select(c => new SuggestionParty(c.Org.Id, "operator_candidate")))
                        .ToList(),
                    cluster.SelectMany(m => byOrganisation[m.Id].Apps).Select(a => ("application", a.Id)).ToList(),
                    new ClusterFigures(land, lead.Id, costs.Sum(), share * 100, migration, payback)));
            }
        }
    }

    /// <summary>
    /// Counties of one Land whose own data centre (self-operated, on premises) is not DVS-conformant move into a
    /// DVS-conformant municipal or state provider of their Land (spec §4): where infrastructure is consolidated.
    /// </summary>
    private void SharedDataCentre(List<Hosting> hostings, Dictionary<long, Org> organisations, Dictionary<long, long> servedBy, List<SuggestionCandidate> result)
    {
        var own = hostings
            .Where(h => h.Row.OperatorKind == "self" && h.Row.Model == "on_premises" && organisations[h.Row.OrganisationId] is { Kind: "county", Shares: true } && h.Failed.Count > 0)
            .GroupBy(h => h.Row.OrganisationId)
            .ToDictionary(g => g.Key, g => (Cost: g.Sum(h => h.Row.AnnualCost ?? 0), Users: g.Sum(h => h.Users), Hostings: g.ToList()));
        // Targets: public providers that operate DVS-conformant hosting, municipal ones first (in-house award), then by size.
        var targets = hostings
            .Where(h => h.Row.OperatorOrganisationId is { } op && organisations.TryGetValue(op, out var o) && o.Kind is "municipal_provider" or "state_provider" && h.Failed.Count == 0)
            .GroupBy(h => h.Row.OperatorOrganisationId!.Value)
            .Select(g => (Org: organisations[g.Key], Hostings: g.Count()))
            .OrderBy(t => t.Org.Kind == "municipal_provider" ? 0 : 1)
            .ThenByDescending(t => t.Hostings)
            .ThenBy(t => t.Org.Ags, StringComparer.Ordinal)
            .ToList();
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var cluster in Clusters(SuggestionTypes.SharedDataCentre, null, own.Keys, organisations, servedBy))
        {
            var land = organisations[cluster[0].Id].StateCode;
            if (targets.FirstOrDefault(t => options.CrossState || t.Org.StateCode == land).Org is not { } target)
            {
                continue;
            }

            var costs = cluster.Select(m => own[m.Id].Cost).ToList();
            var (share, savings, migration, payback) = SharedFigures(costs);
            var failed = cluster.SelectMany(m => own[m.Id].Hostings).SelectMany(h => h.Failed).GroupBy(f => f).OrderByDescending(f => f.Count()).ThenBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => $"{f.Key} ({N(f.Count())}×)");
            result.Add(new SuggestionCandidate(ClusterKey(SuggestionTypes.SharedDataCentre, "on_premises", target.Ags, used), SuggestionTypes.SharedDataCentre, null,
                $"Eigene Rechenzentren von {N(cluster.Count)} Landkreisen{InLand(land)} zu {target.Name} verlagern",
                $"{N(cluster.Count)} Landkreise mit Verbund-Freigabe{InLand(land)} betreiben {N(cluster.Sum(m => own[m.Id].Hostings.Count))} eigene Rechenzentren bzw. Serverräume, "
                + $"die nicht DVS-konform sind ({string.Join("; ", failed)}); Betriebskosten zusammen {Money(costs.Sum())} pro Jahr. "
                + $"{target.Name} betreibt DVS-konforme Rechenzentren{InLand(land)}. Ein gemeinsamer Betrieb dort spart bei {N(cluster.Count)} Beteiligten erfahrungsgemäß "
                + $"{Percent(share)} = {Money(savings)} pro Jahr; einmalige Umstellung {Money(migration)}" + (payback is { } months ? $", amortisiert nach {months.ToString("0.#", De)} Monaten." : ".")
                + (target.Kind == "municipal_provider" ? $" Inhouse-Vergabe nach § 108 GWB an {target.Name} möglich." : ""),
                savings, null,
                cluster.Select(m => new SuggestionParty(m.Id, "participant", own[m.Id].Cost, own[m.Id].Cost * share, own[m.Id].Users, own[m.Id].Cost * options.MigrationCostShare))
                    .Append(new SuggestionParty(target.Id, "operator_candidate"))
                    .ToList(),
                cluster.SelectMany(m => own[m.Id].Hostings).Select(h => ("hosting", h.Row.Id)).ToList(),
                new ClusterFigures(land, target.Id, costs.Sum(), share * 100, migration, payback)));
        }
    }

    /// <summary>One suggestion per hosting that is not DVS-conformant and carries an application that needs it to be.</summary>
    private static void HostingCompliance(List<App> applications, Dictionary<long, Org> organisations, List<SuggestionCandidate> result)
    {
        var needing = applications.Where(a => a.ProtectionNeed is "high" or "very_high" || a.Kritis || a.Operation24x7);
        foreach (var hosting in needing.GroupBy(a => a.HostingId).OrderBy(g => g.Key))
        {
            var apps = hosting.OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Id).ToList();
            // A 24x7 application adds georedundancy to what the hosting must meet.
            var failed = apps.SelectMany(FailedDvsCriteria).Distinct().ToList();
            if (failed.Count == 0)
            {
                continue;
            }

            var first = apps[0];
            var org = organisations[first.OrganisationId];
            var why = new List<string>();
            var high = apps.Count(a => a.ProtectionNeed is "high" or "very_high");
            if (high > 0) { why.Add($"{N(high)} mit hohem oder sehr hohem Schutzbedarf"); }
            var kritis = apps.Count(a => a.Kritis);
            if (kritis > 0) { why.Add($"{N(kritis)} KRITIS-relevant"); }
            var always = apps.Count(a => a.Operation24x7);
            if (always > 0) { why.Add($"{N(always)} im Betrieb rund um die Uhr"); }
            result.Add(new SuggestionCandidate($"{SuggestionTypes.HostingCompliance}:{org.Ags}:{first.HostingKey}", SuggestionTypes.HostingCompliance, null,
                $"„{first.HostingName}“: Betrieb nicht DVS-konform ({N(apps.Count)} Anwendungen, {org.Name})",
                $"Auf „{first.HostingName}“ laufen {N(apps.Count)} Anwendungen, die DVS-konformen Betrieb brauchen ({string.Join(", ", why)}). Nicht erfüllt: {string.Join("; ", failed)}. "
                + "Die Anwendungen stehen in der Liste unten.",
                null, null, One(org.Id, null), apps.Select(a => ("application", a.Id)).Prepend(("hosting", first.HostingId)).ToList()));
        }
    }

    private void MemberPooling(List<FamilyLoader.LicenseRow> licenses, Dictionary<long, Org> organisations, IDbConnection connection, List<SuggestionCandidate> result)
    {
        var names = connection.Query<(long Id, string Key, string Name)>("SELECT id, product_key, name FROM products").ToDictionary(p => p.Id);
        var countyCovers = licenses.Where(l => l.CoversMembers).Select(l => (l.OrganisationId, l.ProductId)).ToHashSet();
        var municipal = licenses.Where(l => organisations[l.OrganisationId] is { Kind: "municipality", ParentId: not null, Shares: true } m
                                            && organisations[m.ParentId!.Value].Shares)
            .GroupBy(l => (County: organisations[l.OrganisationId].ParentId!.Value, l.ProductId));
        foreach (var group in municipal)
        {
            var members = group.Select(l => l.OrganisationId).Distinct().OrderBy(id => organisations[id].Ags, StringComparer.Ordinal).ToList();
            if (members.Count < options.MinMunicipalitiesPooling || countyCovers.Contains((group.Key.County, group.Key.ProductId)))
            {
                continue;
            }

            var county = organisations[group.Key.County];
            var cost = LicenseCost(group);
            var discount = options.DiscountFor(members.Count);
            var product = names[group.Key.ProductId];
            result.Add(new SuggestionCandidate($"{SuggestionTypes.MemberPooling}:{county.Ags}:{product.Key}", SuggestionTypes.MemberPooling, group.Key.ProductId,
                $"{product.Name}: Lizenzen von {N(members.Count)} Gemeinden über {county.Name} bündeln",
                $"{N(members.Count)} kreisangehörige Gemeinden von {county.Name} halten eigene Lizenzen für {product.Name}; der Landkreis hat keine Lizenz, die seine Gemeinden mit abdeckt. "
                + $"Jährliche Lizenzkosten zusammen {Money(cost)}; mit einer Kreislizenz für alle ({(discount * 100).ToString("0.#", De)} % Rabatt bei {N(members.Count)} Beteiligten) "
                + $"sinken sie um {Money(cost * discount)} pro Jahr.",
                cost * discount, null,
                members.Select(id => new SuggestionParty(id, "participant", LicenseCost(group.Where(l => l.OrganisationId == id)), LicenseCost(group.Where(l => l.OrganisationId == id)) * discount))
                    .Append(new SuggestionParty(county.Id, "coordinator")).ToList(),
                [("product", group.Key.ProductId)]));
        }
    }

    internal sealed class Org
    {
        public long Id { get; init; }
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public long? ParentId { get; init; }
        public string StateCode { get; init; } = "";
        public bool Shares { get; init; }
    }

    /// <summary>A hosting as the registry reads it, and what the data centre rule needs besides: whether an application on it runs 24x7, its users.</summary>
    internal sealed record Hosting(Registry.HostingRow Row, bool Operation24x7, int Users)
    {
        public IReadOnlyList<string> Failed => Row.FailedDvsCriteria(Operation24x7);
    }

    private sealed class HostingUse
    {
        public bool Operation24x7 { get; init; }
        public int Users { get; init; }
    }

    private sealed class Pos
    {
        public long OrganisationId { get; init; }
        public string Ags { get; init; } = "";
        public string OrganisationName { get; init; } = "";
        public long ProductId { get; init; }
        public string ProductKey { get; init; } = "";
        public string ProductName { get; init; } = "";
        public string Metric { get; init; } = "";
        public long? Entitlement { get; init; }
        public long Consumption { get; init; }
        public string Status { get; init; } = "";
        public decimal? UnitPrice { get; init; }
        public decimal? AnnualCostPerUnit { get; init; }
        public decimal? RiskAmount { get; init; }
        public long Unused { get; init; }
        public long ActiveConsumption { get; init; }
    }

    private sealed class Con : ContractTermColumns
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string ContractKey { get; init; } = "";
        public string Title { get; init; } = "";
        public string Vendor { get; init; } = "";
        public decimal? AnnualCost { get; init; }
        public string? Framework { get; init; }
    }

    internal sealed class App
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string ApplicationKey { get; init; } = "";
        public string Name { get; init; } = "";
        public long ProductId { get; init; }
        public string ProductKey { get; init; } = "";
        public string ProductName { get; init; } = "";
        public string CategoryKey { get; init; } = "";
        public string CategoryName { get; init; } = "";
        public string CategoryKind { get; init; } = "";
        public bool SingleSystem { get; init; }
        public int? Users { get; init; }
        public string ProtectionNeed { get; init; } = "";
        public bool Kritis { get; init; }
        public bool Operation24x7 { get; init; }
        public string Lifecycle { get; init; } = "";
        public decimal? AnnualOperatingCost { get; init; }
        public long HostingId { get; init; }
        public string HostingKey { get; init; } = "";
        public string HostingName { get; init; } = "";
        public string OperatorKind { get; init; } = "";
        public long? OperatorId { get; init; }
        public string? Country { get; init; }
        public string C5 { get; init; } = "";
        public string Iso27001 { get; init; } = "";
        public bool Georedundant { get; init; }
    }
}
