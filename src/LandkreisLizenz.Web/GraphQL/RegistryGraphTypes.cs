using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.GraphQL;

public sealed class NodeInterface : InterfaceGraphType
{
    public NodeInterface()
    {
        Name = "Node";
        Description = "An object with a global id; node(id:) fetches it again.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Global id.");
    }
}

internal static class NodeFields
{
    public static void GlobalId<T>(this ObjectGraphType<T> type, string typeName, Func<T, long> id)
    {
        type.Interface<NodeInterface>();
        type.Field<NonNullGraphType<IdGraphType>>("id").Description("Global id, usable with node(id:).").Resolve(c => Resolve.GlobalId(typeName, id(c.Source)));
    }

    public static void RowVersion<T>(this ObjectGraphType<T> type) where T : IRegistryRow =>
        type.Field<NonNullGraphType<LongGraphType>>("rowVersion").Description("Version for optimistic concurrency: pass it to update and delete.").Resolve(c => c.Source.RowVersion);

    /// <summary>The owning organisation; null only if the caller may not see it.</summary>
    public static void Owner<T>(this ObjectGraphType<T> type, Func<T, long> organisationId) =>
        type.Field<OrganisationGraphType>("organisation").Description("The organisation the object belongs to.").Resolve(c => c.Organisation(organisationId(c.Source)));
}

/// <summary>Sort keys of a registry list, generated from its allow-list of sortable columns.</summary>
public abstract class RegistryOrderGraphType : EnumerationGraphType
{
    protected RegistryOrderGraphType(RegistryEntity entity, string typeName)
    {
        Name = typeName + "Order";
        Description = $"Sort keys of the {typeName} list.";
        foreach (var column in entity.Columns.Where(c => c.Sortable))
        {
            Add(column.Key.ToUpperInvariant(), column.Key, $"By {column.Header}.");
        }
    }
}

public sealed class OrganisationOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Organisations, "Organisation");
public sealed class ProductOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Products, "Product");
public sealed class HostingOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Hostings, "Hosting");
public sealed class ApplicationOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Applications, "Application");
public sealed class ContractOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Contracts, "Contract");
public sealed class LicenseOrderGraphType() : RegistryOrderGraphType(RegistryEntities.Licenses, "License");

