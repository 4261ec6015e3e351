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
    public async Task<IActionResult> Detail(long id)
    {
        var detail = await suggestions.GetAsync(caller.Current, id);
        return detail is null ? NotFound() : View(new SuggestionDetailModel(detail, CanDecide(detail), TempData["Message"] as string, null, null));
    }

    [HttpPost("/empfehlungen/{id:long}/entscheidung")]
    [Authorize(Policy = Policies.CioOrAdmin)]
    public async Task<IActionResult> Decide(long id, string? status, string? reason)
    {
        var problem = await suggestions.DecideAsync(caller.Current, id, status ?? "", reason);
        if (problem is null)
        {
            TempData["Message"] = "Die Entscheidung wurde gespeichert.";
            return Redirect($"/empfehlungen/{id}");
        }

        var detail = (await suggestions.GetAsync(caller.Current, id))!;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Detail", new SuggestionDetailModel(detail, CanDecide(detail), null, problem, (status, reason)));
    }

    private bool CanDecide(SuggestionDetail detail) =>
        caller.Current.IsAdmin || detail.Organisations.Any(o => caller.Current.HoldsRoleFor(Roles.Cio, o.Id));
}
