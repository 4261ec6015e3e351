using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

public sealed record AccountGrant(long Id, string Role, long? OrganisationId, string? Ags, string? OrganisationName);

/// <param name="MayManage">Whether the caller may change this account (an admin any, a CIO those held only within the county).</param>
public sealed record Account(long Id, string UserName, string DisplayName, string? Email, bool IsActive, DateTime? LastLoginAt, bool SingleSignOn,
    IReadOnlyList<AccountGrant> Grants, bool MayManage);

/// <summary>
/// The user management of the web app (issue 14): admins keep every account; a county CIO keeps the accounts held within
/// the county (its own organisation and its municipalities) and grants only the county roles there. Passwords are never
/// chosen or seen by whoever manages an account: a new account and a reset get a one-time initial password, shown once.
/// Every change is audited and rotates the account's security stamp, so its sessions end at once.
/// </summary>
public sealed class AccountManagement(Database database, TimeProvider clock, AuditLog audit)
{
    private const string AccountsSql = """
        SELECT u.id AS Id, u.user_name AS UserName, u.display_name AS DisplayName, u.email AS Email, u.is_active AS IsActive,
               u.last_login_at AS LastLoginAt, CASE WHEN u.external_subject IS NULL THEN 0 ELSE 1 END AS SingleSignOn
        FROM users u
        WHERE (@Everyone = 1 OR EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND {scope:role=cio:g.organisation_id}))
          AND (@Id IS NULL OR u.id = @Id)
        ORDER BY u.user_name
        """;

    private const string GrantsSql = """
        SELECT g.id AS Id, g.user_id AS UserId, g.role AS Role, g.organisation_id AS OrganisationId, o.ags AS Ags, o.name AS OrganisationName
        FROM role_grants g LEFT JOIN organisations o ON o.id = g.organisation_id
        WHERE g.user_id IN @Ids
        ORDER BY g.role, o.ags
        """;

    private const string OrganisationByAgsSql = "SELECT id FROM organisations WHERE ags = @Ags";

    private const string ExistsSql = "SELECT COUNT(*) FROM users WHERE lower(user_name) = lower(@UserName)";

    private const string SetActiveSql = "UPDATE users SET is_active = @Active, security_stamp = @Stamp WHERE id = @Id";

    /// <summary>A reset password is an initial one: it only lets the person choose their own.</summary>
    private const string SetPasswordSql = """
        UPDATE users SET password_hash = @Hash, must_change_password = 1, failed_attempts = 0, lockout_end = NULL, security_stamp = @Stamp WHERE id = @Id
        """;

    private const string InitialSql = "UPDATE users SET must_change_password = 1 WHERE id = @Id";

    private const string RotateSql = "UPDATE users SET security_stamp = @Stamp WHERE id = @Id";

    private const string InsertGrantSql = "INSERT INTO role_grants (user_id, role, organisation_id, created_at) VALUES (@UserId, @Role, @OrganisationId, @Now)";

    private const string DeleteGrantSql = "DELETE FROM role_grants WHERE id = @GrantId AND user_id = @UserId";

    private const string ActiveAdminsSql = """
        SELECT COUNT(DISTINCT u.id) FROM users u JOIN role_grants g ON g.user_id = u.id
        WHERE g.role = 'admin' AND u.is_active = 1 AND u.id <> @Id
        """;

    /// <summary>Who may open the user management at all.</summary>
    public static bool MayAdminister(CallerScope scope) => !scope.ReadOnly && (scope.IsAdmin || scope.HasRole(Roles.Cio));

    /// <summary>Whether the caller may give <paramref name="role"/> on <paramref name="organisationId"/>.</summary>
    public static bool MayGrant(CallerScope scope, string role, long? organisationId) =>
        scope.IsAdmin || (UserAdministration.OrganisationRoles.Contains(role) && organisationId is { } o && scope.HoldsRoleFor(Roles.Cio, o));

    private static bool MayManage(CallerScope scope, IReadOnlyList<AccountGrant> grants) =>
        scope.IsAdmin || (grants.Count > 0 && grants.All(g => MayGrant(scope, g.Role, g.OrganisationId)));

    /// <summary>The accounts the caller may see: all for an admin, for a CIO those holding a role within the county.</summary>
    public Task<IReadOnlyList<Account>> AccountsAsync(CallerScope scope) => AccountsAsync(scope, null);

