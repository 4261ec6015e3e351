using Dapper;
using LandkreisLizenz.Core.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LandkreisLizenz.Web.Hosting;

/// <summary>
/// Degraded when no reconciliation has finished for 36 hours (the nightly job did not run, e.g. because no node has
/// its Hangfire server switched on) — the figures on every page are then getting old. Monitoring alerts on it.
/// </summary>
public sealed class ReconciliationHealthCheck(Database database, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(36);

    private const string LastFinishedSql = "SELECT MAX(finished_at) FROM reconciliation_runs WHERE status = 'succeeded'";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var connection = database.Open();
        var last = await connection.ExecuteScalarAsync<DateTime?>(LastFinishedSql);
        if (last is null)
        {
            return HealthCheckResult.Degraded("no reconciliation has finished yet");
        }

        var age = clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(last.Value, DateTimeKind.Utc);
        return age > MaxAge
            ? HealthCheckResult.Degraded($"last reconciliation finished {age.TotalHours:0} h ago")
            : HealthCheckResult.Healthy($"last reconciliation finished {age.TotalHours:0.0} h ago");
    }
}
