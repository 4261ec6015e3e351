using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Suggestions;

public sealed class SuggestionListItem
{
    public long Id { get; init; }
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";

    /// <summary>A cluster's status derived from its participants' decisions (spec §6.4); null for single-organisation suggestions.</summary>
    public string? ClusterStatus { get; init; }
    public string Title { get; init; } = "";

    /// <summary>The whole saving (a cluster's total; for a single organisation its own).</summary>
    public decimal? EstimatedSavings { get; init; }

    /// <summary>The caller's share: what the participants in the caller's scope save (spec §6.3).</summary>
    public decimal? OwnSavings { get; init; }
    public decimal? RiskAmount { get; init; }
    public int Participants { get; init; }
    public DateTime FirstSeenAt { get; init; }

    public bool IsCluster => SuggestionTypes.Clusters.Contains(Type);
}

public sealed class SuggestionDetail
{
    public long Id { get; init; }
    public string SuggestionKey { get; init; } = "";
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public string Title { get; init; } = "";
    public string Rationale { get; init; } = "";
    /// <summary>The whole saving (a cluster's total).</summary>
    public decimal? EstimatedSavings { get; init; }

    /// <summary>The caller's share of it (spec §6.3).</summary>
    public decimal? OwnSavings { get; init; }
    public decimal? RiskAmount { get; init; }
    public DateTime FirstSeenAt { get; init; }
    public DateTime? ObsoleteSince { get; init; }

    /// <summary>A cluster's status (spec §6.4), Land (null for single-organisation suggestions), lead and figures (spec §6.2–6.3).</summary>
    public string? ClusterStatus { get; init; }
    public string? StateCode { get; init; }
    public long? LeadOrganisationId { get; init; }
    public string? LeadName { get; init; }
    public decimal? ClusterAnnualCost { get; init; }
    public decimal? SharePercent { get; init; }
    public decimal? MigrationCost { get; init; }
    public decimal? PaybackMonths { get; init; }

    public bool IsCluster => SuggestionTypes.Clusters.Contains(Type);

    public IReadOnlyList<SuggestionParticipant> Organisations { get; set; } = [];

    /// <summary>The participants the caller may see themselves (cross-county suggestions name others by name only).</summary>
    public IReadOnlySet<long> VisibleOrganisationIds { get; set; } = new HashSet<long>();
    public IReadOnlyList<(string Type, long Id, string Label)> Objects { get; set; } = [];
    public IReadOnlyList<(string Status, string? Reason, string? UserName, DateTime DecidedAt)> History { get; set; } = [];

    /// <summary>The suggestion as a list shows it (the pages' and GraphQL's one mapping).</summary>
    public SuggestionListItem ToListItem() => new()
    {
        Id = Id, Type = Type, Status = Status, ClusterStatus = ClusterStatus, Title = Title, EstimatedSavings = EstimatedSavings, OwnSavings = OwnSavings, RiskAmount = RiskAmount,
        Participants = Organisations.Count(o => o.Role == "participant"), FirstSeenAt = FirstSeenAt,
    };
}

/// <summary>An organisation of a suggestion with its own figures (its cost, its share of the savings, its users).</summary>
public sealed class SuggestionParticipant
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Ags { get; init; } = "";
    public string Role { get; init; } = "";
    public decimal? AnnualCost { get; init; }
    public decimal? SavingsShare { get; init; }
    public int? Users { get; init; }
    public decimal? MigrationCost { get; init; }
    public long? Population { get; init; }

    /// <summary>In the caller's scope (the caller's own organisation).</summary>
    public bool Visible { get; init; }

    /// <summary>The participant's decision that stands (spec §6.4), null before it decided; its reason only for the caller's own.</summary>
    public string? Decision { get; init; }
    public string? DecisionReason { get; init; }

    /// <summary>The suggestion it belongs to (read in batches).</summary>
    internal long SuggestionId { get; init; }
}

/// <param name="Reach"><c>own</c>: suggestions for the caller's organisations alone; <c>cluster</c>: cross-organisation clusters; else both.</param>
public sealed record SuggestionFilter(string? Type = null, string? Status = null, string? Organisation = null, long? ProductId = null, string? Reach = null);

public sealed record SuggestionPage(Paged<SuggestionListItem> Page, decimal TotalSavings, decimal TotalRisk);

public sealed record RefreshResult(int Created, int Updated, int Unchanged, int Obsoleted);

/// <summary>
/// Persists the engine's suggestions under stable keys — updating instead of duplicating, keeping decisions, marking
/// vanished ones obsolete — and serves them to the caller's scope: a suggestion is visible when one of its
/// organisations is (cross-organisation suggestions only ever name organisations that opted in).
/// </summary>
public sealed class SuggestionService(Database database, TimeProvider clock, AuditLog audit, SuggestionOptions options)
{
    private const string ExistingSql = """
        SELECT id AS Id, suggestion_key AS SuggestionKey, status AS Status, title AS Title, rationale AS Rationale,
               estimated_savings AS EstimatedSavings, risk_amount AS RiskAmount, state_code AS StateCode, lead_organisation_id AS LeadOrganisationId,
               cluster_annual_cost AS ClusterAnnualCost, share_percent AS SharePercent, migration_cost AS MigrationCost, payback_months AS PaybackMonths
        FROM suggestions
        """;

