using GraphQL.Validation;
using GraphQLParser.AST;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// Mutations are refused in validation, before anything executes, for a read-only API token (the endpoint audits it)
/// and over GET (GraphQL over HTTP: GET is for queries, so a link or an image tag can never change data).
/// </summary>
public sealed class ReadOnlyTokenRule : ValidationRuleBase
{
    public const string Code = "READ_ONLY_TOKEN";

    public const string GetCode = "MUTATION_OVER_GET";

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(context.UserContext is GraphQLUserContext user && (user.Scope.ReadOnly || user.IsGet)
            ? new MatchingNodeVisitor<GraphQLOperationDefinition>((operation, validation) =>
            {
                if (operation.Operation != OperationType.Mutation)
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
