namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// What one request to /graphql may cost (configuration section <c>GraphQL</c>; docs/graphql.md). The cheap limits come
/// first: the body's size before it is read, the document's tokens before it is parsed, so that validation — whose cost
/// grows with the square of the fields — only ever sees small documents; depth and complexity then protect the data.
/// </summary>
public sealed class GraphQLLimits
{
    public const string SectionName = "GraphQL";

    /// <summary>Largest request body (JSON) in bytes; a larger one is answered 413 without being read.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most lexical tokens (names, punctuation, values) in one document, counted before it is parsed.</summary>
    public int MaxTokens { get; set; } = 3_000;

    /// <summary>Deepest selection of a data query; the standard introspection query is exempt.</summary>
    public int MaxDepth { get; set; } = 10;

    /// <summary>Highest estimated cost of a query (about the number of objects it returns); introspection counts nothing.</summary>
    public int MaxComplexity { get; set; } = 10_000;

    /// <summary>Requests of one batch.</summary>
    public int MaxBatchSize { get; set; } = 10;

    /// <summary>Seconds a request (parse, validation and execution, all of a batch) may take before it is stopped.</summary>
    public int TimeoutSeconds { get; set; } = 15;
}