    // Read into the participant shape the pages read too (its Id is the organisation).
    private const string ExistingPartiesSql = """
        SELECT suggestion_id AS SuggestionId, organisation_id AS Id, role AS Role, annual_cost AS AnnualCost, savings_share AS SavingsShare,
               users AS Users, migration_cost AS MigrationCost
        FROM suggestion_organisations
        """;

    private const string InsertSql = """
        INSERT INTO suggestions (suggestion_key, type, status, product_id, title, rationale, estimated_savings, risk_amount, first_seen_at, last_seen_at, row_version,
                                 state_code, lead_organisation_id, cluster_annual_cost, share_percent, migration_cost, payback_months)
        VALUES (@Key, @Type, 'new', @ProductId, @Title, @Rationale, @Savings, @Risk, @Now, @Now, 1,
                @StateCode, @LeadOrganisationId, @ClusterAnnualCost, @SharePercent, @MigrationCost, @PaybackMonths)
        """;

    private const string UpdateSql = """
        UPDATE suggestions SET title = @Title, rationale = @Rationale, estimated_savings = @Savings, risk_amount = @Risk, product_id = @ProductId,
               last_seen_at = @Now, obsolete_since = NULL, status = @Status, row_version = row_version + 1,
               state_code = @StateCode, lead_organisation_id = @LeadOrganisationId, cluster_annual_cost = @ClusterAnnualCost, share_percent = @SharePercent,
               migration_cost = @MigrationCost, payback_months = @PaybackMonths
        WHERE id = @Id
        """;

    private const string InsertPartySql = """
        INSERT INTO suggestion_organisations (suggestion_id, organisation_id, role, annual_cost, savings_share, users, migration_cost)
        VALUES (@Id, @OrganisationId, @Role, @AnnualCost, @SavingsShare, @Users, @MigrationCost)
        """;

    private const string LastDecisionSql = """
        SELECT status FROM suggestion_decisions WHERE suggestion_id = @Id AND status <> 'obsolete' ORDER BY decided_at DESC, id DESC
        """;

    private const string ObsoleteSql = "UPDATE suggestions SET status = 'obsolete', obsolete_since = @Now, row_version = row_version + 1 WHERE id = @Id";

    private const string DecisionSql = """
        INSERT INTO suggestion_decisions (suggestion_id, status, reason, user_id, decided_at) VALUES (@Id, @Status, @Reason, @UserId, @Now)
        """;

    /// <summary>
    /// The one rule for which savings a county counts (list sums, dashboard, exports, GraphQL), over a suggestion
    /// <c>s</c> and one of its participants <c>so</c>: nothing obsolete; of a single-organisation suggestion its share
    /// unless rejected; of a cluster its share unless the cluster dissolved or that participant declined or withdrew.
    /// </summary>
    internal const string CountedSql = $$"""
        (s.status <> 'obsolete' AND (
            (s.type NOT IN {{SuggestionTypes.ClustersSql}} AND s.status <> 'rejected')
            OR (s.type IN {{SuggestionTypes.ClustersSql}} AND COALESCE(s.cluster_status, 'open') <> 'dissolved'
                AND NOT EXISTS (SELECT 1 FROM participant_decision_latest pd
                                WHERE pd.suggestion_id = s.id AND pd.organisation_id = so.organisation_id AND pd.status IN ('declined', 'withdrawn')))))
        """;

    // What the participants in the caller's scope save.
    private const string OwnShareSql = """
        (SELECT SUM(so.savings_share) FROM suggestion_organisations so WHERE so.suggestion_id = s.id AND so.role = 'participant' AND {scope:so.organisation_id})
        """;

    // What the caller's participants save and what of it counts (CountedSql), per suggestion, grouped once for a whole
    // list: a correlated share subquery per listed row re-read the caller's scope for every suggestion (1 s for an analyst).
    private static readonly string SharesSql = """
        LEFT JOIN (SELECT so.suggestion_id AS suggestion_id, SUM(so.savings_share) AS own,
                          SUM(CASE WHEN {counted} THEN so.savings_share END) AS counted
                   FROM suggestion_organisations so JOIN suggestions s ON s.id = so.suggestion_id
                   WHERE so.role = 'participant' AND {scope:so.organisation_id}
                   GROUP BY so.suggestion_id) mine ON mine.suggestion_id = s.id
        """.Replace("{counted}", CountedSql.Trim(), StringComparison.Ordinal);

    private const string ListFromSql = """
        FROM suggestions s
        {shares}
        WHERE EXISTS (SELECT 1 FROM suggestion_organisations so WHERE so.suggestion_id = s.id AND {scope:so.organisation_id})
          AND (@Type IS NULL OR s.type = @Type)
          AND (@Reach IS NULL OR (@Reach = 'own' AND s.type NOT IN {clusters}) OR (@Reach = 'cluster' AND s.type IN {clusters}))
          AND ((@Status IS NULL AND s.status <> 'obsolete') OR s.status = @Status)
          AND (@Product IS NULL OR s.product_id = @Product)
          AND (@Organisation IS NULL OR EXISTS (SELECT 1 FROM suggestion_organisations sf JOIN organisations sfo ON sfo.id = sf.organisation_id
                                               WHERE sf.suggestion_id = s.id AND (sfo.ags = @Organisation OR {search})))
        """;

