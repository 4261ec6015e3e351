using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class DashboardController(CioDashboardService cio, RegistryService registry, CallerScopeAccessor caller) : Controller
{
    /// <summary>The CIO dashboard of the caller's county (admins and analysts pick one with ?organisation=).</summary>
    [HttpGet("/dashboard")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(long? organisation, string? suche)
    {
        var root = organisation ?? (caller.Current.HomeOrganisationIds.Count > 0 ? caller.Current.HomeOrganisationIds[0] : (long?)null);
        if (root is null)
        {
            var page = await registry.ListAsync(caller.Current, RegistryEntities.Organisations, new ListQuery(suche, "county", PageSize: 200));
            return View("~/Views/Reconciliation/Pick.cshtml", new Models.PickOrganisationModel(page, suche, "Dashboard", "/dashboard?organisation={0}", "/dashboard"));
        }

        var dashboard = await cio.GetAsync(caller.Current, root.Value);
        return dashboard is null ? NotFound() : View(dashboard);
    }
}
