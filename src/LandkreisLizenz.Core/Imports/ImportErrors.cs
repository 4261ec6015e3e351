namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// The errors of one file: every one counted, the first <see cref="MaxKept"/> kept with row, column, value and reason
/// (a file of a million bad rows needs its first errors and their number, not a million rows in memory and in the
/// database), and every organisation a refused row named, so that each refusal is audited however many errors precede it.
/// </summary>
public sealed class ImportErrors
{
    public const int MaxKept = 1000;

    private readonly List<ImportError> _kept = [];
    private readonly HashSet<long?> _refusedOrganisations = [];

    public int Count { get; private set; }

    public IReadOnlyList<ImportError> Kept => _kept;

    public IReadOnlyCollection<long?> RefusedOrganisations => _refusedOrganisations;

    public void Add(ImportError error)
    {
        Count++;
        if (error.Refused)
        {
            _refusedOrganisations.Add(error.OrganisationId);
        }

        if (_kept.Count < MaxKept)
        {
            _kept.Add(error);
        }
    }
}