    /// <param name="id">One account (a change needs only the one it changes, not the installation's thousands); null: all.</param>
    private async Task<IReadOnlyList<Account>> AccountsAsync(CallerScope scope, long? id)
    {
        EnsureMayAdminister(scope);
        await using var connection = database.Open();
        var users = (await connection.QueryScopedAsync<(long Id, string UserName, string DisplayName, string? Email, bool IsActive, DateTime? LastLoginAt, bool SingleSignOn)>(
            scope, AccountsSql, new { Everyone = scope.IsAdmin, Id = id })).ToList();
        var grants = new List<(long UserId, AccountGrant Grant)>();
        foreach (var chunk in users.Select(u => u.Id).Chunk(1000))
        {
            grants.AddRange((await connection.QueryAsync<(long Id, long UserId, string Role, long? OrganisationId, string? Ags, string? OrganisationName)>(GrantsSql, new { Ids = chunk }))
                .Select(g => (g.UserId, new AccountGrant(g.Id, g.Role, g.OrganisationId, g.Ags, g.OrganisationName))));
        }

        var byUser = grants.ToLookup(g => g.UserId, g => g.Grant);
        return users.Select(u =>
        {
            var own = byUser[u.Id].ToList();
            return new Account(u.Id, u.UserName, u.DisplayName, u.Email, u.IsActive, u.LastLoginAt, u.SingleSignOn, own, MayManage(scope, own) && u.Id != scope.UserId);
        }).ToList();
    }

    /// <summary>Creates an account with one grant. </summary>
    /// <returns>The one-time initial password (shown once, never stored in clear).</returns>
    public async Task<string> CreateAsync(CallerScope scope, string userName, string displayName, string? email, string role, string? organisationAgs)
    {
        EnsureMayAdminister(scope);
        var name = ValidUserName(userName);
        await using var connection = database.Open();
        var organisationId = await GrantTargetAsync(connection, scope, role, organisationAgs);
        await EnsureFreeAsync(connection, name);
        var password = InitialPassword();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = AccountService.CreateUser(connection, transaction, database.Dialect,
            new NewUser(name, string.IsNullOrWhiteSpace(displayName) ? name : displayName.Trim(), string.IsNullOrWhiteSpace(email) ? null : email.Trim(), password, [(role, organisationId)]),
            clock.GetUtcNow().UtcDateTime);
        await connection.ExecuteAsync(InitialSql, new { Id = id }, transaction);
        audit.Write(connection, transaction, scope, new AuditEntry(AuditActions.Create, "user", name, organisationId, After: new { Role = role, Organisation = organisationAgs }));
        await transaction.CommitAsync();
        return password;
    }

    public Task SetActiveAsync(CallerScope scope, long userId, bool active) =>
        ChangeAsync(scope, userId, active ? "entsperrt" : "gesperrt", async (connection, transaction, account) =>
        {
            if (!active)
            {
                await EnsureNotLastAdminAsync(connection, transaction, account);
            }

            await connection.ExecuteAsync(SetActiveSql, new { Id = userId, Active = active, Stamp = AccountService.NewSecurityStamp() }, transaction);
            return new { IsActive = active };
        });

    /// <returns>The new one-time initial password.</returns>
    public async Task<string> ResetPasswordAsync(CallerScope scope, long userId)
    {
        var password = InitialPassword();
        await ChangeAsync(scope, userId, "Passwort zurückgesetzt", async (connection, transaction, account) =>
        {
            if (account.SingleSignOn)
            {
                throw new ArgumentException("Das Konto meldet sich über die zentrale Anmeldung (Single Sign-on) an; sein Passwort verwaltet der Verzeichnisdienst.");
            }

            await connection.ExecuteAsync(SetPasswordSql, new { Id = userId, Hash = AccountService.HashPassword(account.UserName, password), Stamp = AccountService.NewSecurityStamp() }, transaction);
            return new { PasswordReset = true };
        });
        return password;
    }

    public Task AddGrantAsync(CallerScope scope, long userId, string role, string? organisationAgs) =>
        ChangeAsync(scope, userId, "Recht hinzugefügt", async (connection, transaction, account) =>
        {
            var organisationId = await GrantTargetAsync(connection, scope, role, organisationAgs);
            if (account.Grants.Any(g => g.Role == role && g.OrganisationId == organisationId))
            {
                throw new ArgumentException("Dieses Recht hat das Konto schon.");
            }

            await connection.ExecuteAsync(InsertGrantSql, new { UserId = userId, Role = role, OrganisationId = organisationId, Now = clock.GetUtcNow().UtcDateTime }, transaction);
            await connection.ExecuteAsync(RotateSql, new { Id = userId, Stamp = AccountService.NewSecurityStamp() }, transaction);
            return new { Added = new { Role = role, Organisation = organisationAgs } };
        });

    public Task RemoveGrantAsync(CallerScope scope, long userId, long grantId) =>
        ChangeAsync(scope, userId, "Recht entzogen", async (connection, transaction, account) =>
        {
            var grant = account.Grants.FirstOrDefault(g => g.Id == grantId) ?? throw new KeyNotFoundException("Dieses Recht hat das Konto nicht.");
            if (grant.Role == Roles.Admin)
            {
                await EnsureNotLastAdminAsync(connection, transaction, account);
            }

            await connection.ExecuteAsync(DeleteGrantSql, new { GrantId = grantId, UserId = userId }, transaction);
            await connection.ExecuteAsync(RotateSql, new { Id = userId, Stamp = AccountService.NewSecurityStamp() }, transaction);
            return new { Removed = new { grant.Role, Organisation = grant.Ags } };
        });

