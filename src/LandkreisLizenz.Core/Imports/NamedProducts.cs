using System.Data;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Recognition;

namespace LandkreisLizenz.Core.Imports;

/// <summary>What a source tool's name stands for in an organisation: a product, not licensable, or not decided yet (held).</summary>
internal readonly record struct NameResolution(string Name, long? ProductId, bool NotLicensable)
{
    public bool Held => ProductId is null && !NotLicensable;
}

/// <summary>
/// Names of a source tool — a license server's features, Microsoft 365 SKUs, directory groups — recognised as products
/// exactly like software titles (spec §6.1, §7): each name is a title with the source as its publisher, decided by the
/// same global and local rules, with the same precedence (the family's own decision, then the global one, then the
/// family's rules). A name nobody decided yet is held with its evidence for mapping, never an error.
/// </summary>
internal sealed class NamedProducts
{
    /// <summary>The publisher Microsoft 365 SKUs are recognised under.</summary>
    public const string Microsoft365 = "Microsoft 365";

    private const string TitlesSql = """
        SELECT id AS Id, name AS Name, product_id AS ProductId, not_licensable AS NotLicensable FROM software_titles WHERE publisher = @Publisher
        """;

    private const string FamilyDecisionsSql = """
        SELECT m.software_title_id AS TitleId, m.product_id AS ProductId
        FROM family_title_recognition m
        JOIN software_titles t ON t.id = m.software_title_id
        WHERE m.family_id = @Family AND t.publisher = @Publisher
        """;

    // The family rule lives in the view (a member municipality belongs to its county's family), not in C#.
    private const string FamilyOfSql = "SELECT family_id FROM organisation_family WHERE organisation_id = @Id";

    private static readonly string[] TitleColumns = ["name", "publisher", "product_id", "rule_id", "not_licensable"];

    private readonly IDbConnection _connection;
    private readonly IDbTransaction? _transaction;
    private readonly SqlDialect _dialect;
    private readonly RuleSet _globalRules;
    private readonly Func<long, RuleSet> _familyRules;
    private readonly Dictionary<string, Title> _titles = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (Dictionary<long, long?> Decisions, RuleSet Rules)> _families = [];
    private readonly Dictionary<long, long> _familyOf = [];

    public NamedProducts(IDbConnection connection, IDbTransaction? transaction, SqlDialect dialect, string publisher, RuleSet globalRules, Func<long, RuleSet> familyRules)
    {
        _connection = connection;
        _transaction = transaction;
        _dialect = dialect;
        Publisher = publisher;
        _globalRules = globalRules;
        _familyRules = familyRules;
        foreach (var title in connection.Query<Title>(TitlesSql, new { Publisher = publisher }, transaction))
        {
            _titles[title.Name] = title;
        }
    }

    public string Publisher { get; }

    /// <summary>The name a title is kept under: a Microsoft 365 SKU part number becomes the product name the admin center shows.</summary>
    public string Canonical(string name) =>
        Publisher == Microsoft365 && MicrosoftSkus.Names.TryGetValue(name.Trim(), out var known) ? known : name.Trim();

