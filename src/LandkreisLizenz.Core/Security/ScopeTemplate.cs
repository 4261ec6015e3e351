using System.Text.RegularExpressions;

namespace LandkreisLizenz.Core.Security;

/// <summary>Expands <c>{scope:column}</c> placeholders in constant SQL into the caller's organisation filter.</summary>
public static partial class ScopeTemplate
{
    [GeneratedRegex(@"\{scope:([a-z_]+\.[a-z_]+)\}")]
    private static partial Regex Placeholder();

    public static string Apply(string sql, CallerScope scope) =>
        Placeholder().Replace(sql, m => scope.OrganisationFilter(m.Groups[1].Value));
}
