using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Models;

public sealed record PickOrganisationModel(RegistryPage Page, string? Search, string Title = "Lizenzabgleich", string Target = "/lizenzabgleich/{0}", string Action = "/lizenzabgleich");

public sealed record BalanceModel(
    RegistryRecord Organisation,
    IReadOnlyList<PositionView> Positions,
    PositionTotals Totals,
    RunSummary? LatestRun,
    PositionFilter Filter,
    IReadOnlyList<(string Key, string Name)> Categories,
    bool CanStartRun)
{
    public string Name => (string)Organisation.Values["name"]!;
}

public sealed record PositionDetailModel(PositionDetail Detail, int Page)
{
    public const int PageSize = 50;

    public IReadOnlyList<Consumer> PageOfConsumers => Detail.Consumers.Skip((Page - 1) * PageSize).Take(PageSize).ToList();

    public int PageCount => Math.Max(1, (Detail.Consumers.Count + PageSize - 1) / PageSize);
}

public sealed record RunModel(RunSummary Run, long OrganisationId)
{
    public static string GermanStatus(string status) => status switch
    {
        "running" => "läuft",
        "succeeded" => "abgeschlossen",
        "failed" => "abgebrochen",
        _ => status,
    };
}

public sealed record DeadlinesModel(IReadOnlyList<LandkreisLizenz.Core.Contracts.Deadline> Deadlines, DateOnly Today, string Sort);

public sealed record SuggestionsModel(LandkreisLizenz.Core.Suggestions.SuggestionPage Result, LandkreisLizenz.Core.Suggestions.SuggestionFilter Filter);

/// <param name="Decidable">For a cluster: the participants the caller decides for (spec §6.4).</param>
/// <param name="CanMarkImplemented">A Verbund analyst or admin looking at an agreed cluster.</param>
public sealed record SuggestionDetailModel(
    LandkreisLizenz.Core.Suggestions.SuggestionDetail Suggestion, bool CanDecide, string? Message, string? Error, (string? Status, string? Reason)? Posted,
    IReadOnlyList<LandkreisLizenz.Core.Suggestions.SuggestionParticipant> Decidable, bool CanMarkImplemented, long? PostedOrganisation = null,
    LandkreisLizenz.Core.Suggestions.CostAllocationResult? Allocation = null);

public sealed record LicenseManagerOverviewModel(
    IReadOnlyList<LandkreisLizenz.Core.Reconciliation.PositionView> OpenShortfalls,
    IReadOnlyList<LandkreisLizenz.Core.Suggestions.SuggestionListItem> RightSizing,
    IReadOnlyList<LandkreisLizenz.Core.Recognition.UnrecognisedSoftware> Unrecognised,
    IReadOnlyList<LandkreisLizenz.Core.Imports.ImportBatch> Imports,
    IReadOnlyList<LandkreisLizenz.Core.Contracts.Deadline> Deadlines,
    DateOnly Today);

public sealed record VerbundModel(
    LandkreisLizenz.Core.Dashboards.VerbundDashboard Dashboard,
    IReadOnlyList<LandkreisLizenz.Core.Suggestions.SuggestionListItem> SharedOperation,
    IReadOnlyList<LandkreisLizenz.Core.Suggestions.SuggestionListItem> JointProcurement,
    long? SelectedCounty);

public sealed record ApiTokensModel(IReadOnlyList<LandkreisLizenz.Core.Security.ApiToken> Tokens, string? NewToken, string? Message, IReadOnlyList<(long Id, string Name)> Organisations, bool IsAdmin);

public sealed record MeasuresModel(LandkreisLizenz.Core.Suggestions.MeasurePlan Plan, string? Status, DateOnly Today, string? Message);

/// <param name="Posted">What the form sent, shown again with <paramref name="Errors"/>.</param>
public sealed record MeasureEditModel(
    LandkreisLizenz.Core.Suggestions.Measure Measure, bool CanEdit, LandkreisLizenz.Core.Suggestions.MeasureChange? Posted, IReadOnlyDictionary<string, string> Errors);

/// <summary>The German URL names of the cost allocation keys (<c>?schluessel=einwohner</c>), both ways, in one place.</summary>
public static class AllocationKeyParameter
{
    private static readonly Dictionary<string, string> ByKey = new(StringComparer.Ordinal)
    {
        [LandkreisLizenz.Core.Suggestions.AllocationKeys.Users] = "nutzer",
        [LandkreisLizenz.Core.Suggestions.AllocationKeys.Inhabitants] = "einwohner",
        [LandkreisLizenz.Core.Suggestions.AllocationKeys.Equal] = "gleich",
        [LandkreisLizenz.Core.Suggestions.AllocationKeys.Mixed] = "gemischt",
    };

    public static string For(string key) => ByKey.GetValueOrDefault(key, "nutzer");

    /// <summary>The key a URL names; users (the default) for anything else.</summary>
    public static string KeyOf(string? parameter) =>
        ByKey.FirstOrDefault(k => k.Value == parameter).Key ?? LandkreisLizenz.Core.Suggestions.AllocationKeys.Users;
}
