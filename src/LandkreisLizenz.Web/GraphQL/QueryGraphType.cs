using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Web.GraphQL;

public sealed class ViewerGraphType : ObjectGraphType<CallerScope>
{
    public ViewerGraphType()
    {
        Name = "Viewer";
        Description = "Who is asking: the user behind the token or session.";
        Field(v => v.UserName).Description("User name.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Description("Roles held (admin, license_manager, cio, reader, verbund_analyst).")
            .Resolve(c => c.Source.Grants.Select(g => g.Role).Distinct().Order(StringComparer.Ordinal).ToList());
        Field(v => v.ReadOnly).Description("Acting with a read-only API token: mutations are refused.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrganisationGraphType>>>>("organisations").Description("Organisations the caller holds a role on.")
            .Resolve(c => c.Source.HomeOrganisationIds.Select(id => c.Organisation(id)).ToList());
    }
}

/// <summary>The query root. Every field reads through the caller's Core scope; nothing outside it is returned.</summary>
public sealed class QueryGraphType : ObjectGraphType
{
    public const int MaxNodes = 100;

    public QueryGraphType()
    {
        Name = "Query";
        Description = "Read access to the registry, the reconciliation and the suggestions, always within the caller's scope.";

        Field<NonNullGraphType<ViewerGraphType>>("viewer").Description("The caller.").Resolve(c => c.Scope());

        Field<NodeInterface>("node")
            .Description("An object by its global id; null when it does not exist or lies outside the caller's scope (refusals are audited).")
            .Argument<NonNullGraphType<IdGraphType>>("id", "Global id.")
            .Resolve(c => Node(c, c.GetArgument<string>("id")));
        Field<NonNullGraphType<ListGraphType<NodeInterface>>>("nodes")
            .Description($"Objects by their global ids (at most {MaxNodes}), null for each one that does not exist or lies outside the caller's scope.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("ids", "Global ids.")
            .Resolve(c =>
            {
                var ids = c.GetArgument<List<string>>("ids");
                return ids.Count > MaxNodes
                    ? throw new ExecutionError($"Höchstens {MaxNodes} IDs je Abfrage.") { Code = "BAD_USER_INPUT" }
                    : ids.Select(id => Node(c, id)).ToList();
            });

        Field<OrganisationGraphType>("organisation").Description("An organisation by its AGS (or provider key); null outside the caller's scope.")
            .Argument<NonNullGraphType<StringGraphType>>("ags", "Amtlicher Gemeindeschlüssel or provider key.")
            .ResolveAsync(async c => await c.Service<RegistryService>().OrganisationByAgsAsync(c.Scope(), c.GetArgument<string>("ags")));

        Field<NonNullGraphType<ConnectionGraphType<OrganisationGraphType, OrganisationRow>>>("organisations").Description("Organisations in the caller's scope.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the name or the AGS.")
            .Argument<StringGraphType>("kind", "Only this kind: county, municipality, municipal_provider, state_provider, private_provider or association.")
            .Argument<OrganisationOrderGraphType>("orderBy", "Sort key (default KIND).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<OrganisationRow>(RegistryEntities.Organisations, OrganisationRow.Select, "kind"));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CategoryGraphType>>>>("categories").Description("Product categories (reference data).")
            .ResolveAsync(async c => await c.Service<ProductCatalogue>().CategoriesAsync());

        Field<NonNullGraphType<ConnectionGraphType<ProductGraphType, ProductRow>>>("products").Description("The shared product catalogue.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the name, vendor or key.")
            .Argument<StringGraphType>("category", "Only this category key.")
            .Argument<ProductOrderGraphType>("orderBy", "Sort key (default CATEGORY).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<ProductRow>(RegistryEntities.Products, ProductRow.Select, "category"));

        Field<NonNullGraphType<ConnectionGraphType<HostingGraphType, HostingRow>>>("hostings").Description("Hostings (Betrieb) in the caller's scope.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the name, key, organisation or city.")
            .Argument<StringGraphType>("operatorKind", "Only this operator: self, municipal_provider, state_provider or private_provider.")
            .Argument<HostingOrderGraphType>("orderBy", "Sort key (default ORGANISATION).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<HostingRow>(RegistryEntities.Hostings, HostingRow.Select, "operatorKind"));

        Field<NonNullGraphType<ConnectionGraphType<ApplicationGraphType, ApplicationRow>>>("applications").Description("Applications (Fachverfahren) in the caller's scope.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the name, key, product, vendor or organisation.")
            .Argument<StringGraphType>("category", "Only this category key.")
            .Argument<ApplicationOrderGraphType>("orderBy", "Sort key (default ORGANISATION).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<ApplicationRow>(RegistryEntities.Applications, ApplicationRow.Select, "category"));

        Field<NonNullGraphType<ConnectionGraphType<ContractGraphType, ContractRow>>>("contracts").Description("Contracts in the caller's scope.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the title, vendor, key or organisation.")
            .Argument<StringGraphType>("evbItType", "Only this contract type.")
            .Argument<ContractOrderGraphType>("orderBy", "Sort key (default ORGANISATION).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<ContractRow>(RegistryEntities.Contracts, ContractRow.Select, "evbItType"));

        Field<NonNullGraphType<ConnectionGraphType<LicenseGraphType, LicenseRow>>>("licenses").Description("Licenses in the caller's scope.")
            .PagingArguments().Argument<StringGraphType>("search", "Part of the product, contract key or organisation.")
            .Argument<StringGraphType>("metric", "Only this license metric.")
            .Argument<LicenseOrderGraphType>("orderBy", "Sort key (default ORGANISATION).").Argument<BooleanGraphType>("descending", "Sort descending.")
            .ResolveAsync(async c => await c.PageAsync<LicenseRow>(RegistryEntities.Licenses, LicenseRow.Select, "metric"));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PositionGraphType>>>>("licensePositions")
            .Description("Latest license positions of an organisation (empty outside the caller's scope), largest risk first.")
            .Argument<NonNullGraphType<IdGraphType>>("organisation", "Global id of the organisation.")
            .Argument<StringGraphType>("status", "Only positions with this status: unlicensed, shortfall, surplus or compliant.")
            .ResolveAsync(async c => await VisibleOrganisationAsync(c) is { } organisation
                ? await c.Service<ReconciliationQueries>().PositionsAsync(c.Scope(), organisation, new PositionFilter(c.GetArgument<string?>("status")))
                : []);

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeadlineGraphType>>>>("noticeDeadlines")
            .Description("Notice deadlines of the next days in the caller's scope, earliest first.")
            .Argument<IntGraphType>("days", "How many days ahead, 1–366 (default 90).")
            .ResolveAsync(async c =>
            {
                var days = c.GetArgument<int?>("days") ?? 90;
                if (days is < 1 or > 366)
                {
                    throw new ExecutionError("days muss zwischen 1 und 366 liegen.") { Code = "BAD_USER_INPUT" };
                }

                var today = c.Today();
                return (await c.Service<DeadlineCalendar>().UpcomingAsync(c.Scope(), today, 13)).Where(d => d.NoticeDeadline <= today.AddDays(days)).ToList();
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MeasureGraphType>>>>("measures")
            .Description("Measures of the organisations in the caller's scope, soonest due first (spec §6.4).")
            .Argument<StringGraphType>("status", "Only this status: planned, in_progress, done or cancelled.")
            .ResolveAsync(async c => (await c.Service<MeasureService>().ListAsync(c.Scope(), c.GetArgument<string?>("status"))).Items);

        Field<NonNullGraphType<ConnectionGraphType<SuggestionGraphType, SuggestionListItem>>>("suggestions")
            .Description("Suggestions in the caller's scope, largest effect first (obsolete ones only when asked for by status).")
            .PagingArguments()
            .Argument<StringGraphType>("type", "Only this type, e.g. shared_operation.")
            .Argument<StringGraphType>("status", "Only this status.")
            .Argument<IdGraphType>("product", "Only suggestions about this product (global id).")
            .ResolveAsync(async c =>
            {
                var request = c.Paging();
                long? product = c.GetArgument<string?>("product") is null ? null : c.IdArgument("product", "Product");
                return c.Connection(await Resolve.WithPlacesAsync(() => c.Service<SuggestionService>().PlacesAsync(c.Scope(),
                    new SuggestionFilter(c.GetArgument<string?>("type"), c.GetArgument<string?>("status"), ProductId: product), request)));
            });

        Field<NonNullGraphType<ConnectionGraphType<UnrecognisedSoftwareGraphType, UnrecognisedSoftware>>>("unrecognisedSoftware")
            .Description("Software titles no rule decides yet, with their devices, installations and held evidence in the caller's scope, most devices first.")
            .PagingArguments()
            .Argument<StringGraphType>("search", "Only titles or publishers containing this text.")
            .ResolveAsync(async c =>
            {
                var request = c.Paging();
                return c.Connection(await Resolve.WithPlacesAsync(() => c.Service<RecognitionService>().UnrecognisedPlacesAsync(c.Scope(), c.GetArgument<string?>("search"), request)));
            });

        Field<NonNullGraphType<ConnectionGraphType<ReconciliationRunGraphType, RunSummary>>>("reconciliationRuns")
            .Description("Reconciliation runs the caller may see, newest first (runs over the whole estate only for admins).")
            .PagingArguments()
            .Argument<IdGraphType>("organisation", "Only runs started for this organisation.")
            .ResolveAsync(async c =>
            {
                var request = c.Paging();
                long? organisation = null;
                if (c.GetArgument<string?>("organisation") is not null)
                {
                    organisation = await VisibleOrganisationAsync(c);
                    if (organisation is null)
                    {
                        return LandkreisLizenz.Web.GraphQL.Connection<RunSummary>.Empty;
                    }
                }

                return c.Connection(await Resolve.WithPlacesAsync(() => c.Service<ReconciliationService>().RunsAsync(c.Scope(), organisation, request)));
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NotificationGraphType>>>>("notifications").Description("The caller's notifications, newest first.")
            .Argument<IntGraphType>("first", $"At most {Resolve.MaxPageSize} (default {Resolve.DefaultPageSize}).")
            .ResolveAsync(async c => await c.Service<NotificationService>().ListAsync(c.Scope(), c.Paging().Take));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ImportBatchGraphType>>>>("importBatches").Description("Recent imports of the caller and its organisations, newest first.")
            .Argument<IntGraphType>("first", $"At most {Resolve.MaxPageSize} (default {Resolve.DefaultPageSize}).")
            .ResolveAsync(async c => await c.Service<ImportService>().RecentBatchesAsync(c.Scope(), c.Paging().Take));

        Field<DashboardGraphType>("dashboard").Description("CIO dashboard figures of a county with its municipalities; null outside the caller's scope.")
            .Argument<NonNullGraphType<IdGraphType>>("organisation", "Global id of the organisation.")
            .ResolveAsync(async c => await VisibleOrganisationAsync(c) is { } organisation ? await c.Service<CioDashboardService>().GetAsync(c.Scope(), organisation) : null);
    }

    /// <summary>
    /// The organisation named by the "organisation" argument if the caller may see it; otherwise null, and the request
    /// for another organisation's data is written to the audit log.
    /// </summary>
    private static async Task<long?> VisibleOrganisationAsync(IResolveFieldContext c)
    {
        var id = c.IdArgument("organisation", "Organisation");
        if (await c.Organisation(id).GetResultAsync(c.CancellationToken) is not null)
        {
            return id;
        }

        await c.AuditDeniedAsync("Organisation", id);
        return null;
    }

    /// <summary>Resolves a global id through the same scoped (batched) lookups as the rest of the schema; a refusal is audited.</summary>
    private static object? Node(IResolveFieldContext c, string id)
    {
        if (Resolve.ParseGlobalId(id) is not { } parsed)
        {
            return null;
        }

        var lookup = c.NodeOf(parsed.Type, parsed.Id);

        return lookup?.ThenAsync(async found =>
        {
            if (found is null)
            {
                // Outside the caller's scope (or unknown): null, as for a missing object, and written to the audit log.
                await c.AuditDeniedAsync(parsed.Type, parsed.Id);
            }

            return found;
        });
    }
}

/// <summary>The one lookup of an object by its type and id, batched and scoped: node(id:), nodes(ids:) and fields that lead to any kind of object.</summary>
internal static class NodeLoaders
{
    /// <returns>null for a type that has no lookup; the loaded object is null where it does not exist or lies outside the caller's scope.</returns>
    public static IDataLoaderResult<object?>? NodeOf(this IResolveFieldContext c, string type, long id) =>
        type switch
        {
            "Organisation" => c.Organisation(id).Then(o => (object?)o),
            "Product" => c.Product(id).Then(o => (object?)o),
            "Category" => c.Category(id).Then(o => (object?)o),
            "Hosting" => c.Hosting(id).Then(o => (object?)o),
            "Application" => c.ById<ApplicationRow>(RegistryEntities.Applications, ApplicationRow.Select, id).Then(o => (object?)o),
            "Contract" => c.Contract(id).Then(o => (object?)o),
            "License" => c.ById<LicenseRow>(RegistryEntities.Licenses, LicenseRow.Select, id).Then(o => (object?)o),
            "Suggestion" => c.SuggestionDetail(id).Then(d => (object?)d?.ToListItem()),
            "Measure" => c.Loader<long, Measure>("measures", async (ids, _) =>
                (await c.Service<MeasureService>().GetManyAsync(c.Scope(), ids)).ToDictionary(m => m.Id)).Load(id).Then(o => (object?)o),
            "ReconciliationRun" => c.Loader<long, RunSummary>("runs", async (ids, _) =>
                (await c.Service<ReconciliationService>().GetRunsAsync(c.Scope(), ids)).ToDictionary(r => r.Id)).Load(id).Then(o => (object?)o),
            "ImportBatch" => c.Loader<long, ImportBatch>("imports", async (ids, _) =>
                (await c.Service<ImportService>().GetBatchesAsync(c.Scope(), ids)).ToDictionary(b => b.Id)).Load(id).Then(o => (object?)o),
            _ => null,
        };
}

public sealed class LandkreisLizenzSchema : Schema
{
    public LandkreisLizenzSchema(IServiceProvider services, QueryGraphType query, MutationGraphType mutation) : base(services)
    {
        Query = query;
        Mutation = mutation;
        Description = "LandkreisLizenz: registry, license positions and suggestions of Germany's counties.";
        RegisterType(new LongGraphType { Description = "A 64-bit integer (counts, quantities, row versions)." });
        RegisterType(new DecimalGraphType { Description = "A decimal number; amounts of money are euros." });
        RegisterType(typeof(OrganisationGraphType));
        RegisterType(typeof(ProductGraphType));
        RegisterType(typeof(CategoryGraphType));
        RegisterType(typeof(HostingGraphType));
        RegisterType(typeof(ApplicationGraphType));
        RegisterType(typeof(ContractGraphType));
        RegisterType(typeof(LicenseGraphType));
        RegisterType(typeof(SuggestionGraphType));
        RegisterType(typeof(ReconciliationRunGraphType));
        RegisterType(typeof(ImportBatchGraphType));
        RegisterType(typeof(SoftwareMappingGraphType));
        // What graphql-js getIntrospectionQuery() asks with all its options (directiveIsRepeatable, inputValueDeprecation);
        // before the next line, which initialises the schema.
        this.EnableExperimentalIntrospectionFeatures(ExperimentalIntrospectionFeaturesMode.IntrospectionAndExecution);
        // Applied directives are GraphQL.NET's own extension: their __AppliedDirective types make graphql-js (GraphiQL,
        // codegen) reject the whole schema.
        Features.AppliedDirectives = false;
        // Reading the schema costs no data: the standard introspection query is not refused as "too complex".
        this.WithIntrospectionComplexityImpact(0);
    }

    /// <summary>
    /// <c>__Type.specifiedByURL</c> (graphql-js's <c>specifiedByUrl</c> option, GraphiQL, codegen) is part of the October 2021
    /// specification but not of GraphQL.NET 8: added here, null for every type, as none of the schema's scalars names a
    /// specification of its own.
    /// </summary>
    protected override void OnBeforeInitializeType(IGraphType graphType)
    {
        if (graphType is global::GraphQL.Introspection.__Type type && !type.HasField("specifiedByURL"))
        {
            type.Field<StringGraphType>("specifiedByURL").Description("A URL to the specification of a custom scalar; null for every type of this schema.").Resolve(_ => null);
        }

        // graphql-js asks directives' arguments with includeDeprecated as well; no directive argument here is deprecated.
        if (graphType is global::GraphQL.Introspection.__Directive directive && directive.GetField("args") is { } args
            && args.Arguments?.Find("includeDeprecated") is null)
        {
            args.Arguments ??= new QueryArguments();
            args.Arguments.Add(new QueryArgument<BooleanGraphType> { Name = "includeDeprecated", DefaultValue = false });
        }

        base.OnBeforeInitializeType(graphType);
    }
}
