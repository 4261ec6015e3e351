using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Suggestions;

public static class MeasureStatus
{
    public const string Planned = "planned";
    public const string InProgress = "in_progress";
    public const string Done = "done";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Planned, InProgress, Done, Cancelled];

    public static string GermanName(string status) => status switch
    {
        Planned => "geplant",
        InProgress => "in Umsetzung",
        Done => "abgeschlossen",
        Cancelled => "verworfen",
        _ => status,
    };
}

/// <summary>A measure (Maßnahme) of one organisation, from an accepted suggestion or an agreed cluster it joined.</summary>
public sealed class Measure
{
    public long Id { get; init; }
    public long SuggestionId { get; init; }
    public string SuggestionTitle { get; init; } = "";
    public string SuggestionType { get; init; } = "";
    public long OrganisationId { get; init; }
    public string OrganisationName { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Responsible { get; init; }
    public DateOnly? DueDate { get; init; }
    public decimal? PlannedSavings { get; init; }
    public decimal? RealisedSavings { get; init; }
    public string? Note { get; init; }
    public long RowVersion { get; init; }

    public bool IsOverdue(DateOnly today) => DueDate is { } due && due < today && Status is MeasureStatus.Planned or MeasureStatus.InProgress;
}

public sealed record MeasurePlan(IReadOnlyList<Measure> Items, decimal Planned, decimal Realised, int Overdue);

/// <summary>What a form or an API sends to change a measure; texts as typed (German dates and amounts accepted).</summary>
public sealed record MeasureChange(string? Status, string? Responsible, string? DueDate, string? RealisedSavings, string? Note);

/// <summary>
/// Measures (spec §6.4): the CIO's measure plan and, for a Verbund analyst, the initiatives of the organisations that
/// opted in. Accepted single-organisation suggestions and the joined participants of agreed clusters get theirs at once,
/// with the organisation's share as the planned savings; the CIO enters who is responsible, the due date and, later,
/// what was realised.
/// </summary>
public sealed class MeasureService(Database database, TimeProvider clock, AuditLog audit)
{
    private const string SelectSql = """
        SELECT m.id AS Id, m.suggestion_id AS SuggestionId, s.title AS SuggestionTitle, s.type AS SuggestionType, m.organisation_id AS OrganisationId,
               o.name AS OrganisationName, m.status AS Status, m.responsible AS Responsible, m.due_date AS DueDate, m.planned_savings AS PlannedSavings,
               m.realised_savings AS RealisedSavings, m.note AS Note, m.row_version AS RowVersion
        FROM measures m
        JOIN suggestions s ON s.id = m.suggestion_id
        JOIN organisations o ON o.id = m.organisation_id
        """;

    private const string ListSql = SelectSql + """

        WHERE {scope:m.organisation_id} AND (@Status IS NULL OR m.status = @Status)
        ORDER BY CASE WHEN m.due_date IS NULL THEN 1 ELSE 0 END, m.due_date, m.planned_savings DESC, m.id
        """;

    private const string ByIdsSql = SelectSql + "\nWHERE {scope:m.organisation_id} AND m.id IN ({ids})";

    private const string UpdateSql = """
        UPDATE measures SET status = @Status, responsible = @Responsible, due_date = @DueDate, realised_savings = @RealisedSavings, note = @Note,
               updated_at = @Now, row_version = row_version + 1
        WHERE id = @Id AND row_version = @Expected
        """;

    // The organisation that decided: member pooling is the county's (it pools), every other single suggestion its participant's.
    private const string EnsureAcceptedSql = $$"""
        INSERT INTO measures (suggestion_id, organisation_id, status, planned_savings, row_version, created_at, updated_at)
        SELECT s.id, so.organisation_id, 'planned', CASE WHEN s.type = 'member_pooling' THEN s.estimated_savings ELSE so.savings_share END, 1, @Now, @Now
        FROM suggestions s
        JOIN suggestion_organisations so ON so.suggestion_id = s.id
             AND so.role = CASE WHEN s.type = 'member_pooling' THEN 'coordinator' ELSE 'participant' END
        WHERE s.status IN ('accepted', 'implemented') AND s.type NOT IN {{SuggestionTypes.ClustersSql}} AND (@Id IS NULL OR s.id = @Id)
          AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.suggestion_id = s.id AND m.organisation_id = so.organisation_id)
        """;

    private const string EnsureAgreedSql = """
        INSERT INTO measures (suggestion_id, organisation_id, status, planned_savings, row_version, created_at, updated_at)
        SELECT s.id, so.organisation_id, 'planned', so.savings_share, 1, @Now, @Now
        FROM suggestions s
        JOIN suggestion_organisations so ON so.suggestion_id = s.id AND so.role = 'participant'
        JOIN participant_decision_latest pd ON pd.suggestion_id = s.id AND pd.organisation_id = so.organisation_id AND pd.status = 'joined'
        WHERE s.cluster_status IN ('agreed', 'implemented') AND (@Id IS NULL OR s.id = @Id)
          AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.suggestion_id = s.id AND m.organisation_id = so.organisation_id)
        """;