    private static readonly string DetailSql = """
        SELECT s.id AS Id, s.suggestion_key AS SuggestionKey, s.type AS Type, s.status AS Status, s.title AS Title, s.rationale AS Rationale,
               s.estimated_savings AS EstimatedSavings, {own} AS OwnSavings, s.risk_amount AS RiskAmount, s.first_seen_at AS FirstSeenAt,
               s.obsolete_since AS ObsoleteSince, s.cluster_status AS ClusterStatus, s.state_code AS StateCode, s.lead_organisation_id AS LeadOrganisationId, lead.name AS LeadName,
               s.cluster_annual_cost AS ClusterAnnualCost, s.share_percent AS SharePercent, s.migration_cost AS MigrationCost, s.payback_months AS PaybackMonths
        FROM suggestions s
        LEFT JOIN organisations lead ON lead.id = s.lead_organisation_id
        WHERE s.id IN ({ids}) AND EXISTS (SELECT 1 FROM suggestion_organisations so WHERE so.suggestion_id = s.id AND {scope:so.organisation_id})
        """.Replace("{own}", OwnShareSql.Trim(), StringComparison.Ordinal);

    private const string OrganisationsSql = """
        SELECT so.suggestion_id AS SuggestionId, o.id AS Id, o.name AS Name, o.ags AS Ags, so.role AS Role, so.annual_cost AS AnnualCost,
               so.savings_share AS SavingsShare, so.users AS Users, so.migration_cost AS MigrationCost, o.population AS Population,
               CASE WHEN {scope:o.id} THEN 1 ELSE 0 END AS Visible, pd.status AS Decision,
               CASE WHEN {scope:o.id} THEN pd.reason END AS DecisionReason
        FROM suggestion_organisations so JOIN organisations o ON o.id = so.organisation_id
        LEFT JOIN participant_decision_latest pd ON pd.suggestion_id = so.suggestion_id AND pd.organisation_id = so.organisation_id
        WHERE so.suggestion_id IN ({ids})
        ORDER BY CASE so.role WHEN 'participant' THEN 0 WHEN 'coordinator' THEN 1 ELSE 2 END, o.name, o.id
        """;

    private const string ObjectsSql = """
        SELECT x.suggestion_id AS SuggestionId, x.object_type AS Type, x.object_id AS Id,
               COALESCE(a.name, a.application_key, k.title, p.name, h.name, '') AS Label
        FROM suggestion_objects x
        LEFT JOIN applications a ON x.object_type = 'application' AND a.id = x.object_id
        LEFT JOIN contracts k ON x.object_type = 'contract' AND k.id = x.object_id
        LEFT JOIN products p ON x.object_type = 'product' AND p.id = x.object_id
        LEFT JOIN hostings h ON x.object_type = 'hosting' AND h.id = x.object_id
        WHERE x.suggestion_id IN ({ids}) ORDER BY x.object_type, x.object_id
        """;

    private const string HistorySql = """
        SELECT d.suggestion_id AS SuggestionId, d.status AS Status, d.reason AS Reason, u.user_name AS UserName, d.decided_at AS DecidedAt
        FROM suggestion_decisions d LEFT JOIN users u ON u.id = d.user_id WHERE d.suggestion_id IN ({ids}) ORDER BY d.decided_at, d.id
        """;

    private const string RequestRefreshSql = "UPDATE suggestion_refresh_state SET requested = requested + 1 WHERE id = 1";

    // A refresh claims the state when more was asked for than done and no live refresh holds it (a crashed one goes stale).
    private const string ClaimRefreshSql = """
        UPDATE suggestion_refresh_state SET running_generation = requested, running_since = @Now
        WHERE id = 1 AND done < requested AND (running_since IS NULL OR running_since < @Stale)
        """;

    private const string ClaimedGenerationSql = "SELECT running_generation FROM suggestion_refresh_state WHERE id = 1 AND running_since = @Now";

    private const string RefreshDoneSql = """
        UPDATE suggestion_refresh_state SET done = @Generation, running_generation = NULL, running_since = NULL WHERE id = 1 AND running_since = @Now
        """;

    private const string ReleaseRefreshSql = """
        UPDATE suggestion_refresh_state SET running_generation = NULL, running_since = NULL WHERE id = 1 AND running_since = @Now
        """;

    private const string RefreshStateSql = "SELECT requested AS Requested, done AS Done FROM suggestion_refresh_state WHERE id = 1";

    /// <summary>How long a claimed refresh may run before another one takes over (a crash leaves its claim behind).</summary>
    public static readonly TimeSpan StaleRefresh = TimeSpan.FromMinutes(30);

    /// <summary>Asks for a refresh (each finished run, the nightly schedule); <see cref="RefreshWhenRequestedAsync"/> carries it out.</summary>
    public void RequestRefresh()
    {
        using var connection = database.Open();
        connection.Execute(RequestRefreshSql);
    }

    /// <summary>What was asked for and what is done, as generations (for tests and the health page).</summary>
    public (long Requested, long Done) RefreshState()
    {
        using var connection = database.Open();
        return connection.QuerySingle<(long Requested, long Done)>(RefreshStateSql);
    }

