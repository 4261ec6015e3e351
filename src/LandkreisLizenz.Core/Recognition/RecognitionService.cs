using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Recognition;

public sealed record RecognitionRule(long Id, long ProductId, string SoftwarePattern, string PublisherPattern);

/// <summary>
/// The rules in match order: the most specific software pattern wins, then publisher, then the oldest rule. Matching
/// runs for every new title of an import and over all unrecognised titles after a rules import, so rules are indexed by
/// the first letters of their literal prefix: a title is tried only against the rules that can match it (in the same
/// order), instead of against every rule.
/// </summary>
public sealed class RuleSet
{
    private const int KeyLength = 3;

    private readonly List<(RecognitionRule Rule, WildcardPattern Software, WildcardPattern Publisher)> _rules;

    /// <summary>Positions in <see cref="_rules"/> (ascending) of the rules whose software pattern starts with that key.</summary>
    private readonly Dictionary<string, List<int>> _byKey = new(StringComparer.Ordinal);

    /// <summary>Positions (ascending) of the rules without such a key (a leading *, a short or non-ASCII prefix): tried for every title.</summary>
    private readonly List<int> _unkeyed = [];

    public RuleSet(IEnumerable<RecognitionRule> rules)
    {
        _rules = rules
            .Select(r => (r, new WildcardPattern(r.SoftwarePattern), new WildcardPattern(string.IsNullOrWhiteSpace(r.PublisherPattern) ? "*" : r.PublisherPattern)))
            .OrderByDescending(x => x.Item2.Specificity)
            .ThenByDescending(x => x.Item3.Specificity)
            .ThenBy(x => x.r.Id)
            .ToList();
        for (var i = 0; i < _rules.Count; i++)
        {
            var pattern = _rules[i].Rule.SoftwarePattern.Trim();
            var star = pattern.IndexOf('*', StringComparison.Ordinal);
            if (Key(star < 0 ? pattern : pattern[..star]) is { } key)
            {
                (_byKey.TryGetValue(key, out var list) ? list : _byKey[key] = []).Add(i);
            }
            else
            {
                _unkeyed.Add(i);
            }
        }
    }

    public int Count => _rules.Count;

    public RecognitionRule? Match(string software, string publisher)
    {
        if (Key(software.Trim()) is not { } key)
        {
            // A title that starts with other than ASCII may still match an ASCII prefix case-insensitively: try every rule.
            for (var i = 0; i < _rules.Count; i++)
            {
                if (IsMatch(i, software, publisher))
                {
                    return _rules[i].Rule;
                }
            }

            return null;
        }

        // Merge the two ascending position lists, so the rules are tried in match order.
        var keyed = _byKey.GetValueOrDefault(key) ?? [];
        int k = 0, u = 0;
        while (k < keyed.Count || u < _unkeyed.Count)
        {
            var i = u >= _unkeyed.Count || (k < keyed.Count && keyed[k] < _unkeyed[u]) ? keyed[k++] : _unkeyed[u++];
            if (IsMatch(i, software, publisher))
            {
                return _rules[i].Rule;
            }
        }

        return null;
    }

    private bool IsMatch(int i, string software, string publisher) => _rules[i].Software.IsMatch(software) && _rules[i].Publisher.IsMatch(publisher);

    /// <summary>The first letters, lower-cased, when they are plain ASCII (where case folding is unambiguous); else null.</summary>
    private static string? Key(string text)
    {
        if (text.Length < KeyLength)
        {
            return null;
        }

        Span<char> key = stackalloc char[KeyLength];
        for (var i = 0; i < KeyLength; i++)
        {
            if (!char.IsAscii(text[i]))
            {
                return null;
            }

            key[i] = char.ToLowerInvariant(text[i]);
        }

        return new string(key);
    }
}

public sealed class UnrecognisedSoftware
{
    public long SoftwareTitleId { get; init; }
    public string Name { get; init; } = "";
    public string Publisher { get; init; } = "";
    public int Devices { get; init; }
    public int Installations { get; init; }
}

public sealed record MappingResult(long RuleId, int TitlesRecognised, int InstallationsReattributed);

/// <summary>
/// Maps raw inventory names to catalogue products. Installations point at a software title; a title points at
/// its product, so mapping re-attributes every installation of that title with one row change.
/// </summary>
public sealed class RecognitionService(Database database, TimeProvider clock, AuditLog audit)
{
    private const string RulesSql = """
        SELECT id AS Id, product_id AS ProductId, software_pattern AS SoftwarePattern, publisher_pattern AS PublisherPattern
        FROM recognition_rules
        """;

