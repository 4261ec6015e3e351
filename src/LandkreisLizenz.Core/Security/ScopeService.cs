using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

/// <summary>Builds a <see cref="CallerScope"/> from the stored role grants (read per request, so a revoked grant ends at once).</summary>
public sealed class ScopeService(Database database)
{
    private const string UserSql = """
        SELECT id AS Id, user_name AS UserName FROM users WHERE id = @UserId AND is_active = 1
        """;

    private const string UserByNameSql = """
        SELECT id AS Id, user_name AS UserName FROM users WHERE user_name = @UserName AND is_active = 1
        """;

    private const string SessionUserSql = """
        SELECT id AS Id, user_name AS UserName FROM users WHERE id = @UserId AND is_active = 1 AND security_stamp = @Stamp
        """;

    /// <summary>
    /// The scope of a browser session: null when the user was deactivated or the session was ended on the server
    /// (logout, password or grant change rotate the security stamp, so every cookie issued before stops working).
    /// </summary>
    public Task<CallerScope?> ForSessionAsync(long userId, string? securityStamp) =>
        string.IsNullOrEmpty(securityStamp) ? Task.FromResult<CallerScope?>(null) : LoadAsync(SessionUserSql, new { UserId = userId, Stamp = securityStamp });

    private const string GrantsSql = """
        SELECT g.role AS Role, g.organisation_id AS OrganisationId, c.organisation_id AS CoveredId
        FROM role_grants g
        LEFT JOIN grant_coverage c ON c.grant_id = g.id
        WHERE g.user_id = @UserId
        ORDER BY g.role, g.organisation_id
        """;

    /// <returns>null when the user does not exist or is deactivated.</returns>
    public Task<CallerScope?> ForUserAsync(long userId) => LoadAsync(UserSql, new { UserId = userId });

    /// <summary>The command line acts as a named account (<c>import --as</c>); null when there is no active one of that name.</summary>
    public Task<CallerScope?> ForUserNameAsync(string userName) => LoadAsync(UserByNameSql, new { UserName = userName });

    private async Task<CallerScope?> LoadAsync(string userSql, object parameters)
    {
        using var connection = database.Open();
        var user = await connection.QuerySingleOrDefaultAsync<(long Id, string UserName)?>(userSql, parameters);
        if (user is null)
        {
            return null;
        }

        var rows = await connection.QueryAsync<(string Role, long? OrganisationId, long? CoveredId)>(GrantsSql, new { UserId = user.Value.Id });
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
