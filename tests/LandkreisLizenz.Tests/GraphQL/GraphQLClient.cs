using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>Posts GraphQL requests to the real /graphql endpoint with an API token.</summary>
public static class GraphQLClient
{
    public static async Task<string> TokenAsync(AppFactory factory, string userName, string scope, string ags)
    {
        var user = await Scopes.ForUserNameAsync(factory.Database, userName);
        return (await factory.Services.GetRequiredService<ApiTokenService>().CreateAsync(user, "tests-" + scope, scope, Scopes.OrganisationId(factory.Database, ags))).Token;
    }

    public static HttpClient Client(AppFactory factory, string? token)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // As current clients (graphql-request, urql, Apollo) ask: request errors then come with 4xx status codes.
        client.DefaultRequestHeaders.Accept.ParseAdd("application/graphql-response+json, application/json;q=0.9");

        return client;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(AppFactory factory, string? token, string query, object? variables = null) =>
        await PostJsonAsync(factory, token, JsonSerializer.Serialize(new { query, variables }));

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(AppFactory factory, string? token, string json)
    {
        using var client = Client(factory, token);
        var response = await client.PostAsync("/graphql", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return (response.StatusCode, text.Length == 0 || !isJson ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A request with a signed-in page session instead of a token (as the explorer sends it); the answer's body.</summary>
    public static async Task<JsonElement> PostWithSessionAsync(HttpClient session, string query, object? variables = null)
    {
        var response = await session.PostAsync("/graphql", new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Global ids as the API writes and reads them.</summary>
    public static string GlobalId(string type, long id) => LandkreisLizenz.Web.GraphQL.Resolve.GlobalId(type, id);

    public static (string Type, long Id)? ParseGlobalId(string value) => LandkreisLizenz.Web.GraphQL.Resolve.ParseGlobalId(value);

    /// <summary>Every string value anywhere in a response.</summary>
    public static IEnumerable<(string Property, string Value)> Strings(JsonElement element, string property = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    foreach (var s in Strings(p.Value, p.Name))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var s in Strings(item, property))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValueKind.String:
                yield return (property, element.GetString()!);
                break;
        }
    }
}
