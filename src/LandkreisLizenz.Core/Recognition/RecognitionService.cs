using System.Data;
using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Recognition;

/// <summary>
/// Maps raw inventory names to catalogue products (spec §6.1). A title's global decision (its product, or not
/// licensable) lives on the title and comes from global rules; a county family's local rules decide titles for that
/// family only, in <c>family_title_recognition</c>, and win there. Installations point at a title, so a decision
/// re-attributes every installation of that title (in the family, or everywhere no family decided) with one row.
/// </summary>
public sealed class RecognitionService(Database database, TimeProvider clock, AuditLog audit, IReconciliationTrigger? reconciliation = null)
{
    /// <summary>How many of the titles a rule decides its preview names.</summary>
    public const int PreviewExamples = 20;

    private const string RuleColumnsSql = """
        SELECT id AS Id, product_id AS ProductId, software_pattern AS SoftwarePattern, publisher_pattern AS PublisherPattern,
               not_licensable AS NotLicensable, family_id AS FamilyId
        FROM recognition_rules
        """;

    private const string GlobalRulesSql = RuleColumnsSql + "\nWHERE family_id IS NULL";

    private const string FamilyRulesSql = RuleColumnsSql + "\nWHERE family_id = @Family";

    private const string RuleSql = RuleColumnsSql + "\nWHERE id = @Id";

    // Undecided: no global decision, and (in a family) no local one.
    private const string GloballyUndecidedSql = """
        SELECT id AS Id, name AS Name, publisher AS Publisher FROM software_titles WHERE product_id IS NULL AND not_licensable = 0
        """;

    // What names a title no global decision has decided: an installation on a device, or evidence held under a source
    // tool's name (a feature, a SKU). Each branch starts from the undecided titles: the database materialises the union,
    // and unfiltered it would be every installation of the estate (29 million in the national benchmark: minutes, not
    // the 3 s of the undecided ones). The caller's scope is applied inside each branch for the same reason.
    private const string EvidenceSql = """
        (SELECT d.organisation_id AS organisation_id, i.software_title_id AS software_title_id, i.device_id AS device_id
         FROM software_titles u JOIN installations i ON i.software_title_id = u.id JOIN devices d ON d.id = i.device_id
         WHERE u.product_id IS NULL AND u.not_licensable = 0 AND {scope:d.organisation_id}
         UNION ALL
         SELECT h.organisation_id, h.software_title_id, NULL
         FROM software_titles u JOIN held_evidence h ON h.software_title_id = u.id
         WHERE u.product_id IS NULL AND u.not_licensable = 0 AND {scope:h.organisation_id})
        """;

    private const string FamilyUndecidedSql = """
        SELECT DISTINCT t.id AS Id, t.name AS Name, t.publisher AS Publisher
        FROM organisation_family f
        JOIN devices d ON d.organisation_id = f.organisation_id
        JOIN installations i ON i.device_id = d.id
        JOIN software_titles t ON t.id = i.software_title_id
        WHERE f.family_id = @Family AND t.product_id IS NULL AND t.not_licensable = 0
          AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = @Family AND m.software_title_id = t.id)
        UNION
        SELECT t.id, t.name, t.publisher
        FROM organisation_family f
        JOIN held_evidence h ON h.organisation_id = f.organisation_id
        JOIN software_titles t ON t.id = h.software_title_id
        WHERE f.family_id = @Family AND t.product_id IS NULL AND t.not_licensable = 0
          AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = @Family AND m.software_title_id = t.id)
        """;

    // The installations a decision on these titles changes: in the family, or (global) wherever no family decided.
    // Held evidence counts as well: its organisations' balances change when it is released.
    private const string AffectedSql = """
        SELECT e.organisation_id AS OrganisationId, e.software_title_id AS TitleId, COUNT(e.device_id) AS Installations, COUNT(*) - COUNT(e.device_id) AS Held
        FROM (SELECT d.organisation_id AS organisation_id, i.software_title_id AS software_title_id, i.device_id AS device_id
              FROM installations i JOIN devices d ON d.id = i.device_id
              WHERE i.software_title_id IN ({ids})
              UNION ALL
              SELECT h.organisation_id, h.software_title_id, NULL FROM held_evidence h WHERE h.software_title_id IN ({ids})) e
        JOIN organisation_family f ON f.organisation_id = e.organisation_id
        WHERE (@Family IS NULL OR f.family_id = @Family)
          AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = f.family_id AND m.software_title_id = e.software_title_id)
        GROUP BY e.organisation_id, e.software_title_id
        """;

    private const string DecideGloballySql = """
        UPDATE software_titles SET product_id = @ProductId, not_licensable = @NotLicensable, rule_id = @RuleId
        WHERE id IN ({ids}) AND product_id IS NULL AND not_licensable = 0
        """;

