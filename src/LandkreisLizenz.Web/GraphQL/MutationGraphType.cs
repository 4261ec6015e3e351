using GraphQL;
using GraphQL.Types;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Web.Jobs;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>What a mutation did: the object as it is now, or the reasons (German, per input field) why nothing was written.</summary>
public sealed record MutationPayload(object? Node, IReadOnlyList<(string? Field, string Message)> Errors, string? Conflict = null)
{
    public static MutationPayload Failed(string message, string? field = null) => new(null, [(field, message)]);
}

public sealed class UserErrorGraphType : ObjectGraphType<(string? Field, string Message)>
{
    public UserErrorGraphType()
    {
        Name = "UserError";
        Description = "Why a mutation was refused; nothing was written.";
        Field<StringGraphType>("field").Description("Input field concerned, if any.").Resolve(c => c.Source.Field);
        Field<NonNullGraphType<StringGraphType>>("message").Description("German message naming the field and the reason.").Resolve(c => c.Source.Message);
    }
}

/// <summary>
/// Create, update and delete of the registry objects (through <see cref="RegistryService"/>, validated by the same rules as
/// the forms and the CSV import), deciding a suggestion and starting a reconciliation. Read-only tokens cannot run any
/// mutation (<see cref="MutationGuardRule"/>), and Core refuses every write outside the caller's organisations.
/// </summary>
public sealed class MutationGraphType : ObjectGraphType
{
    /// <summary>The registry objects of the API: entity, GraphQL type name and the row type's SELECT list.</summary>
    internal static readonly (RegistryEntity Entity, string Type, string Select)[] Entities =
    [
        (RegistryEntities.Organisations, "Organisation", OrganisationRow.Select),
        (RegistryEntities.Products, "Product", ProductRow.Select),
        (RegistryEntities.Hostings, "Hosting", HostingRow.Select),
        (RegistryEntities.Applications, "Application", ApplicationRow.Select),
        (RegistryEntities.Contracts, "Contract", ContractRow.Select),
        (RegistryEntities.Licenses, "License", LicenseRow.Select),
    ];

