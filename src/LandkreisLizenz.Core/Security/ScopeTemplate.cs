using System.Text.RegularExpressions;

namespace LandkreisLizenz.Core.Security;

/// <summary>
/// Expands the scope placeholders of constant SQL into the caller's organisation filter: <c>{scope:column}</c> for
/// what the caller may read, <c>{scope:role=cio:column}</c> for the organisations the caller holds that role on (e.g.
/// the audit trail, which only CIOs and admins read).
/// </summary>
public static partial class ScopeTemplate
{
    [GeneratedRegex(@"\{scope:(?:role=(cio|license_manager|reader):)?([a-z_]+\.[a-z_]+)\}")]
    private static partial Regex Placeholder();

    public static string Apply(string sql, CallerScope scope) =>
        Placeholder().Replace(sql, m => m.Groups[1].Success
            ? scope.RoleFilter(m.Groups[1].Value, m.Groups[2].Value)
            : scope.OrganisationFilter(m.Groups[2].Value));
}