    private const string DecideInFamilySql = """
        INSERT INTO family_title_recognition (family_id, software_title_id, product_id, rule_id)
        SELECT @Family, t.id, @ProductId, @RuleId FROM software_titles t
        WHERE t.id IN ({ids}) AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = @Family AND m.software_title_id = t.id)
        """;

    private const string InsertRuleSql = """
        INSERT INTO recognition_rules (product_id, not_licensable, family_id, software_pattern, publisher_pattern, created_at)
        VALUES (@ProductId, @NotLicensable, @Family, @SoftwarePattern, @PublisherPattern, @Now)
        """;

    private const string RuleExistsSql = """
        SELECT COUNT(*) FROM recognition_rules
        WHERE software_pattern = @SoftwarePattern AND publisher_pattern = @PublisherPattern
          AND ((@Family IS NULL AND family_id IS NULL) OR family_id = @Family)
          AND ((@ProductId IS NULL AND product_id IS NULL) OR product_id = @ProductId)
        """;

    private static readonly string UnrecognisedFromSql = WithEvidence("""
        FROM software_titles t
        JOIN {evidence} e ON e.software_title_id = t.id
        JOIN organisation_family f ON f.organisation_id = e.organisation_id
        WHERE t.product_id IS NULL AND t.not_licensable = 0 AND {scope:e.organisation_id}
          AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = f.family_id AND m.software_title_id = t.id)
          AND (@Search IS NULL OR {search})
        """);

    private static string WithEvidence(string sql) => sql.Replace("{evidence}", EvidenceSql.Trim(), StringComparison.Ordinal);

    private const string UnrecognisedSelectSql = """
        SELECT t.id AS SoftwareTitleId, t.name AS Name, t.publisher AS Publisher,
               COUNT(DISTINCT e.device_id) AS Devices, COUNT(e.device_id) AS Installations, COUNT(*) - COUNT(e.device_id) AS HeldEvidence
        """;

    private const string TitleSql = """
        SELECT id AS SoftwareTitleId, name AS Name, publisher AS Publisher FROM software_titles WHERE id = @Id
        """;

    // The families in which the title is still undecided; the caller may make a local rule for those it writes.
    private static readonly string UndecidedFamiliesSql = WithEvidence("""
        SELECT DISTINCT f.family_id AS Id, o.name AS Name
        FROM {evidence} e
        JOIN organisation_family f ON f.organisation_id = e.organisation_id
        JOIN organisations o ON o.id = f.family_id
        WHERE e.software_title_id = @Id AND {scope:e.organisation_id}
          AND NOT EXISTS (SELECT 1 FROM family_title_recognition m WHERE m.family_id = f.family_id AND m.software_title_id = e.software_title_id)
        ORDER BY o.name
        """);

    private const string FamiliesOfSql = "SELECT DISTINCT family_id FROM organisation_family WHERE organisation_id IN ({ids})";

    private const string ProductSql = "SELECT vendor AS Vendor, name AS Name FROM products WHERE id = @Id";

    private const string OrganisationNameSql = "SELECT name FROM organisations WHERE id = @Id";

    private const string PromoteSql = "UPDATE recognition_rules SET family_id = NULL WHERE id = @Id AND family_id IS NOT NULL";

    // After a promotion the rule decides its family's titles globally, with the same outcome: the local rows are redundant.
    private const string DropRedundantLocalSql = """
        DELETE FROM family_title_recognition WHERE rule_id = @Id AND software_title_id IN (SELECT id FROM software_titles WHERE rule_id = @Id)
        """;

    private const string DecidedTitlesOfRuleSql = """
        SELECT id FROM software_titles WHERE rule_id = @Id
        UNION
        SELECT software_title_id FROM family_title_recognition WHERE rule_id = @Id
        """;

    private const string UndoLocalSql = "DELETE FROM family_title_recognition WHERE rule_id = @Id";

    private const string UndoGlobalSql = "UPDATE software_titles SET product_id = NULL, not_licensable = 0, rule_id = NULL WHERE rule_id = @Id";

    private const string DeleteRuleSql = "DELETE FROM recognition_rules WHERE id = @Id";

    private const string RulesFromSql = """
        FROM recognition_rules r
        LEFT JOIN products p ON p.id = r.product_id
        LEFT JOIN organisations fo ON fo.id = r.family_id
        WHERE (r.family_id IS NULL OR {scope:r.family_id})
          AND (@Search IS NULL OR {search})
        """;

    private const string RulesSelectSql = """
        SELECT r.id AS Id, r.software_pattern AS SoftwarePattern, r.publisher_pattern AS PublisherPattern, r.product_id AS ProductId,
               p.vendor AS Vendor, p.name AS Product, r.not_licensable AS NotLicensable, r.family_id AS FamilyId, fo.name AS FamilyName,
               r.created_at AS CreatedAt,
               (SELECT COUNT(*) FROM software_titles t WHERE t.rule_id = r.id)
               + (SELECT COUNT(*) FROM family_title_recognition m WHERE m.rule_id = r.id) AS Titles
        """;

