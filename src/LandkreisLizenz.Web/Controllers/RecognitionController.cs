using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
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
            ["software"] = i.Name, ["publisher"] = i.Publisher, ["devices"] = i.Devices, ["installations"] = i.Installations, ["held_evidence"] = i.HeldEvidence,
        });
        return await ExportFile.CreateAsync(format, "nicht-erkannte-software", ["software", "publisher", "devices", "installations", "held_evidence"], rows);
    }

    [HttpGet("/inventar/nicht-erkannt/{titleId:long}")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> MapForm(long titleId)
    {
        var context = await recognition.GetMappingContextAsync(caller.Current, titleId);
        return context is null ? NotFound() : View(new MapTitleModel(context, await catalogue.ListAsync()));
    }

    /// <summary>What the rule would do (spec §6.1: shown before it is saved); a refused draft returns to the form.</summary>
    [HttpGet("/inventar/nicht-erkannt/{titleId:long}/vorschau")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Preview(long titleId, string? ergebnis, long? productId, string? softwarePattern, string? publisherPattern, long? familyId)
    {
        var draft = Draft(titleId, ergebnis, productId, softwarePattern, publisherPattern, familyId);
        try
        {
            var preview = await recognition.PreviewAsync(caller.Current, draft);
            return View(new RulePreviewModel(preview.Title!, draft, preview));
        }
        catch (ArgumentException ex)
        {
            var context = await recognition.GetMappingContextAsync(caller.Current, titleId);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("MapForm", new MapTitleModel(context!, await catalogue.ListAsync(), draft, ex.Message));
        }
    }

    [HttpPost("/inventar/nicht-erkannt/{titleId:long}/zuordnen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Map(long titleId, string? ergebnis, long? productId, string? softwarePattern, string? publisherPattern, long? familyId)
    {
        try
        {
            var result = await recognition.MapAsync(caller.Current, Draft(titleId, ergebnis, productId, softwarePattern, publisherPattern, familyId));
            TempData["Message"] = $"Regel angelegt: {Formatting.Count(result.TitlesRecognised, "Software-Eintrag", "Software-Einträge")} mit "
                                  + $"{Formatting.Count(result.InstallationsReattributed, "Installation", "Installationen")} in {Formatting.Count(result.Organisations, "Organisation", "Organisationen")} "
                                  + $"{(result.TitlesRecognised == 1 ? "ist" : "sind")} jetzt zugeordnet.";
        }
        catch (ArgumentException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return Redirect("/inventar/nicht-erkannt");
    }

    [HttpGet("/inventar/regeln")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Rules(string? suche, int seite = 1)
    {
        var scope = caller.Current;
        var page = await recognition.ListRulesAsync(scope, suche, new PageRequest(seite, 50));
        return View(new RulesModel(page, suche, RecognitionService.MayPromote(scope), r => RecognitionService.MayDelete(scope, r.FamilyId), TempData["Message"] as string));
    }

    [HttpGet("/inventar/regeln/{ruleId:long}/global")]
    [Authorize(Policy = Policies.Admin)]
    public async Task<IActionResult> PromotionPreview(long ruleId)
    {
        try
        {
            return View(new PromotionPreviewModel(ruleId, await recognition.PreviewPromotionAsync(caller.Current, ruleId)));
        }
        catch (ArgumentException ex)
        {
            TempData["Message"] = ex.Message;
            return Redirect("/inventar/regeln");
        }
    }

    [HttpPost("/inventar/regeln/{ruleId:long}/global")]
    [Authorize(Policy = Policies.Admin)]
    public async Task<IActionResult> Promote(long ruleId)
    {
        try
        {
            var result = await recognition.PromoteAsync(caller.Current, ruleId);
            TempData["Message"] = $"Die Regel gilt jetzt für alle: {Formatting.Count(result.TitlesRecognised, "weiterer Software-Eintrag", "weitere Software-Einträge")} mit "
                                  + $"{Formatting.Count(result.InstallationsReattributed, "Installation", "Installationen")} in {Formatting.Count(result.Organisations, "Organisation", "Organisationen")} zugeordnet.";
        }
        catch (ArgumentException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return Redirect("/inventar/regeln");
    }

    [HttpPost("/inventar/regeln/{ruleId:long}/loeschen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Delete(long ruleId)
    {
        await recognition.DeleteRuleAsync(caller.Current, ruleId);
        TempData["Message"] = "Regel gelöscht; was sie zugeordnet hatte, ist wieder nicht erkannt (sofern keine andere Regel greift).";
        return Redirect("/inventar/regeln");
    }

    /// <summary>The form's choice: <c>ergebnis=nicht-lizenzpflichtig</c>, else the chosen product.</summary>
    private static RuleDraft Draft(long titleId, string? outcome, long? productId, string? softwarePattern, string? publisherPattern, long? familyId) =>
        outcome == "nicht-lizenzpflichtig"
            ? new RuleDraft(titleId, null, true, softwarePattern, publisherPattern, familyId)
            : new RuleDraft(titleId, productId, false, softwarePattern, publisherPattern, familyId);
}
