namespace LandkreisLizenz.Core.Contracts;

/// <summary>The term fields of a contract that decide when it ends (spec §3).</summary>
public sealed record ContractTermInput(DateOnly Start, int? InitialTermMonths, int? RenewalTermMonths, int? NoticePeriodMonths, DateOnly? EndDate);

/// <summary>
/// The term columns of a contract as read from the database (aliases StartDate, InitialTermMonths, RenewalTermMonths,
/// NoticePeriodMonths, EndDate): one definition for every row type that needs a contract's terms.
/// </summary>
public abstract class ContractTermColumns
{
    public DateOnly StartDate { get; init; }
    public int? InitialTermMonths { get; init; }
    public int? RenewalTermMonths { get; init; }
    public int? NoticePeriodMonths { get; init; }
    public DateOnly? EndDate { get; init; }

    public ContractTermInput Terms => new(StartDate, InitialTermMonths, RenewalTermMonths, NoticePeriodMonths, EndDate);
}

/// <summary>One term of a contract and the last day a notice for its end must be received.</summary>
public sealed record ContractTerm(DateOnly Start, DateOnly End, DateOnly NoticeDeadline);

/// <summary>Contract terms as BGB §§ 187(2), 188(2),(3) count them (spec §3).</summary>
public static class ContractTerms
{
    /// <summary>Last day on which a notice for a term ending on <paramref name="termEnd"/> must be received.</summary>
    public static DateOnly NoticeDeadline(DateOnly termEnd, int noticePeriodMonths) =>
        termEnd.AddDays(1).AddMonths(-noticePeriodMonths).AddDays(-1);

    /// <summary>The terms of a contract in order (renewals included); empty for a contract without a term.</summary>
    public static IEnumerable<ContractTerm> Terms(ContractTermInput contract)
    {
        var notice = Math.Max(0, contract.NoticePeriodMonths ?? 0);
        if (contract.EndDate is { } fixedEnd)
        {
            yield return new ContractTerm(contract.Start, fixedEnd, NoticeDeadline(fixedEnd, notice));
            yield break;
        }

        if (contract.InitialTermMonths is not > 0)
        {
            yield break;
        }

        var start = contract.Start;
        var end = TermEnd(start, contract.InitialTermMonths.Value);
        yield return new ContractTerm(start, end, NoticeDeadline(end, notice));
        if (contract.RenewalTermMonths is not > 0)
        {
            yield break;
        }

        while (true)
        {
            start = end.AddDays(1);
            end = TermEnd(start, contract.RenewalTermMonths.Value);
            yield return new ContractTerm(start, end, NoticeDeadline(end, notice));
        }
    }

    /// <summary>The first term whose end is on or after <paramref name="today"/>; null when the contract has ended or has no term.</summary>
    public static ContractTerm? CurrentTerm(ContractTermInput contract, DateOnly today) =>
        Terms(contract).FirstOrDefault(t => t.End >= today);

    /// <summary>
    /// The next notice deadline that can still be met: the current term's, or — when that has passed — the
    /// following term's. Null for contracts without a term, ended ones, and a last term whose deadline passed.
    /// </summary>
    public static ContractTerm? NextDeadline(ContractTermInput contract, DateOnly today) =>
        Terms(contract).SkipWhile(t => t.End < today).FirstOrDefault(t => t.NoticeDeadline >= today);

    /// <summary>The last day of a term of <paramref name="months"/> months beginning on <paramref name="start"/>.</summary>
    public static DateOnly TermEnd(DateOnly start, int months)
    {
        var e = start.AddMonths(months);
        // AddMonths clamps to the month's last day; when it had to, that day is the end, otherwise the day before.
        return start.Day > DateTime.DaysInMonth(e.Year, e.Month) ? e : e.AddDays(-1);
    }

    /// <summary>
    /// The last day of the contract as it stands on <paramref name="asOf"/>: the fixed end date; the end of the
    /// only term of a contract without renewal; null while it renews or runs without a term.
    /// </summary>
    public static DateOnly? FinalEnd(ContractTermInput contract)
    {
        if (contract.EndDate is { } end)
        {
            return end;
        }

        if (contract.InitialTermMonths is > 0 && contract.RenewalTermMonths is not > 0)
        {
            return TermEnd(contract.Start, contract.InitialTermMonths.Value);
        }

        return null;
    }

    /// <summary>Whether the contract has ended before <paramref name="asOf"/> (its licenses then no longer count).</summary>
    public static bool EndedBefore(ContractTermInput contract, DateOnly asOf) => FinalEnd(contract) is { } end && end < asOf;
}
