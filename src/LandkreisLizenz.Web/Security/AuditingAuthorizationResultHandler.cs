using LandkreisLizenz.Core.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace LandkreisLizenz.Web.Security;

/// <summary>Writes every refused request of a signed-in user to the audit log, then answers as usual (403).</summary>
public sealed class AuditingAuthorizationResultHandler(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var scope = context.Items.Values.OfType<LandkreisLizenz.Core.Security.CallerScope>().FirstOrDefault();
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "request", $"{context.Request.Method} {context.Request.Path}",
                RemoteAddress: context.Connection.RemoteIpAddress?.ToString()), scope is null ? context.User.Identity?.Name : null);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
