using System.Globalization;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Contracts;

public sealed record Deadline(
    long ContractId, long OrganisationId, string OrganisationName, string ContractKey, string Title, string Vendor, string EvbItType,
    DateOnly TermEnd, DateOnly NoticeDeadline, int NoticePeriodMonths, decimal? AnnualCost)
{
    public int DaysLeft(DateOnly today) => NoticeDeadline.DayNumber - today.DayNumber;
}

/// <summary>Fristenkalender: the next notice deadline of every contract in the caller's scope (spec §3).</summary>
public sealed class DeadlineCalendar(Database database)
{
    private const string ContractsSql = """
        SELECT k.id AS ContractId, k.organisation_id AS OrganisationId, o.name AS OrganisationName, k.contract_key AS ContractKey, k.title AS Title,
               k.vendor AS Vendor, k.evb_it_type AS EvbItType, k.start_date AS StartDate, k.initial_term_months AS InitialTermMonths,
               k.renewal_term_months AS RenewalTermMonths, k.notice_period_months AS NoticePeriodMonths, k.end_date AS EndDate, k.annual_cost AS AnnualCost
        FROM contracts k JOIN organisations o ON o.id = k.organisation_id
        WHERE {scope:k.organisation_id} AND (k.initial_term_months > 0 OR k.end_date IS NOT NULL)
          AND (@Root IS NULL OR o.id = @Root OR o.parent_id = @Root)
        """;

    public static readonly IReadOnlyList<string> SortKeys = ["deadline", "organisation", "cost"];

    /// <summary>Deadlines from <paramref name="today"/> up to <paramref name="months"/> months ahead.</summary>
    /// <param name="familyRoot">Only one county with its member municipalities (dashboards); null for the whole scope.</param>
    public async Task<IReadOnlyList<Deadline>> UpcomingAsync(CallerScope scope, DateOnly today, int months = 12, string sort = "deadline", long? familyRoot = null)
    {
        var until = today.AddMonths(months);
        using var connection = database.Open();
        var deadlines = (await connection.QueryScopedAsync<ContractRow>(scope, ContractsSql, new { Root = familyRoot }))
            .Select(c => (Contract: c, Term: ContractTerms.NextDeadline(c.Terms, today)))
            .Where(x => x.Term is not null && x.Term.NoticeDeadline <= until)
            .Select(x => new Deadline(x.Contract.ContractId, x.Contract.OrganisationId, x.Contract.OrganisationName, x.Contract.ContractKey, x.Contract.Title,
                x.Contract.Vendor, x.Contract.EvbItType, x.Term!.End, x.Term.NoticeDeadline, x.Contract.NoticePeriodMonths ?? 0, x.Contract.AnnualCost));
        return (sort switch
        {
            "organisation" => deadlines.OrderBy(d => d.OrganisationName, StringComparer.Ordinal).ThenBy(d => d.NoticeDeadline),
            "cost" => deadlines.OrderByDescending(d => d.AnnualCost ?? 0).ThenBy(d => d.NoticeDeadline),
            _ => deadlines.OrderBy(d => d.NoticeDeadline).ThenBy(d => d.OrganisationName, StringComparer.Ordinal),
        }).ThenBy(d => d.ContractId).ToList();
    }

    /// <summary>Days before a deadline at which the calendar itself reminds: the last reminder of the app (30) and a final one a week before.</summary>
    public static readonly int[] AlarmDays = [30, 7];

    /// <summary>
    /// RFC 5545 calendar: one all-day event per deadline, for Outlook and Thunderbird, with alarms
    /// (<see cref="AlarmDays"/>) and, given <paramref name="contractUrl"/>, the link to the contract's page.
    /// </summary>
    public static string ToICalendar(IEnumerable<Deadline> deadlines, DateTime nowUtc, Func<long, string>? contractUrl = null)
    {
        var de = CultureInfo.GetCultureInfo("de-DE");
        var ics = new StringBuilder();
        void Line(string text)
        {
            // Lines are folded after 75 octets; continuation lines start with a space.
            var bytes = Encoding.UTF8.GetBytes(text);
            var start = 0;
            var first = true;
            while (start < bytes.Length)
            {
                var take = Math.Min(first ? 75 : 74, bytes.Length - start);
                while (take < bytes.Length - start && (bytes[start + take] & 0xC0) == 0x80)
                {
                    take--;
                }

                ics.Append(first ? "" : " ").Append(Encoding.UTF8.GetString(bytes, start, take)).Append("\r\n");
                start += take;
                first = false;
            }
        }

        static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal)
                .Replace(",", "\\,", StringComparison.Ordinal).Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//LandkreisLizenz//Fristenkalender//DE");
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        Line("X-WR-CALNAME:Kündigungsfristen");
        var stamp = nowUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        foreach (var d in deadlines)
        {
            Line("BEGIN:VEVENT");
            Line($"UID:contract-{d.ContractId}-{d.NoticeDeadline:yyyyMMdd}@landkreislizenz");
            Line($"DTSTAMP:{stamp}");
            Line($"DTSTART;VALUE=DATE:{d.NoticeDeadline:yyyyMMdd}");
            Line($"DTEND;VALUE=DATE:{d.NoticeDeadline.AddDays(1):yyyyMMdd}");
            Line("SUMMARY:" + Escape($"Kündigungsfrist: {d.Title} ({d.OrganisationName})"));
            var cost = d.AnnualCost is { } annual ? string.Create(de, $", Jahreskosten {annual:C}.") : ".";
            var period = d.NoticePeriodMonths == 1 ? "1 Monat" : $"{d.NoticePeriodMonths} Monate";
            var url = contractUrl?.Invoke(d.ContractId);
            Line("DESCRIPTION:" + Escape(string.Create(de,
                $"Letzter Tag für den Eingang der Kündigung von {d.ContractKey} bei {d.Vendor}. Laufzeitende {d.TermEnd:dd.MM.yyyy}, Kündigungsfrist {period}{cost}")
                + (url is null ? "" : "\nVertrag: " + url)));
            if (url is not null)
            {
                Line("URL:" + url);
            }

            Line("TRANSP:TRANSPARENT");
            foreach (var days in AlarmDays)
            {
                Line("BEGIN:VALARM");
                Line("ACTION:DISPLAY");
                Line("DESCRIPTION:" + Escape($"In {days} Tagen endet die Kündigungsfrist: {d.Title} ({d.OrganisationName})"));
                Line($"TRIGGER:-P{days}D");
                Line("END:VALARM");
            }

            Line("END:VEVENT");
        }

        Line("END:VCALENDAR");
        return ics.ToString();
    }

    private sealed class ContractRow : ContractTermColumns
    {
        public long ContractId { get; init; }
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public string ContractKey { get; init; } = "";
        public string Title { get; init; } = "";
        public string Vendor { get; init; } = "";
        public string EvbItType { get; init; } = "";
        public decimal? AnnualCost { get; init; }
    }
}
