using System.Text;
using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>Request state handed to every resolver: the caller's Core scope (the same rules as the pages).</summary>
public sealed class GraphQLUserContext : Dictionary<string, object?>
{
    public required CallerScope Scope { get; init; }
}

internal static class Resolve
{
    public static CallerScope Scope(this IResolveFieldContext context) => ((GraphQLUserContext)context.UserContext).Scope;

    /// <summary>Opaque global ids: base64 of "Type:id".</summary>
    public static string GlobalId(string type, long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{type}:{id}"));

    public static (string Type, long Id)? ParseGlobalId(string value)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && long.TryParse(text[(colon + 1)..], out var id) ? (text[..colon], id) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

public sealed class OrganisationGraphType : ObjectGraphType<IDictionary<string, object?>>
{
    public OrganisationGraphType()
    {
        Name = "Organisation";
        Description = "A public body that owns data: a county, a member municipality, an IT service provider or an association.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Global id, usable with node(id:).").Resolve(c => Resolve.GlobalId("Organisation", Convert.ToInt64(c.Source["id"])));
        Field<NonNullGraphType<StringGraphType>>("ags").Description("Amtlicher Gemeindeschlüssel (5 digits county, 8 municipality) or provider key X….").Resolve(c => c.Source["ags"]);
        Field<NonNullGraphType<StringGraphType>>("name").Description("Name.").Resolve(c => c.Source["name"]);
        Field<NonNullGraphType<StringGraphType>>("kind").Description("county, municipality, municipal_provider, state_provider, private_provider or association.").Resolve(c => c.Source["kind"]);
        Field<LongGraphType>("population").Description("Inhabitants (Destatis for counties).").Resolve(c => c.Source["population"]);
        Field<IntGraphType>("applications").Description("Number of applications the organisation runs.").Resolve(c => c.Source["applications"]);
        Field<NonNullGraphType<BooleanGraphType>>("sharesForConsolidation").Description("Opted in to cross-county analysis.").Resolve(c => Convert.ToInt64(c.Source["shares"]) == 1);
    }
}

public sealed class PositionGraphType : ObjectGraphType<PositionView>
{
    public PositionGraphType()
    {
        Name = "LicensePosition";
        Description = "Latest reconciliation result for one (organisation pool, product, metric).";
        Field(p => p.ProductName).Description("Product name.");
        Field(p => p.Vendor).Description("Vendor.");
        Field(p => p.CategoryName).Description("Category (German name).");
        Field(p => p.Metric).Description("License metric.");
        Field(p => p.Entitlement, nullable: true).Description("Licenses held; null for site licenses (unlimited).");
        Field(p => p.Consumption).Description("Consumption by the metric.");
        Field(p => p.Balance, nullable: true).Description("Entitlement minus consumption.");
        Field(p => p.Status).Description("unlicensed, shortfall, surplus or compliant.");
        Field(p => p.RiskAmount, nullable: true).Description("Money at risk in euros (shortfall/unlicensed).");
        Field(p => p.Unused).Description("Devices or users whose every installation or assignment is unused.");
        Field(p => p.Savings, nullable: true).Description("Annual savings of right-sizing in euros.");
    }
}

public sealed class DeadlineGraphType : ObjectGraphType<LandkreisLizenz.Core.Contracts.Deadline>
{
    public DeadlineGraphType()
    {
        Name = "NoticeDeadline";
        Description = "The next notice deadline of a contract (BGB term rules, spec §3).";
        Field<NonNullGraphType<IdGraphType>>("contractId").Description("Global id of the contract.").Resolve(c => Resolve.GlobalId("Contract", c.Source.ContractId));
        Field(d => d.OrganisationName).Description("Contracting organisation.");
        Field(d => d.ContractKey).Description("Contract key within the organisation.");
        Field(d => d.Title).Description("Contract title.");
        Field(d => d.Vendor).Description("Vendor.");
        Field<NonNullGraphType<DateOnlyGraphType>>("termEnd").Description("End of the term the notice refers to.").Resolve(c => c.Source.TermEnd);
        Field<NonNullGraphType<DateOnlyGraphType>>("noticeDeadline").Description("Last day the notice must be received.").Resolve(c => c.Source.NoticeDeadline);
        Field(d => d.NoticePeriodMonths).Description("Notice period in months.");
        Field(d => d.AnnualCost, nullable: true).Description("Annual cost in euros.");
    }
}

public sealed class SuggestionGraphType : ObjectGraphType<LandkreisLizenz.Core.Suggestions.SuggestionListItem>
{
    public SuggestionGraphType()
    {
        Name = "Suggestion";
        Description = "A consolidation or optimisation proposal (spec §4) with its decision status.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Global id.").Resolve(c => Resolve.GlobalId("Suggestion", c.Source.Id));
        Field(s => s.Type).Description("right_size, compliance_risk, terminate_contract, redundant_applications, joint_procurement, shared_operation, hosting_compliance or member_pooling.");
        Field(s => s.Status).Description("new, in_review, accepted, rejected, implemented or obsolete.");
        Field(s => s.Title).Description("German title.");
        Field(s => s.EstimatedSavings, nullable: true).Description("Estimated annual savings in euros.");
        Field(s => s.RiskAmount, nullable: true).Description("Compliance risk in euros.");
    }
}

