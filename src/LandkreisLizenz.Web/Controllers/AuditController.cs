using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class AuditController(AuditQueries audit, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/protokoll")]
    [Authorize(Policy = Policies.CioOrAdmin)]
    public async Task<IActionResult> Index(string? aktion, string? suche, int seite = 1)
    {
        var filter = new AuditFilter(AuditQueries.Actions.Contains(aktion ?? "") ? aktion : null, suche);
        return View(new Models.AuditModel(await audit.ListAsync(caller.Current, filter, new PageRequest(seite, 50)), filter));
    }
}
