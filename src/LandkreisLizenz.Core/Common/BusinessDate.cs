namespace LandkreisLizenz.Core.Common;

/// <summary>Calendar dates as German public bodies count them (Europe/Berlin), from the injected clock.</summary>
public static class BusinessDate
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Berlin).DateTime);
}
