using GraphQL.Validation;
using GraphQLParser.AST;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>A read-only API token cannot run any mutation: refused in validation, before anything executes (the endpoint audits it).</summary>
public sealed class ReadOnlyTokenRule : ValidationRuleBase
{
    public const string Code = "READ_ONLY_TOKEN";

    private static readonly INodeVisitor Visitor = new MatchingNodeVisitor<GraphQLOperationDefinition>((operation, context) =>
    {
        if (operation.Operation == OperationType.Mutation)
        {
            context.ReportError(new ValidationError(context.Document.Source, Code,
                "Dieses API-Token darf nur lesen: Änderungen (mutation) sind damit nicht erlaubt. Bitte ein Token mit Schreibrecht verwenden.", operation) { Code = Code });
        }
    });

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(context.UserContext is GraphQLUserContext { Scope.ReadOnly: true } ? Visitor : null);
}
