using System.Security.Claims;
using LandkreisLizenz.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace LandkreisLizenz.Web.Security;

/// <summary>
/// OpenID Connect single sign-on (e.g. Keycloak), section "Oidc". Roles come from a claim of the ID token and are
/// mapped to this application's roles; organisation roles apply to the organisations named by AGS in another claim.
/// </summary>
public sealed class OidcOptions
{
    public const string SectionName = "Oidc";

    public const string Scheme = "oidc";

    public bool Enabled { get; set; }

    /// <summary>Shown on the login button ("Anmelden mit …").</summary>
    public string DisplayName { get; set; } = "Single Sign-on";

    /// <summary>Issuer, e.g. https://sso.kreis.de/realms/verwaltung (discovery document below it).</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public bool RequireHttpsMetadata { get; set; } = true;

    public string[] Scopes { get; set; } = ["openid", "profile", "email"];

    /// <summary>Claim with the user's roles at the provider (a Keycloak client mapper can flatten realm roles into it).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Claim with the AGS of the organisations the user works for.</summary>
    public string OrganisationClaim { get; set; } = "ags";

    public string UserNameClaim { get; set; } = "preferred_username";

    /// <summary>Provider role → application role (admin, verbund_analyst, cio, license_manager, reader).</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal)
    {
        ["lkl-admin"] = Roles.Admin,
        ["lkl-verbund"] = Roles.VerbundAnalyst,
        ["lkl-cio"] = Roles.Cio,
        ["lkl-lizenzmanagement"] = Roles.LicenseManager,
        ["lkl-leser"] = Roles.Reader,
    };
}

public static class SingleSignOn
{
    public static void AddSingleSignOn(this AuthenticationBuilder authentication, OidcOptions options)
    {
        if (!options.Enabled)
        {
            return;
        }

        authentication.AddOpenIdConnect(OidcOptions.Scheme, options.DisplayName, o =>
        {
            o.Authority = options.Authority;
            o.ClientId = options.ClientId;
            o.ClientSecret = options.ClientSecret;
            o.RequireHttpsMetadata = options.RequireHttpsMetadata;
            o.ResponseType = "code";
            o.ResponseMode = "query";
            o.UsePkce = true;
            o.SaveTokens = false;
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.CallbackPath = "/signin-oidc";
            o.Scope.Clear();
            foreach (var scope in options.Scopes)
            {
                o.Scope.Add(scope);
            }

            o.Events.OnTokenValidated = context => SignInLocallyAsync(context, options);
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/anmelden?sso=fehler");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Maps the provider's claims, creates or updates the local account, and signs in with this application's own principal.</summary>
    private static async Task SignInLocallyAsync(TokenValidatedContext context, OidcOptions options)
    {
        var claims = context.Principal!;
        var subject = claims.FindFirstValue("sub") ?? throw new InvalidOperationException("ID token without sub.");
        var userName = claims.FindFirstValue(options.UserNameClaim) ?? subject;
        var organisations = claims.FindAll(options.OrganisationClaim).Select(c => c.Value).ToList();
        var grants = claims.FindAll(options.RoleClaim)
            .Select(c => options.RoleMap.GetValueOrDefault(c.Value))
            .Where(r => r is not null)
            .SelectMany(role => role is Roles.Admin or Roles.VerbundAnalyst ? [(role!, (string?)null)] : organisations.Select(ags => (role!, (string?)ags)))
            .ToList();
        var identity = new ExternalIdentity(subject, userName, claims.FindFirstValue("name") ?? userName, claims.FindFirstValue("email"), grants);
        var services = context.HttpContext.RequestServices;
        var (result, refusal) = await services.GetRequiredService<ExternalSignIn>().SignInAsync(identity, context.HttpContext.Connection.RemoteIpAddress?.ToString());
        var scope = result.UserId is { } id ? await services.GetRequiredService<ScopeService>().ForUserAsync(id) : null;
        if (refusal is not null || scope is null)
        {
            context.HandleResponse();
            context.Response.Redirect("/anmelden?sso=keine-rolle");
            return;
        }

        // The cookie carries this application's claims, with a fresh session id, exactly like a local login.
        context.Principal = CallerScopeAccessor.CreatePrincipal(result.UserId!.Value, userName, result.DisplayName!, result.SecurityStamp!, scope,
            services.GetRequiredService<TimeProvider>().GetUtcNow());
    }
}