    /// <summary>
    /// One change of one account: only an account the caller may manage (never the caller's own — nobody locks themselves
    /// out or raises their own rights), in one transaction with its audit entry.
    /// </summary>
    private async Task ChangeAsync(CallerScope scope, long userId, string what, Func<DbConnection, DbTransaction, Account, Task<object>> change)
    {
        var account = (await AccountsAsync(scope, userId)).SingleOrDefault();
        if (account is null)
        {
            // Named like any other object outside the scope: "not found", audited for the organisations it is held in.
            await audit.RefusedAsync(scope, "users", userId, what);
            throw new KeyNotFoundException("Das Konto gibt es nicht oder es gehört nicht zu Ihrem Zuständigkeitsbereich.");
        }

        if (!account.MayManage)
        {
            foreach (var owner in account.Grants.Select(g => g.OrganisationId).Distinct().DefaultIfEmpty(null))
            {
                await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "user", account.UserName, owner));
            }

            throw new AccessDeniedException(account.Id == scope.UserId
                    ? "Das eigene Konto ändert eine andere Administratorin oder ein anderer Administrator."
                    : "Dieses Konto hat auch Rechte außerhalb Ihres Landkreises; ändern kann es nur die Administration.");
        }

        await using var connection = database.Open();
        await using var transaction = await connection.BeginTransactionAsync();
        var after = await change(connection, transaction, account);
        audit.Write(connection, transaction, scope, new AuditEntry(AuditActions.Update, "user", account.UserName,
            account.Grants.FirstOrDefault(g => g.OrganisationId is not null)?.OrganisationId, After: new { Change = what, Details = after }));
        await transaction.CommitAsync();
    }

    /// <summary>The one rule for account names, whichever door creates the account (this page or <c>users add</c>).</summary>
    internal static string ValidUserName(string userName)
    {
        var name = userName.Trim();
        return name.Length is < 3 or > 100 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? throw new ArgumentException("Benutzername: 3 bis 100 Zeichen ohne Leerzeichen.")
            : name;
    }

    /// <summary>User names are unique across the installation, whatever their case.</summary>
    internal static async Task EnsureFreeAsync(DbConnection connection, string name)
    {
        if (await connection.ExecuteScalarAsync<int>(ExistsSql, new { UserName = name }) > 0)
        {
            throw new ArgumentException($"Ein Konto „{name}“ gibt es schon.");
        }
    }

    /// <summary>
    /// The organisation a grant of <paramref name="role"/> is held on, checked against the role's kind and the caller's
    /// right to give it — the one rule for every door that grants (the command line acts as the system).
    /// </summary>
    internal static async Task<long?> GrantTargetAsync(DbConnection connection, CallerScope scope, string role, string? organisationAgs)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ArgumentException($"Rolle: unbekannte Rolle „{role}“; erlaubt sind {string.Join(", ", Roles.All)}.");
        }

        var ags = string.IsNullOrWhiteSpace(organisationAgs) ? null : organisationAgs.Trim();
        if (UserAdministration.OrganisationRoles.Contains(role) != (ags is not null))
        {
            throw new ArgumentException(ags is null
                ? "Diese Rolle gilt für eine Organisation; bitte deren AGS angeben."
                : "Diese Rolle gilt für die ganze Installation, ohne Organisation.");
        }

        long? organisationId = null;
        if (ags is not null)
        {
            organisationId = await connection.ExecuteScalarAsync<long?>(OrganisationByAgsSql, new { Ags = ags })
                             ?? throw new ArgumentException($"Organisation: keine Organisation mit dem AGS „{ags}“.");
        }

        if (!MayGrant(scope, role, organisationId))
        {
            throw new AccessDeniedException("Eine CIO vergibt Rechte nur als CIO, Lizenzmanagement oder Lesezugriff, und nur im eigenen Landkreis und seinen Gemeinden.");
        }

        return organisationId;
    }

    private static async Task EnsureNotLastAdminAsync(DbConnection connection, DbTransaction transaction, Account account)
    {
        if (account.Grants.Any(g => g.Role == Roles.Admin) && await connection.ExecuteScalarAsync<int>(ActiveAdminsSql, new { account.Id }, transaction) == 0)
        {
            throw new ArgumentException("Das ist das letzte aktive Administrationskonto; ohne eines kann niemand mehr Konten verwalten.");
        }
    }

    private static void EnsureMayAdminister(CallerScope scope)
    {
        if (!MayAdminister(scope))
        {
            throw new AccessDeniedException("Konten verwalten die Administration und, für ihren Landkreis, die CIO.");
        }
    }

    /// <summary>16 characters from an alphabet without look-alikes (0/O, 1/l/I), about 90 bits.</summary>
    private static string InitialPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-";
        return string.Create(16, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
