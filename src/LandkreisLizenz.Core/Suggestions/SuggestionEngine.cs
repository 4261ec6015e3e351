using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Reconciliation;

namespace LandkreisLizenz.Core.Suggestions;

/// <summary>A suggestion as the engine derives it; <see cref="Key"/> is stable across runs (type + natural keys).</summary>
public sealed record SuggestionCandidate(
    string Key, string Type, long? ProductId, string Title, string Rationale, decimal? Savings, decimal? Risk,
    IReadOnlyList<(long OrganisationId, string Role)> Organisations, IReadOnlyList<(string Type, long Id)> Objects);

/// <summary>The eight rules of spec §4 over the latest positions and the registry. Reads the whole estate; writes nothing.</summary>
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
        SELECT id AS Id, ags AS Ags, name AS Name, kind AS Kind, parent_id AS ParentId, shares_for_consolidation AS Shares FROM organisations
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
               a.product_id AS ProductId, p.product_key AS ProductKey, p.name AS ProductName, c.category_key AS CategoryKey, c.name AS CategoryName,
               c.single_system AS SingleSystem, a.users AS Users, a.protection_need AS ProtectionNeed, a.kritis AS Kritis, a.operation_24x7 AS Operation24x7,
               a.lifecycle AS Lifecycle, a.annual_operating_cost AS AnnualOperatingCost, h.id AS HostingId, h.name AS HostingName,
               h.operator_kind AS OperatorKind, h.operator_organisation_id AS OperatorId, h.country AS Country, h.c5 AS C5, h.iso27001 AS Iso27001,
               h.georedundant AS Georedundant
        FROM applications a
        JOIN products p ON p.id = a.product_id
        JOIN categories c ON c.id = p.category_id
        JOIN hostings h ON h.id = a.hosting_id
        """;

    public List<SuggestionCandidate> Compute(IDbConnection connection)
    {
        var organisations = connection.Query<Org>(OrganisationsSql).ToDictionary(o => o.Id);
        var positions = connection.Query<Pos>(PositionsSql).ToList();
        var licenses = connection.Query<FamilyLoader.LicenseRow>(LicensesSql).Where(l => FamilyLoader.IsActive(l, today)).ToList();
        var contracts = connection.Query<Con>(ContractsSql).ToDictionary(c => c.Id);
        var applications = connection.Query<App>(ApplicationsSql).ToList();

        var result = new List<SuggestionCandidate>();
        RightSizeAndRisk(positions, result);
        Terminate(contracts, licenses, positions, organisations, result);
        Redundant(applications, licenses, organisations, result);
        JointProcurement(licenses, contracts, organisations, connection, result);
        SharedOperation(applications, organisations, result);
        HostingCompliance(applications, organisations, result);
        MemberPooling(licenses, organisations, connection, result);
        return result;
    }

    private static string Money(decimal? value) => value is { } v ? v.ToString("C", De) : "unbekannt";

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
                    savings, null, [(p.OrganisationId, "participant")], [("product", p.ProductId)]));
            }

            if (p.Status is PositionStatus.Shortfall or PositionStatus.Unlicensed)
            {
                var missing = p.Consumption - (p.Entitlement ?? 0);
                result.Add(new SuggestionCandidate($"{SuggestionTypes.ComplianceRisk}:{key}", SuggestionTypes.ComplianceRisk, p.ProductId,
                    $"{p.ProductName}: {N(missing)} Lizenzen fehlen ({p.OrganisationName})",
                    $"{p.OrganisationName} verbraucht {N(p.Consumption)} ({p.Metric}) von {p.ProductName}, lizenziert sind {N(p.Entitlement ?? 0)}. "
                    + $"Risiko bei einem Audit: {N(missing)} × {Money(p.UnitPrice)} = {Money(p.RiskAmount)}.",
                    null, p.RiskAmount, [(p.OrganisationId, "participant")], [("product", p.ProductId)]));
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
                c.AnnualCost, null, [(c.OrganisationId, "participant")], [("contract", c.Id)]));
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
                savings, null, [(org.Id, "participant")], apps.Select(a => ("application", a.Id)).ToList()));
        }
    }

    private void JointProcurement(List<FamilyLoader.LicenseRow> licenses, Dictionary<long, Con> contracts, Dictionary<long, Org> organisations, IDbConnection connection, List<SuggestionCandidate> result)
    {
        var names = connection.Query<(long Id, string Key, string Name)>("SELECT id, product_key, name FROM products").ToDictionary(p => p.Id);
        foreach (var group in licenses.Where(l => contracts[l.ContractId].Framework is null && organisations[l.OrganisationId].Shares).GroupBy(l => l.ProductId))
        {
            var orgs = group.Select(l => l.OrganisationId).Distinct().OrderBy(id => organisations[id].Ags, StringComparer.Ordinal).ToList();
            if (orgs.Count < options.MinOrganisationsJointProcurement)
            {
                continue;
            }

            var cost = LicenseCost(group);
            var discount = options.DiscountFor(orgs.Count);
            var product = names[group.Key];
            result.Add(new SuggestionCandidate($"{SuggestionTypes.JointProcurement}:{product.Key}", SuggestionTypes.JointProcurement, group.Key,
                $"{product.Name} gemeinsam beschaffen ({N(orgs.Count)} Organisationen)",
                $"{N(orgs.Count)} Organisationen mit Verbund-Freigabe halten Lizenzen für {product.Name} aus {N(group.Select(l => l.ContractId).Distinct().Count())} getrennten Verträgen ohne Rahmenvertrag: "
                + string.Join(", ", orgs.Select(id => organisations[id].Name)) + $". Jährliche Lizenzkosten zusammen {Money(cost)}; bei {N(orgs.Count)} Beteiligten sind {(discount * 100).ToString("0.#", De)} % Rabatt üblich: "
                + $"Einsparung {Money(cost * discount)} pro Jahr.",
                cost * discount, null, orgs.Select(id => (id, "participant")).ToList(), [("product", group.Key)]));
        }
    }

    internal static IReadOnlyList<string> FailedDvsCriteria(App a) =>
        Registry.DvsCriteria.Failed(a.Country, a.C5, a.Iso27001, a.Operation24x7, a.Georedundant);

    private void SharedOperation(List<App> applications, Dictionary<long, Org> organisations, List<SuggestionCandidate> result)
    {
        foreach (var group in applications.GroupBy(a => a.ProductId))
        {
            var own = group.Where(a => a.OperatorKind == "self" && organisations[a.OrganisationId].Shares).ToList();
            var orgs = own.Select(a => a.OrganisationId).Distinct().OrderBy(id => organisations[id].Ags, StringComparer.Ordinal).ToList();
            if (orgs.Count < options.MinOrganisationsSharedOperation)
            {
                continue;
            }

            var cost = own.Sum(a => a.AnnualOperatingCost ?? 0);
            var savings = cost * options.SharedOperationShare;
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
                .Take(5)
                .ToList();
            var top = candidates.FirstOrDefault().Org;
            var inHouse = top is not null && top.Kind is "county" or "association" or "municipal_provider";
            var award = top is null
                ? "Noch betreibt niemand das Produkt DVS-konform; ein Betreiber muss ausgeschrieben werden."
                : inHouse
                    ? $"Inhouse-Vergabe nach § 108 GWB an {top.Name} möglich (öffentlicher Auftraggeber bzw. kommunaler Dienstleister)."
                    : $"{top.Name} ist privat bzw. nicht inhousefähig: der Betrieb ist auszuschreiben.";
            var product = own[0];
            result.Add(new SuggestionCandidate($"{SuggestionTypes.SharedOperation}:{product.ProductKey}", SuggestionTypes.SharedOperation, group.Key,
                $"{product.ProductName} einmal für {N(orgs.Count)} Organisationen betreiben (EfA)",
                $"{N(orgs.Count)} Organisationen mit Verbund-Freigabe betreiben {product.ProductName} jeweils selbst: " + string.Join(", ", orgs.Select(id => organisations[id].Name))
                + $". Betriebskosten zusammen {Money(cost)} pro Jahr; ein Betreiber für alle spart erfahrungsgemäß {(options.SharedOperationShare * 100).ToString("0", De)} % = {Money(savings)}. "
                + (candidates.Count > 0 ? "Betreiber-Kandidaten (Rangfolge): " + string.Join(", ", candidates.Select((c, i) => $"{i + 1}. {c.Org.Name}")) + ". " : "")
                + award,
                savings, null,
                orgs.Select(id => (id, "participant")).Concat(candidates.Where(c => !orgs.Contains(c.Org.Id)).Select(c => (c.Org.Id, "operator_candidate"))).ToList(),
                own.Select(a => ("application", a.Id)).ToList()));
        }
    }

    private static void HostingCompliance(List<App> applications, Dictionary<long, Org> organisations, List<SuggestionCandidate> result)
    {
        foreach (var a in applications.Where(a => a.ProtectionNeed is "high" or "very_high" || a.Kritis || a.Operation24x7))
        {
            var failed = FailedDvsCriteria(a);
            if (failed.Count == 0)
            {
                continue;
            }

            var org = organisations[a.OrganisationId];
            var why = new List<string>();
            if (a.ProtectionNeed is "high" or "very_high") { why.Add(a.ProtectionNeed == "high" ? "hoher Schutzbedarf" : "sehr hoher Schutzbedarf"); }
            if (a.Kritis) { why.Add("KRITIS-relevant"); }
            if (a.Operation24x7) { why.Add("Betrieb rund um die Uhr"); }
            result.Add(new SuggestionCandidate($"{SuggestionTypes.HostingCompliance}:{org.Ags}:{a.ApplicationKey}", SuggestionTypes.HostingCompliance, a.ProductId,
                $"{a.Name}: Betrieb nicht DVS-konform ({org.Name})",
                $"{a.Name} ({string.Join(", ", why)}) läuft auf „{a.HostingName}“. Nicht erfüllt: {string.Join("; ", failed)}.",
                null, null, [(org.Id, "participant")], [("application", a.Id), ("hosting", a.HostingId)]));
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
                $"{N(members.Count)} kreisangehörige Gemeinden von {county.Name} halten eigene Lizenzen für {product.Name} ("
                + string.Join(", ", members.Select(id => organisations[id].Name)) + $"); der Landkreis hat keine Lizenz, die seine Gemeinden mit abdeckt. "
                + $"Jährliche Lizenzkosten zusammen {Money(cost)}; mit einer Kreislizenz für alle ({(discount * 100).ToString("0.#", De)} % Rabatt bei {N(members.Count)} Beteiligten) "
                + $"sinken sie um {Money(cost * discount)} pro Jahr.",
                cost * discount, null,
                members.Select(id => (id, "participant")).Append((county.Id, "coordinator")).ToList(), [("product", group.Key.ProductId)]));
        }
    }

    internal sealed class Org
    {
        public long Id { get; init; }
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public long? ParentId { get; init; }
        public bool Shares { get; init; }
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
        public bool SingleSystem { get; init; }
        public int? Users { get; init; }
        public string ProtectionNeed { get; init; } = "";
        public bool Kritis { get; init; }
        public bool Operation24x7 { get; init; }
        public string Lifecycle { get; init; } = "";
        public decimal? AnnualOperatingCost { get; init; }
        public long HostingId { get; init; }
        public string HostingName { get; init; } = "";
        public string OperatorKind { get; init; } = "";
        public long? OperatorId { get; init; }
        public string? Country { get; init; }
        public string C5 { get; init; } = "";
        public string Iso27001 { get; init; } = "";
        public bool Georedundant { get; init; }
    }
}
