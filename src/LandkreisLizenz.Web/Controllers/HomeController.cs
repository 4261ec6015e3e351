using LandkreisLizenz.Core.Overview;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

[Authorize(Policy = Policies.Authenticated)]
public sealed class HomeController(EstateSummaryService summaries, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/")]
    public async Task<IActionResult> Index() => View(await summaries.GetAsync(caller.Current));
}
