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

    /// <summary>Characters besides <c>*</c> a pattern needs (spec §6.1), so that no rule swallows every title.</summary>
    public const int MinimumLiteralCharacters = 3;

    /// <summary>
    /// Why a recognition pattern is refused, or null: a software pattern needs at least three characters besides
    /// <c>*</c>; a publisher pattern may also be a bare <c>*</c> (any publisher).
    /// </summary>
    public static string? Refusal(string pattern, bool isPublisher)
    {
        var literal = pattern.Trim().Count(c => c != '*');
        if (literal >= MinimumLiteralCharacters || (isPublisher && pattern.Trim() == "*"))
        {
            return null;
        }

        return $"das Muster „{pattern}“ braucht mindestens {MinimumLiteralCharacters} Zeichen außer *"
               + (isPublisher ? " (oder nur * für jeden Hersteller)" : "");
    }
}
