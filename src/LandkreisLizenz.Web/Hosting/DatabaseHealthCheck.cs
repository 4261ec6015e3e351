using Dapper;
using LandkreisLizenz.Core.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LandkreisLizenz.Web.Hosting;

public sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    private const string ProbeSql = "SELECT COUNT(*) FROM organisations";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = database.Open();
            var organisations = await connection.ExecuteScalarAsync<long>(ProbeSql);
            return HealthCheckResult.Healthy($"{organisations} organisations");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("database unreachable", ex);
        }
    }
}
