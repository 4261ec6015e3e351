using Hangfire;
using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>Refreshes the suggestions after each finished reconciliation and nightly (reentrant: same input, same rows).</summary>
public sealed class SuggestionJobs(SuggestionService suggestions)
{
    public const string NightlyJobId = "suggestions-nightly";

    // Refreshes while one is asked for; a job that finds another refresh running returns at once (it covers this one too).
    [AutomaticRetry(Attempts = 3)]
    public Task Refresh() => suggestions.RefreshWhenRequestedAsync();

    /// <summary>The nightly schedule asks like a finished run does.</summary>
    [AutomaticRetry(Attempts = 3)]
    public Task Nightly()
    {
        suggestions.RequestRefresh();
        return suggestions.RefreshWhenRequestedAsync();
    }
}
