using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class RecognitionController(RecognitionService recognition, ProductCatalogue catalogue, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/inventar/nicht-erkannt")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Unrecognised(string? suche, int seite = 1)
    {
        var page = await recognition.ListUnrecognisedAsync(caller.Current, suche, new PageRequest(seite, 50));
        return View(new UnrecognisedModel(page, suche, TempData["Message"] as string));
    }

    [HttpGet("/inventar/nicht-erkannt/export.{format:regex(^(csv|xlsx)$)}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Export(string format, string? suche)
    {
        var page = await recognition.ListUnrecognisedAsync(caller.Current, suche, new PageRequest(1, PageRequest.MaxExportSize) { IsExport = true });
        var rows = page.Items.Select(i => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["software"] = i.Name, ["publisher"] = i.Publisher, ["devices"] = i.Devices, ["installations"] = i.Installations,
        });
        return await ExportFile.CreateAsync(format, "nicht-erkannte-software", ["software", "publisher", "devices", "installations"], rows);
    }

    [HttpGet("/inventar/nicht-erkannt/{titleId:long}")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> MapForm(long titleId)
    {
        var title = await recognition.GetTitleAsync(caller.Current, titleId);
        return title is null ? NotFound() : View(new MapTitleModel(title, await catalogue.ListAsync()));
    }

    [HttpPost("/inventar/nicht-erkannt/{titleId:long}/zuordnen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Map(long titleId, long productId, string? softwarePattern, string? publisherPattern)
    {
        try
        {
            var result = await recognition.MapAsync(caller.Current, titleId, productId, softwarePattern, publisherPattern);
            TempData["Message"] = $"Regel angelegt: {result.TitlesRecognised:N0} Software-Eintrag/-Einträge mit {result.InstallationsReattributed:N0} Installationen sind jetzt zugeordnet.";
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException)
        {
            TempData["Message"] = ex.Message;
        }

        return Redirect("/inventar/nicht-erkannt");
    }
}
