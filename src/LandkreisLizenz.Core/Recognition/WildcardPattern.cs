using System.Text.RegularExpressions;

namespace LandkreisLizenz.Core.Recognition;

/// <summary>A case-insensitive pattern where <c>*</c> stands for any text (also none); everything else is literal.</summary>
public sealed class WildcardPattern
{
    private readonly Regex _regex;

    public WildcardPattern(string pattern)
    {
        Pattern = pattern;
        var body = string.Join(".*", pattern.Trim().Split('*').Select(Regex.Escape));
        _regex = new Regex("^" + body + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
    }

    public string Pattern { get; }

    /// <summary>Literal characters in the pattern; a longer literal is a more specific rule.</summary>
    public int Specificity => Pattern.Count(c => c != '*');

    public bool IsMatch(string value) => _regex.IsMatch(value.Trim());
}
