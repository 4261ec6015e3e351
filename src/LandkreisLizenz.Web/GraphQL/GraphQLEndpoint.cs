using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using LandkreisLizenz.Web.Security;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// GraphQL over HTTP on /graphql (GraphQL.NET has no server package here): POST with a JSON body or GET with query
/// parameters, answered as application/graphql-response+json; malformed requests get 400. Signed-in sessions and
/// API tokens both work, and every resolver runs with the caller's Core scope.
/// </summary>
public static class GraphQLEndpoint
{
    public const string ContentType = "application/graphql-response+json; charset=utf-8";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app)
    {
        app.MapPost("/graphql", Handle).RequireAuthorization(Policies.Authenticated).DisableAntiforgery();
        app.MapGet("/graphql", Handle).RequireAuthorization(Policies.Authenticated);
    }

    private static async Task Handle(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer, CallerScopeAccessor caller)
    {
        GraphQLRequest? request;
        try
        {
            request = http.Request.Method == HttpMethods.Get
                ? new GraphQLRequest
                {
                    Query = http.Request.Query["query"],
                    OperationName = http.Request.Query["operationName"],
                    Variables = http.Request.Query["variables"].ToString() is { Length: > 0 } variables ? serializer.Deserialize<Inputs>(variables) : null,
                }
                : await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, http.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            await WriteErrorAsync(http, serializer, "Die Anfrage ist kein gültiges GraphQL-über-HTTP-JSON.");
            return;
        }

        if (string.IsNullOrWhiteSpace(request?.Query))
        {
            await WriteErrorAsync(http, serializer, "Die Anfrage enthält keine query.");
            return;
        }

        // An execution timeout keeps one expensive query from holding a worker and the database.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(Timeout);
        ExecutionResult result;
        try
        {
            result = await executer.ExecuteAsync(options =>
            {
                options.Query = request.Query;
                options.OperationName = request.OperationName;
                options.Variables = request.Variables;
                options.UserContext = new GraphQLUserContext { Scope = caller.Current };
                options.RequestServices = http.RequestServices;
                options.CancellationToken = timeout.Token;
            });
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = ContentType;
            await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError($"Zeitüberschreitung: die Abfrage lief länger als {Timeout.TotalSeconds:0} Sekunden.")] });
            return;
        }

        http.Response.ContentType = ContentType;
        // Requests that never executed (syntax or validation errors) are client errors.
        http.Response.StatusCode = result.Executed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext http, IGraphQLTextSerializer serializer, string message)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = ContentType;
        await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError(message)] }, http.RequestAborted);
    }
}
