using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

/// <summary>Builds a <see cref="CallerScope"/> from the stored role grants (read per request, so a revoked grant ends at once).</summary>
public sealed class ScopeService(Database database)
{
    private const string UserSql = """
        SELECT id AS Id, user_name AS UserName FROM users WHERE id = @UserId AND is_active = 1
        """;

    private const string GrantsSql = """
        SELECT g.role AS Role, g.organisation_id AS OrganisationId, o.id AS CoveredId
        FROM role_grants g
        LEFT JOIN organisations o ON o.id = g.organisation_id OR o.parent_id = g.organisation_id
        WHERE g.user_id = @UserId
        ORDER BY g.role, g.organisation_id
        """;

    /// <returns>null when the user does not exist or is deactivated.</returns>
    public async Task<CallerScope?> ForUserAsync(long userId)
    {
        using var connection = database.Open();
        var user = await connection.QuerySingleOrDefaultAsync<(long Id, string UserName)?>(UserSql, new { UserId = userId });
        if (user is null)
        {
            return null;
        }

        var rows = await connection.QueryAsync<(string Role, long? OrganisationId, long? CoveredId)>(GrantsSql, new { UserId = userId });
        var grants = rows
            .GroupBy(r => (r.Role, r.OrganisationId))
            .Select(g => new RoleGrant(
                g.Key.Role,
                g.Key.OrganisationId,
                g.Key.OrganisationId is null ? new HashSet<long>() : g.Where(r => r.CoveredId is not null).Select(r => r.CoveredId!.Value).ToHashSet()))
            .ToList();
        return CallerScope.ForUser(user.Value.Id, user.Value.UserName, grants);
    }
}
