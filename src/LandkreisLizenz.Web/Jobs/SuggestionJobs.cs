using Hangfire;
using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>Refreshes the suggestions after each finished reconciliation and nightly (reentrant: same input, same rows).</summary>
public sealed class SuggestionJobs(SuggestionService suggestions)
{
    public const string NightlyJobId = "suggestions-nightly";

    // Two refreshes at the same time compute the same rows; the single write transaction serialises them.
    [AutomaticRetry(Attempts = 3)]
    public Task Refresh() => suggestions.RefreshAsync();
}
