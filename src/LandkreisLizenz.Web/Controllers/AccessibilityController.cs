using LandkreisLizenz.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>The accessibility statement BITV 2.0 requires of public bodies; public, linked from every page.</summary>
[AllowAnonymous]
public sealed class AccessibilityController(AccessibilityOptions options) : Controller
{
    [HttpGet("/barrierefreiheit")]
    public IActionResult Index() => View(options);
}
