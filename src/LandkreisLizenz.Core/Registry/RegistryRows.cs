namespace LandkreisLizenz.Core.Registry;

/// <summary>
/// Typed registry rows for integrations (GraphQL). Each row type names its entity and the SELECT list over that
/// entity's FROM (aliases equal property names); <see cref="RegistryService"/> adds the caller's scope.
/// </summary>
public interface IRegistryRow
{
    long Id { get; }

    long RowVersion { get; }
}

public static class RegistryRows
{
    /// <summary>The typed row's SELECT list for an entity.</summary>
    public static string SelectFor(RegistryEntity entity) => entity.Table switch
    {
        "organisations" => OrganisationRow.Select,
        "products" => ProductRow.Select,
        "hostings" => HostingRow.Select,
        "applications" => ApplicationRow.Select,
        "contracts" => ContractRow.Select,
        "licenses" => LicenseRow.Select,
        _ => throw new ArgumentException(entity.Table, nameof(entity)),
    };
}

public sealed class OrganisationRow : IRegistryRow
{
    public const string Select = """
        o.id AS Id, o.ags AS Ags, o.name AS Name, o.kind AS Kind, o.county_type AS CountyType, o.parent_id AS ParentId, o.state_code AS StateCode,
        o.population AS Population, o.employees AS Employees, o.shares_for_consolidation AS SharesForConsolidation, o.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public string Ags { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? CountyType { get; init; }
    public long? ParentId { get; init; }
    public string StateCode { get; init; } = "";
    public long? Population { get; init; }
    public long? Employees { get; init; }
    public bool SharesForConsolidation { get; init; }
    public long RowVersion { get; init; }
}

public sealed class ProductRow : IRegistryRow
{
    public const string Select = """
        p.id AS Id, p.product_key AS ProductKey, p.name AS Name, p.vendor AS Vendor, p.category_id AS CategoryId, p.list_price AS ListPrice,
        p.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public string ProductKey { get; init; } = "";
    public string Name { get; init; } = "";
    public string Vendor { get; init; } = "";
    public long CategoryId { get; init; }
    public decimal? ListPrice { get; init; }
    public long RowVersion { get; init; }
}

public sealed class HostingRow : IRegistryRow
{
    public const string Select = """
        h.id AS Id, h.organisation_id AS OrganisationId, h.hosting_key AS HostingKey, h.name AS Name, h.operator_kind AS OperatorKind, h.model AS Model,
        h.operator_organisation_id AS OperatorOrganisationId, h.country AS Country, h.city AS City, h.c5 AS C5, h.iso27001 AS Iso27001,
        h.georedundant AS Georedundant, h.servers_physical AS ServersPhysical, h.servers_virtual AS ServersVirtual, h.annual_cost AS AnnualCost,
        h.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public string HostingKey { get; init; } = "";
    public string Name { get; init; } = "";
    public string OperatorKind { get; init; } = "";
    public string Model { get; init; } = "";
    public long? OperatorOrganisationId { get; init; }
    public string? Country { get; init; }
    public string? City { get; init; }
    public string C5 { get; init; } = "";
    public string Iso27001 { get; init; } = "";
    public bool Georedundant { get; init; }
    public int ServersPhysical { get; init; }
    public int ServersVirtual { get; init; }
    public decimal? AnnualCost { get; init; }
    public long RowVersion { get; init; }

    /// <summary>Location and certification criteria; the 24x7 criterion depends on the application run on it.</summary>
    public IReadOnlyList<string> FailedDvsCriteria(bool operation24x7 = false) => DvsCriteria.Failed(Country, C5, Iso27001, operation24x7, Georedundant);
}

public sealed class ApplicationRow : IRegistryRow
{
    public const string Select = """
        a.id AS Id, a.organisation_id AS OrganisationId, a.application_key AS ApplicationKey, a.product_id AS ProductId, a.hosting_id AS HostingId,
        a.name AS Name, a.users AS Users, a.protection_need AS ProtectionNeed, a.kritis AS Kritis, a.operation_24x7 AS Operation24x7,
        a.lifecycle AS Lifecycle, a.annual_operating_cost AS AnnualOperatingCost, a.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public string ApplicationKey { get; init; } = "";
    public long ProductId { get; init; }
    public long HostingId { get; init; }
    public string? Name { get; init; }
    public int? Users { get; init; }
    public string ProtectionNeed { get; init; } = "";
    public bool Kritis { get; init; }
    public bool Operation24x7 { get; init; }
    public string Lifecycle { get; init; } = "";
    public decimal? AnnualOperatingCost { get; init; }
    public long RowVersion { get; init; }
}

public sealed class ContractRow : Contracts.ContractTermColumns, IRegistryRow
{
    public const string Select = """
        k.id AS Id, k.organisation_id AS OrganisationId, k.contract_key AS ContractKey, k.vendor AS Vendor, k.title AS Title, k.evb_it_type AS EvbItType,
        k.start_date AS StartDate, k.initial_term_months AS InitialTermMonths, k.renewal_term_months AS RenewalTermMonths,
        k.notice_period_months AS NoticePeriodMonths, k.end_date AS EndDate, k.annual_cost AS AnnualCost, k.framework AS Framework,
        k.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public string ContractKey { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string Title { get; init; } = "";
    public string EvbItType { get; init; } = "";
    public decimal? AnnualCost { get; init; }
    public string? Framework { get; init; }
    public long RowVersion { get; init; }
}

public sealed class LicenseRow : IRegistryRow
{
    public const string Select = """
        l.id AS Id, l.organisation_id AS OrganisationId, l.contract_id AS ContractId, l.product_id AS ProductId, l.metric AS Metric, l.license_key AS LicenseKey, l.quantity AS Quantity,
        l.unit_price AS UnitPrice, l.annual_cost_per_unit AS AnnualCostPerUnit, l.valid_from AS ValidFrom, l.valid_to AS ValidTo,
        l.covers_members AS CoversMembers, l.min_cores_per_device AS MinCoresPerDevice, l.row_version AS RowVersion
        """;

    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public long ContractId { get; init; }
    public long ProductId { get; init; }
    public string Metric { get; init; } = "";
    public string LicenseKey { get; init; } = "";
    public long Quantity { get; init; }
    public decimal? UnitPrice { get; init; }
    public decimal? AnnualCostPerUnit { get; init; }
    public DateOnly? ValidFrom { get; init; }
    public DateOnly? ValidTo { get; init; }
    public bool CoversMembers { get; init; }
    public int? MinCoresPerDevice { get; init; }
    public long RowVersion { get; init; }
}

public sealed class CategoryRow
{
    public long Id { get; init; }
    public string CategoryKey { get; init; } = "";
    public string Name { get; init; } = "";
    public bool SingleSystem { get; init; }
}
