using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class AccountController(AccountService accounts, ScopeService scopes, CallerScopeAccessor caller, TimeProvider clock) : Controller
{
    [HttpGet("/anmelden")]
    [AllowAnonymous]
    public IActionResult Login(string? returnUrl, string? sso)
    {
        if (sso is not null)
        {
            ModelState.AddModelError(string.Empty, sso == "keine-rolle"
                ? "Ihr Konto beim Identitätsanbieter hat keine Rolle in LandkreisLizenz (oder keine bekannte Organisation). Bitte wenden Sie sich an Ihre Administration."
                : "Die Anmeldung beim Identitätsanbieter ist fehlgeschlagen. Bitte versuchen Sie es erneut.");
        }

        return View(new LoginInput { ReturnUrl = returnUrl });
    }

    /// <summary>Single sign-on: hands over to the identity provider, which sends the user back to /signin-oidc.</summary>
    [HttpGet("/anmelden/sso")]
    [AllowAnonymous]
    public IActionResult SingleSignOn([FromServices] OidcOptions options, string? returnUrl) =>
        options.Enabled
            ? Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(returnUrl) ? returnUrl : "/" }, OidcOptions.Scheme)
            : NotFound();

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
        if (result.Outcome == SignInOutcome.PasswordChangeRequired)
        {
            return Redirect("/anmelden/passwort?benutzer=" + Uri.EscapeDataString(input.UserName!.Trim()));
        }

        if (result.Outcome != SignInOutcome.Succeeded)
        {
            ModelState.AddModelError(string.Empty, result.Outcome == SignInOutcome.LockedOut
                ? $"Nach {AccountService.MaxFailedAttempts} fehlgeschlagenen Anmeldungen ist die Anmeldung mit diesem Benutzernamen von Ihrem Gerät aus für {AccountService.LockoutDuration.TotalMinutes:0} Minuten gesperrt."
                : "Benutzername oder Passwort ist falsch.");
            input.Password = null;
            return View(input);
        }

        if (!await StartSessionAsync(result, input.UserName!))
        {
            ModelState.AddModelError(string.Empty, "Das Konto ist deaktiviert.");
            return View(input);
        }

        return LocalRedirect(Url.IsLocalUrl(input.ReturnUrl) ? input.ReturnUrl! : "/");
    }

    /// <summary>Whatever session cookie came with the request is replaced by a new one with a new session id.</summary>
    private async Task<bool> StartSessionAsync(LandkreisLizenz.Core.Security.SignInResult result, string userName)
    {
        var scope = await scopes.ForUserAsync(result.UserId!.Value);
        if (scope is null)
        {
            return false;
        }

        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var principal = CallerScopeAccessor.CreatePrincipal(result.UserId.Value, userName.Trim(), result.DisplayName!, result.SecurityStamp!, scope, clock.GetUtcNow());
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return true;
    }

    [HttpGet("/anmelden/passwort")]
    [AllowAnonymous]
    public IActionResult ChoosePassword(string? benutzer) => View(new ChoosePasswordInput { UserName = benutzer });

    /// <summary>A one-time initial password is used once: to choose one's own; then the session starts.</summary>
    [HttpPost("/anmelden/passwort")]
    [AllowAnonymous]
    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Hardening.LoginRateLimit)]
    public async Task<IActionResult> ChoosePassword(ChoosePasswordInput input)
    {
        if (!ModelState.IsValid)
        {
            return View(Cleared(input));
        }

        LandkreisLizenz.Core.Security.SignInResult result;
        try
        {
            result = await accounts.ChooseOwnPasswordAsync(input.UserName!, input.InitialPassword!, input.NewPassword!, HttpContext.Connection.RemoteIpAddress?.ToString());
        }
        catch (ArgumentException ex)
        {
            ModelState.AddModelError(nameof(input.NewPassword), ex.Message);
            return View(Cleared(input));
        }

        if (result.Outcome != SignInOutcome.Succeeded || !await StartSessionAsync(result, input.UserName!))
        {
            ModelState.AddModelError(string.Empty, result.Outcome == SignInOutcome.LockedOut
                ? $"Nach {AccountService.MaxFailedAttempts} fehlgeschlagenen Anmeldungen ist die Anmeldung mit diesem Benutzernamen von Ihrem Gerät aus für {AccountService.LockoutDuration.TotalMinutes:0} Minuten gesperrt."
                : "Benutzername oder erstes Passwort ist falsch.");
            return View(Cleared(input));
        }

        return LocalRedirect("/");
    }

    private static ChoosePasswordInput Cleared(ChoosePasswordInput input) => new() { UserName = input.UserName };

    [HttpPost("/abmelden")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Logout()
    {
        await accounts.SignOutAsync(caller.Current, HttpContext.Connection.RemoteIpAddress?.ToString());
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/anmelden");
    }
}
