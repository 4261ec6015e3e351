using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class MeasuresController(MeasureService measures, CallerScopeAccessor caller, TimeProvider clock) : Controller
{
    [HttpGet("/massnahmen")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(string? stand) =>
        View(new MeasuresModel(await measures.ListAsync(caller.Current, stand), stand, BusinessDate.Today(clock), TempData["Message"] as string));

    [HttpGet("/massnahmen/export.{format:regex(^(csv|xlsx)$)}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Export(string format, string? stand)
    {
        var plan = await measures.ListAsync(caller.Current, stand);
        var rows = plan.Items.Select(m => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["organisation"] = m.OrganisationName, ["measure"] = m.SuggestionTitle, ["status"] = MeasureStatus.GermanName(m.Status), ["responsible"] = m.Responsible,
            ["due_date"] = m.DueDate, ["planned_savings"] = m.PlannedSavings, ["realised_savings"] = m.RealisedSavings, ["note"] = m.Note,
        });
        return await ExportFile.CreateAsync(format, "massnahmen", ["organisation", "measure", "status", "responsible", "due_date", "planned_savings", "realised_savings", "note"], rows);
    }

    [HttpGet("/massnahmen/{id:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Edit(long id)
    {
        var measure = await measures.GetAsync(caller.Current, id);
        return measure is null ? NotFound() : View(new MeasureEditModel(measure, MeasureService.MayEdit(caller.Current, measure), null, new Dictionary<string, string>()));
    }

    [HttpPost("/massnahmen/{id:long}")]
    [Authorize(Policy = Policies.CioOrAdmin)]
    public async Task<IActionResult> Save(long id, string? status, string? responsible, string? dueDate, string? realisedSavings, string? note, long rowVersion)
    {
        var change = new MeasureChange(status, responsible, dueDate, realisedSavings, note);
        var errors = await measures.UpdateAsync(caller.Current, id, change, rowVersion);
        if (errors.Count == 0)
        {
            TempData["Message"] = "Die Maßnahme wurde gespeichert.";
            return Redirect("/massnahmen");
        }

        var measure = (await measures.GetAsync(caller.Current, id))!;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Edit", new MeasureEditModel(measure, true, change, errors));
    }
}