    private const string UnrecognisedFromSql = """
        FROM software_titles t
        JOIN installations i ON i.software_title_id = t.id
        JOIN devices d ON d.id = i.device_id
        WHERE t.product_id IS NULL AND {scope:d.organisation_id}
          AND (@Search IS NULL OR {search})
        """;

    private const string UnrecognisedSelectSql = """
        SELECT t.id AS SoftwareTitleId, t.name AS Name, t.publisher AS Publisher,
               COUNT(DISTINCT i.device_id) AS Devices, COUNT(*) AS Installations
        """;

    private const string InsertRuleSql = """
        INSERT INTO recognition_rules (product_id, software_pattern, publisher_pattern, created_at)
        VALUES (@ProductId, @SoftwarePattern, @PublisherPattern, @Now)
        """;

    private const string UnmappedTitlesSql = """
        SELECT id AS Id, name AS Name, publisher AS Publisher FROM software_titles WHERE product_id IS NULL
        """;

    // Set-based over a JSON id set (one parameter however many titles, see SqlDialect.IdSet).
    private const string MapTitlesSql = """
        UPDATE software_titles SET product_id = @ProductId, rule_id = @RuleId WHERE id IN ({ids}) AND product_id IS NULL
        """;

    private const string CountInstallationsSql = """
        SELECT COUNT(*) FROM installations WHERE software_title_id IN ({ids})
        """;

    private const string TitleSql = """
        SELECT name AS Name, publisher AS Publisher FROM software_titles WHERE id = @Id
        """;

    private const string ProductExistsSql = "SELECT COUNT(*) FROM products WHERE id = @Id";

    public RuleSet LoadRules(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction = null) =>
        new(connection.Query<RecognitionRule>(RulesSql, transaction: transaction));

    /// <summary>
    /// Maps every unrecognised title that a rule now matches (after a rules import), inside the caller's transaction.
    /// Titles already mapped keep their product. Returns the ids of the titles mapped.
    /// </summary>
    internal IReadOnlyList<long> ApplyRulesToUnrecognised(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction) =>
        MapUnrecognised(connection, transaction, LoadRules(connection, transaction).Match);

    /// <summary>
    /// The one way unrecognised titles get their product: each title the rule choice <paramref name="match"/> picks is
    /// mapped, with one statement per rule, however many titles it takes.
    /// </summary>
    private IReadOnlyList<long> MapUnrecognised(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, Func<string, string, RecognitionRule?> match)
    {
        var byRule = connection.Query<(long Id, string Name, string Publisher)>(UnmappedTitlesSql, transaction: transaction)
            .Select(t => (t.Id, Rule: match(t.Name, t.Publisher)))
            .Where(t => t.Rule is not null)
            .GroupBy(t => t.Rule!)
            .ToList();
        var sql = MapTitlesSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);
        foreach (var group in byRule)
        {
            connection.Execute(sql, new { group.Key.ProductId, RuleId = group.Key.Id, Ids = SqlDialect.IdList(group.Select(t => t.Id)) }, transaction);
        }

