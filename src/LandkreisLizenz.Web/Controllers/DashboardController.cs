using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class DashboardController(CioDashboardService cio, CallerScopeAccessor caller) : Controller
{
    /// <summary>The CIO dashboard of the caller's county (admins and analysts pick one with ?organisation=).</summary>
    [HttpGet("/dashboard")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(long? organisation)
    {
        var root = organisation ?? (caller.Current.HomeOrganisationIds.Count > 0 ? caller.Current.HomeOrganisationIds[0] : (long?)null);
        if (root is null)
        {
            return Redirect("/lizenzabgleich?suche=");
        }

        var dashboard = await cio.GetAsync(caller.Current, root.Value);
        return dashboard is null ? NotFound() : View(dashboard);
    }
}
