using LandkreisLizenz.Core.Contracts;

namespace LandkreisLizenz.Tests.Contracts;

/// <summary>Spec §3: BGB term ends and notice deadlines, with the examples of the spec and the edge cases around month ends.</summary>
[TestClass]
public sealed class ContractTermsTests
{
    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [TestMethod]
    [DataRow("2024-01-01", 12, "2024-12-31")]
    [DataRow("2024-01-29", 1, "2024-02-28")]
    [DataRow("2024-01-31", 1, "2024-02-29")]
    [DataRow("2024-01-31", 13, "2025-02-28")]
    [DataRow("2023-01-31", 1, "2023-02-28")]
    [DataRow("2024-02-29", 12, "2025-02-28")]
    [DataRow("2024-03-31", 1, "2024-04-30")]
    [DataRow("2024-04-30", 1, "2024-05-29")]
    [DataRow("2024-12-15", 3, "2025-03-14")]
    public void TermEnd_BgbMonthEnds_AsSpecified(string start, int months, string expected)
    {
        Assert.AreEqual(D(expected), ContractTerms.TermEnd(D(start), months));
    }

    [TestMethod]
    [DataRow("2026-12-31", 3, "2026-09-30")]
    [DataRow("2027-02-28", 3, "2026-11-30")]
    [DataRow("2028-02-29", 1, "2028-01-31")]
    [DataRow("2026-06-30", 0, "2026-06-30")]
    public void NoticeDeadline_TermEnd_AsSpecified(string termEnd, int months, string expected)
    {
        Assert.AreEqual(D(expected), ContractTerms.NoticeDeadline(D(termEnd), months));
    }

    [TestMethod]
    public void NextDeadline_RenewalsOverSeveralTerms_CurrentTermFound()
    {
        var contract = new ContractTermInput(D("2020-01-01"), 12, 12, 3, null);

        var next = ContractTerms.NextDeadline(contract, D("2026-05-10"))!;

        Assert.AreEqual((D("2026-01-01"), D("2026-12-31"), D("2026-09-30")), (next.Start, next.End, next.NoticeDeadline));
    }

    [TestMethod]
    public void NextDeadline_CurrentDeadlinePassed_FollowingTermsApplies()
    {
        var contract = new ContractTermInput(D("2020-01-01"), 12, 12, 3, null);

        var next = ContractTerms.NextDeadline(contract, D("2026-10-01"))!;

        Assert.AreEqual(D("2026-12-31"), ContractTerms.CurrentTerm(contract, D("2026-10-01"))!.End);
        Assert.AreEqual((D("2027-12-31"), D("2027-09-30")), (next.End, next.NoticeDeadline));
    }

    [TestMethod]
    public void NextDeadline_DeadlineIsToday_StillActionable()
    {
        var contract = new ContractTermInput(D("2020-01-01"), 12, 12, 3, null);

        Assert.AreEqual(D("2026-09-30"), ContractTerms.NextDeadline(contract, D("2026-09-30"))!.NoticeDeadline);
    }

    [TestMethod]
    public void NextDeadline_MonthEndStartWithRenewals_ClampsEveryTerm()
    {
        // Start on 31 January, 1-month terms: ends on 29.02. (leap year), then 30.03. (term from 01.03.), ...
        var contract = new ContractTermInput(D("2024-01-31"), 1, 1, 0, null);

        var ends = ContractTerms.Terms(contract).Take(3).Select(t => t.End).ToArray();

        CollectionAssert.AreEqual(new[] { D("2024-02-29"), D("2024-03-31"), D("2024-04-30") }, ends);
    }

    [TestMethod]
    public void NextDeadline_FixedEndDate_OnlyEndAndNoRenewal()
    {
        var contract = new ContractTermInput(D("2024-03-01"), 12, 12, 3, D("2027-06-30"));

        var next = ContractTerms.NextDeadline(contract, D("2026-11-27"))!;

        Assert.AreEqual((D("2027-06-30"), D("2027-03-31")), (next.End, next.NoticeDeadline));
        Assert.IsNull(ContractTerms.NextDeadline(contract, D("2027-04-01")), "deadline passed, no further term");
        Assert.AreEqual(D("2027-06-30"), ContractTerms.CurrentTerm(contract, D("2027-04-01"))!.End);
    }

    [TestMethod]
    public void NextDeadline_ZeroNoticePeriod_DeadlineIsTermEnd()
    {
        var contract = new ContractTermInput(D("2025-07-01"), 12, 12, 0, null);

        Assert.AreEqual(D("2026-06-30"), ContractTerms.NextDeadline(contract, D("2026-06-30"))!.NoticeDeadline);
    }

    [TestMethod]
    public void NextDeadline_NoTerm_NoEnd_NoDeadline()
    {
        var perpetual = new ContractTermInput(D("2019-01-01"), null, null, 3, null);

        Assert.IsNull(ContractTerms.NextDeadline(perpetual, D("2026-11-27")));
        Assert.IsNull(ContractTerms.CurrentTerm(perpetual, D("2026-11-27")));
        Assert.IsNull(ContractTerms.FinalEnd(perpetual));
    }

    [TestMethod]
    public void EndedBefore_InitialTermWithoutRenewal_EndsAfterFirstTerm()
    {
        var contract = new ContractTermInput(D("2025-11-27"), 12, null, 3, null);

        Assert.IsFalse(ContractTerms.EndedBefore(contract, D("2026-11-26")));
        Assert.IsTrue(ContractTerms.EndedBefore(contract, D("2026-11-27")));
        Assert.IsNull(ContractTerms.NextDeadline(contract, D("2026-11-27")));
    }
}
