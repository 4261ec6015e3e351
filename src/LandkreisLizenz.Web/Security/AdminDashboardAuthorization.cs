using Microsoft.AspNetCore.Authentication;
using Hangfire.Dashboard;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.Security;

/// <summary>The Hangfire dashboard at /jobs is for admins only (its default filter only allows local requests).</summary>
public sealed class AdminDashboardAuthorization : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var result = await http.AuthenticateAsync();
        return result.Succeeded && result.Principal.IsInRole(Roles.Admin);
    }
}
