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

    /// <summary>The password was right but is a one-time initial password: the person chooses their own first; no session yet.</summary>
    PasswordChangeRequired,
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
        SELECT id AS Id, display_name AS DisplayName, password_hash AS PasswordHash, is_active AS IsActive, security_stamp AS SecurityStamp,
               must_change_password AS MustChangePassword
        FROM users WHERE user_name = @UserName
        """;

    private const string SuccessSql = """
        UPDATE users SET last_login_at = @Now, password_hash = @PasswordHash WHERE id = @Id
        """;

    private const string InsertUserSql = """
        INSERT INTO users (user_name, display_name, email, password_hash, is_active, failed_attempts, security_stamp, created_at)
        VALUES (@UserName, @DisplayName, @Email, @PasswordHash, 1, 0, @SecurityStamp, @Now)
        """;

    private const string InsertGrantSql = """
        INSERT INTO role_grants (user_id, role, organisation_id, created_at) VALUES (@UserId, @Role, @OrganisationId, @Now)
        """;

    private const string ThrottleSql = """
        SELECT failed_attempts AS FailedAttempts, lockout_end AS LockoutEnd FROM login_throttle WHERE user_name = @UserName AND source = @Source
        """;

    // Counted in the statement, so that concurrent failures each add one whatever they read; a lockout that has run
    // out starts a fresh count, one still running stays.
    private const string ThrottleCountSql = """
        UPDATE login_throttle
        SET failed_attempts = CASE WHEN lockout_end IS NOT NULL AND lockout_end <= @Now THEN 1 ELSE failed_attempts + 1 END,
            lockout_end = CASE WHEN lockout_end IS NOT NULL AND lockout_end <= @Now THEN NULL ELSE lockout_end END,
            updated_at = @Now
        WHERE user_name = @UserName AND source = @Source
        """;

    private const string ThrottleInsertSql = """
        INSERT INTO login_throttle (user_name, source, failed_attempts, lockout_end, updated_at) VALUES (@UserName, @Source, 1, NULL, @Now)
        """;

    private const string ThrottleLockSql = """
        UPDATE login_throttle SET lockout_end = @LockoutEnd
        WHERE user_name = @UserName AND source = @Source AND failed_attempts >= @MaxAttempts AND lockout_end IS NULL
        """;

    private const string ThrottleClearSql = "DELETE FROM login_throttle WHERE user_name = @UserName AND source = @Source";

    private const string ThrottlePruneSql = "DELETE FROM login_throttle WHERE updated_at < @Before";

    private const string RotateStampSql = "UPDATE users SET security_stamp = @Stamp WHERE id = @Id";

    /// <summary>
    /// Failures count per (user name, source address), the same way for names that exist and names that do not: the
    /// answer and its timing never tell whether an account exists, and failures from elsewhere never lock a person out
    /// of their own workplace.
    /// </summary>
    public Task<SignInResult> SignInAsync(string userName, string password, string? remoteAddress) => VerifyAsync(userName, password, remoteAddress, signIn: true);

    /// <param name="signIn">
    /// Whether a right password of an ordinary account signs in (last login, audit entry); false checks it only — the
    /// initial-password page must not record a sign-in for an account that has none to change.
    /// </param>
    private async Task<SignInResult> VerifyAsync(string userName, string password, string? remoteAddress, bool signIn)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var name = userName.Trim();
        var throttleKey = new { UserName = ThrottleName(name), Source = (remoteAddress ?? "").Trim() };
        using var connection = database.Open();
        var throttle = await connection.QuerySingleOrDefaultAsync<ThrottleRow>(ThrottleSql, throttleKey);
        var user = await connection.QuerySingleOrDefaultAsync<UserRow>(FindSql, new { UserName = name });
        var known = user is { IsActive: true, PasswordHash: not null };
        // Always one hash verification, so that neither an unknown name nor a lockout answers faster.
        var verdict = Hasher.VerifyHashedPassword(name, known ? user!.PasswordHash! : DummyHash, password);
        if (throttle?.LockoutEnd is { } end && end > now)
        {
            await audit.AccountEventAsync(known ? user!.Id : null, name, new AuditEntry(AuditActions.LoginLockedOut, "user", name, RemoteAddress: remoteAddress));
            return new SignInResult(SignInOutcome.LockedOut);
        }

        if (!known || verdict == PasswordVerificationResult.Failed)
        {
            var values = new { throttleKey.UserName, throttleKey.Source, Now = now, LockoutEnd = now + LockoutDuration, MaxAttempts = MaxFailedAttempts };
            if (await connection.ExecuteAsync(ThrottleCountSql, values) == 0)
            {
                try
                {
                    await connection.ExecuteAsync(ThrottleInsertSql, values);
                }
                catch (System.Data.Common.DbException ex) when (database.Dialect.IsUniqueViolation(ex))
                {
                    // A concurrent failure of the same name and source inserted the row first: count on it.
                    await connection.ExecuteAsync(ThrottleCountSql, values);
                }
            }

            var lockedNow = await connection.ExecuteAsync(ThrottleLockSql, values) > 0;
            await connection.ExecuteAsync(ThrottlePruneSql, new { Before = now - TimeSpan.FromDays(1) });
            await audit.AccountEventAsync(known ? user!.Id : null, name, new AuditEntry(lockedNow ? AuditActions.LoginLockedOut : AuditActions.LoginFailed, "user", name, RemoteAddress: remoteAddress));
            return new SignInResult(lockedNow ? SignInOutcome.LockedOut : SignInOutcome.Failed);
        }

        if (user!.MustChangePassword)
        {
            await connection.ExecuteAsync(ThrottleClearSql, throttleKey);
            return new SignInResult(SignInOutcome.PasswordChangeRequired, user.Id, user.DisplayName);
        }

        if (!signIn)
        {
            return new SignInResult(SignInOutcome.Succeeded, user.Id, user.DisplayName, user.SecurityStamp);
        }

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(name, password) : user!.PasswordHash;
        await connection.ExecuteAsync(SuccessSql, new { user!.Id, Now = now, PasswordHash = hash });
        await connection.ExecuteAsync(ThrottleClearSql, throttleKey);
        await audit.AccountEventAsync(user.Id, name, new AuditEntry(AuditActions.LoginSucceeded, "user", name, RemoteAddress: remoteAddress));
        return new SignInResult(SignInOutcome.Succeeded, user.Id, user.DisplayName, user.SecurityStamp);
    }

    private const string OwnPasswordSql = """
        UPDATE users SET password_hash = @Hash, must_change_password = 0, security_stamp = @Stamp, last_login_at = @Now WHERE id = @Id
        """;

    /// <summary>The least length of a password a person chooses (the command line's rule too).</summary>
    public const int MinPasswordLength = 12;

    /// <summary>
    /// The person behind a one-time initial password chooses their own: checked like a sign-in (same throttle, same
    /// answers), the new password at least <see cref="MinPasswordLength"/> characters and not the initial one; every
    /// other session of the account ends. Succeeded comes back with the new stamp, ready for a session.
    /// </summary>
    /// <exception cref="ArgumentException">The new password is too short or the initial one again.</exception>
    public async Task<SignInResult> ChooseOwnPasswordAsync(string userName, string initialPassword, string newPassword, string? remoteAddress)
    {
        var check = await VerifyAsync(userName, initialPassword, remoteAddress, signIn: false);
        if (check.Outcome != SignInOutcome.PasswordChangeRequired)
        {
            // A wrong or locked attempt answers as a sign-in does; an account without initial password changes nothing here.
            return check.Outcome == SignInOutcome.Succeeded ? new SignInResult(SignInOutcome.Failed) : check;
        }

        if (newPassword.Length < MinPasswordLength)
        {
            throw new ArgumentException($"Das neue Passwort braucht mindestens {MinPasswordLength} Zeichen.");
        }

        if (newPassword == initialPassword)
        {
            throw new ArgumentException("Das neue Passwort muss sich vom ersten Passwort unterscheiden.");
        }

        var name = userName.Trim();
        var stamp = NewSecurityStamp();
        using var connection = database.Open();
        await connection.ExecuteAsync(OwnPasswordSql, new { Id = check.UserId, Hash = Hasher.HashPassword(name, newPassword), Stamp = stamp, Now = clock.GetUtcNow().UtcDateTime });
        await audit.WriteAsync(null, new AuditEntry(AuditActions.Update, "user", name, After: new { OwnPasswordChosen = true }, RemoteAddress: remoteAddress), name);
        await audit.AccountEventAsync(check.UserId, name, new AuditEntry(AuditActions.LoginSucceeded, "user", name, RemoteAddress: remoteAddress));
        return new SignInResult(SignInOutcome.Succeeded, check.UserId, check.DisplayName, stamp);
    }

    /// <summary>
    /// Logout: a new security stamp ends every session of the user on the server, wherever its cookie was captured
    /// (cookies carry the stamp they were issued with, and every request compares it).
    /// </summary>
    public async Task SignOutAsync(CallerScope scope, string? remoteAddress)
    {
        if (scope.IsSystem)
        {
            return;
        }

        await RotateSecurityStampAsync(scope.UserId);
        await audit.AccountEventAsync(scope.UserId, scope.UserName, new AuditEntry(AuditActions.Logout, "user", scope.UserName, RemoteAddress: remoteAddress), scope);
    }

    /// <summary>Ends every session of the user.</summary>
    private async Task RotateSecurityStampAsync(long userId)
    {
        using var connection = database.Open();
        await connection.ExecuteAsync(RotateStampSql, new { Id = userId, Stamp = NewSecurityStamp() });
    }

    public static string NewSecurityStamp() => Guid.NewGuid().ToString("N");

    public static string HashPassword(string userName, string password) => Hasher.HashPassword(userName, password);

    /// <summary>User names compare case-insensitively for throttling, and a very long name cannot bloat the table.</summary>
    private static string ThrottleName(string userName)
    {
        var lower = userName.ToLowerInvariant();
        return lower.Length <= 200 ? lower : lower[..200];
    }

    private sealed class ThrottleRow
    {
        public int FailedAttempts { get; init; }
        public DateTime? LockoutEnd { get; init; }
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
            SecurityStamp = NewSecurityStamp(),
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
        public string SecurityStamp { get; init; } = "";
        public bool MustChangePassword { get; init; }
    }
}
