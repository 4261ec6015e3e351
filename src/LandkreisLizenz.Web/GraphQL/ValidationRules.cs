using GraphQL.Validation;
using GraphQLParser.AST;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// Mutations are refused in validation, before anything executes, for a read-only API token (the endpoint audits it)
/// and over GET (GraphQL over HTTP: GET is for queries, so a link or an image tag can never change data).
/// </summary>
public sealed class MutationGuardRule : ValidationRuleBase
{
    public const string Code = "READ_ONLY_TOKEN";

    public const string GetCode = "MUTATION_OVER_GET";

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(context.UserContext is GraphQLUserContext user && (user.Scope.ReadOnly || user.IsGet)
            ? new MatchingNodeVisitor<GraphQLOperationDefinition>((operation, validation) =>
            {
                // Only the operation that runs is judged: a document may hold a mutation beside the query operationName selects.
                if (operation.Operation != OperationType.Mutation || (validation.Operation is { } selected && !ReferenceEquals(selected, operation)))
                {
                    return;
                }

                validation.ReportError(user.Scope.ReadOnly
                    ? new ValidationError(validation.Document.Source, Code,
                        "Dieses API-Token darf nur lesen: Änderungen (mutation) sind damit nicht erlaubt. Bitte ein Token mit Schreibrecht verwenden.", operation) { Code = Code }
                    : new ValidationError(validation.Document.Source, GetCode, "Änderungen (mutation) nur mit POST.", operation) { Code = GetCode });
            })
            : null);
}

/// <summary>
/// Page sizes out of range (first) and too many ids (nodes) are refused in validation, with the variables already
/// applied, so nothing of such a query runs.
/// </summary>
public sealed class PageSizeRule : ValidationRuleBase
{
    public const string Code = "PAGE_SIZE";

    public override ValueTask<INodeVisitor?> GetPostNodeVisitorAsync(ValidationContext context) =>
        new(context.ArgumentValues is null ? null : new MatchingNodeVisitor<GraphQLField>((field, validation) =>
        {
            if (validation.ArgumentValues is null || !validation.ArgumentValues.TryGetValue(field, out var arguments))
            {
                return;
            }

            if (arguments.TryGetValue("first", out var first) && first.Value is int size && size is < 1 or > Resolve.MaxPageSize)
            {
                validation.ReportError(new ValidationError(validation.Document.Source, Code,
                    $"first muss zwischen 1 und {Resolve.MaxPageSize} liegen (Feld {field.Name}: {size}).", field) { Code = Code });
            }

            if (arguments.TryGetValue("ids", out var ids) && ids.Value is System.Collections.ICollection { Count: > QueryGraphType.MaxNodes } list)
            {
                validation.ReportError(new ValidationError(validation.Document.Source, Code,
                    $"Höchstens {QueryGraphType.MaxNodes} IDs je Abfrage (Feld {field.Name}: {list.Count}).", field) { Code = Code });
            }
        }));
}
