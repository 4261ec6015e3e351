using System.Globalization;

namespace LandkreisLizenz.Core.Imports;

/// <summary>Value parsing as spec §5 allows it; every failure returns a German reason.</summary>
internal static class CsvValues
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd.MM.yyyy", "d.M.yyyy"];

    public static bool TryDate(string text, out DateOnly value, out string? reason) => TryDate(text, null, out value, out reason);

    /// <param name="sourceFormat">The source's own date format (spec §7), tried after the spec's; a time of day is dropped.</param>
    public static bool TryDate(string text, string? sourceFormat, out DateOnly value, out string? reason)
    {
        reason = null;
        // Fast path for the ISO form that inventory exports use on millions of rows.
        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            && year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            value = new DateOnly(year, month, day);
            return true;
        }

        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            return true;
        }

        if (sourceFormat is not null && DateTime.TryParseExact(text, sourceFormat, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            value = DateOnly.FromDateTime(parsed);
            return true;
        }

        reason = sourceFormat is null
            ? "kein gültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)"
            : $"kein gültiges Datum (erwartet {sourceFormat}, JJJJ-MM-TT oder TT.MM.JJJJ)";
        return false;
    }

    public static bool TryMonth(string text, out string value, out string? reason)
    {
        reason = null;
        value = text;
        if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && text.Length == 7)
        {
            return true;
        }

        reason = "kein gültiger Monat (erwartet JJJJ-MM)";
        return false;
    }

    public static bool TryInt(string text, out long value, out string? reason)
    {
        reason = null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            if (value < 0)
            {
                reason = "darf nicht negativ sein";
                return false;
            }

            return true;
        }

        reason = "keine ganze Zahl";
        return false;
    }

    /// <summary>
    /// Decimals use '.'; in ';'- and tab-separated files and forms ',' is accepted as the decimal separator too, with
    /// thousands points before it (<c>1.299,00</c>, as the pages show amounts). Other grouping only where the source's
    /// <paramref name="numberFormat"/> says how it groups (<c>9.999,99</c> or <c>9,999.99</c>).
    /// </summary>
    public static bool TryDecimal(string text, char delimiter, string? numberFormat, out decimal value, out string? reason)
    {
        if (numberFormat is not null)
        {
            return TryGrouped(text, numberFormat, out value, out reason);
        }

        // "1.299,00", as the pages show amounts, wherever ',' cannot be the delimiter: the points group thousands when
        // a decimal comma follows them (and only in groups of three, so "1.29,00" stays a typo, not 129).
        if (delimiter != ',' && text.Contains(',', StringComparison.Ordinal) && text.LastIndexOf('.') is var point and >= 0 && point < text.LastIndexOf(','))
        {
            return TryGrouped(text, NumberFormats.German, out value, out reason);
        }

        reason = null;
        // ',' is the decimal separator wherever it cannot be the delimiter (';'- and tab-separated files, workbooks).
        var normalised = delimiter != ',' ? text.Replace(',', '.') : text;
        if (normalised.Count(c => c == '.') <= 1
            && decimal.TryParse(normalised, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            if (value < 0)
            {
                reason = "darf nicht negativ sein";
                return false;
            }

            return true;
        }

        value = 0;
        reason = delimiter != ',' ? "keine Zahl (z. B. 1299,00, 1.299,00 oder 1299.00)" : "keine Zahl (Dezimaltrennzeichen '.')";
        return false;
    }

    private static bool TryGrouped(string text, string numberFormat, out decimal value, out string? reason)
    {
        var (group, separator) = numberFormat == NumberFormats.German ? ('.', ',') : (',', '.');
        var trimmed = text.Replace("€", "", StringComparison.Ordinal).Replace("EUR", "", StringComparison.OrdinalIgnoreCase).Trim();
        var integral = trimmed.Split(separator)[0];
        // Groups of three after the first: "1.299,00" is a thousand and more, "1.29,00" a typo, not 129.
        var grouped = integral.Contains(group, StringComparison.Ordinal)
            && integral.TrimStart('-').Split(group).Skip(1).Any(g => g.Length != 3);
        var normalised = trimmed.Replace(group.ToString(), "", StringComparison.Ordinal).Replace(separator, '.');
        if (!grouped && trimmed.Count(c => c == separator) <= 1
            && decimal.TryParse(normalised, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            reason = value < 0 ? "darf nicht negativ sein" : null;
            return value >= 0;
        }

        value = 0;
        reason = numberFormat == NumberFormats.German ? "keine Zahl (erwartet z. B. 1.299,00)" : "keine Zahl (erwartet z. B. 1,299.00)";
        return false;
    }

    public static bool TryBool(string text, out bool value, out string? reason)
    {
        reason = null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "ja" or "1":
                value = true;
                return true;
            case "false" or "nein" or "0":
                value = false;
                return true;
            default:
                value = false;
                reason = "kein Wahrheitswert (erlaubt: true/false, ja/nein, 1/0)";
                return false;
        }
    }
}