    /// <summary>
    /// The refresh job: refreshes while more was asked for than done, one refresh at a time. A job that finds another
    /// refresh running returns at once — the running one covers what was asked for meanwhile before it lets go — so
    /// overlapping runs end in exactly one refresh after the last of them, and no refresh fails another.
    /// </summary>
    /// <returns>How many refreshes this call carried out.</returns>
    public async Task<int> RefreshWhenRequestedAsync()
    {
        var refreshes = 0;
        while (true)
        {
            // Only one claim can succeed (its condition excludes a live one); its time stamp identifies it afterwards.
            var claimedAt = clock.GetUtcNow().UtcDateTime;
            long generation;
            using (var connection = database.Open())
            {
                if (connection.Execute(ClaimRefreshSql, new { Now = claimedAt, Stale = claimedAt - StaleRefresh }) == 0
                    || connection.ExecuteScalar<long?>(ClaimedGenerationSql, new { Now = claimedAt }) is not { } claimed)
                {
                    return refreshes;
                }

                generation = claimed;
            }

            try
            {
                await RefreshAsync();
            }
            catch
            {
                // A failed refresh lets go at once (done unchanged), so that the job's retry or the next job takes it up
                // instead of waiting for the claim to go stale.
                using var connection = database.Open();
                connection.Execute(ReleaseRefreshSql, new { Now = claimedAt });
                throw;
            }

            refreshes++;
            using (var connection = database.Open())
            {
                connection.Execute(RefreshDoneSql, new { Generation = generation, Now = claimedAt });
            }
        }
    }

    /// <summary>Derives all suggestions from the latest positions and the registry and stores them (system job; reentrant).</summary>
    public async Task<RefreshResult> RefreshAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        var candidates = new SuggestionEngine(options, BusinessDate.Today(clock)).Compute(connection);
        int created = 0, updated = 0, unchanged = 0, obsoleted = 0;
        // What is stored is read inside the write transaction: two refreshes at once (the command line beside a job)
        // are serialised there instead of both inserting the same new keys.
        using var transaction = connection.BeginTransaction();
        var existing = (await connection.QueryAsync<Stored>(ExistingSql, transaction: transaction)).ToDictionary(s => s.SuggestionKey, StringComparer.Ordinal);
        var storedParties = (await connection.QueryAsync<SuggestionParticipant>(ExistingPartiesSql, transaction: transaction)).ToLookup(p => p.SuggestionId);
        foreach (var c in candidates.GroupBy(c => c.Key, StringComparer.Ordinal).Select(g => g.First()))
        {
            long id;
            if (existing.Remove(c.Key, out var stored))
            {
                var same = stored.Status != SuggestionStatus.Obsolete && stored.Title == c.Title && stored.Rationale == c.Rationale
                           && ValueText.Normalise(stored.EstimatedSavings) == ValueText.Normalise(Round(c.Savings))
                           && ValueText.Normalise(stored.RiskAmount) == ValueText.Normalise(Round(c.Risk))
                           && stored.ClusterSignature() == ClusterSignature(c.Cluster)
                           && PartiesSignature(storedParties[stored.Id].Select(p => (p.Id, p.Role, p.AnnualCost, p.SavingsShare, p.Users, p.MigrationCost)))
                              == PartiesSignature(Parties(c).Select(p => (p.OrganisationId, p.Role, p.AnnualCost, p.SavingsShare, p.Users, p.MigrationCost)));
                if (same)
                {
                    unchanged++;
                    continue;
                }

                var status = stored.Status == SuggestionStatus.Obsolete
                    ? connection.QueryFirstOrDefault<string>(LastDecisionSql, new { stored.Id }, transaction) ?? SuggestionStatus.New
                    : stored.Status;
                connection.Execute(UpdateSql, new
                {
                    stored.Id, c.Title, c.Rationale, Savings = Round(c.Savings), Risk = Round(c.Risk), c.ProductId, Now = now, Status = status,
                    c.Cluster?.StateCode, c.Cluster?.LeadOrganisationId, ClusterAnnualCost = Round(c.Cluster?.AnnualCost), c.Cluster?.SharePercent,
                    MigrationCost = Round(c.Cluster?.MigrationCost), c.Cluster?.PaybackMonths,
                }, transaction);
                id = stored.Id;
                updated++;
            }
            else
            {
                id = connection.ExecuteScalar<long>(database.Dialect.InsertReturningId(InsertSql), new
                {
                    c.Key, c.Type, c.ProductId, c.Title, c.Rationale, Savings = Round(c.Savings), Risk = Round(c.Risk), Now = now,
                    c.Cluster?.StateCode, c.Cluster?.LeadOrganisationId, ClusterAnnualCost = Round(c.Cluster?.AnnualCost), c.Cluster?.SharePercent,
                    MigrationCost = Round(c.Cluster?.MigrationCost), c.Cluster?.PaybackMonths,
                }, transaction);
                created++;
            }

            connection.Execute("DELETE FROM suggestion_organisations WHERE suggestion_id = @Id", new { Id = id }, transaction);
            connection.Execute(InsertPartySql, Parties(c).Select(o => new { Id = id, o.OrganisationId, o.Role, o.AnnualCost, o.SavingsShare, o.Users, o.MigrationCost }), transaction);
            connection.Execute("DELETE FROM suggestion_objects WHERE suggestion_id = @Id", new { Id = id }, transaction);
            connection.Execute("INSERT INTO suggestion_objects (suggestion_id, object_type, object_id) VALUES (@Id, @Type, @ObjectId)",
                c.Objects.Distinct().Select(o => new { Id = id, o.Type, ObjectId = o.Id }), transaction);
        }

