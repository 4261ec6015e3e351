using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// FlexNet / FlexLM <c>lmutil lmstat -a</c> output (spec §7), read as records of the usage-peaks format: one per
/// feature, its licenses in use at the report's time ("Flexible License Manager status on Fri 10/20/2017 17:02") as the
/// peak of that month. The checkout lines carry dates without a year and are not needed: the in-use total is the count.
/// A feature served by several vendor daemons or license files is counted once with their sum. The month's peak is the
/// maximum over its reports — each report imported is one snapshot, and a lower one never lowers the stored peak.
/// </summary>
internal static partial class LicenseServerReports
{
    public const string Kind = "FlexLM-Lizenzserver (lmstat -a)";

    /// <summary>The publisher the features are recognised under, like software titles (spec §7).</summary>
    public const string Publisher = "FlexLM";

    public static readonly IReadOnlyList<string> Header = ["product_key", "month", "peak_concurrent"];

    private const int MaxReportChars = 64 * 1024 * 1024;

    /// <summary>Whether the first kilobytes are a FlexLM status report (or an <c>lmstat -i</c> listing, refused with its reason).</summary>
    public static bool Sniff(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        return text.Contains("Flexible License Manager status", StringComparison.Ordinal) || text.TrimStart().StartsWith("lmutil", StringComparison.Ordinal)
               || text.Contains("lmstat -i does not give information", StringComparison.Ordinal);
    }

    public static CsvSource Open(Stream stream, ImportMapping? mapping) =>
        CsvSource.FromRecords(stream, Header, CsvSource.Deferred(() => Read(stream)), mapping, Kind, document: true, productNames: Publisher);

    private static List<(int, string[])> Read(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        DateTime? snapshot = null;
        var inUse = new Dictionary<string, (int Line, long Count)>(StringComparer.Ordinal);
        var order = new List<string>();
        var line = 0;
        var chars = 0L;
        while (reader.ReadLine() is { } text)
        {
            line++;
            chars += text.Length + 1;
            if (chars > MaxReportChars)
            {
                throw Error(line, $"Der Bericht ist länger als {MaxReportChars / 1024 / 1024} MB; eine lmstat-Ausgabe ist weit kürzer.");
            }

            if (text.Contains("lmstat -i does not give information", StringComparison.Ordinal))
            {
                throw Error(line, "Die Datei ist eine Ausgabe von „lmstat -i“ (nur die Lizenzdatei, keine Nutzung). Gelesen wird die Ausgabe von „lmutil lmstat -a“.");
            }

            if (snapshot is null && text.IndexOf(StatusPrefix, StringComparison.Ordinal) is >= 0 and var at)
            {
                var stated = text[(at + StatusPrefix.Length)..].Trim();
                if (StatusTime().Match(stated) is not { Success: true } status
                    || !DateTime.TryParseExact(status.Groups["date"].Value + " " + status.Groups["time"].Value, ["M/d/yyyy H:mm", "M/d/yyyy H:mm:ss"],
                        CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                {
                    throw Error(line, $"Der Zeitpunkt des Berichts „{stated}“ ist nicht lesbar (erwartet wie „Fri 10/20/2017 17:02“, Monat/Tag/Jahr).");
                }

                snapshot = time;
                continue;
            }

            if (UsersOf().Match(text) is { Success: true } users)
            {
                var feature = users.Groups["feature"].Value.Trim();
                var count = long.Parse(users.Groups["inuse"].Value, CultureInfo.InvariantCulture);
                if (inUse.TryGetValue(feature, out var seen))
                {
                    inUse[feature] = (seen.Line, seen.Count + count);
                }
                else
                {
                    inUse[feature] = (line, count);
                    order.Add(feature);
                }
            }
        }

        if (snapshot is not { } taken)
        {
            throw Error(1, "Die Datei ist keine vollständige lmstat-Ausgabe: die Zeile „Flexible License Manager status on …“ mit dem Zeitpunkt des Berichts fehlt; ohne sie ist der Monat der Nutzung nicht bekannt.");
        }

        if (order.Count == 0)
        {
            throw Error(line, "Der Bericht nennt keine Lizenznutzung („Users of …: (Total of … licenses in use)“) – war der Lizenzserver erreichbar? Aufgerufen werden muss „lmutil lmstat -a“.");
        }

        var month = taken.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        return order.Select(f => (inUse[f].Line, new[] { f, month, Math.Min(inUse[f].Count, int.MaxValue).ToString(CultureInfo.InvariantCulture) })).ToList();
    }

    private static ImportFileException Error(int line, string reason) => new(new ImportError(line, null, null, reason));

    private const string StatusPrefix = "Flexible License Manager status on";

    [GeneratedRegex(@"^(?:[A-Za-z]+\s+)?(?<date>\d{1,2}/\d{1,2}/\d{4})\s+(?<time>\d{1,2}:\d{2}(?::\d{2})?)")]
    private static partial Regex StatusTime();

    [GeneratedRegex(@"^\s*Users of (?<feature>[^:]+):\s*\(Total of \d+ licenses? issued;\s*Total of (?<inuse>\d+) licenses? in use\)")]
    private static partial Regex UsersOf();
}
