using System.Security.Cryptography;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.Security;

public sealed class ApiToken
{
    public long Id { get; init; }
    public string UserName { get; init; } = "";
    public long? OrganisationId { get; init; }
    public string? OrganisationName { get; init; }
    public string Name { get; init; } = "";
    public string TokenPrefix { get; init; } = "";
    public string Scope { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public DateTime? LastUsedAt { get; init; }
    public DateTime? RevokedAt { get; init; }
}

public sealed record CreatedToken(long Id, string Token);

/// <summary>
/// API tokens for integrations (GraphQL): created by admins, or by license managers for their own organisation;
/// scope read or write; only a SHA-256 hash is stored, the token itself is shown once; revocable; last use recorded.
/// A token acts as its creator, narrowed to read-only and, for a license manager's token, to its organisation.
/// </summary>
public sealed class ApiTokenService(Database database, TimeProvider clock, AuditLog audit, ScopeService scopes)
{
    public const string Prefix = "lkl_";

    private const string InsertSql = """
        INSERT INTO api_tokens (user_id, organisation_id, name, token_prefix, token_hash, scope, created_at)
        VALUES (@UserId, @OrganisationId, @Name, @TokenPrefix, @TokenHash, @Scope, @Now)
        """;

    private const string ListSql = """
        SELECT t.id AS Id, u.user_name AS UserName, t.organisation_id AS OrganisationId, o.name AS OrganisationName, t.name AS Name,
               t.token_prefix AS TokenPrefix, t.scope AS Scope, t.created_at AS CreatedAt, t.last_used_at AS LastUsedAt, t.revoked_at AS RevokedAt
        FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organisations o ON o.id = t.organisation_id
        WHERE @All = 1 OR t.user_id = @UserId
        ORDER BY t.created_at DESC, t.id DESC
        """;

    private const string FindSql = """
        SELECT id AS Id, user_id AS UserId, organisation_id AS OrganisationId, scope AS Scope FROM api_tokens
        WHERE token_hash = @Hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @Now)
        """;

    private const string TouchSql = "UPDATE api_tokens SET last_used_at = @Now WHERE id = @Id";

    private const string RevokeSql = "UPDATE api_tokens SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL AND (@All = 1 OR user_id = @UserId)";

    public async Task<CreatedToken> CreateAsync(CallerScope scope, string name, string tokenScope, long? organisationId)
    {
        var allowed = !scope.ReadOnly && (scope.IsAdmin || (organisationId is { } id && scope.CanWrite(id)));
        if (!allowed)
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "api_token", name ?? "", organisationId));
            throw new AccessDeniedException("Tokens erstellt die Administration oder das Lizenzmanagement für die eigene Organisation.");
        }

        if (tokenScope is not ("read" or "write"))
        {
            throw new ArgumentException("Der Zugriff ist „read“ (lesen) oder „write“ (schreiben).");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            throw new ArgumentException("Bitte geben Sie dem Token einen Namen (höchstens 100 Zeichen), z. B. die Anwendung, die ihn nutzt.");
        }

        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var connection = database.Open();
        var tokenId = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertSql), new
        {
            scope.UserId,
            OrganisationId = organisationId,
            Name = name.Trim(),
            TokenPrefix = token[..12],
            TokenHash = Hash(token),
            Scope = tokenScope,
            Now = clock.GetUtcNow().UtcDateTime,
        });
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Create, "api_token", token[..12], organisationId, After: new { Name = name.Trim(), Scope = tokenScope }));
        return new CreatedToken(tokenId, token);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CallerScope scope)
    {
        using var connection = database.Open();
        return (await connection.QueryAsync<ApiToken>(ListSql, new { All = scope.IsAdmin ? 1 : 0, scope.UserId })).ToList();
    }

    private const string OwnedSql = "SELECT COUNT(*) FROM api_tokens WHERE id = @Id AND (@All = 1 OR user_id = @UserId)";

    /// <returns>true when revoked now, false when it already was, null when the token is not the caller's (or does not exist).</returns>
    public async Task<bool?> RevokeAsync(CallerScope scope, long id)
    {
        if (scope.ReadOnly)
        {
            await audit.RefusedAsync(scope, "api_tokens", id, "revoke");
            throw new AccessDeniedException("Mit einem Lese-Token wird nichts widerrufen.");
        }

        using var connection = database.Open();
        if (await connection.ExecuteScalarAsync<int>(OwnedSql, new { Id = id, All = scope.IsAdmin ? 1 : 0, scope.UserId }) == 0)
        {
            await audit.RefusedAsync(scope, "api_tokens", id, "revoke");
            return null;
        }

        var revoked = await connection.ExecuteAsync(RevokeSql, new { Id = id, All = scope.IsAdmin ? 1 : 0, scope.UserId, Now = clock.GetUtcNow().UtcDateTime }) > 0;
        if (revoked)
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "api_token", id.ToString(System.Globalization.CultureInfo.InvariantCulture), After: new { Revoked = true }));
        }

        return revoked;
    }

    /// <summary>The scope a presented token acts with, or null for an unknown, revoked or expired token.</summary>
    public async Task<CallerScope?> AuthenticateAsync(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, long UserId, long? OrganisationId, string Scope)?>(FindSql, new { Hash = Hash(token), Now = now });
        if (row is null || await scopes.ForUserAsync(row.Value.UserId) is not { } user)
        {
            return null;
        }

        await connection.ExecuteAsync(TouchSql, new { row.Value.Id, Now = now });
        return user.ForToken(row.Value.Scope == "read", row.Value.OrganisationId);
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
