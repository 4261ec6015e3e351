using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Web.Security;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>
/// GraphQL over HTTP on /graphql (GraphQL.NET has no server package here), as the GraphQL-over-HTTP specification has
/// it: POST with a JSON body (one request or a batch) or GET with query parameters, answered in the media type the
/// client accepts — application/graphql-response+json when it asks for it, application/json for legacy clients, without
/// Accept and for */* (200 for every well-formed request), 406 when it accepts neither. Signed-in sessions and API tokens both
/// work, and every resolver runs with the caller's Core scope. <see cref="GraphQLLimits"/> bound what a request costs.
/// </summary>
public static class GraphQLEndpoint
{
    public const string ContentType = "application/graphql-response+json; charset=utf-8";

    /// <summary>For clients that accept application/json only (the legacy media type of the specification).</summary>
    public const string LegacyContentType = "application/json; charset=utf-8";

    public const string TooLargeCode = "DOCUMENT_TOO_LARGE";

    public static void Map(WebApplication app)
    {
        app.MapPost("/graphql", Handle).RequireAuthorization(Policies.Authenticated).DisableAntiforgery();
        app.MapGet("/graphql", Handle).RequireAuthorization(Policies.Authenticated);
    }

    private static async Task Handle(HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer, CallerScopeAccessor caller, AuditLog audit,
        GraphQLLimits limits)
    {
        if (Negotiate(http.Request.Headers.Accept.ToString()) is not { } mediaType)
        {
            await new Reply(http, serializer, LegacyContentType).ErrorAsync(StatusCodes.Status406NotAcceptable,
                "Die Antwort gibt es nur als application/graphql-response+json oder application/json; bitte einen davon im Accept-Header zulassen.");
            return;
        }

        var reply = new Reply(http, serializer, mediaType);
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
                await reply.ErrorAsync(StatusCodes.Status415UnsupportedMediaType, "Bitte als Content-Type application/json senden.");
                return;
            }
            else if (http.Request.ContentLength > limits.MaxBodyBytes)
            {
                // Refused on its announced size alone: not a byte of it is read.
                await reply.ErrorAsync(StatusCodes.Status413PayloadTooLarge, TooLarge(limits));
                return;
            }
            else
            {
                // A body without a length (chunked) is cut off where it passes the limit, by Kestrel or by the stream below.
                if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                {
                    size.MaxRequestBodySize = limits.MaxBodyBytes;
                }

                await using var limited = new LimitedStream(http.Request.Body, limits.MaxBodyBytes);
                using var body = await JsonDocument.ParseAsync(limited, cancellationToken: http.RequestAborted);
                batched = body.RootElement.ValueKind == JsonValueKind.Array;
                var text = body.RootElement.GetRawText();
                requests = batched ? serializer.Deserialize<List<GraphQLRequest?>>(text) ?? [] : [serializer.Deserialize<GraphQLRequest>(text)];
            }
        }
        catch (Exception ex) when (ex is LimitedStream.TooLongException || ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await reply.ErrorAsync(StatusCodes.Status413PayloadTooLarge, TooLarge(limits));
            return;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or BadHttpRequestException)
        {
            // A body cut off by the client (BadHttpRequestException) is the client's error too, not a server fault to log.
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await reply.ErrorAsync(StatusCodes.Status400BadRequest, "Die Anfrage ist kein gültiges GraphQL-über-HTTP-JSON.");
            }

            return;
        }

        if (requests.Count == 0 || requests.Count > limits.MaxBatchSize)
        {
            await reply.ErrorAsync(StatusCodes.Status400BadRequest, $"Ein Stapel (batch) muss 1 bis {limits.MaxBatchSize} Anfragen enthalten.");
            return;
        }

        if (requests.Any(r => string.IsNullOrWhiteSpace(r?.Query)))
        {
            await reply.ErrorAsync(StatusCodes.Status400BadRequest, "Die Anfrage enthält keine query.");
            return;
        }

        // One timeout for the whole request (parsing, validation, execution, all of a batch), linked to the client's
        // connection: an expensive query cannot hold a worker and the database, and a client that leaves stops its work.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits.TimeoutSeconds));
        var results = new List<ExecutionResult>();
        try
        {
            foreach (var request in requests)
            {
                results.Add(await ExecuteAsync(http, executer, caller, audit, limits, request!, timeout.Token));
            }
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            await reply.ErrorAsync(StatusCodes.Status503ServiceUnavailable, $"Zeitüberschreitung: die Abfrage lief länger als {limits.TimeoutSeconds} Sekunden.");
            return;
        }
        catch (OperationCanceledException)
        {
            // The client left: nobody reads an answer.
            return;
        }

        http.Response.ContentType = mediaType;
        http.Response.StatusCode = batched ? StatusCodes.Status200OK : reply.StatusOf(results[0]);
        if (batched)
        {
            await serializer.WriteAsync(http.Response.Body, results, http.RequestAborted);
        }
        else
        {
            await serializer.WriteAsync(http.Response.Body, results[0], http.RequestAborted);
        }
    }

    /// <summary>
    /// The media type of the answer from the Accept header, in its order of preference (null: none of ours, 406). A
    /// request without Accept, or accepting anything (<c>*/*</c>), is answered as application/json: such a client cannot be
    /// assumed to read the newer type, and the official audit suite (graphql-http) asks for exactly this.
    /// </summary>
    internal static string? Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return LegacyContentType;
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParseList(accept.Split(','), out var types))
        {
            return null;
        }

        // OrderByDescending is stable: among equal qualities the client's order decides.
        foreach (var type in types.Where(t => t.Quality is not 0).OrderByDescending(t => t.Quality ?? 1))
        {
            var media = type.MediaType.Value ?? "";
            if (media.Equals("application/graphql-response+json", StringComparison.OrdinalIgnoreCase))
            {
                return ContentType;
            }

            if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                || media == "*/*")
            {
                return LegacyContentType;
            }
        }

        return null;
    }

    /// <summary>
    /// A request the authentication refuses, answered as a GraphQL error in the negotiated media type (not the HTML error
    /// page), 401 with <c>WWW-Authenticate: Bearer</c> — with <c>error="invalid_token"</c> when a token was sent and is not valid.
    /// </summary>
    public static Task RefuseAsync(HttpContext http, int status, bool invalidToken)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        }

        var (message, code) = status != StatusCodes.Status401Unauthorized
            ? ("Dieses Konto darf die Schnittstelle nicht nutzen.", "FORBIDDEN")
            : invalidToken
                ? ("Der API-Token ist unbekannt, widerrufen oder abgelaufen.", "UNAUTHENTICATED")
                : ("Anmeldung erforderlich: bitte mit einem API-Token (Authorization: Bearer …) oder einer angemeldeten Sitzung anfragen.", "UNAUTHENTICATED");
        var reply = new Reply(http, http.RequestServices.GetRequiredService<IGraphQLTextSerializer>(),
            Negotiate(http.Request.Headers.Accept.ToString()) ?? LegacyContentType);
        return reply.ErrorAsync(status, message, code);
    }

    private static string TooLarge(GraphQLLimits limits) =>
        string.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), $"Die Anfrage ist zu groß: höchstens {limits.MaxBodyBytes / 1024.0:N0} KB je Anfrage.");

    /// <summary>
    /// Whether the document has more tokens than allowed, counted by the lexer alone (linear, before anything is
    /// parsed or validated); a document the lexer cannot read is left to the parser, which names the error.
    /// </summary>
    internal static bool TooManyTokens(string query, int max)
    {
        GraphQLParser.ROM source = query;
        var at = 0;
        try
        {
            for (var count = 0; ; count++)
            {
                var token = GraphQLParser.Lexer.Lex(source, at);
                if (token.Kind == GraphQLParser.TokenKind.EOF)
                {
                    return false;
                }

                if (count >= max)
                {
                    return true;
                }

                at = token.End;
            }
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return false;
        }
    }

    /// <summary>How one request is answered in the negotiated media type.</summary>
    private sealed class Reply(HttpContext http, IGraphQLTextSerializer serializer, string mediaType)
    {
        private bool Legacy => mediaType == LegacyContentType;

        /// <summary>
        /// A request that never executed (syntax, validation, limits) is a client error in application/graphql-response+json;
        /// in application/json the specification asks for 200 for every well-formed request. A mutation over GET is 405 in both.
        /// </summary>
        public int StatusOf(ExecutionResult result) =>
            result.Errors?.Any(e => e.Code == MutationGuardRule.GetCode) == true ? StatusCodes.Status405MethodNotAllowed
            : result.Executed || Legacy ? StatusCodes.Status200OK
            : StatusCodes.Status400BadRequest;

        /// <summary>A request that is not well-formed, refused or cannot be served: its status in either media type.</summary>
        public async Task ErrorAsync(int status, string message, string? code = null)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = mediaType;
            await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError(message) { Code = code }] }, CancellationToken.None);
        }
    }

    private static async Task<ExecutionResult> ExecuteAsync(HttpContext http, IDocumentExecuter<ISchema> executer, CallerScopeAccessor caller, AuditLog audit,
        GraphQLLimits limits, GraphQLRequest request, CancellationToken cancellationToken)
    {
        if (TooManyTokens(request.Query!, limits.MaxTokens))
        {
            return new ExecutionResult { Errors = [new ExecutionError(string.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"),
                $"Das Dokument ist zu lang: höchstens {limits.MaxTokens:N0} Tokens (Namen, Werte, Klammern) je Anfrage.")) { Code = TooLargeCode }] };
        }

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

            result.Errors = GermanErrors.Translate(errors);
        }

        return result;
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.MediaType.Equals("application/graphql-response+json", StringComparison.OrdinalIgnoreCase));
}
