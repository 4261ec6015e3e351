using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

public sealed record UserListItem(string UserName, string DisplayName, bool IsActive, string Grants);

/// <summary>
/// Accounts of a real installation, kept by the operators on the command line (issue 14): add one with a role (and
/// the organisation it holds it on), list them, disable one — which ends its sessions at once. The command line acts
/// for the whole installation; every change is audited.
/// </summary>
public sealed class UserAdministration(Database database, TimeProvider clock, AuditLog audit)
{
    /// <summary>Roles held on an organisation; the others (admin, Verbund analyst) are held on the whole installation.</summary>
    public static readonly IReadOnlySet<string> OrganisationRoles = new HashSet<string>(StringComparer.Ordinal) { Roles.Cio, Roles.LicenseManager, Roles.Reader };

    private const string ListSql = """
        SELECT u.user_name AS UserName, u.display_name AS DisplayName, u.is_active AS IsActive, g.role AS Role, o.ags AS Ags
        FROM users u LEFT JOIN role_grants g ON g.user_id = u.id LEFT JOIN organisations o ON o.id = g.organisation_id
        ORDER BY u.user_name, g.role, o.ags
        """;

    private const string DisableSql = "UPDATE users SET is_active = 0, security_stamp = @Stamp WHERE user_name = @UserName AND is_active = 1";

    /// <summary>Adds an account; refused with a German reason naming what is wrong (the page's rules, AccountManagement).</summary>
    public async Task AddAsync(CallerScope scope, string userName, string role, string? organisationAgs, string password)
    {
        EnsureSystem(scope);
        var name = AccountManagement.ValidUserName(userName);
        if (password.Length < AccountService.MinPasswordLength)
        {
            throw new ArgumentException($"Passwort: mindestens {AccountService.MinPasswordLength} Zeichen (eine Zeile auf der Standardeingabe).");
        }

        using var connection = database.Open();
        var organisation = await AccountManagement.GrantTargetAsync(connection, scope, role, organisationAgs);
        await AccountManagement.EnsureFreeAsync(connection, name);
        AccountService.CreateUser(connection, null, database.Dialect, new NewUser(name, name, null, password, [(role, organisation)]), clock.GetUtcNow().UtcDateTime);
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Create, "user", name, organisation, After: new { Role = role, Organisation = organisationAgs }));
    }

    public async Task<IReadOnlyList<UserListItem>> ListAsync(CallerScope scope)
    {
        EnsureSystem(scope);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<(string UserName, string DisplayName, bool IsActive, string? Role, string? Ags)>(ListSql);
        return rows.GroupBy(r => (r.UserName, r.DisplayName, r.IsActive))
            .Select(g => new UserListItem(g.Key.UserName, g.Key.DisplayName, g.Key.IsActive,
                string.Join(", ", g.Where(r => r.Role is not null).Select(r => r.Ags is null ? r.Role! : $"{r.Role} {r.Ags}"))))
            .ToList();
    }

    /// <summary>Disables an account; a new security stamp ends all its sessions on the next request.</summary>
    public async Task DisableAsync(CallerScope scope, string userName)
    {
        EnsureSystem(scope);
        using var connection = database.Open();
        if (await connection.ExecuteAsync(DisableSql, new { UserName = userName.Trim(), Stamp = AccountService.NewSecurityStamp() }) == 0)
        {
            throw new ArgumentException($"--user: kein aktives Konto „{userName}“.");
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "user", userName.Trim(), After: new { IsActive = false }));
    }

    private static void EnsureSystem(CallerScope scope)
    {
        if (!scope.IsSystem)
        {
            throw new AccessDeniedException("Konten verwaltet die Kommandozeile des Betriebs.");
        }
    }
}
