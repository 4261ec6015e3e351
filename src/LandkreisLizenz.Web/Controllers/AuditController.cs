using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Web.Models;
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
        return View(new AuditModel(await audit.ListAsync(caller.Current, filter, new PageRequest(seite, 50)), filter));
    }

    [HttpGet("/protokoll/export.{format:regex(^(csv|xlsx)$)}")]
    [Authorize(Policy = Policies.CioOrAdmin)]
    public async Task<IActionResult> Export(string format, string? aktion, string? suche)
    {
        var filter = new AuditFilter(AuditQueries.Actions.Contains(aktion ?? "") ? aktion : null, suche);
        var page = await audit.ListAsync(caller.Current, filter, new PageRequest(1, PageRequest.MaxExportSize) { IsExport = true });
        var rows = page.Items.Select(e => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["occurred_at_utc"] = e.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["user"] = e.UserName, ["organisation"] = e.OrganisationName, ["action"] = e.Action, ["object_type"] = e.ObjectType,
            ["object_key"] = e.ObjectKey, ["before"] = e.BeforeJson, ["after"] = e.AfterJson, ["remote_address"] = e.RemoteAddress,
        });
        return await ExportFile.CreateAsync(format, "protokoll",
            ["occurred_at_utc", "user", "organisation", "action", "object_type", "object_key", "before", "after", "remote_address"], rows);
    }
}
