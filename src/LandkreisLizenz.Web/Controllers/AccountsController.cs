using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>User management (issue 14): admins for everyone, a county CIO within the county. The rules are in Core.</summary>
[Authorize(Policy = Policies.CioOrAdmin)]
public sealed class AccountsController(AccountManagement accounts, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/verwaltung/konten")]
    public async Task<IActionResult> Index() => View(await ModelAsync(null, null));

    [HttpPost("/verwaltung/konten")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> Create(string? userName, string? displayName, string? email, string? role, string? organisation) =>
        RunAsync(async () =>
        {
            var password = await accounts.CreateAsync(caller.Current, userName ?? "", displayName ?? "", email, role ?? "", organisation);
            return $"Konto „{userName?.Trim()}“ angelegt. Erstes Passwort (nur jetzt sichtbar, bitte sicher übergeben): {password}";
        }, initialPassword: true);

    [HttpPost("/verwaltung/konten/{id:long}/sperren")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> Disable(long id) =>
        RunAsync(async () => { await accounts.SetActiveAsync(caller.Current, id, active: false); return "Konto gesperrt; seine Sitzungen sind beendet."; });

    [HttpPost("/verwaltung/konten/{id:long}/entsperren")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> Enable(long id) =>
        RunAsync(async () => { await accounts.SetActiveAsync(caller.Current, id, active: true); return "Konto entsperrt."; });

    [HttpPost("/verwaltung/konten/{id:long}/passwort")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> ResetPassword(long id) =>
        RunAsync(async () =>
        {
            var password = await accounts.ResetPasswordAsync(caller.Current, id);
            return $"Passwort zurückgesetzt; alle Sitzungen des Kontos sind beendet. Neues erstes Passwort (nur jetzt sichtbar): {password}";
        }, initialPassword: true);

    [HttpPost("/verwaltung/konten/{id:long}/rechte")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> AddGrant(long id, string? role, string? organisation) =>
        RunAsync(async () => { await accounts.AddGrantAsync(caller.Current, id, role ?? "", organisation); return "Recht hinzugefügt; die Sitzungen des Kontos sind beendet."; });

    [HttpPost("/verwaltung/konten/{id:long}/rechte/{grantId:long}/entziehen")]
    [ValidateAntiForgeryToken]
    public Task<IActionResult> RemoveGrant(long id, long grantId) =>
        RunAsync(async () => { await accounts.RemoveGrantAsync(caller.Current, id, grantId); return "Recht entzogen; die Sitzungen des Kontos sind beendet."; });

    /// <summary>
    /// Every change answers with the list and what happened; an initial password is rendered into this one response only
    /// (never into a redirect, a cookie or a log) and the response is not stored.
    /// </summary>
    private async Task<IActionResult> RunAsync(Func<Task<string>> change, bool initialPassword = false)
    {
        try
        {
            var message = await change();
            if (initialPassword)
            {
                Response.Headers.CacheControl = "no-store";
            }

            return View("Index", await ModelAsync(message, null));
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
        catch (Exception ex) when (ex is ArgumentException or AccessDeniedException)
        {
            Response.StatusCode = ex is AccessDeniedException ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            return View("Index", await ModelAsync(null, ex.Message));
        }
    }

    private async Task<AccountsModel> ModelAsync(string? message, string? error) =>
        new(await accounts.AccountsAsync(caller.Current), caller.Current.IsAdmin, message, error);
}
