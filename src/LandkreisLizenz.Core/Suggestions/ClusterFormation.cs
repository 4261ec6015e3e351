namespace LandkreisLizenz.Core.Suggestions;

/// <summary>
/// Forms the clusters of spec §6.2 from the organisations that qualify for one product (or hosting kind): participants
/// of one Land, between <c>min</c> and <c>max</c> of them. Where more qualify, those already served by the same operator
/// organisation are grouped first, then those of one Regierungsbezirk (the first three AGS digits; a Land without them
/// has one), then the rest in AGS order. Deterministic, and local: each Land is formed on its own, so a change in one
/// county's data changes at most the clusters of its Land.
/// </summary>
internal static class ClusterFormation
{
    /// <param name="ServedBy">The operator organisation that already serves the member (null: none).</param>
    internal sealed record Member(long Id, string Ags, string Land, long? ServedBy);

    public static IReadOnlyList<IReadOnlyList<Member>> Form(IEnumerable<Member> qualifying, int min, int max, bool crossState)
    {
        var result = new List<IReadOnlyList<Member>>();
        foreach (var land in qualifying.DistinctBy(m => m.Id).GroupBy(m => crossState ? "" : m.Land).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            result.AddRange(FormInLand(land.OrderBy(m => m.Ags, StringComparer.Ordinal).ToList(), min, max));
        }

        return result;
    }

    private static IEnumerable<IReadOnlyList<Member>> FormInLand(List<Member> members, int min, int max)
    {
        var clusters = new List<List<Member>>();
        var pool = Take(members, m => m.ServedBy?.ToString(System.Globalization.CultureInfo.InvariantCulture), clusters, min, max);
        pool = Take(pool, m => Regierungsbezirk(m.Ags), clusters, min, max);
        pool = Take(pool, _ => "", clusters, min, max);

        // Too few left for a cluster of their own: each joins a cluster with room, one of its Regierungsbezirk first.
        foreach (var member in pool)
        {
            var target = clusters.Where(c => c.Count < max)
                .OrderBy(c => c.Any(m => Regierungsbezirk(m.Ags) == Regierungsbezirk(member.Ags)) ? 0 : 1)
                .ThenBy(c => c[0].Ags, StringComparer.Ordinal)
                .FirstOrDefault();
            target?.Add(member);
        }

        return clusters
            .Select(c => (IReadOnlyList<Member>)c.OrderBy(m => m.Ags, StringComparer.Ordinal).ToList())
            .OrderBy(c => c[0].Ags, StringComparer.Ordinal);
    }

    /// <summary>Clusters from every group (by <paramref name="key"/>; null: no group) with enough members; returns the rest.</summary>
    private static List<Member> Take(List<Member> pool, Func<Member, string?> key, List<List<Member>> clusters, int min, int max)
    {
        var rest = new List<Member>();
        foreach (var group in pool.GroupBy(key).OrderBy(g => g.Key ?? "\uffff", StringComparer.Ordinal))
        {
            var list = group.ToList();
            if (group.Key is null || list.Count < min)
            {
                rest.AddRange(list);
                continue;
            }

            clusters.AddRange(Balanced(list, min, max));
        }

        return rest.OrderBy(m => m.Ags, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// <paramref name="list"/> (at least <paramref name="min"/>, in AGS order) cut into as few consecutive clusters of at
    /// most <paramref name="max"/> as possible, their sizes differing by one at most.
    /// </summary>
    internal static IEnumerable<List<Member>> Balanced(List<Member> list, int min, int max)
    {
        var count = (list.Count + max - 1) / max;
        while (count > 1 && list.Count / count < min)
        {
            count--;
        }

        var start = 0;
        for (var i = 0; i < count; i++)
        {
            var size = list.Count / count + (i < list.Count % count ? 1 : 0);
            yield return list.GetRange(start, Math.Min(size, max));
            start += size;
        }
    }

    internal static string Regierungsbezirk(string ags) => ags.Length >= 3 ? ags[..3] : ags;
}
