using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Registry;

public sealed class OrganisationListItem
{
    public long Id { get; init; }
    public string Ags { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string StateCode { get; init; } = "";
    public long? Population { get; init; }
    public bool SharesForConsolidation { get; init; }
    public int ApplicationCount { get; init; }
}

public sealed class OrganisationDetail
{
    public long Id { get; init; }
    public string Ags { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? CountyType { get; init; }
    public string StateCode { get; init; } = "";
    public long? ParentId { get; init; }
    public string? ParentName { get; init; }
    public long? Population { get; init; }
    public int? Employees { get; init; }
    public bool SharesForConsolidation { get; init; }
    public IReadOnlyList<OrganisationListItem> Members { get; set; } = [];
}

public sealed record OrganisationFilter(string? Search = null, string? Kind = null, string? StateCode = null);

public sealed class OrganisationQueries(Database database)
{
    private const string ListFromSql = """
        FROM organisations o
        WHERE {scope:o.id}
          AND (@Kind IS NULL OR o.kind = @Kind)
          AND (@StateCode IS NULL OR o.state_code = @StateCode)
          AND (@Search IS NULL OR {search} OR o.ags LIKE @SearchPrefix)
        """;

    private const string ListSelectSql = """
        SELECT o.id AS Id, o.ags AS Ags, o.name AS Name, o.kind AS Kind, o.state_code AS StateCode,
               o.population AS Population, o.shares_for_consolidation AS SharesForConsolidation,
               (SELECT COUNT(*) FROM applications a WHERE a.organisation_id = o.id) AS ApplicationCount
        """;

    private const string DetailSql = """
        SELECT o.id AS Id, o.ags AS Ags, o.name AS Name, o.kind AS Kind, o.county_type AS CountyType, o.state_code AS StateCode,
               o.parent_id AS ParentId, p.name AS ParentName, o.population AS Population, o.employees AS Employees,
               o.shares_for_consolidation AS SharesForConsolidation
        FROM organisations o
        LEFT JOIN organisations p ON p.id = o.parent_id
        WHERE o.id = @Id AND {scope:o.id}
        """;

    private const string MembersSql = """
        SELECT o.id AS Id, o.ags AS Ags, o.name AS Name, o.kind AS Kind, o.state_code AS StateCode,
               o.population AS Population, o.shares_for_consolidation AS SharesForConsolidation,
               (SELECT COUNT(*) FROM applications a WHERE a.organisation_id = o.id) AS ApplicationCount
        FROM organisations o
        WHERE o.parent_id = @Id AND {scope:o.id}
        ORDER BY o.name
        """;

    public async Task<Paged<OrganisationListItem>> ListAsync(CallerScope scope, OrganisationFilter filter, PageRequest page)
    {
        var from = ListFromSql.Replace("{search}", database.Dialect.ContainsIgnoreCase("o.name", "@Search"));
        var search = string.IsNullOrWhiteSpace(filter.Search) ? null : filter.Search.Trim();
        var parameters = new
        {
            Kind = string.IsNullOrWhiteSpace(filter.Kind) ? null : filter.Kind,
            StateCode = string.IsNullOrWhiteSpace(filter.StateCode) ? null : filter.StateCode,
            Search = search,
            SearchPrefix = search + "%",
            page.Skip,
            Take = page.SafePageSize,
        };
        using var connection = database.Open();
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, "SELECT COUNT(*) " + from, parameters);
        var items = await connection.QueryScopedAsync<OrganisationListItem>(scope,
            database.Dialect.Page(ListSelectSql + "\n" + from + "\nORDER BY o.kind, o.name, o.id"), parameters);
        return new Paged<OrganisationListItem>(items.ToList(), page.SafePage, page.SafePageSize, total);
    }

    /// <returns>null when the organisation does not exist or lies outside the caller's scope.</returns>
    public async Task<OrganisationDetail?> GetAsync(CallerScope scope, long id)
    {
        using var connection = database.Open();
        var detail = await connection.QuerySingleOrDefaultScopedAsync<OrganisationDetail>(scope, DetailSql, new { Id = id });
        if (detail is null)
        {
            return null;
        }

        detail.Members = (await connection.QueryScopedAsync<OrganisationListItem>(scope, MembersSql, new { Id = id })).ToList();
        return detail;
    }
}
