using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

/// <summary>
/// A user as the identity provider describes them after an OpenID Connect login: a stable subject, names, and
/// grants already mapped to this application's roles, with organisations named by AGS.
/// </summary>
public sealed record ExternalIdentity(string Subject, string UserName, string DisplayName, string? Email, IReadOnlyList<(string Role, string? Ags)> Grants);

/// <summary>
/// Single sign-on accounts: created on the first login and matched by the provider's subject afterwards; the provider
/// is the source of truth for roles, so the grants are replaced at every login. Local accounts (with a password) are
/// never taken over by an external login of the same name.
/// </summary>
public sealed class ExternalSignIn(Database database, TimeProvider clock, AuditLog audit)
{
    private const string BySubjectSql = "SELECT id AS Id, display_name AS DisplayName, security_stamp AS SecurityStamp, is_active AS IsActive FROM users WHERE external_subject = @Subject";

    private const string NameTakenSql = "SELECT COUNT(*) FROM users WHERE user_name = @UserName";

    private const string InsertSql = """
        INSERT INTO users (user_name, display_name, email, password_hash, external_subject, is_active, failed_attempts, security_stamp, created_at)
        VALUES (@UserName, @DisplayName, @Email, NULL, @Subject, 1, 0, @SecurityStamp, @Now)
        """;

    private const string UpdateSql = "UPDATE users SET display_name = @DisplayName, email = @Email, last_login_at = @Now, security_stamp = @SecurityStamp WHERE id = @Id";

    private const string GrantsSql = "SELECT role AS Role, organisation_id AS OrganisationId FROM role_grants WHERE user_id = @Id";

    private const string OrganisationsSql = "SELECT id AS Id, ags AS Ags FROM organisations WHERE ags IN @Ags";

    private const string DeleteGrantsSql = "DELETE FROM role_grants WHERE user_id = @Id";

    private const string InsertGrantSql = "INSERT INTO role_grants (user_id, role, organisation_id, created_at) VALUES (@UserId, @Role, @OrganisationId, @Now)";

    private static readonly HashSet<string> GlobalRoles = [Roles.Admin, Roles.VerbundAnalyst];

    private static readonly HashSet<string> OrganisationRoles = [Roles.Cio, Roles.LicenseManager, Roles.Reader];

    /// <returns>The signed-in user, or a German reason why the login is refused.</returns>
    public async Task<(SignInResult Result, string? Refusal)> SignInAsync(ExternalIdentity identity, string? remoteAddress)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        var ags = identity.Grants.Where(g => g.Ags is not null).Select(g => g.Ags!).Distinct().ToArray();
        var organisations = (await connection.QueryAsync<(long Id, string Ags)>(OrganisationsSql, new { Ags = ags.Length == 0 ? [""] : ags }))
            .ToDictionary(o => o.Ags, o => o.Id, StringComparer.Ordinal);
        var grants = identity.Grants
            .Select(g => GlobalRoles.Contains(g.Role) ? (g.Role, (long?)null)
                : OrganisationRoles.Contains(g.Role) && g.Ags is not null && organisations.TryGetValue(g.Ags, out var id) ? (g.Role, id)
                : (Role: "", (long?)null))
            .Where(g => g.Role.Length > 0)
            .Distinct()
            .ToList();
        if (grants.Count == 0)
        {
            await audit.WriteAsync(null, new AuditEntry(AuditActions.LoginFailed, "user", identity.UserName, RemoteAddress: remoteAddress), identity.UserName);
            return (new SignInResult(SignInOutcome.Failed), "Ihr Konto beim Identitätsanbieter hat keine Rolle in LandkreisLizenz (oder keine bekannte Organisation). Bitte wenden Sie sich an Ihre Administration.");
        }

        using var transaction = connection.BeginTransaction();
        var user = await connection.QuerySingleOrDefaultAsync<(long Id, string DisplayName, string SecurityStamp, bool IsActive)?>(BySubjectSql, new { identity.Subject }, transaction);
        long userId;
        string stamp;
        if (user is { } existing)
        {
            if (!existing.IsActive)
            {
                transaction.Rollback();
                await audit.AccountEventAsync(existing.Id, identity.UserName, new AuditEntry(AuditActions.LoginFailed, "user", identity.UserName, RemoteAddress: remoteAddress));
                return (new SignInResult(SignInOutcome.Failed), "Das Konto ist deaktiviert.");
            }

            userId = existing.Id;
            var before = (await connection.QueryAsync<(string Role, long? OrganisationId)>(GrantsSql, new { Id = userId }, transaction)).ToHashSet();
            // Changed grants end the sessions issued under the old ones.
            stamp = before.SetEquals(grants) ? existing.SecurityStamp : AccountService.NewSecurityStamp();
            await connection.ExecuteAsync(UpdateSql, new { Id = userId, identity.DisplayName, identity.Email, Now = now, SecurityStamp = stamp }, transaction);
        }
        else
        {
            // A local account of the same name stays the local one; the SSO account gets a distinguishable name.
            var userName = await connection.ExecuteScalarAsync<int>(NameTakenSql, new { identity.UserName }, transaction) == 0 ? identity.UserName : identity.UserName + " (SSO)";
            stamp = AccountService.NewSecurityStamp();
            userId = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertSql),
                new { UserName = userName, identity.DisplayName, identity.Email, identity.Subject, SecurityStamp = stamp, Now = now }, transaction);
        }

        await connection.ExecuteAsync(DeleteGrantsSql, new { Id = userId }, transaction);
        foreach (var (role, organisationId) in grants)
        {
            await connection.ExecuteAsync(InsertGrantSql, new { UserId = userId, Role = role, OrganisationId = organisationId, Now = now }, transaction);
        }

        transaction.Commit();
        await audit.AccountEventAsync(userId, identity.UserName,
            new AuditEntry(AuditActions.LoginSucceeded, "user", identity.UserName, RemoteAddress: remoteAddress, After: new { sso = identity.Subject, grants = grants.Select(g => g.Role) }));
        return (new SignInResult(SignInOutcome.Succeeded, userId, identity.DisplayName, stamp), null);
    }
}