    public MutationGraphType()
    {
        Name = "Mutation";
        Description = "Changes, each checked by Core against the caller's write permissions and written completely or not at all.";

        var deletePayload = Payload("DeletePayload", "Result of a delete.", null, null);
        foreach (var (entity, type, select) in Entities)
        {
            var input = Input(entity, type);
            var payload = Payload(type + "Payload", $"Result of creating or updating a {type}.", Camel(type), new GraphQLTypeReference(type));

            AddField(new FieldType
            {
                Name = "create" + type,
                Description = $"Creates a {type} (fields and rules as in the {entity.Format} import format).",
                ResolvedType = new NonNullGraphType(payload),
                Arguments = new QueryArguments(new QueryArgument(new NonNullGraphType(input)) { Name = "input", Description = "The new values." }),
                Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await SaveAsync(c, entity, type, select, null)),
            });
            AddField(new FieldType
            {
                Name = "update" + type,
                Description = $"Changes a {type}: fields left out keep their value, null clears an optional field; the key fields cannot change. Refused if rowVersion is stale.",
                ResolvedType = new NonNullGraphType(payload),
                Arguments = new QueryArguments(
                    new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "id", Description = "Global id." },
                    new QueryArgument(new NonNullGraphType(new LongGraphType())) { Name = "rowVersion", Description = "rowVersion as last read." },
                    new QueryArgument(new NonNullGraphType(input)) { Name = "input", Description = "The changed values." }),
                Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await SaveAsync(c, entity, type, select, c.IdArgument("id", type))),
            });
            AddField(new FieldType
            {
                Name = "delete" + type,
                Description = $"Deletes a {type} nothing refers to any more. Refused if rowVersion is stale.",
                ResolvedType = new NonNullGraphType(deletePayload),
                Arguments = new QueryArguments(
                    new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "id", Description = "Global id." },
                    new QueryArgument(new NonNullGraphType(new LongGraphType())) { Name = "rowVersion", Description = "rowVersion as last read." }),
                Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await DeleteAsync(c, entity, type)),
            });
        }

        AddField(new FieldType
        {
            Name = "updateMeasure",
            Description = "Changes a measure (spec §6.4; a CIO of its organisation or an admin): stand, who is responsible, due date, realised savings, note. "
                          + "Dates as 31.03.2027 or 2027-03-31, amounts as 1.250,50. Refused if rowVersion is stale.",
            ResolvedType = new NonNullGraphType(Payload("MeasurePayload", "Result of changing a measure.", "measure", new GraphQLTypeReference("Measure"))),
            Arguments = new QueryArguments(
                new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "id", Description = "Global id of the measure." },
                new QueryArgument(new NonNullGraphType(new IntGraphType())) { Name = "rowVersion", Description = "The row version read with it." },
                new QueryArgument(new NonNullGraphType(new StringGraphType())) { Name = "status", Description = "planned, in_progress, done or cancelled." },
                new QueryArgument(new StringGraphType()) { Name = "responsible", Description = "Who is responsible." },
                new QueryArgument(new StringGraphType()) { Name = "dueDate", Description = "Due date." },
                new QueryArgument(new StringGraphType()) { Name = "realisedSavings", Description = "Annual savings realised, in euros." },
                new QueryArgument(new StringGraphType()) { Name = "note", Description = "Note." }),
            Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await UpdateMeasureAsync(c)),
        });

        AddField(new FieldType
        {
            Name = "decideSuggestion",
            Description = "Records a decision on a suggestion (spec §6.4). A single-organisation suggestion has one decision by a CIO of its organisation or an admin: "
                          + "in_review, accepted, rejected (reason required) or implemented. In a cluster (joint_procurement, shared_operation, shared_data_centre) each participant "
                          + "decides for itself, by its CIO: interested, joined, declined (reason required) or withdrawn; no decision changes another participant's.",
            ResolvedType = new NonNullGraphType(Payload("SuggestionPayload", "Result of a decision.", "suggestion", new GraphQLTypeReference("Suggestion"))),
            Arguments = new QueryArguments(
                new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "id", Description = "Global id of the suggestion." },
                new QueryArgument(new NonNullGraphType(new StringGraphType())) { Name = "decision", Description = "See the mutation: the decisions of a suggestion or of a cluster participant." },
                new QueryArgument(new StringGraphType()) { Name = "reason", Description = "Reason (required for rejected and declined)." },
                new QueryArgument(new IdGraphType()) { Name = "organisation", Description = "For a cluster: the participant decided for, when the caller is CIO of several." }),
            Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await DecideAsync(c)),
        });

        AddField(new FieldType
        {
            Name = "mapSoftwareTitle",
            Description = "Maps an unrecognised title as the page Nicht erkannte Software does (spec §6.1): a rule for the caller's county family (a license manager's local rule) "
                          + "or, for an admin, a global one; to a product or as not licensable. Empty patterns mean exactly this title's name and publisher.",
            ResolvedType = new NonNullGraphType(Payload("SoftwareMappingPayload", "Result of a mapping.", "mapping", new GraphQLTypeReference("SoftwareMapping"))),
            Arguments = new QueryArguments(
                new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "softwareTitle", Description = "Global id of the title (UnrecognisedSoftware.softwareTitle)." },
                new QueryArgument(new IdGraphType()) { Name = "product", Description = "Global id of the product; leave out with notLicensable." },
                new QueryArgument(new BooleanGraphType()) { Name = "notLicensable", Description = "The title needs no license (drivers, runtimes, updaters).", DefaultValue = false },
                new QueryArgument(new StringGraphType()) { Name = "softwarePattern", Description = "Pattern of titles (% as wildcard); empty: this title's name." },
                new QueryArgument(new StringGraphType()) { Name = "publisherPattern", Description = "Pattern of publishers; empty: this title's publisher." }),
            Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await MapSoftwareTitleAsync(c)),
        });

        AddField(new FieldType
        {
            Name = "startReconciliation",
            Description = "Starts a reconciliation (Lizenzabgleich) of an organisation with its municipalities, as the button on the Lizenzbilanz does; the run proceeds in the background.",
            ResolvedType = new NonNullGraphType(Payload("ReconciliationRunPayload", "Result of starting a run.", "run", new GraphQLTypeReference("ReconciliationRun"))),
            Arguments = new QueryArguments(new QueryArgument(new NonNullGraphType(new IdGraphType())) { Name = "organisation", Description = "Global id of the organisation." }),
            Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<object>(async c => await StartReconciliationAsync(c)),
        });
    }

    private static ObjectGraphType<MutationPayload> Payload(string name, string description, string? nodeField, IGraphType? nodeType)
    {
        var payload = new ObjectGraphType<MutationPayload> { Name = name, Description = description };
        if (nodeField is not null)
        {
            payload.AddField(new FieldType { Name = nodeField, Description = "The object as saved; null when refused.", ResolvedType = nodeType, Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<MutationPayload, object?>(c => c.Source.Node) });
        }
        else
        {
            payload.AddField(new FieldType { Name = "deletedId", Description = "Global id of the deleted object; null when refused.", ResolvedType = new IdGraphType(), Resolver = new global::GraphQL.Resolvers.FuncFieldResolver<MutationPayload, object?>(c => c.Source.Node) });
        }

        payload.Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorGraphType>>>>("errors").Description("Why nothing was written; empty on success.").Resolve(c => c.Source.Errors);
        payload.Field<StringGraphType>("conflict").Description("Set when someone else changed the object since rowVersion; nothing was written.").Resolve(c => c.Source.Conflict);
        payload.Field<NonNullGraphType<BooleanGraphType>>("succeeded").Description("Whether the change was written.").Resolve(c => c.Source.Errors.Count == 0 && c.Source.Conflict is null);
        return payload;
    }

    /// <summary>One input field per column of the entity's import format, typed; values are checked by the import's rules.</summary>
    private static InputObjectGraphType Input(RegistryEntity entity, string type)
    {
        var input = new InputObjectGraphType { Name = type + "Input", Description = $"Fields of a {type}; the same columns and rules as the {entity.Format} CSV format (docs/import-formats.md)." };
        foreach (var field in ImportFormatDescriptions.Fields(entity.Format))
        {
            IGraphType graphType = field.Type switch
            {
                "integer" => new LongGraphType(),
                "decimal" => new DecimalGraphType(),
                "date" => new DateOnlyGraphType(),
                "bool" => new BooleanGraphType(),
                _ => new StringGraphType(),
            };
            var key = entity.KeyColumns.Contains(field.Name) ? " Key field: fixed after creation." : "";
            input.AddField(new FieldType
            {
                Name = Camel(field.Name),
                ResolvedType = graphType,
                Description = $"Column {field.Name}{(field.Required ? " (required on create)" : "")}, {field.Type}{(field.Type is "text" or "code" ? $", at most {field.MaxLength} characters" : "")}.{key}",
            });
        }

        return input;
    }

    internal static string Camel(string name)
    {
        var parts = name.Split('_');
        return char.ToLowerInvariant(parts[0][0]) + parts[0][1..] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static async Task<MutationPayload> SaveAsync(IResolveFieldContext c, RegistryEntity entity, string type, string select, long? id)
    {
        var registry = c.Service<RegistryService>();
        var input = c.GetArgument<Dictionary<string, object?>>("input");
        // Only the fields given; on update Core keeps the stored value of every other one.
        var fields = ImportFormatDescriptions.AllColumns(entity.Format)
            .Where(column => input.ContainsKey(Camel(column)))
            .ToDictionary(column => column, column => ValueText.Normalise(input[Camel(column)]), StringComparer.Ordinal);

        SaveResult result;
        try
        {
            result = await registry.SaveAsync(c.Scope(), entity, id, fields, id is null ? null : c.GetArgument<long>("rowVersion"), keepOmitted: true);
        }
        catch (KeyNotFoundException ex)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }

        if (!result.Succeeded)
        {
            return new MutationPayload(null, result.FieldErrors.Select(e => ((string?)(e.Key.Length == 0 ? null : Camel(e.Key)), e.Value)).ToList(), result.Conflict);
        }

        return new MutationPayload(await LoadAsync(c, entity, select, result.Id!.Value), []);
    }

    private static async Task<object?> LoadAsync(IResolveFieldContext c, RegistryEntity entity, string select, long id)
    {
        var registry = c.Service<RegistryService>();
        var scope = c.Scope();
        return entity.Table switch
        {
            "organisations" => (await registry.ByIdsAsync<OrganisationRow>(scope, entity, select, [id])).SingleOrDefault(),
            "products" => (await registry.ByIdsAsync<ProductRow>(scope, entity, select, [id])).SingleOrDefault(),
            "hostings" => (await registry.ByIdsAsync<HostingRow>(scope, entity, select, [id])).SingleOrDefault(),
            "applications" => (await registry.ByIdsAsync<ApplicationRow>(scope, entity, select, [id])).SingleOrDefault(),
            "contracts" => (await registry.ByIdsAsync<ContractRow>(scope, entity, select, [id])).SingleOrDefault(),
            "licenses" => (await registry.ByIdsAsync<LicenseRow>(scope, entity, select, [id])).SingleOrDefault(),
            _ => throw new InvalidOperationException(entity.Table),
        };
    }

    private static async Task<MutationPayload> DeleteAsync(IResolveFieldContext c, RegistryEntity entity, string type)
    {
        var id = c.IdArgument("id", type);
        try
        {
            var error = await c.Service<RegistryService>().DeleteAsync(c.Scope(), entity, id, c.GetArgument<long>("rowVersion"));
            return error is null ? new MutationPayload(Resolve.GlobalId(type, id), []) : MutationPayload.Failed(error);
        }
        catch (KeyNotFoundException ex)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }
        catch (AccessDeniedException ex)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }
    }

    private static async Task<MutationPayload> MapSoftwareTitleAsync(IResolveFieldContext c)
    {
        var title = c.IdArgument("softwareTitle", "SoftwareTitle");
        long? product = c.GetArgument<string?>("product") is null ? null : c.IdArgument("product", "Product");
        var draft = new RuleDraft(title, product, c.GetArgument<bool>("notLicensable"),
            c.GetArgument<string?>("softwarePattern"), c.GetArgument<string?>("publisherPattern"));
        try
        {
            return new MutationPayload(await c.Service<RecognitionService>().MapAsync(c.Scope(), draft), []);
        }
        catch (AccessDeniedException ex)
        {
            return MutationPayload.Failed(ex.Message, "softwareTitle");
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException)
        {
            return MutationPayload.Failed(ex.Message, product is null ? "softwareTitle" : "product");
        }
    }

    private static async Task<MutationPayload> DecideAsync(IResolveFieldContext c)
    {
        var id = c.IdArgument("id", "Suggestion");
        var suggestions = c.Service<SuggestionService>();
        try
        {
            var organisation = c.GetArgument<string?>("organisation") is null ? (long?)null : c.IdArgument("organisation", "Organisation");
            var error = await suggestions.DecideAsync(c.Scope(), id, c.GetArgument<string>("decision"), c.GetArgument<string?>("reason"), organisation);
            if (error is not null)
            {
                return MutationPayload.Failed(error, "decision");
            }
        }
        catch (KeyNotFoundException ex)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }
        catch (AccessDeniedException ex)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }

        var detail = await suggestions.GetAsync(c.Scope(), id);
        return new MutationPayload(detail?.ToListItem(), []);
    }

    private static async Task<MutationPayload> UpdateMeasureAsync(IResolveFieldContext c)
    {
        var id = c.IdArgument("id", "Measure");
        var measures = c.Service<MeasureService>();
        var change = new MeasureChange(c.GetArgument<string>("status"), c.GetArgument<string?>("responsible"), c.GetArgument<string?>("dueDate"),
            c.GetArgument<string?>("realisedSavings"), c.GetArgument<string?>("note"));
        try
        {
            var errors = await measures.UpdateAsync(c.Scope(), id, change, c.GetArgument<int>("rowVersion"));
            if (errors.Count > 0)
            {
                return new MutationPayload(null, errors.Select(e => ((string?)(e.Key.Length == 0 ? null : e.Key), e.Value)).ToList());
            }
        }
        catch (Exception ex) when (ex is KeyNotFoundException or AccessDeniedException)
        {
            return MutationPayload.Failed(ex.Message, "id");
        }

        return new MutationPayload(await measures.GetAsync(c.Scope(), id), []);
    }

    private static async Task<MutationPayload> StartReconciliationAsync(IResolveFieldContext c)
    {
        var organisation = c.IdArgument("organisation", "Organisation");
        if (await c.Service<RegistryService>().GetAsync(c.Scope(), RegistryEntities.Organisations, organisation) is null)
        {
            return MutationPayload.Failed("Die Organisation existiert nicht oder liegt außerhalb Ihres Zuständigkeitsbereichs.", "organisation");
        }

        try
        {
            var service = c.Service<ReconciliationService>();
            var run = await service.StartAsync(c.Scope(), [organisation], "manual");
            c.Service<ReconciliationJobs>().FanOut(run);
            return new MutationPayload(await service.GetRunAsync(c.Scope(), run.Id), []);
        }
        catch (AccessDeniedException ex)
        {
            return MutationPayload.Failed(ex.Message, "organisation");
        }
    }
}