    public NameResolution Resolve(string name, OrganisationRef organisation)
    {
        name = Canonical(name);
        if (!_familyOf.TryGetValue(organisation.Id, out var family))
        {
            _familyOf[organisation.Id] = family = _connection.ExecuteScalar<long>(FamilyOfSql, new { organisation.Id }, _transaction);
        }

        if (!_families.TryGetValue(family, out var local))
        {
            var decisions = _connection.Query<(long TitleId, long? ProductId)>(FamilyDecisionsSql, new { Family = family, Publisher }, _transaction)
                .ToDictionary(d => d.TitleId, d => d.ProductId);
            _families[family] = local = (decisions, _familyRules(family));
        }

        if (_titles.TryGetValue(name, out var title))
        {
            if (title.Id > 0 && local.Decisions.TryGetValue(title.Id, out var decided))
            {
                return new NameResolution(name, decided, decided is null);
            }

            if (title.ProductId is not null || title.NotLicensable)
            {
                return new NameResolution(name, title.ProductId, title.NotLicensable);
            }
        }
        else
        {
            var rule = _globalRules.Match(name, Publisher);
            _titles[name] = title = new Title { Name = name, ProductId = rule?.ProductId, NotLicensable = rule?.NotLicensable == true, RuleId = rule?.Id };
            if (rule is not null)
            {
                return new NameResolution(name, rule.ProductId, rule.NotLicensable);
            }
        }

        return local.Rules.Match(name, Publisher) is { } localRule
            ? new NameResolution(name, localRule.ProductId, localRule.NotLicensable)
            : new NameResolution(name, null, false);
    }

    /// <summary>The title of a resolved name, stored (with the global rule's decision) when it is new; commit only.</summary>
    public long TitleId(string name)
    {
        var title = _titles[name];
        if (title.Id == 0)
        {
            title.Id = _connection.ExecuteScalar<long>(_dialect.InsertReturningId(SqlDialect.InsertSql("software_titles", TitleColumns)),
                new DynamicParameters(new Dictionary<string, object?>
                {
                    ["p0"] = title.Name, ["p1"] = Publisher, ["p2"] = title.ProductId, ["p3"] = title.RuleId, ["p4"] = title.NotLicensable ? 1 : 0,
                }), _transaction);
        }

        return title.Id;
    }

    private sealed class Title
    {
        public long Id { get; set; }

        public string Name { get; init; } = "";

        public long? ProductId { get; init; }

        public bool NotLicensable { get; init; }

        public long? RuleId { get; init; }
    }
}

/// <summary>
/// The SKU rule table (spec §7): Microsoft 365 exports name a license by its product name ("Microsoft 365 E3") or, from
/// PowerShell and Graph, by its SKU part number ("SPE_E3"); both become one title, so one rule maps both.
/// </summary>
internal static class MicrosoftSkus
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["SPE_E3"] = "Microsoft 365 E3",
        ["SPE_E5"] = "Microsoft 365 E5",
        ["SPE_F1"] = "Microsoft 365 F3",
        ["M365_F1"] = "Microsoft 365 F1",
        ["ENTERPRISEPACK"] = "Office 365 E3",
        ["ENTERPRISEPREMIUM"] = "Office 365 E5",
        ["STANDARDPACK"] = "Office 365 E1",
        ["DESKLESSPACK"] = "Office 365 F3",
        ["SPB"] = "Microsoft 365 Business Premium",
        ["O365_BUSINESS_PREMIUM"] = "Microsoft 365 Business Standard",
        ["O365_BUSINESS_ESSENTIALS"] = "Microsoft 365 Business Basic",
        ["O365_BUSINESS"] = "Microsoft 365 Apps for business",
        ["OFFICESUBSCRIPTION"] = "Microsoft 365 Apps for enterprise",
        ["EMS"] = "Enterprise Mobility + Security E3",
        ["EMSPREMIUM"] = "Enterprise Mobility + Security E5",
        ["POWER_BI_PRO"] = "Power BI Pro",
        ["POWER_BI_STANDARD"] = "Microsoft Fabric (Free)",
        ["PROJECTPROFESSIONAL"] = "Project Plan 3",
        ["VISIOCLIENT"] = "Visio Plan 2",
        ["TEAMS_EXPLORATORY"] = "Microsoft Teams Exploratory",
        ["FLOW_FREE"] = "Microsoft Power Automate Free",
        ["WIN10_VDA_E3"] = "Windows 10/11 Enterprise E3",
        ["EXCHANGESTANDARD"] = "Exchange Online (Plan 1)",
        ["EXCHANGEENTERPRISE"] = "Exchange Online (Plan 2)",
    };
}