    // Classes, not positional records: Dapper maps a constructor only on exact column types, which differ by dialect.
    private sealed class Title
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Publisher { get; init; } = "";
    }

    private sealed class Affected
    {
        public long OrganisationId { get; init; }
        public long TitleId { get; init; }
        public long Installations { get; init; }
    }

    /// <summary>What a rule decides, computed once for its preview and again, inside the transaction, for saving it.</summary>
    private sealed record Plan(IReadOnlyList<Title> Titles, IReadOnlyList<Affected> Installations)
    {
        public IReadOnlyList<long> OrganisationIds => Installations.Select(a => a.OrganisationId).Distinct().Order().ToList();

        public int InstallationCount => (int)Installations.Sum(a => a.Installations);
    }

    /// <summary>
    /// A draft checked and resolved: the rule it makes (id 0) and the family it is local to (null: global; a promotion
    /// names the family the rule comes from).
    /// </summary>
    private sealed record Resolved(RecognitionRule Rule, long? FamilyId, string? FamilyName, string? ProductName, UnrecognisedSoftware? Title = null);

    private sealed class RuleRow
    {
        public long Id { get; init; }
        public long? ProductId { get; init; }
        public string SoftwarePattern { get; init; } = "";
        public string PublisherPattern { get; init; } = "";
        public bool NotLicensable { get; init; }
        public long? FamilyId { get; init; }

        public RecognitionRule ToRule() => new(Id, ProductId, SoftwarePattern, PublisherPattern, NotLicensable);
    }

    // ------------------------------------------------------------------ rule sets (imports)

    /// <summary>The global rules: what a title newly seen by an inventory import is decided by.</summary>
    public RuleSet LoadRules(IDbConnection connection, IDbTransaction? transaction = null) =>
        new(connection.Query<RuleRow>(GlobalRulesSql, transaction: transaction).Select(r => r.ToRule()));

    /// <summary>The local rules of a county family: what a title undecided by the global rules is decided by there.</summary>
    internal RuleSet LoadFamilyRules(IDbConnection connection, IDbTransaction? transaction, long familyId) =>
        new(connection.Query<RuleRow>(FamilyRulesSql, new { Family = familyId }, transaction).Select(r => r.ToRule()));

    /// <summary>
    /// Decides every globally undecided title that a global rule now matches (after a rules import), inside the
    /// caller's transaction. Returns the ids of the titles decided.
    /// </summary>
    internal IReadOnlyList<long> ApplyRulesToUnrecognised(IDbConnection connection, IDbTransaction transaction) =>
        Decide(connection, transaction, null, LoadRules(connection, transaction).Match);

    /// <summary>
    /// Applies the local rules of the families of <paramref name="organisationIds"/> to their undecided titles (after
    /// an inventory import brought new titles into them), inside the caller's transaction.
    /// </summary>
    internal void ApplyLocalRules(IDbConnection connection, IDbTransaction transaction, IReadOnlyCollection<long> organisationIds)
    {
        if (organisationIds.Count == 0)
        {
            return;
        }

        var families = connection.Query<long>(WithIds(FamiliesOfSql), new { Ids = SqlDialect.IdList(organisationIds) }, transaction).ToList();
        foreach (var family in families)
        {
            var rules = LoadFamilyRules(connection, transaction, family);
            if (rules.Count > 0)
            {
                Decide(connection, transaction, family, rules.Match);
            }
        }
    }

    /// <summary>
    /// The one way undecided titles get their decision: each title the rule choice <paramref name="match"/> picks is
    /// decided globally (<paramref name="familyId"/> null) or for that family, one statement per rule.
    /// </summary>
    private IReadOnlyList<long> Decide(IDbConnection connection, IDbTransaction transaction, long? familyId, Func<string, string, RecognitionRule?> match)
    {
        var byRule = Undecided(connection, transaction, familyId)
            .Select(t => (t.Id, Rule: match(t.Name, t.Publisher)))
            .Where(t => t.Rule is not null)
            .GroupBy(t => t.Rule!)
            .ToList();
        foreach (var group in byRule)
        {
            Write(connection, transaction, familyId, group.Key, group.Select(t => t.Id));
        }

        return byRule.SelectMany(g => g.Select(t => t.Id)).ToList();
    }

    /// <summary>Records the decision and moves what was held under those titles (feature peaks, SKU assignments) to its product.</summary>
    private void Write(IDbConnection connection, IDbTransaction transaction, long? familyId, RecognitionRule rule, IEnumerable<long> titleIds)
    {
        var ids = titleIds.ToList();
        connection.Execute(WithIds(familyId is null ? DecideGloballySql : DecideInFamilySql), new
        {
            Family = familyId, rule.ProductId, NotLicensable = rule.NotLicensable ? 1 : 0, RuleId = rule.Id, Ids = SqlDialect.IdList(ids),
        }, transaction);
        HeldEvidence.Release(connection, transaction, database.Dialect, familyId, rule.ProductId, ids, clock.GetUtcNow().UtcDateTime);
    }

    private static IEnumerable<Title> Undecided(IDbConnection connection, IDbTransaction? transaction, long? familyId) =>
        familyId is null
            ? connection.Query<Title>(GloballyUndecidedSql, transaction: transaction)
            : connection.Query<Title>(FamilyUndecidedSql, new { Family = familyId }, transaction);

    private Plan PlanFor(IDbConnection connection, IDbTransaction? transaction, long? familyId, RecognitionRule rule)
    {
        var software = new WildcardPattern(rule.SoftwarePattern);
        var publisher = new WildcardPattern(rule.PublisherPattern);
        var titles = Undecided(connection, transaction, familyId).Where(t => software.IsMatch(t.Name) && publisher.IsMatch(t.Publisher)).ToList();
        var installations = titles.Count == 0 ? [] : connection.Query<Affected>(WithIds(AffectedSql),
            new { Family = familyId, Ids = SqlDialect.IdList(titles.Select(t => t.Id)) }, transaction).ToList();
        return new Plan(titles, installations);
    }

    private string WithIds(string sql) => sql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);

    // ------------------------------------------------------------------ the unrecognised list

    /// <summary>Undecided names in the caller's scope, most widespread first.</summary>
    public async Task<Paged<UnrecognisedSoftware>> ListUnrecognisedAsync(CallerScope scope, string? search, PageRequest page)
    {
        var parameters = new { Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), page.Skip, Take = page.SafePageSize };
        using var connection = database.Open();
        var (count, list) = UnrecognisedSql(database.Dialect);
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, count, parameters);
        var items = await connection.QueryScopedAsync<UnrecognisedSoftware>(scope, list, parameters);
        return new Paged<UnrecognisedSoftware>(items.ToList(), page.SafePage, page.SafePageSize, total);
    }

    /// <summary>A page by places (integrations): the same list and order as <see cref="ListUnrecognisedAsync"/>.</summary>
    public async Task<KeysetPage<UnrecognisedSoftware>> UnrecognisedPlacesAsync(CallerScope scope, string? search, KeysetRequest request)
    {
        var parameters = new DynamicParameters(new { Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), Skip = 0, Take = request.SafeTake + 1 });
        var (window, readOrder) = KeysetSql.Window(database.Dialect, UnrecognisedOrder, request, parameters);
        using var connection = database.Open();
        var (count, _) = UnrecognisedSql(database.Dialect);
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, count, parameters);
        var read = await connection.QueryPlacesScopedAsync<UnrecognisedSoftware>(scope, UnrecognisedPlacesSql(database.Dialect, window, readOrder), UnrecognisedOrder.Length, parameters);
        return KeysetSql.Page(read, request, total);
    }

    /// <summary>One undecided title with its counts in the caller's scope; null when the caller has no undecided installation of it.</summary>
    public async Task<UnrecognisedSoftware?> GetTitleAsync(CallerScope scope, long softwareTitleId)
    {
        using var connection = database.Open();
        return await connection.QuerySingleOrDefaultScopedAsync<UnrecognisedSoftware>(scope, UnrecognisedTitleSql, new { Id = softwareTitleId, Search = (string?)null });
    }

    private static readonly string UnrecognisedTitleSql = UnrecognisedSelectSql + "\n" + UnrecognisedFromSql.Replace("{search}", "1 = 1", StringComparison.Ordinal)
                                              + "\n  AND t.id = @Id\nGROUP BY t.id, t.name, t.publisher";

    // Most widespread first; the id last makes every place unique. Places of aggregates are kept by HAVING.
    private static readonly SortTerm[] UnrecognisedOrder =
    [
        new("COUNT(DISTINCT e.device_id)", Descending: true, Nullable: false), new("COUNT(*)", Descending: true, Nullable: false),
        new("t.name", Nullable: false), new("t.id", Nullable: false),
    ];

    private static string UnrecognisedFrom(SqlDialect dialect) => UnrecognisedFromSql.Replace("{search}", dialect.ContainsIgnoreCase("t.name", "@Search"), StringComparison.Ordinal);

    private static (string Count, string Page) UnrecognisedSql(SqlDialect dialect)
    {
        var from = UnrecognisedFrom(dialect);
        return ("SELECT COUNT(DISTINCT t.id) " + from,
            dialect.Page(UnrecognisedSelectSql + "\n" + from + "\nGROUP BY t.id, t.name, t.publisher\n" + dialect.OrderBy(UnrecognisedOrder)));
    }

    private static string UnrecognisedPlacesSql(SqlDialect dialect, string window, IReadOnlyList<SortTerm> readOrder) =>
        dialect.Page($"{UnrecognisedSelectSql.TrimEnd()}, {KeysetSql.Columns(UnrecognisedOrder)}\n{UnrecognisedFrom(dialect)}\nGROUP BY t.id, t.name, t.publisher\nHAVING {window}\n{dialect.OrderBy(readOrder)}");

    private static (string Count, string Page) RulesSql(SqlDialect dialect)
    {
        var search = "(" + dialect.ContainsIgnoreCase("r.software_pattern", "@Search") + " OR " + dialect.ContainsIgnoreCase("p.name", "@Search") + ")";
        var from = RulesFromSql.Replace("{search}", search, StringComparison.Ordinal);
        return ("SELECT COUNT(*) " + from,
            dialect.Page(RulesSelectSql + "\n" + from + "\nORDER BY CASE WHEN r.family_id IS NULL THEN 1 ELSE 0 END, fo.name, r.software_pattern, r.publisher_pattern, r.id"));
    }

    /// <summary>The statements composed at run time, in <paramref name="dialect"/> (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect)
    {
        string Ids(string sql) => sql.Replace("{ids}", dialect.IdSet("@Ids"), StringComparison.Ordinal);
        var (count, page) = UnrecognisedSql(dialect);
        yield return ("unrecognised: count", count);
        yield return ("unrecognised: page", page);
        yield return ("unrecognised: title", UnrecognisedTitleSql);
        foreach (var (name, request) in KeysetSql.Samples)
        {
            var (window, readOrder) = KeysetSql.Window(dialect, UnrecognisedOrder, KeysetSql.Sample(request, UnrecognisedOrder.Length), new DynamicParameters());
            yield return ($"unrecognised: {name}", UnrecognisedPlacesSql(dialect, window, readOrder));
        }
        var (rulesCount, rulesPage) = RulesSql(dialect);
        yield return ("rules: count", rulesCount);
        yield return ("rules: page", rulesPage);
        yield return ("recognition: affected installations", Ids(AffectedSql));
        yield return ("recognition: decide globally", Ids(DecideGloballySql));
        yield return ("recognition: decide in family", Ids(DecideInFamilySql));
        yield return ("recognition: families of organisations", Ids(FamiliesOfSql));
        yield return ("recognition: insert rule", dialect.InsertReturningId(InsertRuleSql));
    }

    // ------------------------------------------------------------------ mapping a title: context, preview, save

    /// <summary>
    /// The title as the caller sees it, whether the rule will be global (admins) or local, and the families a local
    /// rule can be made for; null when the caller's inventory has no undecided installation of it.
    /// </summary>
    public async Task<MappingContext?> GetMappingContextAsync(CallerScope scope, long softwareTitleId)
    {
        var title = await GetTitleAsync(scope, softwareTitleId);
        using var connection = database.Open();
        if (scope.IsAdmin)
        {
            // An admin may decide a title no installation reports yet (it will come with the next inventory).
            title ??= await connection.QuerySingleOrDefaultAsync<UnrecognisedSoftware>(TitleSql, new { Id = softwareTitleId });
            return title is null ? null : new MappingContext(title, Global: true, []);
        }

        if (title is null)
        {
            return null;
        }

        var families = (await connection.QueryScopedAsync<FamilyChoice>(scope, UndecidedFamiliesSql, new { Id = softwareTitleId }))
            .Where(f => scope.CanWrite(f.Id))
            .ToList();
        return new MappingContext(title, Global: false, families);
    }

    /// <summary>What the rule of <paramref name="draft"/> would do, without saving anything.</summary>
    public async Task<RulePreview> PreviewAsync(CallerScope scope, RuleDraft draft)
    {
        var resolved = await ResolveAsync(scope, draft);
        using var connection = database.Open();
        return ToPreview(scope, resolved, PlanFor(connection, null, resolved.FamilyId, resolved.Rule));
    }

    /// <summary>Saves the rule of <paramref name="draft"/> and applies it at once, exactly as its preview said.</summary>
    public async Task<MappingResult> MapAsync(CallerScope scope, RuleDraft draft)
    {
        var resolved = await ResolveAsync(scope, draft);
        var rule = resolved.Rule;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var parameters = new
        {
            rule.ProductId, NotLicensable = rule.NotLicensable ? 1 : 0, Family = resolved.FamilyId, rule.SoftwarePattern, rule.PublisherPattern,
            Now = clock.GetUtcNow().UtcDateTime,
        };
        if (await connection.ExecuteScalarAsync<int>(RuleExistsSql, parameters, transaction) > 0)
        {
            throw new ArgumentException($"Regel nicht angelegt: die Regel „{rule.SoftwarePattern}“ / „{rule.PublisherPattern}“ mit diesem Ergebnis besteht bereits.");
        }

        var ruleId = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertRuleSql), parameters, transaction);
        rule = rule with { Id = ruleId };
        var plan = PlanFor(connection, transaction, resolved.FamilyId, rule);
        if (plan.Titles.Count > 0)
        {
            Write(connection, transaction, resolved.FamilyId, rule, plan.Titles.Select(t => t.Id));
        }

        transaction.Commit();
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Create, "recognition_rule", ruleId.ToString(CultureInfo.InvariantCulture), resolved.FamilyId,
            After: new
            {
                rule.ProductId, rule.NotLicensable, FamilyId = resolved.FamilyId, rule.SoftwarePattern, rule.PublisherPattern,
                TitlesRecognised = plan.Titles.Count, InstallationsReattributed = plan.InstallationCount, Organisations = plan.OrganisationIds.Count,
            }));
        Reconcile(plan);
        return new MappingResult(ruleId, plan.Titles.Count, plan.InstallationCount, plan.OrganisationIds.Count);
    }

    /// <summary>Shorthand for a product rule (the tests' and the command line's way).</summary>
    public Task<MappingResult> MapAsync(CallerScope scope, long softwareTitleId, long productId, string? softwarePattern = null, string? publisherPattern = null) =>
        MapAsync(scope, new RuleDraft(softwareTitleId, productId, false, softwarePattern, publisherPattern));

    private async Task<Resolved> ResolveAsync(CallerScope scope, RuleDraft draft)
    {
        var key = draft.SoftwareTitleId.ToString(CultureInfo.InvariantCulture);
        if (scope.ReadOnly || !(scope.IsAdmin || scope.HasRole(Roles.LicenseManager)))
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "recognition_rule", key));
            throw new AccessDeniedException("Nur das Lizenzmanagement oder die Administration darf Erkennungsregeln anlegen.");
        }

        // Only a title the caller's own inventory reports can be mapped; anyone else's is "not found", as on the page.
        if (await GetMappingContextAsync(scope, draft.SoftwareTitleId) is not { } context)
        {
            await audit.RefusedAsync(scope, "software_titles", draft.SoftwareTitleId, "map");
            throw new KeyNotFoundException("Der Software-Eintrag existiert nicht oder ist in Ihrem Bestand nicht unerkannt.");
        }

        if (draft.NotLicensable == draft.ProductId.HasValue)
        {
            throw new ArgumentException("Regel nicht angelegt: bitte entweder ein Produkt wählen oder den Eintrag als nicht lizenzpflichtig einstufen.");
        }

        string? productName = null;
        if (draft.ProductId is { } productId)
        {
            using var connection = database.Open();
            var product = await connection.QuerySingleOrDefaultAsync<(string Vendor, string Name)?>(ProductSql, new { Id = productId })
                          ?? throw new KeyNotFoundException("Das Produkt existiert nicht.");
            productName = ProductCatalogueName(product.Vendor, product.Name);
        }

        var title = context.Title;
        var software = string.IsNullOrWhiteSpace(draft.SoftwarePattern) ? title.Name : draft.SoftwarePattern.Trim();
        var publisher = string.IsNullOrWhiteSpace(draft.PublisherPattern) ? (title.Publisher.Length == 0 ? "*" : title.Publisher) : draft.PublisherPattern.Trim();
        if ((WildcardPattern.Refusal(software, isPublisher: false) ?? WildcardPattern.Refusal(publisher, isPublisher: true)) is { } refusal)
        {
            throw new ArgumentException("Regel nicht angelegt: " + refusal + ".");
        }

        if (!new WildcardPattern(software).IsMatch(title.Name) || !new WildcardPattern(publisher).IsMatch(title.Publisher))
        {
            throw new ArgumentException($"Das Muster „{software}“ / „{publisher}“ trifft den gewählten Eintrag „{title.Name}“ nicht.");
        }

        var rule = new RecognitionRule(0, draft.ProductId, software, publisher, draft.NotLicensable);
        if (context.Global)
        {
            return new Resolved(rule, null, null, productName, title);
        }

        var family = ChooseFamily(context.Families, draft.FamilyId);
        if (family is null)
        {
            await audit.RefusedAsync(scope, "software_titles", draft.SoftwareTitleId, "map");
            throw new AccessDeniedException(context.Families.Count == 0
                ? "Eine lokale Regel gilt für einen ganzen Kreis mit seinen Gemeinden; anlegen darf sie das Lizenzmanagement dieses Kreises."
                : "Für den gewählten Kreis dürfen Sie keine Regel anlegen, oder der Eintrag ist dort schon zugeordnet.");
        }

        return new Resolved(rule, family.Id, family.Name, productName, title);
    }

    private static FamilyChoice? ChooseFamily(IReadOnlyList<FamilyChoice> families, long? wanted)
    {
        if (wanted is { } id)
        {
            return families.FirstOrDefault(f => f.Id == id);
        }

        return families.Count switch
        {
            0 => null,
            1 => families[0],
            _ => throw new ArgumentException("Regel nicht angelegt: bitte wählen, für welchen Kreis die Regel gelten soll."),
        };
    }

    /// <summary>"Vendor – Product", without repeating a vendor the product name already starts with.</summary>
    internal static string ProductCatalogueName(string vendor, string name) =>
        name.StartsWith(vendor, StringComparison.OrdinalIgnoreCase) ? name : vendor + " – " + name;

    private RulePreview ToPreview(CallerScope scope, Resolved resolved, Plan plan)
    {
        var organisations = plan.OrganisationIds;
        // Installations per title, summed once (a global rule can match thousands of titles in hundreds of organisations).
        var perTitle = plan.Installations.GroupBy(a => a.TitleId).ToDictionary(g => g.Key, g => (int)g.Sum(a => a.Installations));
        return new RulePreview
        {
            SoftwarePattern = resolved.Rule.SoftwarePattern,
            PublisherPattern = resolved.Rule.PublisherPattern,
            ProductId = resolved.Rule.ProductId,
            NotLicensable = resolved.Rule.NotLicensable,
            ProductName = resolved.ProductName,
            FamilyId = resolved.FamilyId,
            FamilyName = resolved.FamilyName,
            Title = resolved.Title,
            Titles = plan.Titles.Count,
            Installations = plan.InstallationCount,
            Organisations = organisations.Count,
            OrganisationsOutsideScope = organisations.Count(o => !scope.Covers(o)),
            Examples = plan.Titles
                .Select(t => new PreviewTitle(t.Name, t.Publisher, perTitle.GetValueOrDefault(t.Id)))
                .OrderByDescending(t => t.Installations).ThenBy(t => t.Name, StringComparer.Ordinal)
                .Take(PreviewExamples)
                .ToList(),
        };
    }

    private void Reconcile(Plan plan)
    {
        if (plan.OrganisationIds.Count > 0)
        {
            reconciliation?.OrganisationsChanged(plan.OrganisationIds);
        }
    }

    // ------------------------------------------------------------------ the rules: list, promote, delete

    /// <summary>The global rules and the local rules of the caller's families (admins: all), local ones first.</summary>
    public async Task<Paged<RuleListItem>> ListRulesAsync(CallerScope scope, string? search, PageRequest page)
    {
        var parameters = new { Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), page.Skip, Take = page.SafePageSize };
        using var connection = database.Open();
        var (count, list) = RulesSql(database.Dialect);
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, count, parameters);
        var rows = await connection.QueryScopedAsync<RuleListItem>(scope, list, parameters);
        return new Paged<RuleListItem>(rows.ToList(), page.SafePage, page.SafePageSize, total);
    }

    /// <summary>What promoting a local rule to a global one would do (admins).</summary>
    public async Task<RulePreview> PreviewPromotionAsync(CallerScope scope, long ruleId)
    {
        var (rule, family) = await LocalRuleToPromoteAsync(scope, ruleId);
        using var connection = database.Open();
        return ToPreview(scope, new Resolved(rule, null, family, await ProductNameAsync(connection, rule)), PlanFor(connection, null, null, rule));
    }

    /// <summary>
    /// Makes a local rule global (admins): it then decides every globally undecided title it matches, for every family
    /// that has not decided the title itself; its own family's titles keep the same product.
    /// </summary>
    public async Task<MappingResult> PromoteAsync(CallerScope scope, long ruleId)
    {
        var (rule, _) = await LocalRuleToPromoteAsync(scope, ruleId);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (await connection.ExecuteScalarAsync<int>(RuleExistsSql, new { rule.SoftwarePattern, rule.PublisherPattern, Family = (long?)null, rule.ProductId }, transaction) > 0)
        {
            throw new ArgumentException($"Nicht übernommen: eine globale Regel „{rule.SoftwarePattern}“ / „{rule.PublisherPattern}“ mit diesem Ergebnis besteht bereits.");
        }

        if (await connection.ExecuteAsync(PromoteSql, new { Id = ruleId }, transaction) == 0)
        {
            throw new ArgumentException("Nicht übernommen: die Regel ist bereits global.");
        }

        var plan = PlanFor(connection, transaction, null, rule);
        if (plan.Titles.Count > 0)
        {
            Write(connection, transaction, null, rule, plan.Titles.Select(t => t.Id));
        }

        await connection.ExecuteAsync(DropRedundantLocalSql, new { Id = ruleId }, transaction);
        transaction.Commit();
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Update, "recognition_rule", ruleId.ToString(CultureInfo.InvariantCulture),
            After: new { Promoted = true, TitlesRecognised = plan.Titles.Count, InstallationsReattributed = plan.InstallationCount, Organisations = plan.OrganisationIds.Count }));
        Reconcile(plan);
        return new MappingResult(ruleId, plan.Titles.Count, plan.InstallationCount, plan.OrganisationIds.Count);
    }

    /// <summary>Who makes a local rule global: the administration, which owns the global rules (spec §6.1).</summary>
    public static bool MayPromote(CallerScope scope) => scope.CanWriteCatalogue;

    /// <summary>Who deletes a rule: a local one a license manager of its family, a global one the administration.</summary>
    public static bool MayDelete(CallerScope scope, long? familyId) => familyId is { } family ? scope.CanWrite(family) : scope.CanWriteCatalogue;

    private async Task<(RecognitionRule Rule, string? FamilyName)> LocalRuleToPromoteAsync(CallerScope scope, long ruleId)
    {
        if (!MayPromote(scope))
        {
            await audit.RefusedAsync(scope, "recognition_rules", ruleId, "promote");
            throw new AccessDeniedException("Nur die Administration darf eine lokale Regel für alle übernehmen.");
        }

        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<RuleRow>(RuleSql, new { Id = ruleId }) ?? throw new KeyNotFoundException("Die Regel existiert nicht.");
        if (row.FamilyId is not { } family)
        {
            throw new ArgumentException("Die Regel ist bereits global.");
        }

        return (row.ToRule(), await connection.ExecuteScalarAsync<string>(OrganisationNameSql, new { Id = family }));
    }

    private static async Task<string?> ProductNameAsync(IDbConnection connection, RecognitionRule rule) =>
        rule.ProductId is { } id && await connection.QuerySingleOrDefaultAsync<(string Vendor, string Name)?>(ProductSql, new { Id = id }) is { } p
            ? ProductCatalogueName(p.Vendor, p.Name)
            : null;

    /// <summary>
    /// Deletes a rule: a local one by a license manager of its family, a global one by admins. The titles it decided
    /// are undecided again and the remaining rules of the same scope are applied to them.
    /// </summary>
    public async Task DeleteRuleAsync(CallerScope scope, long ruleId)
    {
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<RuleRow>(RuleSql, new { Id = ruleId });
        var visible = row is not null && (row.FamilyId is not { } f || scope.Covers(f));
        if (!visible)
        {
            await audit.RefusedAsync(scope, "recognition_rules", ruleId, "delete");
            throw new KeyNotFoundException("Die Regel existiert nicht.");
        }

        if (!MayDelete(scope, row!.FamilyId))
        {
            await audit.RefusedAsync(scope, "recognition_rules", ruleId, "delete");
            throw new AccessDeniedException(row!.FamilyId is null
                ? "Nur die Administration darf globale Erkennungsregeln löschen."
                : "Nur das Lizenzmanagement dieses Kreises darf die Regel löschen.");
        }

        using var transaction = connection.BeginTransaction();
        var titles = (await connection.QueryAsync<long>(DecidedTitlesOfRuleSql, new { Id = ruleId }, transaction)).ToList();
        var affected = titles.Count == 0 ? [] : (await connection.QueryAsync<Affected>(WithIds(AffectedSql),
            new { Family = row.FamilyId, Ids = SqlDialect.IdList(titles) }, transaction)).Select(a => a.OrganisationId).ToList();
        await connection.ExecuteAsync(UndoLocalSql, new { Id = ruleId }, transaction);
        await connection.ExecuteAsync(UndoGlobalSql, new { Id = ruleId }, transaction);
        await connection.ExecuteAsync(DeleteRuleSql, new { Id = ruleId }, transaction);
        if (row.FamilyId is { } own)
        {
            ApplyLocalRules(connection, transaction, [own]);
        }
        else
        {
            ApplyRulesToUnrecognised(connection, transaction);
        }

        transaction.Commit();
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Delete, "recognition_rule", ruleId.ToString(CultureInfo.InvariantCulture), row.FamilyId,
            Before: new { row.ProductId, row.NotLicensable, row.FamilyId, row.SoftwarePattern, row.PublisherPattern, Titles = titles.Count }));
        // The family's own installations changed too when a local rule went (they were excluded from "affected" above).
        var changed = row.FamilyId is { } root ? affected.Append(root).Distinct().ToList() : affected.Distinct().ToList();
        if (changed.Count > 0)
        {
            reconciliation?.OrganisationsChanged(changed);
        }
    }
}
