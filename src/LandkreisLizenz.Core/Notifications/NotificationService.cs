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

    private const string LicenseManagersSql = """
        INSERT INTO notifications (notification_key, user_id, organisation_id, kind, title, body, link, created_at)
        SELECT DISTINCT @Key, c.user_id, o.id, @Kind, @Title, @Body, @Link, @Now
        FROM organisations o
        JOIN grant_coverage c ON c.organisation_id = o.id AND c.role = 'license_manager'
        JOIN users u ON u.id = c.user_id AND u.is_active = 1
        WHERE (o.ags = @Ags OR (@Ags IS NULL AND o.id = @OrganisationId))
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.notification_key = @Key AND n.user_id = c.user_id)
        """;

    /// <summary>
    /// Tells the license managers of an organisation (by AGS, else by id) that something needs them — a failing import
    /// source; once per key and person, whatever reruns.
    /// </summary>
    /// <returns>How many were notified.</returns>
    public async Task<int> NotifyLicenseManagersAsync(long? organisationId, string? ags, string key, string kind, string title, string body, string? link)
    {
        await using var connection = database.Open();
        return await connection.ExecuteAsync(LicenseManagersSql, new
        {
            Key = key, Kind = kind, Title = title, Body = body, Link = link, Now = clock.GetUtcNow().UtcDateTime,
            Ags = string.IsNullOrWhiteSpace(ags) ? null : ags.Trim(), OrganisationId = organisationId,
        });
    }

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
