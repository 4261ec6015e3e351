namespace LandkreisLizenz.Core.Suggestions;

public sealed class DiscountStep
{
    public int MinOrganisations { get; set; }
    public decimal Percent { get; set; }
}

/// <summary>The numbers behind the suggestions (spec §4), as configuration rather than literals in code.</summary>
public sealed class SuggestionOptions
{
    public const string SectionName = "Suggestions";

    /// <summary>Volume discount by number of organisations buying together: 2 → 5 %, 3–9 → 10 %, 10–24 → 15 %, ≥ 25 → 20 %.</summary>
    public List<DiscountStep> Discounts { get; set; } =
    [
        new() { MinOrganisations = 2, Percent = 5 },
        new() { MinOrganisations = 3, Percent = 10 },
        new() { MinOrganisations = 10, Percent = 15 },
        new() { MinOrganisations = 25, Percent = 20 },
    ];

    /// <summary>
    /// Share of the participants' summed annual operating (or hosting) cost that one operator for the cluster saves, by
    /// cluster size (spec §6.3): 3–4 → 25 %, 5–7 → 35 %, ≥ 8 → 40 %.
    /// </summary>
    public List<DiscountStep> SharedShares { get; set; } =
    [
        new() { MinOrganisations = 3, Percent = 25 },
        new() { MinOrganisations = 5, Percent = 35 },
        new() { MinOrganisations = 8, Percent = 40 },
    ];

    /// <summary>One-off migration cost of a participant, as a share of its own annual cost for what moves.</summary>
    public decimal MigrationCostShare { get; set; } = 0.5m;

    /// <summary>Clusters stay within one Land (municipal cooperation is state law) unless this is set.</summary>
    public bool CrossState { get; set; }

    /// <summary>Fewest participants of a cluster (joint procurement, shared operation, shared data centre).</summary>
    public int MinParticipants { get; set; } = 3;

    /// <summary>Most participants of a cluster; where more qualify, a Land yields several clusters.</summary>
    public int MaxParticipants { get; set; } = 8;

    /// <summary>Days ahead in which a notice deadline makes an unused contract a termination candidate.</summary>
    public int TerminationWindowDays { get; set; } = 180;

    public int MinMunicipalitiesPooling { get; set; } = 2;

    /// <summary>An organisation that declined a cluster is not proposed again for that type and product for this long.</summary>
    public int DeclineQuietMonths { get; set; } = 12;

    public decimal ShareFor(int participants) => Step(SharedShares, participants);

    public decimal DiscountFor(int organisations) => Step(Discounts, organisations);

    private static decimal Step(IEnumerable<DiscountStep> steps, int organisations) =>
        steps.Where(d => organisations >= d.MinOrganisations).OrderByDescending(d => d.MinOrganisations).Select(d => d.Percent / 100m).FirstOrDefault();
}

public static class SuggestionTypes
{
    public const string RightSize = "right_size";
    public const string ComplianceRisk = "compliance_risk";
    public const string TerminateContract = "terminate_contract";
    public const string RedundantApplications = "redundant_applications";
    public const string JointProcurement = "joint_procurement";
    public const string SharedOperation = "shared_operation";
    public const string HostingCompliance = "hosting_compliance";
    public const string MemberPooling = "member_pooling";
    public const string SharedDataCentre = "shared_data_centre";

    public static readonly IReadOnlyList<string> All =
        [RightSize, ComplianceRisk, TerminateContract, RedundantApplications, JointProcurement, SharedOperation, HostingCompliance, MemberPooling, SharedDataCentre];

    /// <summary>The types that propose a cluster of several organisations (spec §6.2).</summary>
    public static readonly IReadOnlySet<string> Clusters = new HashSet<string>(StringComparer.Ordinal) { JointProcurement, SharedOperation, SharedDataCentre };

    /// <summary><see cref="Clusters"/> as an SQL list, for the statements that tell clusters from single suggestions.</summary>
    public const string ClustersSql = $"('{JointProcurement}', '{SharedOperation}', '{SharedDataCentre}')";

    public static string GermanName(string type) => type switch
    {
        RightSize => "Lizenzen anpassen",
        ComplianceRisk => "Compliance-Risiko",
        TerminateContract => "Vertrag kündigen",
        RedundantApplications => "Doppelte Anwendungen",
        JointProcurement => "Gemeinsame Beschaffung",
        SharedOperation => "EfA-Betrieb (Einer für Alle)",
        HostingCompliance => "Betrieb nicht DVS-konform",
        MemberPooling => "Lizenzen der Gemeinden bündeln",
        SharedDataCentre => "Gemeinsames Rechenzentrum",
        _ => type,
    };
}

public static class SuggestionStatus
{
    public const string New = "new";
    public const string InReview = "in_review";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Implemented = "implemented";
    public const string Obsolete = "obsolete";

    public static readonly IReadOnlyList<string> Decisions = [InReview, Accepted, Rejected, Implemented];

    public static readonly IReadOnlyList<string> All = [New, InReview, Accepted, Rejected, Implemented, Obsolete];

    public static string GermanName(string status) => status switch
    {
        New => "neu",
        InReview => "in Prüfung",
        Accepted => "angenommen",
        Rejected => "abgelehnt",
        Implemented => "umgesetzt",
        Obsolete => "erledigt (Bedingung entfallen)",
        _ => status,
    };
}
