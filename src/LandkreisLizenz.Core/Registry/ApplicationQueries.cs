using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Registry;

public sealed class ApplicationListItem
{
    public long Id { get; init; }
    public string ApplicationKey { get; init; } = "";
    public string? Name { get; init; }
    public string ProductName { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string CategoryName { get; init; } = "";
    public string HostingName { get; init; } = "";
    public string OperatorKind { get; init; } = "";
    public int? Users { get; init; }
    public string Lifecycle { get; init; } = "";
    public decimal? AnnualOperatingCost { get; init; }
}

public sealed class ApplicationDetail
{
    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public string OrganisationName { get; init; } = "";
    public string ApplicationKey { get; init; } = "";
    public string? Name { get; init; }
    public long ProductId { get; init; }
    public string ProductKey { get; init; } = "";
    public string ProductName { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string CategoryName { get; init; } = "";
    public long HostingId { get; init; }
    public string HostingName { get; init; } = "";
    public string OperatorKind { get; init; } = "";
    public string HostingModel { get; init; } = "";
    public string? Country { get; init; }
    public string? City { get; init; }
    public int? Users { get; init; }
    public string ProtectionNeed { get; init; } = "";
    public bool Kritis { get; init; }
    public bool Operation24x7 { get; init; }
    public string Lifecycle { get; init; } = "";
    public decimal? AnnualOperatingCost { get; init; }
}

public sealed class ApplicationQueries(Database database)
{
    private const string ListFromSql = """
        FROM applications a
        JOIN products p ON p.id = a.product_id
        JOIN categories c ON c.id = p.category_id
        JOIN hostings h ON h.id = a.hosting_id
        WHERE a.organisation_id = @OrganisationId AND {scope:a.organisation_id}
        """;

    private const string ListSelectSql = """
        SELECT a.id AS Id, a.application_key AS ApplicationKey, a.name AS Name, p.name AS ProductName, p.vendor AS Vendor,
               c.name AS CategoryName, h.name AS HostingName, h.operator_kind AS OperatorKind, a.users AS Users,
               a.lifecycle AS Lifecycle, a.annual_operating_cost AS AnnualOperatingCost
        """;

    private const string DetailSql = """
        SELECT a.id AS Id, a.organisation_id AS OrganisationId, o.name AS OrganisationName, a.application_key AS ApplicationKey,
               a.name AS Name, p.id AS ProductId, p.product_key AS ProductKey, p.name AS ProductName, p.vendor AS Vendor,
               c.name AS CategoryName, h.id AS HostingId, h.name AS HostingName, h.operator_kind AS OperatorKind,
               h.model AS HostingModel, h.country AS Country, h.city AS City, a.users AS Users,
               a.protection_need AS ProtectionNeed, a.kritis AS Kritis, a.operation_24x7 AS Operation24x7,
               a.lifecycle AS Lifecycle, a.annual_operating_cost AS AnnualOperatingCost
        FROM applications a
        JOIN organisations o ON o.id = a.organisation_id
        JOIN products p ON p.id = a.product_id
        JOIN categories c ON c.id = p.category_id
        JOIN hostings h ON h.id = a.hosting_id
        WHERE a.id = @Id AND {scope:a.organisation_id}
        """;

    public async Task<Paged<ApplicationListItem>> ListForOrganisationAsync(CallerScope scope, long organisationId, PageRequest page)
    {
        var parameters = new { OrganisationId = organisationId, page.Skip, Take = page.SafePageSize };
        using var connection = database.Open();
        var total = await connection.ExecuteScalarScopedAsync<int>(scope, "SELECT COUNT(*) " + ListFromSql, parameters);
        var items = await connection.QueryScopedAsync<ApplicationListItem>(scope,
            database.Dialect.Page(ListSelectSql + "\n" + ListFromSql + "\nORDER BY c.name, p.name, a.application_key"), parameters);
        return new Paged<ApplicationListItem>(items.ToList(), page.SafePage, page.SafePageSize, total);
    }

    /// <returns>null when the application does not exist or lies outside the caller's scope.</returns>
    public async Task<ApplicationDetail?> GetAsync(CallerScope scope, long id)
    {
        using var connection = database.Open();
        return await connection.QuerySingleOrDefaultScopedAsync<ApplicationDetail>(scope, DetailSql, new { Id = id });
    }
}
