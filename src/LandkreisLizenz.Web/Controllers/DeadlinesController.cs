using System.Text;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class DeadlinesController(DeadlineCalendar calendar, CallerScopeAccessor caller, TimeProvider clock) : Controller
{
    [HttpGet("/fristen")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index(string? sort)
    {
        var today = BusinessDate.Today(clock);
        var key = DeadlineCalendar.SortKeys.Contains(sort ?? "") ? sort! : "deadline";
        return View(new DeadlinesModel(await calendar.UpcomingAsync(caller.Current, today, 12, key), today, key));
    }

    [HttpGet("/fristen/kuendigungsfristen.ics")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Calendar()
    {
        var deadlines = await calendar.UpcomingAsync(caller.Current, BusinessDate.Today(clock));
        var site = $"{Request.Scheme}://{Request.Host}{Request.PathBase}";
        var ics = DeadlineCalendar.ToICalendar(deadlines, clock.GetUtcNow().UtcDateTime, id => $"{site}/register/vertraege/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return File(Encoding.UTF8.GetBytes(ics), "text/calendar; charset=utf-8", "kuendigungsfristen.ics");
    }
}
