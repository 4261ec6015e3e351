using System.Security.Claims;
using System.Text.Encodings.Web;
using LandkreisLizenz.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LandkreisLizenz.Web.Security;

/// <summary>`Authorization: Bearer lkl_…` for integrations: the token's Core scope becomes the request's scope.</summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var scope = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim());
        if (scope is null)
        {
            return AuthenticateResult.Fail("Unbekannter, widerrufener oder abgelaufener Token.");
        }

        Context.Items[CallerScopeAccessor.ItemKey] = scope;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, scope.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, scope.UserName),
            new("token_scope", scope.ReadOnly ? "read" : "write"),
        };
        claims.AddRange(scope.Grants.Select(g => g.Role).Distinct().Select(r => new Claim(ClaimTypes.Role, r)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    // An integrator's client reads JSON: the refusal is a GraphQL error with the Bearer challenge, not the HTML error page.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Request.Path.StartsWithSegments("/graphql", StringComparison.OrdinalIgnoreCase)
            ? GraphQL.GraphQLEndpoint.RefuseAsync(Context, StatusCodes.Status401Unauthorized, invalidToken: true)
            : base.HandleChallengeAsync(properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Request.Path.StartsWithSegments("/graphql", StringComparison.OrdinalIgnoreCase)
            ? GraphQL.GraphQLEndpoint.RefuseAsync(Context, StatusCodes.Status403Forbidden, invalidToken: false)
            : base.HandleForbiddenAsync(properties);
}
