using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

[Authorize(Policy = Policies.Authenticated)]
public sealed class RegistryController(OrganisationQueries organisations, ApplicationQueries applications, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/register/organisationen")]
    public async Task<IActionResult> Organisations(string? suche, string? art, int seite = 1)
    {
        var filter = new OrganisationFilter(suche, OrganisationKinds.All.Contains(art ?? "") ? art : null);
        var page = await organisations.ListAsync(caller.Current, filter, new PageRequest(seite, 50));
        return View(new OrganisationListModel(page, filter));
    }

    [HttpGet("/register/organisationen/{id:long}")]
    public async Task<IActionResult> Organisation(long id, int seite = 1)
    {
        var detail = await organisations.GetAsync(caller.Current, id);
        if (detail is null)
        {
            return NotFound();
        }

        var apps = await applications.ListForOrganisationAsync(caller.Current, id, new PageRequest(seite, 50));
        return View(new OrganisationPageModel(detail, apps));
    }

    [HttpGet("/register/anwendungen/{id:long}")]
    public async Task<IActionResult> Application(long id)
    {
        var detail = await applications.GetAsync(caller.Current, id);
        return detail is null ? NotFound() : View(detail);
    }
}
