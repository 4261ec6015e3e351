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

    /// <summary>Who owns a row, per table whose rows a caller can name by id (table names from code only).</summary>
    private static readonly Dictionary<string, string> OwnerSql = new(StringComparer.Ordinal)
    {
        ["organisations"] = "SELECT id FROM organisations WHERE id = @Id",
        ["hostings"] = "SELECT organisation_id FROM hostings WHERE id = @Id",
        ["applications"] = "SELECT organisation_id FROM applications WHERE id = @Id",
        ["contracts"] = "SELECT organisation_id FROM contracts WHERE id = @Id",
        ["licenses"] = "SELECT organisation_id FROM licenses WHERE id = @Id",
        ["suggestions"] = "SELECT organisation_id FROM suggestion_organisations WHERE suggestion_id = @Id ORDER BY organisation_id",
        ["import_batches"] = "SELECT organisation_id FROM import_batches WHERE id = @Id AND organisation_id IS NOT NULL",
        ["reconciliation_runs"] = "SELECT organisation_id FROM reconciliation_runs WHERE id = @Id AND organisation_id IS NOT NULL",
        ["api_tokens"] = "SELECT organisation_id FROM api_tokens WHERE id = @Id AND organisation_id IS NOT NULL",
        ["recognition_rules"] = "SELECT family_id FROM recognition_rules WHERE id = @Id AND family_id IS NOT NULL",
        ["measures"] = "SELECT organisation_id FROM measures WHERE id = @Id",
        ["import_profiles"] = "SELECT organisation_id FROM import_profiles WHERE id = @Id",
        ["users"] = "SELECT DISTINCT organisation_id FROM role_grants WHERE user_id = @Id AND organisation_id IS NOT NULL",
        // A software title belongs to no one; the families whose inventory reports it are the ones it concerns.
        ["software_titles"] = """
            SELECT DISTINCT f.family_id FROM installations i JOIN devices d ON d.id = i.device_id
            JOIN organisation_family f ON f.organisation_id = d.organisation_id WHERE i.software_title_id = @Id
            """,
    };

    /// <summary>The owner lookups (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements() => OwnerSql.Select(o => ("audit: owner of " + o.Key, o.Value));

    /// <summary>
    /// The one rule for a refused lookup or write of a named object, whichever door it came through: an entry per
    /// organisation that owns the object (so that its CIO sees the attempt), or one without organisation when the
    /// object does not exist. The caller is told nothing more than "not found".
    /// </summary>
    public async Task RefusedAsync(CallerScope scope, string table, long id, string? action = null)
    {
        if (!OwnerSql.TryGetValue(table, out var sql))
        {
            throw new ArgumentException($"No owner rule for table {table}.", nameof(table));
        }

        IReadOnlyList<long> owners;
        using (var connection = database.Open())
        {
            owners = (await connection.QueryAsync<long>(sql, new { Id = id })).Distinct().ToList();
        }

        var key = (action is null ? "" : action + " ") + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (owners.Count == 0)
        {
            await WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, table, key));
            return;
        }

        foreach (var owner in owners)
        {
            await WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, table, key, owner));
        }
    }

    /// <summary>
    /// A sign-in event of an account (login, failed attempt, lockout, logout): one entry per organisation the account
    /// holds a role on, so that the CIO of each sees the logins of its people in its Protokoll; one entry without
    /// organisation for an account without (admins, the Verbund) or a name that is no account.
    /// </summary>
    /// <param name="scope">The signed-in caller, where there is one (logout): the entry then names the user id too.</param>
    public async Task AccountEventAsync(long? userId, string userName, AuditEntry entry, CallerScope? scope = null)
    {
        IReadOnlyList<long> organisations = [];
        if (userId is { } id)
        {
            using var connection = database.Open();
            organisations = (await connection.QueryAsync<long>(OwnerSql["users"], new { Id = id })).ToList();
        }

        if (organisations.Count == 0)
        {
            await WriteAsync(scope, entry, userName);
            return;
        }

        foreach (var organisation in organisations)
        {
            await WriteAsync(scope, entry with { OrganisationId = organisation }, userName);
        }
    }

    public async Task WriteAsync(CallerScope? scope, AuditEntry entry, string? userNameOverride = null)
    {
        await using var connection = database.Open();
        await connection.ExecuteAsync(InsertSql, Row(scope, entry, userNameOverride));
    }

    /// <summary>
    /// Writes the entry inside the transaction of the change it records, so that a crash can lose neither without the
    /// other (imports: the data and their audit entry commit together or not at all).
    /// </summary>
    public void Write(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, CallerScope? scope, AuditEntry entry) =>
        connection.Execute(InsertSql, Row(scope, entry, null), transaction);

    private object Row(CallerScope? scope, AuditEntry entry, string? userNameOverride) => new
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
    };
}