        return byRule.SelectMany(g => g.Select(t => t.Id)).ToList();
    }

    /// <summary>Unrecognised names in the caller's scope, most widespread first.</summary>
    public async Task<Paged<UnrecognisedSoftware>> ListUnrecognisedAsync(CallerScope scope, string? search, PageRequest page)
    {
        var parameters = new { Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), page.Skip, Take = page.SafePageSize };
        using var connection = database.Open();
        var (count, list) = UnrecognisedSql(database.Dialect);
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, count, parameters);
        var items = await connection.QueryScopedAsync<UnrecognisedSoftware>(scope, list, parameters);
        return new Paged<UnrecognisedSoftware>(items.ToList(), page.SafePage, page.SafePageSize, total);
    }

    /// <summary>One unrecognised title with its counts in the caller's scope; null when the caller has no installation of it.</summary>
    public async Task<UnrecognisedSoftware?> GetTitleAsync(CallerScope scope, long softwareTitleId)
    {
        using var connection = database.Open();
        return await connection.QuerySingleOrDefaultScopedAsync<UnrecognisedSoftware>(scope, UnrecognisedTitleSql, new { Id = softwareTitleId, Search = (string?)null });
    }

    private static readonly string UnrecognisedTitleSql = UnrecognisedSelectSql + "\n" + UnrecognisedFromSql.Replace("{search}", "1 = 1", StringComparison.Ordinal)
                                              + "\n  AND t.id = @Id\nGROUP BY t.id, t.name, t.publisher";

    private static (string Count, string Page) UnrecognisedSql(SqlDialect dialect)
    {
        var from = UnrecognisedFromSql.Replace("{search}", dialect.ContainsIgnoreCase("t.name", "@Search"), StringComparison.Ordinal);
        return ("SELECT COUNT(DISTINCT t.id) " + from,
            dialect.Page(UnrecognisedSelectSql + "\n" + from + "\nGROUP BY t.id, t.name, t.publisher\nORDER BY COUNT(DISTINCT i.device_id) DESC, t.name, t.id"));
    }

    /// <summary>The statements composed at run time, in <paramref name="dialect"/> (review, parse tests).</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements(SqlDialect dialect)
    {
        var (count, page) = UnrecognisedSql(dialect);
        yield return ("unrecognised: count", count);
        yield return ("unrecognised: page", page);
        yield return ("unrecognised: title", UnrecognisedTitleSql);
        yield return ("recognition: map titles", MapTitlesSql.Replace("{ids}", dialect.IdSet("@Ids"), StringComparison.Ordinal));
        yield return ("recognition: count installations", CountInstallationsSql.Replace("{ids}", dialect.IdSet("@Ids"), StringComparison.Ordinal));
    }

    /// <summary>
    /// Creates a rule for an unrecognised title (exact name and publisher unless patterns are given) and applies it
    /// at once to every unrecognised title it matches.
    /// </summary>
    public async Task<MappingResult> MapAsync(CallerScope scope, long softwareTitleId, long productId, string? softwarePattern = null, string? publisherPattern = null)
    {
        Task Refuse() => audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "recognition_rule", softwareTitleId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!scope.CanWriteCatalogue)
        {
            await Refuse();
            throw new AccessDeniedException("Nur das Lizenzmanagement oder die Administration darf Erkennungsregeln anlegen.");
        }

        // Only a title the caller's own inventory reports can be mapped; anyone else's is "not found", as on the page.
        var visible = await GetTitleAsync(scope, softwareTitleId);
        if (visible is null && !scope.IsAdmin)
        {
            await Refuse();
            throw new KeyNotFoundException("Der Software-Eintrag existiert nicht oder kommt in Ihrem Bestand nicht vor.");
        }

        using var connection = database.Open();
        var title = visible is not null
            ? (visible.Name, visible.Publisher)
            : await connection.QuerySingleOrDefaultAsync<(string Name, string Publisher)?>(TitleSql, new { Id = softwareTitleId })
              ?? throw new KeyNotFoundException("Der Software-Eintrag existiert nicht.");
        if (await connection.ExecuteScalarAsync<int>(ProductExistsSql, new { Id = productId }) == 0)
        {
            throw new KeyNotFoundException("Das Produkt existiert nicht.");
        }

        var software = string.IsNullOrWhiteSpace(softwarePattern) ? title.Name : softwarePattern.Trim();
        var publisher = string.IsNullOrWhiteSpace(publisherPattern) ? (title.Publisher.Length == 0 ? "*" : title.Publisher) : publisherPattern.Trim();
        if ((WildcardPattern.Refusal(software, isPublisher: false) ?? WildcardPattern.Refusal(publisher, isPublisher: true)) is { } refusal)
        {
            throw new ArgumentException("Regel nicht angelegt: " + refusal + ".");
        }

        var softwareMatch = new WildcardPattern(software);
        var publisherMatch = new WildcardPattern(publisher);
        if (!softwareMatch.IsMatch(title.Name) || !publisherMatch.IsMatch(title.Publisher))
        {
            throw new ArgumentException($"Das Muster „{software}“ / „{publisher}“ trifft den gewählten Eintrag „{title.Name}“ nicht.");
        }

        using var transaction = connection.BeginTransaction();
        var ruleId = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertRuleSql),
            new { ProductId = productId, SoftwarePattern = software, PublisherPattern = publisher, Now = clock.GetUtcNow().UtcDateTime }, transaction);
        var rule = new RecognitionRule(ruleId, productId, software, publisher);
        var matched = MapUnrecognised(connection, transaction, (name, pub) => softwareMatch.IsMatch(name) && publisherMatch.IsMatch(pub) ? rule : null);
        var installations = matched.Count == 0 ? 0 : await connection.ExecuteScalarAsync<int>(
            CountInstallationsSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal), new { Ids = SqlDialect.IdList(matched) }, transaction);
        transaction.Commit();
        await audit.WriteAsync(scope, new AuditEntry(AuditActions.Create, "recognition_rule", ruleId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            After: new { ProductId = productId, SoftwarePattern = software, PublisherPattern = publisher, TitlesRecognised = matched.Count, InstallationsReattributed = installations }));
        return new MappingResult(ruleId, matched.Count, installations);
    }
}
