using LandkreisLizenz.Core.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace LandkreisLizenz.Web.Security;

/// <summary>
/// Core refuses by exception (and has already written the audit entry); every page answers such a refusal as 403 or
/// 404 instead of a server error, so an action that forgets to catch one cannot turn a refusal into a 500.
/// </summary>
public sealed class CoreRefusalFilter : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        IActionResult? refusal = context.Exception switch
        {
            AccessDeniedException => new ForbidResult(),
            KeyNotFoundException => new NotFoundResult(),
            _ => null,
        };
        if (refusal is not null)
        {
            context.Result = refusal;
            context.ExceptionHandled = true;
        }
    }
}
