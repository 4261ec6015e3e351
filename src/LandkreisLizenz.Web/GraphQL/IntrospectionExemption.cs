using GraphQL.Validation.Complexity;
using GraphQLParser.AST;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// The standard introspection query (graphql-js <c>getIntrospectionQuery()</c>, GraphiQL's own) is 13–15 levels deep by
/// its nested <c>ofType</c>; it reads the schema, not the counties' data, so the depth limit that protects data queries
/// does not apply to an operation that selects only introspection fields (it costs nothing either: the schema sets the
/// introspection impact to 0). Its size stays bounded by the token limit.
/// </summary>
public static class IntrospectionExemption
{
    public static Task Apply(ComplexityValidationContext context)
    {
        if (context.Error is not null && context.ValidationContext.Operation is { } operation && IntrospectionOnly(operation))
        {
            context.Error = null;
        }

        return Task.CompletedTask;
    }

    private static bool IntrospectionOnly(GraphQLOperationDefinition operation) =>
        operation.SelectionSet.Selections.Count > 0
        && operation.SelectionSet.Selections.All(s => s is GraphQLField field && field.Name.Value.Span.StartsWith("__", StringComparison.Ordinal));
}
