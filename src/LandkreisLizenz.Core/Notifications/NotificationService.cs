using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Notifications;

public sealed class Notification
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string Title { get; init; } = "";
    public string Body { get; init; } = "";
    public string? Link { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ReadAt { get; init; }
}

/// <summary>In-app notifications of the signed-in user (the bell): always the caller's own, never anyone else's.</summary>
public sealed class NotificationService(Database database, TimeProvider clock)
{
    private const string UnreadSql = "SELECT COUNT(*) FROM notifications WHERE user_id = @UserId AND read_at IS NULL";

    private const string ListSql = """
        SELECT id AS Id, kind AS Kind, title AS Title, body AS Body, link AS Link, created_at AS CreatedAt, read_at AS ReadAt
        FROM notifications WHERE user_id = @UserId ORDER BY created_at DESC, id DESC
        """;

    private const string MarkReadSql = "UPDATE notifications SET read_at = @Now WHERE user_id = @UserId AND read_at IS NULL AND (@Id IS NULL OR id = @Id)";

    public async Task<int> UnreadCountAsync(CallerScope scope)
    {
        using var connection = database.Open();
        return await connection.ExecuteScalarAsync<int>(UnreadSql, new { scope.UserId });
    }

    public async Task<IReadOnlyList<Notification>> ListAsync(CallerScope scope, int take = 100)
    {
        using var connection = database.Open();
        return (await connection.QueryAsync<Notification>(database.Dialect.Page(ListSql), new { scope.UserId, Skip = 0, Take = take })).ToList();
    }

    /// <summary>Marks one notification (or all with null) of the caller as read.</summary>
    public async Task MarkReadAsync(CallerScope scope, long? id)
    {
        if (scope.ReadOnly)
        {
            throw new AccessDeniedException("Mit einem Lese-Token wird nichts geändert, auch nicht der Lesestatus.");
        }

        using var connection = database.Open();
        await connection.ExecuteAsync(MarkReadSql, new { scope.UserId, Id = id, Now = clock.GetUtcNow().UtcDateTime });
    }
}
