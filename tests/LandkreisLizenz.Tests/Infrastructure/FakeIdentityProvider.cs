using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>A user as the fake identity provider will describe them in the ID token.</summary>
public sealed record FakeUser(string Subject, string UserName, string Name, string[] Roles, string[] Ags);

/// <summary>
/// A small OpenID Connect provider on a loopback port, speaking the real protocol: discovery document, JWKS with an
/// RSA key, authorization endpoint (authorization code, state, nonce, PKCE S256) and token endpoint with client
/// authentication, issuing RS256-signed ID tokens. The test chooses who logs in next.
/// </summary>
public sealed class FakeIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "landkreislizenz";
    public const string ClientSecret = "geheim-im-test";

    private readonly WebApplication _app;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, (FakeUser User, string Nonce, string RedirectUri, string Challenge)> _codes = new();

    private FakeIdentityProvider(WebApplication app) => _app = app;

    public string Issuer { get; private set; } = "";

    public FakeUser? NextUser { get; set; }

    /// <summary>Token requests that presented the right client secret and PKCE verifier.</summary>
    public int TokensIssued { get; private set; }

    public static async Task<FakeIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var idp = new FakeIdentityProvider(app);
        idp.Map();
        await app.StartAsync();
        idp.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return idp;
    }

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["jwks_uri"] = Issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        }));

        _app.MapGet("/jwks", () =>
        {
            var parameters = _rsa.ExportParameters(false);
            return Results.Json(new
            {
                keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "test-key", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } },
            });
        });

        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query;
            if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256" || NextUser is null)
            {
                return Results.BadRequest("invalid_request");
            }

            var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
            _codes[code] = (NextUser, query["nonce"]!, query["redirect_uri"]!, query["code_challenge"]!);
            return Results.Redirect($"{query["redirect_uri"]}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query["state"]!)}");
        });

        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var (clientId, secret) = ClientCredentials(request, form);
            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant)
                || clientId != ClientId || secret != ClientSecret || form["redirect_uri"] != grant.RedirectUri
                || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            TokensIssued++;
            var now = DateTime.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = ClientId,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = grant.User.Subject,
                    ["preferred_username"] = grant.User.UserName,
                    ["name"] = grant.User.Name,
                    ["nonce"] = grant.Nonce,
                    ["roles"] = grant.User.Roles,
                    ["ags"] = grant.User.Ags,
                },
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { access_token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24)), token_type = "Bearer", expires_in = 300, id_token = idToken });
        });
    }

    private static (string? ClientId, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        return (form["client_id"], form["client_secret"]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
