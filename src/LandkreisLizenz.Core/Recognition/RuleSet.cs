namespace LandkreisLizenz.Core.Recognition;

/// <summary>A rule's patterns and what it decides: a product, or (with <paramref name="ProductId"/> null) not licensable.</summary>
public sealed record RecognitionRule(long Id, long? ProductId, string SoftwarePattern, string PublisherPattern, bool NotLicensable = false);

/// <summary>
/// The rules in match order: the most specific software pattern wins, then publisher, then the oldest rule. Matching
/// runs for every new title of an import and over all unrecognised titles after a rules import, so rules are indexed by
/// the first letters of their literal prefix: a title is tried only against the rules that can match it (in the same
/// order), instead of against every rule.
/// </summary>
public sealed class RuleSet
{
    private const int KeyLength = 3;

    private readonly List<(RecognitionRule Rule, WildcardPattern Software, WildcardPattern Publisher)> _rules;

    /// <summary>Positions in <see cref="_rules"/> (ascending) of the rules whose software pattern starts with that key.</summary>
    private readonly Dictionary<string, List<int>> _byKey = new(StringComparer.Ordinal);

    /// <summary>Positions (ascending) of the rules without such a key (a leading *, a short or non-ASCII prefix): tried for every title.</summary>
    private readonly List<int> _unkeyed = [];

    public RuleSet(IEnumerable<RecognitionRule> rules)
    {
        _rules = rules
            .Select(r => (r, new WildcardPattern(r.SoftwarePattern), new WildcardPattern(string.IsNullOrWhiteSpace(r.PublisherPattern) ? "*" : r.PublisherPattern)))
            .OrderByDescending(x => x.Item2.Specificity)
            .ThenByDescending(x => x.Item3.Specificity)
            .ThenBy(x => x.r.Id)
            .ToList();
        for (var i = 0; i < _rules.Count; i++)
        {
            var pattern = _rules[i].Rule.SoftwarePattern.Trim();
            var star = pattern.IndexOf('*', StringComparison.Ordinal);
            if (Key(star < 0 ? pattern : pattern[..star]) is { } key)
            {
                (_byKey.TryGetValue(key, out var list) ? list : _byKey[key] = []).Add(i);
            }
            else
            {
                _unkeyed.Add(i);
            }
        }
    }

    public int Count => _rules.Count;

    public RecognitionRule? Match(string software, string publisher)
    {
        if (Key(software.Trim()) is not { } key)
        {
            // A title that starts with other than ASCII may still match an ASCII prefix case-insensitively: try every rule.
            for (var i = 0; i < _rules.Count; i++)
            {
                if (IsMatch(i, software, publisher))
                {
                    return _rules[i].Rule;
                }
            }

            return null;
        }

        // Merge the two ascending position lists, so the rules are tried in match order.
        var keyed = _byKey.GetValueOrDefault(key) ?? [];
        int k = 0, u = 0;
        while (k < keyed.Count || u < _unkeyed.Count)
        {
            var i = u >= _unkeyed.Count || (k < keyed.Count && keyed[k] < _unkeyed[u]) ? keyed[k++] : _unkeyed[u++];
            if (IsMatch(i, software, publisher))
            {
                return _rules[i].Rule;
            }
        }

        return null;
    }

    private bool IsMatch(int i, string software, string publisher) => _rules[i].Software.IsMatch(software) && _rules[i].Publisher.IsMatch(publisher);

    /// <summary>The first letters, lower-cased, when they are plain ASCII (where case folding is unambiguous); else null.</summary>
    private static string? Key(string text)
    {
        if (text.Length < KeyLength)
        {
            return null;
        }

        Span<char> key = stackalloc char[KeyLength];
        for (var i = 0; i < KeyLength; i++)
        {
            if (!char.IsAscii(text[i]))
            {
                return null;
            }

            key[i] = char.ToLowerInvariant(text[i]);
        }

        return new string(key);
    }
}
