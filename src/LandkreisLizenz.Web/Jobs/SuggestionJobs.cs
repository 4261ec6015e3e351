using Hangfire;
using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>Refreshes the suggestions after each finished reconciliation and nightly (reentrant: same input, same rows).</summary>
public sealed class SuggestionJobs(SuggestionService suggestions)
{
    public const string NightlyJobId = "suggestions-nightly";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(600)]
    public Task Refresh() => suggestions.RefreshAsync();
}
