using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using LandkreisLizenz.Core.Security;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace LandkreisLizenz.Web.Security;

/// <summary>
/// The Core scope of the signed-in user, loaded from the database once per request (grants are never trusted
/// from the cookie alone, so a revoked grant takes effect on the next request).
/// </summary>
public sealed class CallerScopeAccessor(IHttpContextAccessor httpContextAccessor)
{
    internal const string ItemKey = "LandkreisLizenz.CallerScope";

    public CallerScope Current =>
        httpContextAccessor.HttpContext?.Items[ItemKey] as CallerScope
        ?? throw new InvalidOperationException("No signed-in caller on this request.");

    public const string SessionIdClaim = "sid";

    /// <summary>The user's security stamp at login; compared with the stored one on every request.</summary>
    public const string StampClaim = "stamp";

    public const string AuthTimeClaim = "auth_time";

    /// <summary>A new principal for every login: a fresh session id, so nothing from before the login carries over (no session fixation).</summary>
    public static ClaimsPrincipal CreatePrincipal(long userId, string userName, string displayName, string securityStamp, CallerScope scope, DateTimeOffset now)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, userId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, userName),
            new(ClaimTypes.GivenName, displayName),
            new(StampClaim, securityStamp),
            new(SessionIdClaim, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))),
            new(AuthTimeClaim, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(scope.Grants.Select(g => g.Role).Distinct().Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    /// <summary>
    /// Cookie validation: ends sessions older than the absolute limit, reloads the scope, rejects deactivated users and
    /// refreshes role claims.
    /// </summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var idText = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var services = context.HttpContext.RequestServices;
        var limit = TimeSpan.FromHours(Math.Max(1, services.GetRequiredService<SecurityOptions>().AbsoluteTimeoutHours));
        var expired = !long.TryParse(context.Principal?.FindFirstValue(AuthTimeClaim), out var authTime)
                      || services.GetRequiredService<TimeProvider>().GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(authTime) > limit;
        var scope = !expired && long.TryParse(idText, out var userId)
            ? await services.GetRequiredService<ScopeService>().ForSessionAsync(userId, context.Principal?.FindFirstValue(StampClaim))
            : null;
        if (scope is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        context.HttpContext.Items[ItemKey] = scope;
        var identity = (ClaimsIdentity)context.Principal!.Identity!;
        foreach (var stale in identity.FindAll(ClaimTypes.Role).ToList())
        {
            identity.RemoveClaim(stale);
        }

        foreach (var role in scope.Grants.Select(g => g.Role).Distinct())
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }
    }
}
