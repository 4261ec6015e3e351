using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>API tokens for integrations: list, create (shown once), revoke.</summary>
public sealed class ApiTokensController(ApiTokenService tokens, LandkreisLizenz.Core.Registry.RegistryService registry, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/schnittstellen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Index() => View(new ApiTokensModel(await tokens.ListAsync(caller.Current), null, TempData["Message"] as string, await OrganisationsAsync(), caller.Current.IsAdmin));

    /// <summary>GraphiQL against /graphql with the signed-in session (same scope as the pages); no token needed.</summary>
    [HttpGet("/schnittstellen/explorer")]
    [Authorize(Policy = Policies.Authenticated)]
    public IActionResult Explorer() => View();

    [HttpPost("/schnittstellen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Create(string? name, string? zugriff, long? organisation)
    {
        try
        {
            var created = await tokens.CreateAsync(caller.Current, name ?? "", zugriff ?? "", organisation);
            return View("Index", new ApiTokensModel(await tokens.ListAsync(caller.Current), created.Token, null, await OrganisationsAsync(), caller.Current.IsAdmin));
        }
        catch (ArgumentException ex)
        {
            return View("Index", new ApiTokensModel(await tokens.ListAsync(caller.Current), null, ex.Message, await OrganisationsAsync(), caller.Current.IsAdmin));
        }
        catch (AccessDeniedException ex)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return View("Index", new ApiTokensModel(await tokens.ListAsync(caller.Current), null, ex.Message, await OrganisationsAsync(), caller.Current.IsAdmin));
        }
    }

    /// <summary>Organisations a license manager may create tokens for (those of the license manager grants).</summary>
    private async Task<IReadOnlyList<(long Id, string Name)>> OrganisationsAsync()
    {
        var result = new List<(long, string)>();
        foreach (var id in caller.Current.Grants.Where(g => g.Role == Roles.LicenseManager && g.OrganisationId is not null).Select(g => g.OrganisationId!.Value).Distinct())
        {
            if (await registry.GetAsync(caller.Current, LandkreisLizenz.Core.Registry.RegistryEntities.Organisations, id) is { } organisation)
            {
                result.Add((id, (string)organisation.Values["name"]!));
            }
        }

        return result;
    }

    [HttpPost("/schnittstellen/{id:long}/widerrufen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Revoke(long id)
    {
        var revoked = await tokens.RevokeAsync(caller.Current, id);
        if (revoked is null)
        {
            return NotFound();
        }

        TempData["Message"] = revoked.Value ? "Der Token wurde widerrufen." : "Der Token war bereits widerrufen.";
        return Redirect("/schnittstellen");
    }
}