public sealed class OrganisationGraphType : ObjectGraphType<OrganisationRow>
{
    public OrganisationGraphType()
    {
        Name = "Organisation";
        Description = "A public body that owns data: a county, a member municipality, an IT service provider or an association.";
        this.GlobalId("Organisation", o => o.Id);
        Field(o => o.Ags).Description("Amtlicher Gemeindeschlüssel (5 digits county, 8 municipality) or provider key X….");
        Field(o => o.Name).Description("Name.");
        Field(o => o.Kind).Description("county, municipality, municipal_provider, state_provider, private_provider or association.");
        Field(o => o.CountyType, nullable: true).Description("Kind of county as Destatis records it (Kreis, Landkreis, Regionalverband …).");
        Field(o => o.StateCode).Description("Two-digit code of the federal state.");
        Field(o => o.Population, nullable: true).Description("Inhabitants (Destatis for counties).");
        Field(o => o.Employees, nullable: true).Description("Employees of the administration.");
        Field(o => o.SharesForConsolidation).Description("Opted in to cross-county analysis (joint procurement, shared operation, peer benchmarks).");
        this.RowVersion();
        Field<OrganisationGraphType>("parent").Description("The county a municipality belongs to; null for counties or outside the caller's scope.")
            .Resolve(c => c.Source.ParentId is { } id ? c.Organisation(id) : null);
        Field<NonNullGraphType<ConnectionGraphType<OrganisationGraphType, OrganisationRow>>>("members").Description("Member municipalities in the caller's scope.").PagingArguments()
            .Resolve(c => c.Children<OrganisationRow>(RegistryEntities.Organisations, OrganisationRow.Select, "parent_id", o => o.ParentId, c.Source.Id));
        Field<NonNullGraphType<ConnectionGraphType<HostingGraphType, HostingRow>>>("hostings").Description("Hostings (Betrieb) of the organisation.").PagingArguments()
            .Resolve(c => c.Children<HostingRow>(RegistryEntities.Hostings, HostingRow.Select, "organisation_id", h => h.OrganisationId, c.Source.Id));
        Field<NonNullGraphType<ConnectionGraphType<ApplicationGraphType, ApplicationRow>>>("applications").Description("Applications (Fachverfahren) the organisation runs.").PagingArguments()
            .Resolve(c => c.Children<ApplicationRow>(RegistryEntities.Applications, ApplicationRow.Select, "organisation_id", a => a.OrganisationId, c.Source.Id));
        Field<NonNullGraphType<ConnectionGraphType<ContractGraphType, ContractRow>>>("contracts").Description("Contracts the organisation holds.").PagingArguments()
            .Resolve(c => c.Children<ContractRow>(RegistryEntities.Contracts, ContractRow.Select, "organisation_id", k => k.OrganisationId, c.Source.Id));
        Field<NonNullGraphType<ConnectionGraphType<LicenseGraphType, LicenseRow>>>("licenses").Description("Licenses the organisation holds.").PagingArguments()
            .Resolve(c => c.Children<LicenseRow>(RegistryEntities.Licenses, LicenseRow.Select, "organisation_id", l => l.OrganisationId, c.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PositionGraphType>>>>("licensePositions")
            .Description("Latest license positions (Lizenzbilanz), largest risk first.")
            .Argument<StringGraphType>("status", "Only positions with this status: unlicensed, shortfall, surplus or compliant.")
            .Resolve(c =>
            {
                var status = c.GetArgument<string?>("status");
                return c.Loader<long, IReadOnlyList<PositionView>>("positions:" + status, async (ids, _) =>
                        (await c.Service<ReconciliationQueries>().PositionsAsync(c.Scope(), ids, new PositionFilter(status)))
                        .GroupBy(p => p.OrganisationId).ToDictionary(g => g.Key, g => (IReadOnlyList<PositionView>)g.ToList()))
                    .Load(c.Source.Id).Then(p => p ?? []);
            });
    }
}

public sealed class CategoryGraphType : ObjectGraphType<CategoryRow>
{
    public CategoryGraphType()
    {
        Name = "Category";
        Description = "A kind of Fachverfahren (e.g. Kfz-Zulassung); single-system categories need one system per organisation.";
        Interface<NodeInterface>();
        Field<NonNullGraphType<IdGraphType>>("id").Description("Global id, usable with node(id:).").Resolve(c => Resolve.GlobalId("Category", c.Source.Id));
        Field(x => x.CategoryKey).Description("Key of the category.");
        Field(x => x.Name).Description("German name.");
        Field(x => x.SingleSystem).Description("An organisation normally runs one system of this category (redundancy rule, spec §4).");
        Field<NonNullGraphType<ConnectionGraphType<ProductGraphType, ProductRow>>>("products").Description("Products of the category.").PagingArguments()
            .Resolve(c => c.Children<ProductRow>(RegistryEntities.Products, ProductRow.Select, "category_id", p => p.CategoryId, c.Source.Id));
    }
}

public sealed class ProductGraphType : ObjectGraphType<ProductRow>
{
    public ProductGraphType()
    {
        Name = "Product";
        Description = "A software product of the shared catalogue.";
        this.GlobalId("Product", p => p.Id);
        Field(p => p.ProductKey).Description("Catalogue key.");
        Field(p => p.Name).Description("Product name.");
        Field(p => p.Vendor).Description("Vendor.");
        Field(p => p.ListPrice, nullable: true).Description("List price per license unit in euros.");
        this.RowVersion();
        Field<CategoryGraphType>("category").Description("Category.").Resolve(c => c.Category(c.Source.CategoryId));
        Field<NonNullGraphType<ConnectionGraphType<ApplicationGraphType, ApplicationRow>>>("applications").Description("Applications of this product in the caller's scope.").PagingArguments()
            .Resolve(c => c.Children<ApplicationRow>(RegistryEntities.Applications, ApplicationRow.Select, "product_id", a => a.ProductId, c.Source.Id));
    }
}

public sealed class HostingGraphType : ObjectGraphType<HostingRow>
{
    public HostingGraphType()
    {
        Name = "Hosting";
        Description = "Where and by whom applications are operated (Betrieb), with the Deutsche Verwaltungscloud criteria.";
        this.GlobalId("Hosting", h => h.Id);
        Field(h => h.HostingKey).Description("Key within the organisation.");
        Field(h => h.Name).Description("Name.");
        Field(h => h.OperatorKind).Description("self, municipal_provider, state_provider or private_provider.");
        Field(h => h.Model).Description("on_premises, colocation, iaas, paas or saas.");
        Field(h => h.Country, nullable: true).Description("Country of the data centre (ISO 3166 alpha-2).");
        Field(h => h.City, nullable: true).Description("City of the data centre.");
        Field(h => h.C5).Description("BSI C5 attestation: none, type1 or type2.");
        Field(h => h.Iso27001).Description("ISO 27001: none, iso or grundschutz (based on IT-Grundschutz).");
        Field(h => h.Georedundant).Description("Operated georedundantly.");
        Field(h => h.ServersPhysical).Description("Physical servers.");
        Field(h => h.ServersVirtual).Description("Virtual servers.");
        Field(h => h.AnnualCost, nullable: true).Description("Annual cost in euros.");
        this.RowVersion();
        this.Owner(h => h.OrganisationId);
        Field<OrganisationGraphType>("operator").Description("Operating organisation (IT service provider), if recorded and visible to the caller.")
            .Resolve(c => c.Source.OperatorOrganisationId is { } id ? c.Organisation(id) : null);
        Field<NonNullGraphType<BooleanGraphType>>("dvsConformant")
            .Description("Meets the location and certification criteria of the Deutsche Verwaltungscloud; a 24x7 application on it also needs georedundancy (see Application.dvsConformant).")
            .Resolve(c => c.Source.FailedDvsCriteria().Count == 0);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("failedDvsCriteria").Description("Failed location and certification criteria (German).")
            .Resolve(c => c.Source.FailedDvsCriteria());
        Field<NonNullGraphType<ConnectionGraphType<ApplicationGraphType, ApplicationRow>>>("applications").Description("Applications operated on this hosting.").PagingArguments()
            .Resolve(c => c.Children<ApplicationRow>(RegistryEntities.Applications, ApplicationRow.Select, "hosting_id", a => a.HostingId, c.Source.Id));
    }
}

public sealed class ApplicationGraphType : ObjectGraphType<ApplicationRow>
{
    public ApplicationGraphType()
    {
        Name = "Application";
        Description = "A Fachverfahren an organisation runs: a product on a hosting.";
        this.GlobalId("Application", a => a.Id);
        Field(a => a.ApplicationKey).Description("Key within the organisation.");
        Field(a => a.Name, nullable: true).Description("Name, if different from the product.");
        Field(a => a.Users, nullable: true).Description("Number of users.");
        Field(a => a.ProtectionNeed).Description("Protection need (BSI): normal, high or very_high.");
        Field(a => a.Kritis).Description("Part of critical infrastructure.");
        Field(a => a.Operation24x7).Description("Operated around the clock.");
        Field(a => a.Lifecycle).Description("TIME classification: tolerate, invest, migrate or eliminate.");
        Field(a => a.AnnualOperatingCost, nullable: true).Description("Annual operating cost in euros.");
        this.RowVersion();
        this.Owner(a => a.OrganisationId);
        Field<ProductGraphType>("product").Description("The product.").Resolve(c => c.Product(c.Source.ProductId));
        Field<HostingGraphType>("hosting").Description("Where it runs.").Resolve(c => c.Hosting(c.Source.HostingId));
        Field<BooleanGraphType>("dvsConformant").Description("Its hosting meets every Deutsche Verwaltungscloud criterion for this application (spec §4).")
            .Resolve(c => c.Hosting(c.Source.HostingId).Then(h => h is null ? (bool?)null : h.FailedDvsCriteria(c.Source.Operation24x7).Count == 0));
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("failedDvsCriteria").Description("The failed criteria (German); empty when conformant.")
            .Resolve(c => c.Hosting(c.Source.HostingId).Then(h => h?.FailedDvsCriteria(c.Source.Operation24x7)));
    }
}

public sealed class ContractGraphType : ObjectGraphType<ContractRow>
{
    public ContractGraphType()
    {
        Name = "Contract";
        Description = "A contract (EVB-IT or other) with its term and notice rules (BGB, spec §3).";
        this.GlobalId("Contract", k => k.Id);
        Field(k => k.ContractKey).Description("Key within the organisation.");
        Field(k => k.Vendor).Description("Vendor.");
        Field(k => k.Title).Description("Title.");
        Field(k => k.EvbItType).Description("ueberlassung_a, ueberlassung_b, pflege_s, cloud, dienstvertrag or other.");
        Field<NonNullGraphType<DateOnlyGraphType>>("startDate").Description("Start of the contract.").Resolve(c => c.Source.StartDate);
        Field(k => k.InitialTermMonths, nullable: true).Description("Initial term in months.");
        Field(k => k.RenewalTermMonths, nullable: true).Description("Automatic renewal in months; null when it does not renew.");
        Field(k => k.NoticePeriodMonths, nullable: true).Description("Notice period in months before a term ends.");
        Field<DateOnlyGraphType>("endDate").Description("Fixed end, if agreed.").Resolve(c => c.Source.EndDate);
        Field(k => k.AnnualCost, nullable: true).Description("Annual cost in euros.");
        Field(k => k.Framework, nullable: true).Description("Framework agreement the contract is called off from.");
        this.RowVersion();
        this.Owner(k => k.OrganisationId);
        Field<DateOnlyGraphType>("currentTermEnd").Description("End of the term running today; null when the contract has ended or not begun.")
            .Resolve(c => ContractTerms.CurrentTerm(c.Source.Terms, c.Today())?.End);
        Field<DateOnlyGraphType>("nextNoticeDeadline").Description("Last day to give notice for the next possible term end; null when notice is not possible.")
            .Resolve(c => ContractTerms.NextDeadline(c.Source.Terms, c.Today())?.NoticeDeadline);
        Field<DateOnlyGraphType>("nextNoticeTermEnd").Description("The term end that nextNoticeDeadline refers to.")
            .Resolve(c => ContractTerms.NextDeadline(c.Source.Terms, c.Today())?.End);
        Field<NonNullGraphType<ConnectionGraphType<LicenseGraphType, LicenseRow>>>("licenses").Description("Licenses granted by the contract.").PagingArguments()
            .Resolve(c => c.Children<LicenseRow>(RegistryEntities.Licenses, LicenseRow.Select, "contract_id", l => l.ContractId, c.Source.Id));
    }
}

public sealed class LicenseGraphType : ObjectGraphType<LicenseRow>
{
    public LicenseGraphType()
    {
        Name = "License";
        Description = "An entitlement from a contract: a quantity of a product by a license metric.";
        this.GlobalId("License", l => l.Id);
        Field(l => l.Metric).Description("device, named_user, subscription, concurrent_user, core, instance, inhabitants or site.");
        Field(l => l.LicenseKey).Description("Tells tranches of one product and metric under one contract apart (e.g. an expired one and its successor); empty for the only one.");
        Field(l => l.Quantity).Description("Licensed quantity.");
        Field(l => l.UnitPrice, nullable: true).Description("One-off price per unit in euros.");
        Field(l => l.AnnualCostPerUnit, nullable: true).Description("Annual cost per unit in euros (maintenance or subscription).");
        Field<DateOnlyGraphType>("validFrom").Description("First day of validity.").Resolve(c => c.Source.ValidFrom);
        Field<DateOnlyGraphType>("validTo").Description("Last day of validity.").Resolve(c => c.Source.ValidTo);
        Field(l => l.CoversMembers).Description("Held by a county for its member municipalities too (pool).");
        Field(l => l.MinCoresPerDevice, nullable: true).Description("Minimum cores counted per device (core metric).");
        this.RowVersion();
        this.Owner(l => l.OrganisationId);
        Field<ContractGraphType>("contract").Description("The contract.").Resolve(c => c.Contract(c.Source.ContractId));
        Field<ProductGraphType>("product").Description("The product.").Resolve(c => c.Product(c.Source.ProductId));
    }
}
