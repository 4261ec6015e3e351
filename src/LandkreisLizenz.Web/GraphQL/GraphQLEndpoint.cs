using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Web.Security;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// GraphQL over HTTP on /graphql (GraphQL.NET has no server package here): POST with a JSON body (one request or a
/// batch of at most <see cref="MaxBatchSize"/>) or GET with query parameters, answered as
/// application/graphql-response+json; malformed requests get 400. Signed-in sessions and API tokens both work, and
/// every resolver runs with the caller's Core scope.
/// </summary>
public static class GraphQLEndpoint
{
    public const string ContentType = "application/graphql-response+json; charset=utf-8";

    public const int MaxBatchSize = 10;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app)
    {
        app.MapPost("/graphql", Handle).RequireAuthorization(Policies.Authenticated).DisableAntiforgery();
        app.MapGet("/graphql", Handle).RequireAuthorization(Policies.Authenticated);
    }

    private static async Task Handle(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer, CallerScopeAccessor caller, AuditLog audit)
    {
        List<GraphQLRequest?> requests;
        bool batched;
        try
        {
            if (http.Request.Method == HttpMethods.Get)
            {
                batched = false;
                requests =
                [
                    new GraphQLRequest
                    {
                        Query = http.Request.Query["query"],
                        OperationName = http.Request.Query["operationName"],
                        Variables = http.Request.Query["variables"].ToString() is { Length: > 0 } variables ? serializer.Deserialize<Inputs>(variables) : null,
                    },
                ];
            }
            else if (!IsJson(http.Request.ContentType))
            {
                // A cross-site form can post text/plain with the session cookie, but never application/json without a CORS preflight.
                http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                http.Response.ContentType = ContentType;
                await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError("Bitte als Content-Type application/json senden.")] });
                return;
            }
            else
            {
                using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                batched = body.RootElement.ValueKind == JsonValueKind.Array;
                var text = body.RootElement.GetRawText();
                requests = batched ? serializer.Deserialize<List<GraphQLRequest?>>(text) ?? [] : [serializer.Deserialize<GraphQLRequest>(text)];
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or BadHttpRequestException)
        {
            // A body cut off by the client (BadHttpRequestException) is the client's error too, not a server fault to log.
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await WriteErrorAsync(http, serializer, "Die Anfrage ist kein gültiges GraphQL-über-HTTP-JSON.");
            }

            return;
        }

        if (requests.Count == 0 || requests.Count > MaxBatchSize)
        {
            await WriteErrorAsync(http, serializer, $"Ein Stapel (batch) muss 1 bis {MaxBatchSize} Anfragen enthalten.");
            return;
        }

        if (requests.Any(r => string.IsNullOrWhiteSpace(r?.Query)))
        {
            await WriteErrorAsync(http, serializer, "Die Anfrage enthält keine query.");
            return;
        }

        // One execution timeout for the whole request keeps an expensive query (or batch) from holding a worker and the database.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(Timeout);
        var results = new List<ExecutionResult>();
        try
        {
            foreach (var request in requests)
            {
                results.Add(await ExecuteAsync(http, executer, caller, audit, request!, timeout.Token));
            }
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = ContentType;
            await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError($"Zeitüberschreitung: die Abfrage lief länger als {Timeout.TotalSeconds:0} Sekunden.")] });
            return;
        }

        http.Response.ContentType = ContentType;
        // A single request that never executed (syntax or validation errors) is a client error; a batch answers per request.
        http.Response.StatusCode = batched || results[0].Executed ? StatusCodes.Status200OK
            : results[0].Errors?.Any(e => e.Code == MutationGuardRule.GetCode) == true ? StatusCodes.Status405MethodNotAllowed
            : StatusCodes.Status400BadRequest;
        if (batched)
        {
            await serializer.WriteAsync(http.Response.Body, results, http.RequestAborted);
        }
        else
        {
            await serializer.WriteAsync(http.Response.Body, results[0], http.RequestAborted);
        }
    }

    private static async Task<ExecutionResult> ExecuteAsync(HttpContext http, IDocumentExecuter<ISchema> executer, CallerScopeAccessor caller, AuditLog audit,
        GraphQLRequest request, CancellationToken cancellationToken)
    {
        var scope = caller.Current;
        var result = await executer.ExecuteAsync(options =>
        {
            options.Query = request.Query;
            options.OperationName = request.OperationName;
            options.Variables = request.Variables;
            options.UserContext = new GraphQLUserContext { Scope = scope, IsGet = HttpMethods.IsGet(http.Request.Method) };
            options.RequestServices = http.RequestServices;
            options.CancellationToken = cancellationToken;
        });

        if (result.Errors is { Count: > 0 } errors)
        {
            if (errors.Any(e => e.Code == MutationGuardRule.Code))
            {
                await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "graphql:mutation", request.OperationName ?? "read-only token"));
            }

            result.Errors = WithoutSuggestions(errors);
        }

        return result;
    }

    /// <summary>
    /// Validation messages of GraphQL.NET propose similar field, argument and type names ("Did you mean …?"); that would
    /// let a caller explore the schema without introspection, so the proposal is cut off.
    /// </summary>
    private static ExecutionErrors WithoutSuggestions(ExecutionErrors errors)
    {
        var cleaned = new ExecutionErrors();
        foreach (var error in errors)
        {
            var at = error.Message.IndexOf(" Did you mean", StringComparison.Ordinal);
            if (at < 0)
            {
                cleaned.Add(error);
                continue;
            }

            var copy = new ExecutionError(error.Message[..at]) { Code = error.Code, Path = error.Path };
            foreach (var location in error.Locations ?? [])
            {
                copy.AddLocation(location);
            }

            cleaned.Add(copy);
        }

        return cleaned;
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.MediaType.Equals("application/graphql-response+json", StringComparison.OrdinalIgnoreCase));

    private static async Task WriteErrorAsync(HttpContext http, IGraphQLTextSerializer serializer, string message)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = ContentType;
        await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError(message)] }, http.RequestAborted);
    }
}
