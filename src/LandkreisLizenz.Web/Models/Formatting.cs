namespace LandkreisLizenz.Web.Models;

public static class Formatting
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Stored timestamps are UTC; people read German local time.</summary>
    public static DateTime ToLocalBerlin(this DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin);

    /// <summary>A count with its noun in the right number ("1 Empfehlung", "2.345 Empfehlungen"), digits as the page's culture writes them.</summary>
    public static string Count(long count, string one, string many) =>
        count.ToString("N0", System.Globalization.CultureInfo.CurrentCulture) + " " + (count == 1 ? one : many);
}
