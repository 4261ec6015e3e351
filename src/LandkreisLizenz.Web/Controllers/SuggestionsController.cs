using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class SuggestionsController(SuggestionService suggestions, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/empfehlungen")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(string? typ, string? status, string? organisation, string? reichweite, int seite = 1)
    {
        var filter = new SuggestionFilter(typ, status, organisation, Reach: reichweite switch { "eigene" => "own", "gemeinsam" => "cluster", _ => null });
        return View(new SuggestionsModel(await suggestions.ListAsync(caller.Current, filter, new PageRequest(seite, 50)), filter));
    }

    [HttpGet("/empfehlungen/{id:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Detail(long id, string? schluessel)
    {
        var detail = await suggestions.GetAsync(caller.Current, id);
        return detail is null
            ? NotFound()
            : View(Model(detail, TempData["Message"] as string, null, null, null) with { Allocation = SuggestionService.Allocation(detail, AllocationKeyParameter.KeyOf(schluessel)) });
    }

    /// <summary>The cost allocation of a cluster as a file, for a council resolution (Kreistagsvorlage).</summary>
    [HttpGet("/empfehlungen/{id:long}/kostenverteilung.{format:regex(^(csv|xlsx)$)}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> AllocationExport(long id, string format, string? schluessel)
    {
        if (await suggestions.AllocationAsync(caller.Current, id, AllocationKeyParameter.KeyOf(schluessel)) is not { } allocation)
        {
            return NotFound();
        }

        var rows = allocation.Lines.Select(l => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["organisation"] = l.Name, ["ags"] = l.Ags, ["users"] = l.Users, ["inhabitants"] = l.Inhabitants,
            ["cost_today"] = l.CostToday, ["cost_after"] = l.CostAfter, ["difference"] = l.Difference, ["key"] = AllocationKeys.GermanName(allocation.Key),
        });
        return await ExportFile.CreateAsync(format, $"kostenverteilung-{id}", ["organisation", "ags", "users", "inhabitants", "cost_today", "cost_after", "difference", "key"], rows);
    }



    [HttpPost("/empfehlungen/{id:long}/entscheidung")]
    [Authorize(Policy = Policies.CioOrAdmin)]
    public async Task<IActionResult> Decide(long id, string? status, string? reason, long? organisationId)
    {
        var problem = await suggestions.DecideAsync(caller.Current, id, status ?? "", reason, organisationId);
        if (problem is null)
        {
            TempData["Message"] = "Die Entscheidung wurde gespeichert.";
            return Redirect($"/empfehlungen/{id}");
        }

        var detail = (await suggestions.GetAsync(caller.Current, id))!;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Detail", Model(detail, null, problem, (status, reason), organisationId));
    }

    [HttpPost("/empfehlungen/{id:long}/umgesetzt")]
    [Authorize(Policy = Policies.VerbundOrAdmin)]
    public async Task<IActionResult> MarkImplemented(long id)
    {
        var problem = await suggestions.MarkImplementedAsync(caller.Current, id);
        TempData["Message"] = problem ?? "Das Vorhaben ist als umgesetzt markiert.";
        return Redirect($"/empfehlungen/{id}");
    }

    private SuggestionDetailModel Model(SuggestionDetail detail, string? message, string? error, (string?, string?)? posted, long? postedOrganisation) =>
        new(detail, SuggestionService.MayDecide(caller.Current, detail), message, error, posted, SuggestionService.DecidableFor(caller.Current, detail),
            detail.ClusterStatus == ClusterStatus.Agreed && SuggestionService.MayMarkImplemented(caller.Current, detail), postedOrganisation);
}
