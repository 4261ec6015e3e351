namespace LandkreisLizenz.Core.Imports;

/// <summary>The CSV formats of the domain spec §5; the value is the name used in URLs, batches and GraphQL.</summary>
public enum ImportFormat
{
    Organisations,
    Products,
    RecognitionRules,
    Hostings,
    Applications,
    Contracts,
    Licenses,
    Installations,
    UserAssignments,
    UsagePeaks,
}

public static class ImportFormats
{
    public static readonly IReadOnlyList<ImportFormat> All = Enum.GetValues<ImportFormat>();

    public static string Key(this ImportFormat format) => format switch
    {
        ImportFormat.Organisations => "organisations",
        ImportFormat.Products => "products",
        ImportFormat.RecognitionRules => "recognition_rules",
        ImportFormat.Hostings => "hostings",
        ImportFormat.Applications => "applications",
        ImportFormat.Contracts => "contracts",
        ImportFormat.Licenses => "licenses",
        ImportFormat.Installations => "installations",
        ImportFormat.UserAssignments => "user_assignments",
        ImportFormat.UsagePeaks => "usage_peaks",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static string GermanName(this ImportFormat format) => format switch
    {
        ImportFormat.Organisations => "Organisationen",
        ImportFormat.Products => "Produktkatalog",
        ImportFormat.RecognitionRules => "Erkennungsregeln",
        ImportFormat.Hostings => "Betrieb / Hosting",
        ImportFormat.Applications => "Anwendungen",
        ImportFormat.Contracts => "Verträge",
        ImportFormat.Licenses => "Lizenzen",
        ImportFormat.Installations => "Installationen (Inventar)",
        ImportFormat.UserAssignments => "Benutzerzuweisungen",
        ImportFormat.UsagePeaks => "Nutzungsspitzen",
        _ => format.ToString(),
    };

    public static bool TryParse(string? key, out ImportFormat format)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Key(), key, StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }
}

/// <summary>
/// One problem in a file. <see cref="Row"/> counts records with the header as row 1 (as a spreadsheet shows them); 0 = the
/// file as a whole. <see cref="Refused"/>: the row asked for a write the caller has no right to (audited by whoever
/// handles it), for <see cref="OrganisationId"/> when the target organisation is known.
/// </summary>
public sealed record ImportError(int Row, string? Column, string? Value, string Reason, bool Refused = false, long? OrganisationId = null)
{
    public override string ToString() =>
        Row == 0 ? Reason : $"Zeile {Row}{(Column is null ? "" : $", Spalte „{Column}“")}{(Value is null ? "" : $", Wert „{Value}“")}: {Reason}";
}

public enum RowAction
{
    Insert,
    Update,
    Unchanged,
}

/// <summary>
/// What a file would do (preview) or did (commit). <see cref="Errors"/> holds the first <see cref="ImportErrors.MaxKept"/>
/// errors, <see cref="ErrorCount"/> counts them all.
/// </summary>
public sealed record ImportOutcome(
    ImportFormat Format,
    int TotalRows,
    int Inserts,
    int Updates,
    int Unchanged,
    IReadOnlyList<ImportError> Errors,
    IReadOnlyList<long> AffectedOrganisationIds,
    bool Committed)
{
    public int ErrorCount { get; init; } = Errors.Count;

    /// <summary>The organisations that refused rows asked to write to (null: not known), each audited once.</summary>
    public IReadOnlyCollection<long?> RefusedOrganisations { get; init; } = Errors.Where(e => e.Refused).Select(e => e.OrganisationId).Distinct().ToList();

    public bool IsValid => ErrorCount == 0;

    /// <summary>The header does not fit the format: its columns need a mapping (spec §7) rather than a corrected file.</summary>
    public bool HeaderMismatch { get; init; }

    /// <summary>Assignments the file no longer lists for a product it lists completely (<see cref="ImportMapping.Complete"/>).</summary>
    public int Removed { get; init; }

    /// <summary>Rows whose source-tool name (feature, SKU) no rule decides yet: kept for mapping, not written as evidence (spec §7).</summary>
    public int Held { get; init; }

    /// <summary>Of <see cref="Held"/>, the rows held anew or changed by this file.</summary>
    public int HeldChanged { get; init; }

    public static ImportOutcome Rejected(ImportFormat format, int totalRows, IReadOnlyList<ImportError> errors) =>
        new(format, totalRows, 0, 0, 0, errors, [], false);

    public static ImportOutcome Rejected(ImportFormat format, int totalRows, ImportErrors errors) =>
        new(format, totalRows, 0, 0, 0, errors.Kept, [], false) { ErrorCount = errors.Count, RefusedOrganisations = errors.RefusedOrganisations };
}

/// <summary>A file imported in one go: its batch, the format it was read as, the check and (when it was valid) the commit.</summary>
public sealed record FileImportResult(long BatchId, ImportFormat Format, string? ProfileName, ImportOutcome Check, ImportOutcome? Commit)
{
    public bool Committed => Commit is { IsValid: true, Committed: true };
}

/// <summary>
/// A staged file as the mapping page shows it: its own header and first records, the target format's fields and, per
/// source column, the field it is read as (suggested or as mapped before), with constants and formats.
/// </summary>
public sealed record MappingDraft(
    ImportBatch Batch,
    ImportFormat Format,
    IReadOnlyList<string> SourceHeader,
    IReadOnlyList<string[]> Samples,
    string FileKind,
    IReadOnlyDictionary<string, string> Columns,
    IReadOnlyDictionary<string, string> Constants,
    string? DateFormat,
    string? NumberFormat,
    IReadOnlyList<FormField> Fields)
{
    /// <summary>The worksheets of a workbook (empty for other files) and the one shown.</summary>
    public IReadOnlyList<string> Sheets { get; init; } = [];

    public string? Sheet { get; init; }
}

public static class ImportFormatDescriptions
{
    public static IReadOnlyList<string> RequiredColumns(ImportFormat format) =>
        TableSpecs.Columns(format).Where(c => c.Required).Select(c => c.Name).ToList();

    public static IReadOnlyList<string> AllColumns(ImportFormat format) =>
        TableSpecs.Columns(format).Select(c => c.Name).ToList();

    /// <summary>Form fields for creating and editing a record of a format (same columns and rules as the import).</summary>
    public static IReadOnlyList<FormField> Fields(ImportFormat format) =>
        TableSpecs.Columns(format).Select(c => new FormField(c.Name, c.Required, c.Kind switch
        {
            ValueKind.Int => "integer",
            ValueKind.Decimal => "decimal",
            ValueKind.Date => "date",
            ValueKind.Month => "month",
            ValueKind.Bool => "bool",
            _ => c.Allowed is null ? "text" : "code",
        }, c.MaxLength)).ToList();
}

/// <summary>One input of a registry form; <see cref="Name"/> is the import column.</summary>
public sealed record FormField(string Name, bool Required, string Type, int MaxLength);

/// <summary>Where large batches go to be checked or committed in the background (Hangfire in the web app).</summary>
public interface IImportQueue
{
    void Enqueue(long batchId, bool commit);
}
