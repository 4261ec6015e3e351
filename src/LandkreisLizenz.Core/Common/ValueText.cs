using System.Globalization;

namespace LandkreisLizenz.Core.Common;

public static class ValueText
{
    /// <summary>
    /// One invariant text form per stored value whatever the provider returns (SQLite text dates, 0/1 booleans,
    /// REAL money; SQL Server DATE, BIT, DECIMAL): ISO dates, '.' decimals, 1/0. Imports compare with it; exports write it.
    /// </summary>
    public static string? Normalise(object? value) => value switch
    {
        null or DBNull => null,
        bool b => b ? "1" : "0",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.##########", CultureInfo.InvariantCulture),
        double d => ((decimal)d).ToString("0.##########", CultureInfo.InvariantCulture),
        float f => ((decimal)f).ToString("0.##########", CultureInfo.InvariantCulture),
        IConvertible c and not string => c.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
