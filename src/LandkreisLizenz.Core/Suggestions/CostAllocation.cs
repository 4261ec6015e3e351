namespace LandkreisLizenz.Core.Suggestions;

/// <summary>The keys by which a cluster's future cost is shared (spec §6.3).</summary>
public static class AllocationKeys
{
    public const string Users = "users";
    public const string Inhabitants = "inhabitants";
    public const string Equal = "equal";
    public const string Mixed = "mixed";

    /// <summary>Users first: cost should follow benefit (the default).</summary>
    public static readonly IReadOnlyList<string> All = [Users, Inhabitants, Equal, Mixed];

    public static string GermanName(string key) => key switch
    {
        Users => "nach Nutzern",
        Inhabitants => "nach Einwohnern",
        Equal => "zu gleichen Teilen",
        Mixed => "gemischt (je ein Drittel Nutzer, Einwohner, gleiche Teile)",
        _ => key,
    };

    public static string Parse(string? key) => All.Contains(key ?? "") ? key! : Users;
}

/// <summary>One participant's line of a cost allocation: what it pays today, what it would pay after, the difference.</summary>
public sealed record AllocationLine(long OrganisationId, string Name, string Ags, decimal CostToday, decimal CostAfter, int? Users, long? Inhabitants)
{
    public decimal Difference => CostAfter - CostToday;
}

/// <summary>A cluster's future annual cost (the summed cost − the savings) shared among its participants by one key.</summary>
public sealed record CostAllocationResult(string Key, decimal CostToday, decimal FutureCost, IReadOnlyList<AllocationLine> Lines, string? Note);

/// <summary>
/// Shares the future cost of a cluster by a key, to the cent: weights from users, inhabitants, equal parts or their
/// mix; cents left over by rounding go to the largest remainders, so the lines add up to the future cost exactly.
/// A key without figures (nobody's users or inhabitants known) falls back to equal parts, and says so.
/// </summary>
public static class CostAllocation
{
    public sealed record Participant(long OrganisationId, string Name, string Ags, decimal CostToday, int? Users, long? Inhabitants);

    public static CostAllocationResult Allocate(IReadOnlyList<Participant> participants, decimal savings, string key)
    {
        var today = participants.Sum(p => p.CostToday);
        var future = Math.Max(0, Math.Round(today - savings, 2));
        if (participants.Count == 0)
        {
            return new CostAllocationResult(key, today, future, [], null);
        }

        var equal = participants.Select(_ => 1m / participants.Count).ToList();
        var users = Shares(participants.Select(p => (decimal)(p.Users ?? 0)).ToList());
        var inhabitants = Shares(participants.Select(p => (decimal)(p.Inhabitants ?? 0)).ToList());
        string? note = null;
        List<decimal> weights;
        switch (key)
        {
            case AllocationKeys.Users when users is null:
            case AllocationKeys.Inhabitants when inhabitants is null:
                note = $"Für den Schlüssel „{AllocationKeys.GermanName(key)}“ fehlen die Zahlen; verteilt wird zu gleichen Teilen.";
                weights = equal;
                break;
            case AllocationKeys.Users:
                weights = users!;
                break;
            case AllocationKeys.Inhabitants:
                weights = inhabitants!;
                break;
            case AllocationKeys.Mixed:
                weights = participants.Select((_, i) => ((users ?? equal)[i] + (inhabitants ?? equal)[i] + equal[i]) / 3m).ToList();
                break;
            default:
                weights = equal;
                break;
        }

        var cents = Cents(Math.Round(future * 100), weights);
        return new CostAllocationResult(key, today, future,
            participants.Select((p, i) => new AllocationLine(p.OrganisationId, p.Name, p.Ags, p.CostToday, cents[i] / 100m, p.Users, p.Inhabitants)).ToList(), note);
    }

    /// <summary>Each value's share of their sum; null when the sum is zero.</summary>
    private static List<decimal>? Shares(List<decimal> values)
    {
        var sum = values.Sum();
        return sum <= 0 ? null : values.Select(v => v / sum).ToList();
    }

    /// <summary><paramref name="total"/> cents by weights, the rounding remainder to the largest fractions (ties: first).</summary>
    private static List<decimal> Cents(decimal total, List<decimal> weights)
    {
        var exact = weights.Select(w => total * w).ToList();
        var floor = exact.Select(Math.Floor).ToList();
        var left = (int)(total - floor.Sum());
        foreach (var i in exact.Select((e, i) => (Fraction: e - Math.Floor(e), i)).OrderByDescending(x => x.Fraction).ThenBy(x => x.i).Take(left).Select(x => x.i))
        {
            floor[i] += 1;
        }

        return floor;
    }
}
