using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>The license manager's overview and the cross-county Verbund dashboard, composed from the Core services.</summary>
public sealed class OverviewController(
    ReconciliationQueries positions, SuggestionService suggestions, RecognitionService recognition, ImportService imports,
    DeadlineCalendar deadlines, VerbundDashboardService verbund, CallerScopeAccessor caller, TimeProvider clock) : Controller
{
    [HttpGet("/uebersicht")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> LicenseManager()
    {
        var scope = caller.Current;
        var open = new List<PositionView>();
        foreach (var organisation in scope.HomeOrganisationIds)
        {
            open.AddRange((await positions.PositionsAsync(scope, organisation, new PositionFilter()))
                .Where(p => p.Status is PositionStatus.Shortfall or PositionStatus.Unlicensed));
        }

        var today = BusinessDate.Today(clock);
        return View(new LicenseManagerOverviewModel(
            open.OrderByDescending(p => p.RiskAmount ?? 0).Take(10).ToList(),
            (await suggestions.ListAsync(scope, new SuggestionFilter(SuggestionTypes.RightSize), new PageRequest(1, 10))).Page.Items,
            (await recognition.ListUnrecognisedAsync(scope, null, new PageRequest(1, 10))).Items,
            await imports.RecentBatchesAsync(scope, 10),
            (await deadlines.UpcomingAsync(scope, today, 3)).Where(d => d.NoticeDeadline <= today.AddDays(90)).ToList(),
            today));
    }

    [HttpGet("/verbund")]
    [Authorize(Policy = Policies.VerbundOrAdmin)]
    public async Task<IActionResult> Verbund(long? landkreis)
    {
        return View(new VerbundModel(await verbund.GetAsync(caller.Current, landkreis),
            (await suggestions.ListAsync(caller.Current, new SuggestionFilter(SuggestionTypes.SharedOperation), new PageRequest(1, 10))).Page.Items,
            (await suggestions.ListAsync(caller.Current, new SuggestionFilter(SuggestionTypes.JointProcurement), new PageRequest(1, 10))).Page.Items,
            landkreis));
    }
}
