using Dapper;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Contracts;

[TestClass]
public sealed class DeadlineCalendarTests
{
    [TestMethod]
    public async Task UpcomingAsync_Reader_OnlyOwnCountyWithinTwelveMonthsSorted()
    {
        var db = SharedEstate.Database.Database;
        var reader = await Scopes.ForUserNameAsync(db, "leser.wartburgkreis");

        var deadlines = await new DeadlineCalendar(db).UpcomingAsync(reader, TestClock.Today);

        Assert.IsNotEmpty(deadlines);
        Assert.IsTrue(deadlines.All(d => d.NoticeDeadline >= TestClock.Today && d.NoticeDeadline <= TestClock.Today.AddMonths(12)));
        Assert.IsTrue(deadlines.Zip(deadlines.Skip(1)).All(p => p.First.NoticeDeadline <= p.Second.NoticeDeadline));
        using var connection = db.Open();
        var own = connection.Query<long>("SELECT id FROM organisations WHERE ags = '16063' OR parent_id = (SELECT id FROM organisations WHERE ags = '16063')").ToHashSet();
        Assert.IsTrue(deadlines.All(d => own.Contains(d.OrganisationId)));
    }

    [TestMethod]
    public async Task UpcomingAsync_PlantedTerminationCandidate_Listed()
    {
        var db = SharedEstate.Database.Database;
        var cio = await Scopes.ForUserNameAsync(db, "cio.mettmann");

        var deadlines = await new DeadlineCalendar(db).UpcomingAsync(cio, TestClock.Today, 6);

        Assert.IsTrue(deadlines.Any(d => d.DaysLeft(TestClock.Today) <= 180 && d.EvbItType == "pflege_s"));
    }

    [TestMethod]
    public void ToICalendar_Deadline_Rfc5545AllDayEventWithEscapesAndFolding()
    {
        var deadline = new Deadline(7, 1, "Mettmann", "V-1", "Pflege; „OK.VORFAHRT“, Kfz", "AKDB", "pflege_s",
            new DateOnly(2026, 12, 31), new DateOnly(2026, 9, 30), 3, 12345.5m);

        var ics = DeadlineCalendar.ToICalendar([deadline], new DateTime(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc), id => $"https://lkl.example/vertraege/{id}");

        StringAssert.StartsWith(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        StringAssert.Contains(ics, "UID:contract-7-20260930@landkreislizenz\r\n");
        StringAssert.Contains(ics, "DTSTART;VALUE=DATE:20260930\r\nDTEND;VALUE=DATE:20261001\r\n");
        StringAssert.Contains(ics, "SUMMARY:Kündigungsfrist: Pflege\\; „OK.VORFAHRT“\\, Kfz (Mettmann)\r\n");
        StringAssert.Contains(ics.Replace("\r\n ", "", StringComparison.Ordinal), "Jahreskosten 12.345\\,50 €.");
        Assert.IsTrue(ics.Split("\r\n").All(line => System.Text.Encoding.UTF8.GetByteCount(line) <= 75), "lines are folded at 75 octets");
        StringAssert.EndsWith(ics, "END:VCALENDAR\r\n");
        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal);
        StringAssert.Contains(unfolded, "URL:https://lkl.example/vertraege/7\r\n", "the event links back to its contract");
        StringAssert.Contains(unfolded, "\\nVertrag: https://lkl.example/vertraege/7\r\n");
        StringAssert.Contains(unfolded, "Kündigungsfrist 3 Monate\\,");
        foreach (var days in DeadlineCalendar.AlarmDays)
        {
            StringAssert.Contains(unfolded, $"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:In {days} Tagen endet die Kündigungsfrist: Pflege\\; „OK.VORFAHRT“\\, Kfz (Mettmann)\r\nTRIGGER:-P{days}D\r\nEND:VALARM\r\n");
        }
    }
}
