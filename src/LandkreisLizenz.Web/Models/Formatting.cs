namespace LandkreisLizenz.Web.Models;

public static class Formatting
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Stored timestamps are UTC; people read German local time.</summary>
    public static DateTime ToLocalBerlin(this DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin);
}
