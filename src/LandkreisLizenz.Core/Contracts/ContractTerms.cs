namespace LandkreisLizenz.Core.Contracts;

/// <summary>The term fields of a contract that decide when it ends (spec §3).</summary>
public sealed record ContractTermInput(DateOnly Start, int? InitialTermMonths, int? RenewalTermMonths, int? NoticePeriodMonths, DateOnly? EndDate);

/// <summary>Contract terms as BGB §§ 187(2), 188(2),(3) count them.</summary>
public static class ContractTerms
{
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
