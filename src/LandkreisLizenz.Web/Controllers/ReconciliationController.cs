using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Jobs;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>Lizenzbilanz: the latest license positions of an organisation, their detail and manual runs.</summary>
public sealed class ReconciliationController(
    ReconciliationQueries positions, ReconciliationService reconciliation, ReconciliationJobs jobs, RegistryService registry, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/lizenzabgleich")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(string? suche)
    {
        if (caller.Current.HomeOrganisationIds.Count > 0 && suche is null)
        {
            return Redirect($"/lizenzabgleich/{caller.Current.HomeOrganisationIds[0]}");
        }

        var page = await registry.ListAsync(caller.Current, RegistryEntities.Organisations, new ListQuery(suche, "county", PageSize: 200));
        return View("Pick", new PickOrganisationModel(page, suche));
    }

    [HttpGet("/lizenzabgleich/{organisationId:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Balance(long organisationId, string? status, string? kategorie, string? sort)
    {
        var organisation = await registry.GetAsync(caller.Current, RegistryEntities.Organisations, organisationId);
        if (organisation is null)
        {
            return NotFound();
        }

        var filter = new PositionFilter(PositionStatus.All.Contains(status ?? "") ? status : null, string.IsNullOrWhiteSpace(kategorie) ? null : kategorie,
            sort == "savings" ? "savings" : "risk");
        var list = await positions.PositionsAsync(caller.Current, organisationId, filter);
        var all = filter.Status is null && filter.Category is null ? list : await positions.PositionsAsync(caller.Current, organisationId, new PositionFilter());
        return View(new BalanceModel(organisation, list, ReconciliationQueries.Totals(list), await positions.LatestRunAsync(caller.Current, organisationId), filter,
            all.Select(p => (p.CategoryKey, p.CategoryName)).Distinct().OrderBy(c => c.CategoryName, StringComparer.Ordinal).ToList(),
            caller.Current.CanWrite(organisationId)));
    }

    [HttpGet("/lizenzabgleich/{organisationId:long}/{productId:long}/{metric}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Position(long organisationId, long productId, string metric, int seite = 1)
    {
        var detail = await positions.DetailAsync(caller.Current, organisationId, productId, metric);
        return detail is null ? NotFound() : View(new PositionDetailModel(detail, Math.Max(1, seite)));
    }

    [HttpPost("/lizenzabgleich/{organisationId:long}/abgleichen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Start(long organisationId)
    {
        if (await registry.GetAsync(caller.Current, RegistryEntities.Organisations, organisationId) is null)
        {
            return NotFound();
        }

        var run = await reconciliation.StartAsync(caller.Current, [organisationId], "manual");
        jobs.FanOut(run);
        return Redirect($"/lizenzabgleich/laeufe/{run.Id}?organisation={organisationId}");
    }

    [HttpGet("/lizenzabgleich/laeufe/{runId:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Run(long runId, long organisation)
    {
        var run = await VisibleRunAsync(runId, organisation);
        return run is null ? NotFound() : View(new RunModel(run, organisation));
    }

    [HttpGet("/lizenzabgleich/laeufe/{runId:long}/status")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> RunStatus(long runId, long organisation)
    {
        var run = await VisibleRunAsync(runId, organisation);
        return run is null
            ? NotFound()
            : Json(new { run.Status, ProcessedRows = run.FamiliesDone, TotalRows = run.FamiliesTotal, Running = run.Status == "running", Label = RunModel.GermanStatus(run.Status) });
    }

    /// <summary>The run as Core lets the caller see it, addressed together with its organisation (the page links back to it).</summary>
    private async Task<RunSummary?> VisibleRunAsync(long runId, long organisation) =>
        await reconciliation.GetRunAsync(caller.Current, runId) is { } run && (run.OrganisationId is null || run.OrganisationId == organisation) ? run : null;
}
