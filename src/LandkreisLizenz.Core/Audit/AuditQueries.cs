using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Audit;

public sealed class AuditListItem
{
    public long Id { get; init; }
    public DateTime OccurredAt { get; init; }
    public string? UserName { get; init; }
    public string? OrganisationName { get; init; }
    public string Action { get; init; } = "";
    public string? ObjectType { get; init; }
    public string? ObjectKey { get; init; }
    public string? BeforeJson { get; init; }
    public string? AfterJson { get; init; }
    public string? RemoteAddress { get; init; }
}

public sealed record AuditFilter(string? Action = null, string? Search = null);

/// <summary>
/// Reading the audit trail: admins see everything; a CIO sees the entries of the organisations the CIO role
/// covers (the county and its member municipalities). Nobody else, and nobody can change an entry.
/// </summary>
public sealed class AuditQueries(Database database, AuditLog audit)
{
    private const string SelectSql = """
        SELECT a.id AS Id, a.occurred_at AS OccurredAt, a.user_name AS UserName, o.name AS OrganisationName, a.action AS Action,
               a.object_type AS ObjectType, a.object_key AS ObjectKey, a.before_json AS BeforeJson, a.after_json AS AfterJson,
               a.remote_address AS RemoteAddress
        """;

    private const string FromSql = """
        FROM audit_log a
        LEFT JOIN organisations o ON o.id = a.organisation_id
        WHERE {scope:role=cio:a.organisation_id}
          AND (@Action IS NULL OR a.action = @Action)
          AND (@Search IS NULL OR {search})
        """;

    public static readonly IReadOnlyList<string> Actions =
    [
        AuditActions.Create, AuditActions.Update, AuditActions.Delete, AuditActions.Import, AuditActions.LoginSucceeded,
        AuditActions.LoginFailed, AuditActions.LoginLockedOut, AuditActions.AccessDenied, AuditActions.Logout,
    ];

    public static string GermanName(string action) => action switch
    {
        AuditActions.Create => "Angelegt",
        AuditActions.Update => "Geändert",
        AuditActions.Delete => "Gelöscht",
        AuditActions.Import => "Import",
        AuditActions.LoginSucceeded => "Anmeldung",
        AuditActions.LoginFailed => "Anmeldung fehlgeschlagen",
        AuditActions.LoginLockedOut => "Konto gesperrt",
        AuditActions.AccessDenied => "Zugriff verweigert",
        AuditActions.Logout => "Abmeldung",
        _ => action,
    };

    public async Task<Paged<AuditListItem>> ListAsync(CallerScope scope, AuditFilter filter, PageRequest page)
    {
        if (!scope.IsAdmin && !scope.HasRole(Roles.Cio))
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "audit_log", "list"));
            throw new AccessDeniedException("Das Protokoll sehen Administration und CIOs.");
        }

        var parameters = new
        {
            Action = string.IsNullOrWhiteSpace(filter.Action) ? null : filter.Action,
            Search = string.IsNullOrWhiteSpace(filter.Search) ? null : filter.Search.Trim(),
            page.Skip,
            Take = page.SafePageSize,
        };
        using var connection = database.Open();
        var (count, list) = ListSql(database.Dialect);
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, count, parameters);
        var items = await connection.QueryScopedAsync<AuditListItem>(scope, list, parameters);
        return new Paged<AuditListItem>(items.ToList(), page.SafePage, page.SafePageSize, total);
    }

    private static (string Count, string Page) ListSql(SqlDialect dialect)
    {
        var from = FromSql.Replace("{search}",
            "(" + dialect.ContainsIgnoreCase("a.user_name", "@Search") + " OR " + dialect.ContainsIgnoreCase("a.object_key", "@Search") + ")", StringComparison.Ordinal);
        return ("SELECT COUNT(*) " + from, dialect.Page(SelectSql + "\n" + from + "\nORDER BY a.occurred_at DESC, a.id DESC"));
    }

    /// <summary>The statements composed at run time, in <paramref name="dialect"/> (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect)
    {
        var (count, page) = ListSql(dialect);
        yield return ("audit: count", count);
        yield return ("audit: page", page);
    }
}