    /// <summary>
    /// Creates the measures that accepted suggestions and agreed clusters call for and that do not exist yet (idempotent):
    /// of one suggestion after a decision on it, of all (<paramref name="suggestionId"/> null) after a refresh.
    /// </summary>
    internal static void Ensure(IDbConnection connection, IDbTransaction? transaction, DateTime now, long? suggestionId)
    {
        connection.Execute(EnsureAcceptedSql, new { Now = now, Id = suggestionId }, transaction);
        connection.Execute(EnsureAgreedSql, new { Now = now, Id = suggestionId }, transaction);
    }

    /// <summary>The measures of the organisations the caller sees, soonest due first, with the sums and how many are overdue.</summary>
    public async Task<MeasurePlan> ListAsync(CallerScope scope, string? status)
    {
        using var connection = database.Open();
        var items = (await connection.QueryScopedAsync<Measure>(scope, ListSql,
            new { Status = MeasureStatus.All.Contains(status ?? "") ? status : null })).ToList();
        var today = BusinessDate.Today(clock);
        return new MeasurePlan(items, items.Where(m => m.Status != MeasureStatus.Cancelled).Sum(m => m.PlannedSavings ?? 0),
            items.Sum(m => m.RealisedSavings ?? 0), items.Count(m => m.IsOverdue(today)));
    }

    /// <returns>null when the measure does not exist or belongs to an organisation the caller does not see (audited).</returns>
    public async Task<Measure?> GetAsync(CallerScope scope, long id) => (await GetManyAsync(scope, [id])).SingleOrDefault();

    /// <summary>The measures with these ids the caller sees, in one statement (batched lookups); each refused id is audited.</summary>
    public async Task<IReadOnlyList<Measure>> GetManyAsync(CallerScope scope, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        List<Measure> measures;
        using (var connection = database.Open())
        {
            measures = (await connection.QueryScopedAsync<Measure>(scope, ByIdsSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal),
                new { Ids = SqlDialect.IdList(ids) })).ToList();
        }

        foreach (var refused in ids.Distinct().Except(measures.Select(m => m.Id)))
        {
            await audit.RefusedAsync(scope, "measures", refused);
        }

        return measures;
    }

    /// <summary>Who keeps a measure: a CIO of its organisation, or an admin.</summary>
    public static bool MayEdit(CallerScope scope, Measure measure) => !scope.ReadOnly && scope.HoldsRoleFor(Roles.Cio, measure.OrganisationId);

    /// <summary>A CIO of the organisation (or an admin) changes a measure; every field error is named in German.</summary>
    /// <returns>Field → reason; empty when saved.</returns>
    public async Task<IReadOnlyDictionary<string, string>> UpdateAsync(CallerScope scope, long id, MeasureChange change, long expectedRowVersion)
    {
        var measure = await GetAsync(scope, id) ?? throw new KeyNotFoundException("Die Maßnahme existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.");
        if (!MayEdit(scope, measure))
        {
            await audit.RefusedAsync(scope, "measures", id, "update");
            throw new AccessDeniedException("Maßnahmen pflegt der CIO der Organisation.");
        }

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var status = change.Status is { } s && MeasureStatus.All.Contains(s) ? s : null;
        if (status is null)
        {
            errors["status"] = "Bitte einen Stand wählen.";
        }

        var responsible = string.IsNullOrWhiteSpace(change.Responsible) ? null : change.Responsible.Trim();
        if (responsible is { Length: > 200 })
        {
            errors["responsible"] = "Höchstens 200 Zeichen.";
        }

        DateOnly? due = null;
        if (!string.IsNullOrWhiteSpace(change.DueDate))
        {
            if (DateOnly.TryParseExact(change.DueDate.Trim(), ["dd.MM.yyyy", "yyyy-MM-dd", "d.M.yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                due = parsed;
            }
            else
            {
                errors["due_date"] = "Datum als TT.MM.JJJJ angeben, z. B. 31.03.2027.";
            }
        }

        decimal? realised = null;
        if (!string.IsNullOrWhiteSpace(change.RealisedSavings))
        {
            var text = change.RealisedSavings.Replace("€", "", StringComparison.Ordinal).Trim();
            if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.GetCultureInfo("de-DE"), out var amount) && amount >= 0)
            {
                realised = Math.Round(amount, 2);
            }
            else
            {
                errors["realised_savings"] = "Betrag in Euro angeben, z. B. 12.500,00 (nicht negativ).";
            }
        }

        var note = string.IsNullOrWhiteSpace(change.Note) ? null : change.Note.Trim();
        if (note is { Length: > 2000 })
        {
            errors["note"] = "Höchstens 2.000 Zeichen.";
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        using var connection = database.Open();
        var updated = await connection.ExecuteAsync(UpdateSql, new
        {
            Id = id, Status = status, Responsible = responsible, DueDate = due, RealisedSavings = realised, Note = note,
            Now = clock.GetUtcNow().UtcDateTime, Expected = expectedRowVersion,
        });
        if (updated == 0)
        {
            return new Dictionary<string, string> { [""] = "Die Maßnahme wurde inzwischen geändert. Bitte prüfen Sie den aktuellen Stand." };
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "measure", id.ToString(CultureInfo.InvariantCulture), measure.OrganisationId,
            Before: new { measure.Status, measure.Responsible, measure.DueDate, measure.RealisedSavings }, After: new { Status = status, Responsible = responsible, DueDate = due, RealisedSavings = realised }));
        return errors;
    }
}
