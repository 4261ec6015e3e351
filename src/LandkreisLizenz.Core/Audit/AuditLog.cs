using System.Text.Json;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Audit;

public static class AuditActions
{
    public const string LoginSucceeded = "login_succeeded";
    public const string LoginFailed = "login_failed";
    public const string LoginLockedOut = "login_locked_out";
    public const string Logout = "logout";
    public const string AccessDenied = "access_denied";
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Import = "import";
}

public sealed record AuditEntry(
    string Action,
    string? ObjectType = null,
    string? ObjectKey = null,
    long? OrganisationId = null,
    object? Before = null,
    object? After = null,
    string? RemoteAddress = null);

/// <summary>Append-only trail; the database refuses updates and deletes of its rows.</summary>
public sealed class AuditLog(Database database, TimeProvider clock)
{
    private const string InsertSql = """
        INSERT INTO audit_log (occurred_at, user_id, user_name, organisation_id, action, object_type, object_key, before_json, after_json, remote_address)
        VALUES (@OccurredAt, @UserId, @UserName, @OrganisationId, @Action, @ObjectType, @ObjectKey, @BeforeJson, @AfterJson, @RemoteAddress)
        """;

    public Task WriteAsync(CallerScope? scope, AuditEntry entry, string? userNameOverride = null)
    {
        using var connection = database.Open();
        return connection.ExecuteAsync(InsertSql, new
        {
            OccurredAt = clock.GetUtcNow().UtcDateTime,
            UserId = scope is { IsSystem: false } ? scope.UserId : (long?)null,
            UserName = userNameOverride ?? scope?.UserName,
            entry.OrganisationId,
            entry.Action,
            entry.ObjectType,
            entry.ObjectKey,
            BeforeJson = entry.Before is null ? null : JsonSerializer.Serialize(entry.Before),
            AfterJson = entry.After is null ? null : JsonSerializer.Serialize(entry.After),
            entry.RemoteAddress,
        });
    }
}