public sealed class OrganisationConnectionGraphType : ObjectGraphType<(IReadOnlyList<IDictionary<string, object?>> Nodes, int Total, int Offset)>
{
    public OrganisationConnectionGraphType()
    {
        Name = "OrganisationConnection";
        Description = "A page of organisations (Relay-style cursor paging).";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrganisationGraphType>>>>("nodes").Description("The organisations of this page.").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<IntGraphType>>("totalCount").Description("All organisations matching the filter in the caller's scope.").Resolve(c => c.Source.Total);
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Description("Whether another page follows.").Resolve(c => c.Source.Offset + c.Source.Nodes.Count < c.Source.Total);
        Field<StringGraphType>("endCursor").Description("Pass as after: to get the next page.").Resolve(c => c.Source.Nodes.Count == 0 ? null : Cursor(c.Source.Offset + c.Source.Nodes.Count));
    }

    public static string Cursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));

    public static int Offset(string? cursor) =>
        cursor is null ? 0 : Resolve.ParseGlobalId(cursor) is { Type: "offset" } parsed ? (int)parsed.Id : throw new ExecutionError("Ungültiger Cursor.");
}

public sealed class QueryGraphType : ObjectGraphType
{
    public const int MaxPageSize = 100;

    public QueryGraphType(RegistryService registry, ReconciliationQueries positions, LandkreisLizenz.Core.Contracts.DeadlineCalendar deadlines,
        LandkreisLizenz.Core.Suggestions.SuggestionService suggestions, LandkreisLizenz.Core.Audit.AuditLog audit)
    {
        Name = "Query";
        Description = "Read access to the registry and the reconciliation, always within the caller's scope.";

        Field<NonNullGraphType<StringGraphType>>("viewer").Description("User name of the caller (token or session).").Resolve(c => c.Scope().UserName);

        Field<NonNullGraphType<OrganisationConnectionGraphType>>("organisations")
            .Description("Organisations in the caller's scope.")
            .Argument<IntGraphType>("first", "Page size, at most 100 (default 50).")
            .Argument<StringGraphType>("after", "Cursor from endCursor of the previous page.")
            .Argument<StringGraphType>("search", "Part of the name or the AGS.")
            .Argument<StringGraphType>("kind", "Only organisations of this kind.")
            .ResolveAsync(async c =>
            {
                var first = c.GetArgument<int?>("first") ?? 50;
                if (first is < 1 or > MaxPageSize)
                {
                    throw new ExecutionError($"first muss zwischen 1 und {MaxPageSize} liegen.");
                }

                var offset = OrganisationConnectionGraphType.Offset(c.GetArgument<string?>("after"));
                if (offset % first != 0)
                {
                    throw new ExecutionError("Der Cursor passt nicht zur Seitengröße.");
                }

                var page = await registry.ListAsync(c.Scope(), RegistryEntities.Organisations,
                    new ListQuery(c.GetArgument<string?>("search"), c.GetArgument<string?>("kind"), "ags", false, offset / first + 1, first));
                return ((IReadOnlyList<IDictionary<string, object?>>)page.Rows, page.TotalCount, offset);
            });

        Field<OrganisationGraphType>("node")
            .Description("An object by its global id; null when it does not exist or lies outside the caller's scope.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "Global id.")
            .ResolveAsync(async c =>
            {
                if (Resolve.ParseGlobalId(c.GetArgument<string>("id")) is not { Type: "Organisation" } parsed)
                {
                    return null;
                }

                var record = await registry.GetAsync(c.Scope(), RegistryEntities.Organisations, parsed.Id);
                if (record is null)
                {
                    // Outside the caller's scope (or unknown): null, as for a missing object, and written to the audit log.
                    await audit.WriteAsync(c.Scope(), new LandkreisLizenz.Core.Audit.AuditEntry(LandkreisLizenz.Core.Audit.AuditActions.AccessDenied, "graphql:node",
                        c.GetArgument<string>("id")));
                    return null;
                }

                return (object?)ToListRow(record);
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeadlineGraphType>>>>("noticeDeadlines")
            .Description("Notice deadlines of the next days in the caller's scope, earliest first.")
            .Argument<IntGraphType>("days", "How many days ahead, 1–366 (default 90).")
            .ResolveAsync(async c =>
            {
                var days = c.GetArgument<int?>("days") ?? 90;
                if (days is < 1 or > 366)
                {
                    throw new ExecutionError("days muss zwischen 1 und 366 liegen.");
                }

                var today = LandkreisLizenz.Core.Common.BusinessDate.Today(c.RequestServices!.GetRequiredService<TimeProvider>());
                return (await deadlines.UpcomingAsync(c.Scope(), today, 13)).Where(d => d.NoticeDeadline <= today.AddDays(days)).ToList();
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SuggestionGraphType>>>>("suggestions")
            .Description("Suggestions in the caller's scope, largest effect first (obsolete ones only when asked by status).")
            .Argument<IntGraphType>("first", "At most 100 (default 50).")
            .Argument<StringGraphType>("type", "Only this type.")
            .Argument<StringGraphType>("status", "Only this status.")
            .ResolveAsync(async c =>
            {
                var first = c.GetArgument<int?>("first") ?? 50;
                if (first is < 1 or > MaxPageSize)
                {
                    throw new ExecutionError($"first muss zwischen 1 und {MaxPageSize} liegen.");
                }

                var result = await suggestions.ListAsync(c.Scope(), new LandkreisLizenz.Core.Suggestions.SuggestionFilter(c.GetArgument<string?>("type"), c.GetArgument<string?>("status")),
                    new LandkreisLizenz.Core.Common.PageRequest(1, first));
                return result.Page.Items;
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PositionGraphType>>>>("licensePositions")
            .Description("Latest license positions of an organisation (empty outside the caller's scope).")
            .Argument<NonNullGraphType<IdGraphType>>("organisation", "Global id of the organisation.")
            .Argument<StringGraphType>("status", "Only positions with this status.")
            .ResolveAsync(async c =>
            {
                if (Resolve.ParseGlobalId(c.GetArgument<string>("organisation")) is not { Type: "Organisation" } parsed)
                {
                    return Array.Empty<PositionView>();
                }

                return await positions.PositionsAsync(c.Scope(), parsed.Id, new PositionFilter(c.GetArgument<string?>("status")));
            });
    }

    private static IDictionary<string, object?> ToListRow(RegistryRecord record) => new Dictionary<string, object?>
    {
        ["id"] = record.Id,
        ["ags"] = record.Values["ags"],
        ["name"] = record.Values["name"],
        ["kind"] = record.Values["kind"],
        ["population"] = record.Values["population"],
        ["applications"] = null,
        ["shares"] = record.Values["shares_for_consolidation"],
    };
}

public sealed class LandkreisLizenzSchema : Schema
{
    public LandkreisLizenzSchema(IServiceProvider services, QueryGraphType query) : base(services)
    {
        Query = query;
        Description = "LandkreisLizenz: registry, license positions and suggestions of Germany's counties.";
    }
}
