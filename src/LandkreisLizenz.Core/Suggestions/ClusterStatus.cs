namespace LandkreisLizenz.Core.Suggestions;

/// <summary>What one participant of a cluster decides for itself (spec §6.4).</summary>
public static class ParticipantDecision
{
    public const string Interested = "interested";
    public const string Joined = "joined";
    public const string Declined = "declined";
    public const string Withdrawn = "withdrawn";

    public static readonly IReadOnlyList<string> All = [Interested, Joined, Declined, Withdrawn];

    /// <summary>Decisions that take the participant out: its share no longer counts, and it can no longer join.</summary>
    public static bool LeavesCluster(string? status) => status is Declined or Withdrawn;

    public static string GermanName(string? status) => status switch
    {
        Interested => "interessiert",
        Joined => "beigetreten",
        Declined => "abgelehnt",
        Withdrawn => "zurückgezogen",
        null => "noch nicht entschieden",
        _ => status,
    };
}

/// <summary>A cluster's status, derived from its participants' decisions (spec §6.4); only "implemented" is set by hand.</summary>
public static class ClusterStatus
{
    public const string Open = "open";
    public const string Forming = "forming";
    public const string Agreed = "agreed";
    public const string Dissolved = "dissolved";
    public const string Implemented = "implemented";

    public static readonly IReadOnlyList<string> All = [Open, Forming, Agreed, Dissolved, Implemented];

    public static string GermanName(string? status) => status switch
    {
        Open => "offen",
        Forming => "in Bildung",
        Agreed => "vereinbart",
        Dissolved => "aufgelöst",
        Implemented => "umgesetzt",
        _ => status ?? "–",
    };

    /// <summary>
    /// <c>agreed</c> when the lead and at least <paramref name="min"/> participants joined; <c>dissolved</c> when fewer than
    /// <paramref name="min"/> can still join; <c>forming</c> when someone is interested or joined; else <c>open</c>.
    /// Once an analyst marked it implemented, it stays so.
    /// </summary>
    /// <param name="latest">Each organisation's decision that stands (participants and the lead).</param>
    public static string Derive(IReadOnlyCollection<long> participants, long? lead, IReadOnlyDictionary<long, string> latest, int min, string? current)
    {
        if (current == Implemented)
        {
            return Implemented;
        }

        string? Of(long id) => latest.TryGetValue(id, out var status) ? status : null;
        if (participants.Count(p => !ParticipantDecision.LeavesCluster(Of(p))) < min)
        {
            return Dissolved;
        }

        var joined = participants.Count(p => Of(p) == ParticipantDecision.Joined);
        if (lead is { } l && Of(l) == ParticipantDecision.Joined && joined >= min)
        {
            return Agreed;
        }

        return participants.Any(p => Of(p) is ParticipantDecision.Interested or ParticipantDecision.Joined) ? Forming : Open;
    }
}
