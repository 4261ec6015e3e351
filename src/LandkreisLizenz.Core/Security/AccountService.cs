using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace LandkreisLizenz.Core.Security;

public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
}

public sealed record SignInResult(SignInOutcome Outcome, long? UserId = null, string? DisplayName = null, string? SecurityStamp = null);

public sealed record NewUser(string UserName, string DisplayName, string? Email, string Password, IReadOnlyList<(string Role, long? OrganisationId)> Grants);

/// <summary>Local accounts: password check with ASP.NET Core's hasher, lockout after repeated failures.</summary>
public sealed class AccountService(Database database, TimeProvider clock, AuditLog audit)
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<string> Hasher = new();

    private const string FindSql = """
        SELECT id AS Id, display_name AS DisplayName, password_hash AS PasswordHash, is_active AS IsActive,
               failed_attempts AS FailedAttempts, lockout_end AS LockoutEnd, security_stamp AS SecurityStamp
        FROM users WHERE user_name = @UserName
        """;

    private const string FailSql = """
        UPDATE users SET failed_attempts = @Attempts, lockout_end = @LockoutEnd WHERE id = @Id
        """;

    private const string SuccessSql = """
        UPDATE users SET failed_attempts = 0, lockout_end = NULL, last_login_at = @Now, password_hash = @PasswordHash WHERE id = @Id
        """;

    private const string InsertUserSql = """
        INSERT INTO users (user_name, display_name, email, password_hash, is_active, failed_attempts, security_stamp, created_at)
        VALUES (@UserName, @DisplayName, @Email, @PasswordHash, 1, 0, @SecurityStamp, @Now)
        """;

    private const string InsertGrantSql = """
        INSERT INTO role_grants (user_id, role, organisation_id, created_at) VALUES (@UserId, @Role, @OrganisationId, @Now)
        """;

    public async Task<SignInResult> SignInAsync(string userName, string password, string? remoteAddress)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        var user = await connection.QuerySingleOrDefaultAsync<UserRow>(FindSql, new { UserName = userName.Trim() });
        if (user is null || !user.IsActive || user.PasswordHash is null)
        {
            // Hash anyway so that timing does not reveal which user names exist.
            Hasher.VerifyHashedPassword(userName, DummyHash, password);
            await audit.WriteAsync(null, new AuditEntry(AuditActions.LoginFailed, "user", userName, RemoteAddress: remoteAddress), userName);
            return new SignInResult(SignInOutcome.Failed);
        }

        if (user.LockoutEnd is { } end && end > now)
        {
            await audit.WriteAsync(null, new AuditEntry(AuditActions.LoginLockedOut, "user", userName, RemoteAddress: remoteAddress), userName);
            return new SignInResult(SignInOutcome.LockedOut);
        }

        var verdict = Hasher.VerifyHashedPassword(userName, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // A lockout that has run out starts a fresh count.
            var attempts = (user.LockoutEnd is null ? user.FailedAttempts : 0) + 1;
            var lockedNow = attempts >= MaxFailedAttempts;
            await connection.ExecuteAsync(FailSql, new { user.Id, Attempts = attempts, LockoutEnd = lockedNow ? now + LockoutDuration : (DateTime?)null });
            await audit.WriteAsync(null, new AuditEntry(lockedNow ? AuditActions.LoginLockedOut : AuditActions.LoginFailed, "user", userName, RemoteAddress: remoteAddress), userName);
            return new SignInResult(lockedNow ? SignInOutcome.LockedOut : SignInOutcome.Failed);
        }

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(userName, password) : user.PasswordHash;
        await connection.ExecuteAsync(SuccessSql, new { user.Id, Now = now, PasswordHash = hash });
        await audit.WriteAsync(null, new AuditEntry(AuditActions.LoginSucceeded, "user", userName, RemoteAddress: remoteAddress), userName);
        return new SignInResult(SignInOutcome.Succeeded, user.Id, user.DisplayName, user.SecurityStamp);
    }

    /// <summary>Creates a local account with its grants (demo estate, first admin). Returns the user id.</summary>
    public static long CreateUser(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, SqlDialect dialect, NewUser user, DateTime now)
    {
        var id = connection.ExecuteScalar<long>(dialect.InsertReturningId(InsertUserSql), new
        {
            user.UserName,
            user.DisplayName,
            user.Email,
            PasswordHash = Hasher.HashPassword(user.UserName, user.Password),
            SecurityStamp = Guid.NewGuid().ToString("N"),
            Now = now,
        }, transaction);
        foreach (var (role, organisationId) in user.Grants)
        {
            connection.Execute(InsertGrantSql, new { UserId = id, Role = role, OrganisationId = organisationId, Now = now }, transaction);
        }

        return id;
    }

    private static readonly string DummyHash = Hasher.HashPassword("dummy", Guid.NewGuid().ToString());

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string DisplayName { get; init; } = "";
        public string? PasswordHash { get; init; }
        public bool IsActive { get; init; }
        public int FailedAttempts { get; init; }
        public DateTime? LockoutEnd { get; init; }
        public string SecurityStamp { get; init; } = "";
    }
}