        // What the engine no longer finds became obsolete: kept with its history, never silently deleted.
        foreach (var gone in existing.Values.Where(s => s.Status != SuggestionStatus.Obsolete))
        {
            connection.Execute(ObsoleteSql, new { gone.Id, Now = now }, transaction);
            connection.Execute(DecisionSql, new { gone.Id, Status = SuggestionStatus.Obsolete, Reason = "Bedingung entfällt (automatisch)", UserId = (long?)null, Now = now }, transaction);
            obsoleted++;
        }

        // Participants may have changed: each cluster's status follows from the decisions of those that remain.
        RecomputeClusterStatus(connection, transaction, null);
        transaction.Commit();
        return new RefreshResult(created, updated, unchanged, obsoleted);
    }

    private static decimal? Round(decimal? value) => value is { } v ? Math.Round(v, 2) : null;

    /// <summary>The parties as stored: one row per organisation, money rounded to cents.</summary>
    private static IEnumerable<SuggestionParty> Parties(SuggestionCandidate c) =>
        c.Organisations.DistinctBy(o => o.OrganisationId)
            .Select(o => o with { AnnualCost = Round(o.AnnualCost), SavingsShare = Round(o.SavingsShare), MigrationCost = Round(o.MigrationCost) });

    private static string PartiesSignature(IEnumerable<(long Organisation, string Role, decimal? Cost, decimal? Share, int? Users, decimal? Migration)> parties) =>
        string.Join("|", parties.OrderBy(p => p.Organisation).Select(p =>
            $"{p.Organisation};{p.Role};{ValueText.Normalise(p.Cost)};{ValueText.Normalise(p.Share)};{p.Users};{ValueText.Normalise(p.Migration)}"));

    private static string ClusterSignature(ClusterFigures? c) => c is null
        ? ""
        : $"{c.StateCode};{c.LeadOrganisationId};{ValueText.Normalise(Round(c.AnnualCost))};{ValueText.Normalise(c.SharePercent)};{ValueText.Normalise(Round(c.MigrationCost))};{ValueText.Normalise(c.PaybackMonths)}";

    public async Task<SuggestionPage> ListAsync(CallerScope scope, SuggestionFilter filter, PageRequest page)
    {
        var parameters = FilterParameters(filter);
        parameters.Add("Skip", page.Skip);
        parameters.Add("Take", page.SafePageSize);
        using var connection = database.Open();
        var (count, list) = ListSql(database.Dialect);
        var totals = await connection.QuerySingleScopedAsync<(long Count, decimal? Savings, decimal? Risk)>(scope, count, parameters);
        var items = await connection.QueryScopedAsync<SuggestionListItem>(scope, list, parameters);
        return new SuggestionPage(new Paged<SuggestionListItem>(items.ToList(), page.SafePage, page.SafePageSize, (int)totals.Count), totals.Savings ?? 0, totals.Risk ?? 0);
    }

    /// <summary>The list's filter as parameters; values outside the known types, statuses and reaches mean "any".</summary>
    private static DynamicParameters FilterParameters(SuggestionFilter filter) => new(new
    {
        Type = SuggestionTypes.All.Contains(filter.Type ?? "") ? filter.Type : null,
        Status = SuggestionStatus.All.Contains(filter.Status ?? "") ? filter.Status : null,
        Organisation = string.IsNullOrWhiteSpace(filter.Organisation) ? null : filter.Organisation.Trim(),
        Product = filter.ProductId,
        Reach = filter.Reach is "own" or "cluster" ? filter.Reach : null,
    });

    /// <summary>A page by places (integrations): the same list, filter and order as <see cref="ListAsync"/>.</summary>
    public async Task<KeysetPage<SuggestionListItem>> PlacesAsync(CallerScope scope, SuggestionFilter filter, KeysetRequest request)
    {
        var parameters = FilterParameters(filter);
        parameters.Add("Skip", 0);
        parameters.Add("Take", request.SafeTake + 1);
        var (window, readOrder) = KeysetSql.Window(database.Dialect, ListOrder, request, parameters);
        var (count, _) = ListSql(database.Dialect);
        using var connection = database.Open();
        var totals = await connection.QuerySingleScopedAsync<(long Count, decimal? Savings, decimal? Risk)>(scope, count, parameters);
        var read = await connection.QueryPlacesScopedAsync<SuggestionListItem>(scope, PlacesSql(database.Dialect, window, readOrder), ListOrder.Length, parameters);
        return KeysetSql.Page(read, request, (int)totals.Count);
    }

    // The caller's own organisations' items first, then clusters; each by what the caller saves (or risks); the id last makes every place unique.
    private static readonly SortTerm[] ListOrder =
    [
        new($"CASE WHEN s.type IN {SuggestionTypes.ClustersSql} THEN 1 ELSE 0 END", Nullable: false),
        new("COALESCE(mine.own, s.risk_amount, 0)", Descending: true, Nullable: false),
        new("s.id", Nullable: false),
    ];

    private const string ListSelectSql = """
        SELECT s.id AS Id, s.type AS Type, s.status AS Status, s.cluster_status AS ClusterStatus, s.title AS Title, s.estimated_savings AS EstimatedSavings, mine.own AS OwnSavings,
               s.risk_amount AS RiskAmount, s.first_seen_at AS FirstSeenAt,
               (SELECT COUNT(*) FROM suggestion_organisations sp WHERE sp.suggestion_id = s.id AND sp.role = 'participant') AS Participants
        """;

    private static string ListFrom(SqlDialect dialect) =>
        ListFromSql.Replace("{search}", dialect.ContainsIgnoreCase("sfo.name", "@Organisation"), StringComparison.Ordinal)
            .Replace("{clusters}", SuggestionTypes.ClustersSql, StringComparison.Ordinal)
            .Replace("{shares}", SharesSql.Trim(), StringComparison.Ordinal);

    private static (string Totals, string Page) ListSql(SqlDialect dialect)
    {
        var from = ListFrom(dialect);
        return ("SELECT COUNT(*), SUM(mine.counted), SUM(s.risk_amount) " + from, dialect.Page(ListSelectSql + "\n" + from + "\n" + dialect.OrderBy(ListOrder)));
    }

    private static string PlacesSql(SqlDialect dialect, string window, IReadOnlyList<SortTerm> readOrder) =>
        dialect.Page($"{ListSelectSql}, {KeysetSql.Columns(ListOrder)}\n{ListFrom(dialect)}\n  AND {window}\n{dialect.OrderBy(readOrder)}");

    /// <summary>The statements composed at run time, in <paramref name="dialect"/> (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect)
    {
        var (totals, page) = ListSql(dialect);
        yield return ("suggestions: totals", totals);
        yield return ("suggestions: page", page);
        foreach (var (name, request) in KeysetSql.Samples)
        {
            var (window, readOrder) = KeysetSql.Window(dialect, ListOrder, KeysetSql.Sample(request, ListOrder.Length), new DynamicParameters());
            yield return ($"suggestions: {name}", PlacesSql(dialect, window, readOrder));
        }
    }

    /// <returns>null when the suggestion does not exist or does not concern the caller's scope (the refusal is audited).</returns>
    public async Task<SuggestionDetail?> GetAsync(CallerScope scope, long id)
    {
        var detail = (await GetManyAsync(scope, [id])).SingleOrDefault();
        if (detail is null)
        {
            await audit.RefusedAsync(scope, "suggestions", id);
        }

        return detail;
    }

    /// <summary>Details of the suggestions with these ids the caller may see, in four statements however many ids.</summary>
    public async Task<IReadOnlyList<SuggestionDetail>> GetManyAsync(CallerScope scope, IReadOnlyCollection<long> ids)
    {
        string Sql(string sql) => sql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);
        var parameters = new { Ids = SqlDialect.IdList(ids) };
        using var connection = database.Open();
        var details = (await connection.QueryScopedAsync<SuggestionDetail>(scope, Sql(DetailSql), parameters)).ToList();
        if (details.Count == 0)
        {
            return details;
        }

        // Participants, objects and history belong to suggestions already found in scope above.
        var visible = new { Ids = SqlDialect.IdList(details.Select(d => d.Id)) };
        var organisations = (await connection.QueryScopedAsync<SuggestionParticipant>(scope, Sql(OrganisationsSql), visible)).ToLookup(r => r.SuggestionId);
        var objects = (await connection.QueryAsync<(long SuggestionId, string, long, string)>(Sql(ObjectsSql), visible)).ToLookup(r => r.SuggestionId);
        var history = (await connection.QueryAsync<(long SuggestionId, string, string?, string?, DateTime)>(Sql(HistorySql), visible)).ToLookup(r => r.SuggestionId);
        foreach (var detail in details)
        {
            detail.Organisations = organisations[detail.Id].ToList();
            detail.VisibleOrganisationIds = detail.Organisations.Where(o => o.Visible).Select(o => o.Id).ToHashSet();
            detail.Objects = objects[detail.Id].Select(r => (r.Item2, r.Item3, r.Item4)).ToList();
            detail.History = history[detail.Id].Select(r => (r.Item2, r.Item3, r.Item4, r.Item5)).ToList();
        }

        return details;
    }

    private const string ClustersSql = $$"""
        SELECT s.id AS Id, s.lead_organisation_id AS LeadOrganisationId, s.cluster_status AS ClusterStatus
        FROM suggestions s
        WHERE s.type IN {{SuggestionTypes.ClustersSql}} AND s.status <> 'obsolete' AND (@Id IS NULL OR s.id = @Id)
        """;

    private const string ClusterParticipantsSql = $$"""
        SELECT so.suggestion_id AS SuggestionId, so.organisation_id AS OrganisationId
        FROM suggestion_organisations so JOIN suggestions s ON s.id = so.suggestion_id
        WHERE so.role = 'participant' AND s.type IN {{SuggestionTypes.ClustersSql}} AND (@Id IS NULL OR s.id = @Id)
        """;

    private const string ClusterDecisionsSql = """
        SELECT pd.suggestion_id AS SuggestionId, pd.organisation_id AS OrganisationId, pd.status AS Status
        FROM participant_decision_latest pd WHERE @Id IS NULL OR pd.suggestion_id = @Id
        """;

    private const string SetClusterStatusSql = "UPDATE suggestions SET cluster_status = @Status, row_version = row_version + 1 WHERE id = @Id";

    private const string ParticipantDecisionSql = """
        INSERT INTO participant_decisions (suggestion_id, organisation_id, status, reason, user_id, decided_at)
        VALUES (@Id, @OrganisationId, @Status, @Reason, @UserId, @Now)
        """;

    /// <summary>Derives the status of one cluster (or of all, <paramref name="id"/> null) from the decisions that stand.</summary>
    private void RecomputeClusterStatus(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, long? id)
    {
        var clusters = connection.Query<(long Id, long? LeadOrganisationId, string? ClusterStatus)>(ClustersSql, new { Id = id }, transaction).ToList();
        var participants = connection.Query<(long SuggestionId, long OrganisationId)>(ClusterParticipantsSql, new { Id = id }, transaction).ToLookup(p => p.SuggestionId, p => p.OrganisationId);
        var decisions = connection.Query<(long SuggestionId, long OrganisationId, string Status)>(ClusterDecisionsSql, new { Id = id }, transaction)
            .GroupBy(d => d.SuggestionId).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<long, string>)g.ToDictionary(d => d.OrganisationId, d => d.Status));
        var none = new Dictionary<long, string>();
        foreach (var cluster in clusters)
        {
            var status = ClusterStatus.Derive(participants[cluster.Id].ToList(), cluster.LeadOrganisationId, decisions.GetValueOrDefault(cluster.Id) ?? none,
                options.MinParticipants, cluster.ClusterStatus);
            if (status != cluster.ClusterStatus)
            {
                connection.Execute(SetClusterStatusSql, new { cluster.Id, Status = status }, transaction);
            }
        }

        // An agreed cluster becomes a measure of each participant that joined (spec §6.4).
        MeasureService.Ensure(connection, transaction, clock.GetUtcNow().UtcDateTime, id);
    }

    /// <summary>
    /// Decides on a suggestion. A single-organisation suggestion has one decision by a CIO of its organisation (or an
    /// admin); a rejection needs a reason. In a cluster each participant decides for itself, by its CIO (spec §6.4):
    /// interested, joined, declined (with a reason) or withdrawn; no decision changes another participant's.
    /// </summary>
    /// <param name="organisationId">For a cluster: the participant decided for, when the caller is CIO of several.</param>
    /// <returns>null, or the German reason the decision was not saved.</returns>
    public async Task<string?> DecideAsync(CallerScope scope, long id, string status, string? reason, long? organisationId = null)
    {
        var detail = await GetAsync(scope, id) ?? throw new KeyNotFoundException("Die Empfehlung existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.");
        if (detail.IsCluster)
        {
            return await DecideAsParticipantAsync(scope, detail, status, reason, organisationId);
        }

        if (!MayDecide(scope, detail))
        {
            await audit.RefusedAsync(scope, "suggestions", id, "decide");
            throw new AccessDeniedException("Über Empfehlungen entscheidet der CIO einer beteiligten Organisation.");
        }

        if (!SuggestionStatus.Decisions.Contains(status))
        {
            return "Bitte wählen Sie eine Entscheidung.";
        }

        if (status == SuggestionStatus.Rejected && string.IsNullOrWhiteSpace(reason))
        {
            return "Eine Ablehnung braucht eine Begründung.";
        }

        if (detail.Status == SuggestionStatus.Obsolete)
        {
            return "Die Empfehlung ist erledigt, weil ihre Bedingung nicht mehr besteht.";
        }

        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = database.Open();
        using (var transaction = connection.BeginTransaction())
        {
            connection.Execute("UPDATE suggestions SET status = @Status, row_version = row_version + 1 WHERE id = @Id", new { Id = id, Status = status }, transaction);
            connection.Execute(DecisionSql, new { Id = id, Status = status, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), UserId = (long?)scope.UserId, Now = now }, transaction);
            // Accepted becomes a measure of the organisation (spec §6.4).
            MeasureService.Ensure(connection, transaction, now, id);
            transaction.Commit();
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "suggestion", detail.SuggestionKey,
            Before: new { detail.Status }, After: new { Status = status, Reason = reason }));
        return null;
    }

    /// <summary>
    /// Who takes the one decision of a single-organisation suggestion: a CIO of its organisation (member pooling: of
    /// the county that pools), or an admin. Clusters: see <see cref="DecidableFor"/>.
    /// </summary>
    public static bool MayDecide(CallerScope scope, SuggestionDetail detail) =>
        !scope.ReadOnly && !detail.IsCluster
        && (scope.IsAdmin || detail.Organisations
            .Where(o => detail.Type == SuggestionTypes.MemberPooling ? o.Role == "coordinator" : o.Role == "participant")
            .Any(o => scope.HoldsRoleFor(Roles.Cio, o.Id)));

    /// <summary>The organisations of a cluster the caller may decide for: participants (and the lead) it is CIO of.</summary>
    public static IReadOnlyList<SuggestionParticipant> DecidableFor(CallerScope scope, SuggestionDetail detail) =>
        scope.ReadOnly
            ? []
            : detail.Organisations
                .Where(o => o.Role == "participant" || o.Id == detail.LeadOrganisationId)
                .Where(o => scope.IsAdmin || scope.HoldsRoleFor(Roles.Cio, o.Id))
                .ToList();

    private async Task<string?> DecideAsParticipantAsync(CallerScope scope, SuggestionDetail detail, string status, string? reason, long? organisationId)
    {
        var decidable = DecidableFor(scope, detail);
        var organisation = organisationId is { } wanted ? decidable.FirstOrDefault(o => o.Id == wanted) : decidable.Count == 1 ? decidable[0] : null;
        if (decidable.Count == 0 || (organisationId is not null && organisation is null))
        {
            await audit.RefusedAsync(scope, "suggestions", detail.Id, "decide");
            throw new AccessDeniedException("Über die Teilnahme entscheidet jede beteiligte Organisation für sich, durch ihren CIO.");
        }

        if (organisation is null)
        {
            return "Bitte wählen Sie, für welche Organisation Sie entscheiden.";
        }

        if (!ParticipantDecision.All.Contains(status))
        {
            return "Bitte wählen Sie eine Entscheidung.";
        }

        if (status == ParticipantDecision.Declined && string.IsNullOrWhiteSpace(reason))
        {
            return "Eine Ablehnung braucht eine Begründung.";
        }

        if (detail.Status == SuggestionStatus.Obsolete)
        {
            return "Die Empfehlung ist erledigt, weil ihre Bedingung nicht mehr besteht.";
        }

        if (detail.ClusterStatus == ClusterStatus.Implemented)
        {
            return "Das Vorhaben ist bereits umgesetzt.";
        }

        var now = clock.GetUtcNow().UtcDateTime;
        using (var connection = database.Open())
        using (var transaction = connection.BeginTransaction())
        {
            connection.Execute(ParticipantDecisionSql, new
            {
                detail.Id, OrganisationId = organisation.Id, Status = status, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), UserId = (long?)scope.UserId, Now = now,
            }, transaction);
            RecomputeClusterStatus(connection, transaction, detail.Id);
            transaction.Commit();
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "suggestion", detail.SuggestionKey, organisation.Id,
            Before: new { organisation.Decision }, After: new { Decision = status, Reason = reason }));
        return null;
    }

    /// <summary>
    /// How a cluster's future annual cost (its participants' cost today − the savings) would be shared among them by
    /// <paramref name="key"/> (spec §6.3; users by default): per participant today, after and the difference. Null for
    /// a suggestion the caller may not see (audited) or one that is no cluster.
    /// </summary>
    public async Task<CostAllocationResult?> AllocationAsync(CallerScope scope, long id, string? key) =>
        await GetAsync(scope, id) is { } detail ? Allocation(detail, key) : null;

    /// <summary>The cost allocation of a suggestion already read with the caller's scope (null: no cluster).</summary>
    public static CostAllocationResult? Allocation(SuggestionDetail detail, string? key) =>
        detail.IsCluster
            ? CostAllocation.Allocate(
                detail.Organisations.Where(o => o.Role == "participant")
                    .Select(o => new CostAllocation.Participant(o.Id, o.Name, o.Ags, o.AnnualCost ?? 0, o.Users, o.Population))
                    .ToList(),
                detail.EstimatedSavings ?? 0, AllocationKeys.Parse(key))
            : null;

    /// <summary>A Verbund analyst or an admin, on a cluster (whether it is agreed yet decides <see cref="MarkImplementedAsync"/>).</summary>
    public static bool MayMarkImplemented(CallerScope scope, SuggestionDetail detail) =>
        !scope.ReadOnly && (scope.IsAdmin || scope.IsVerbundAnalyst) && detail.IsCluster;

    /// <summary>A Verbund analyst or an admin marks an agreed cluster as implemented (spec §6.4).</summary>
    /// <returns>null, or the German reason it was not marked.</returns>
    public async Task<string?> MarkImplementedAsync(CallerScope scope, long id)
    {
        var detail = await GetAsync(scope, id) ?? throw new KeyNotFoundException("Die Empfehlung existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.");
        if (!MayMarkImplemented(scope, detail))
        {
            await audit.RefusedAsync(scope, "suggestions", id, "implemented");
            throw new AccessDeniedException("Ein vereinbartes gemeinsames Vorhaben markiert die Verbund-Analyse oder die Administration als umgesetzt.");
        }

        if (detail.ClusterStatus != ClusterStatus.Agreed)
        {
            return "Nur ein vereinbartes Vorhaben (federführende Organisation und genug Beteiligte beigetreten) kann als umgesetzt markiert werden.";
        }

        using (var connection = database.Open())
        {
            await connection.ExecuteAsync(SetClusterStatusSql, new { detail.Id, Status = ClusterStatus.Implemented });
        }

        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "suggestion", detail.SuggestionKey,
            Before: new { detail.ClusterStatus }, After: new { ClusterStatus = ClusterStatus.Implemented }));
        return null;
    }

    private sealed class Stored
    {
        public long Id { get; init; }
        public string SuggestionKey { get; init; } = "";
        public string Status { get; init; } = "";
        public string Title { get; init; } = "";
        public string Rationale { get; init; } = "";
        public decimal? EstimatedSavings { get; init; }
        public decimal? RiskAmount { get; init; }
        public string? StateCode { get; init; }
        public long? LeadOrganisationId { get; init; }
        public decimal? ClusterAnnualCost { get; init; }
        public decimal? SharePercent { get; init; }
        public decimal? MigrationCost { get; init; }
        public decimal? PaybackMonths { get; init; }

        public string ClusterSignature() => StateCode is null || LeadOrganisationId is null
            ? ""
            : SuggestionService.ClusterSignature(new ClusterFigures(StateCode, LeadOrganisationId.Value, ClusterAnnualCost ?? 0, SharePercent ?? 0, MigrationCost, PaybackMonths));
    }
}
