using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class AccountController(AccountService accounts, ScopeService scopes, TimeProvider clock) : Controller
{
    [HttpGet("/anmelden")]
    [AllowAnonymous]
    public IActionResult Login(string? returnUrl) => View(new LoginInput { ReturnUrl = returnUrl });

    [HttpPost("/anmelden")]
    [AllowAnonymous]
    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Hardening.LoginRateLimit)]
    public async Task<IActionResult> Login(LoginInput input)
    {
        if (!ModelState.IsValid)
        {
            return View(input);
        }

        var result = await accounts.SignInAsync(input.UserName!, input.Password!, HttpContext.Connection.RemoteIpAddress?.ToString());
        if (result.Outcome != SignInOutcome.Succeeded)
        {
            ModelState.AddModelError(string.Empty, result.Outcome == SignInOutcome.LockedOut
                ? $"Das Konto ist nach {AccountService.MaxFailedAttempts} fehlgeschlagenen Anmeldungen für {AccountService.LockoutDuration.TotalMinutes:0} Minuten gesperrt."
                : "Benutzername oder Passwort ist falsch.");
            input.Password = null;
            return View(input);
        }

        var scope = await scopes.ForUserAsync(result.UserId!.Value);
        if (scope is null)
        {
            ModelState.AddModelError(string.Empty, "Das Konto ist deaktiviert.");
            return View(input);
        }

        // Whatever session cookie came with the request is replaced by a new one with a new session id.
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var principal = CallerScopeAccessor.CreatePrincipal(result.UserId.Value, input.UserName!.Trim(), result.DisplayName!, result.SecurityStamp!, scope, clock.GetUtcNow());
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return LocalRedirect(Url.IsLocalUrl(input.ReturnUrl) ? input.ReturnUrl! : "/");
    }

    [HttpPost("/abmelden")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Logout()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/anmelden");
    }
}
