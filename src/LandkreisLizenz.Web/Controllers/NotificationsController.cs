using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class NotificationsController(NotificationService notifications, CallerScopeAccessor caller) : Controller
{
    [HttpGet("/benachrichtigungen")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index() => View(await notifications.ListAsync(caller.Current));

    [HttpPost("/benachrichtigungen/gelesen")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> MarkRead(long? id)
    {
        await notifications.MarkReadAsync(caller.Current, id);
        return Redirect("/benachrichtigungen");
    }
}
