using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Web.Models;

/// <param name="OrganisationAgs">What the form proposes for files without an AGS column (the caller's own organisation).</param>
public sealed record ImportIndexModel(IReadOnlyList<ImportBatch> Recent, string? SelectedFormat, string? Error, string? OrganisationAgs = null);

public sealed record ImportBatchModel(ImportBatch Batch, IReadOnlyList<ImportError> Errors, bool CanCommit);

/// <param name="HomeAgs">Proposed for the constant <c>ags</c> when no column is mapped to it.</param>
public sealed record ImportMappingModel(MappingDraft Draft, string? HomeAgs, string? Profile, IReadOnlyDictionary<string, string> Errors);

/// <summary>
/// The mapping form: for source column i the field <c>Columns[i]</c> ("" = not read), constants by field, the source's
/// date and number formats and an optional profile name. Columns go by position, as a tool's header may hold any character.
/// </summary>
public sealed class ImportMappingForm
{
    public string? Format { get; set; }

    public List<string?> Columns { get; set; } = [];

    public Dictionary<string, string?> Constants { get; set; } = [];

    public string? DateFormat { get; set; }

    public string? NumberFormat { get; set; }

    public string? Profile { get; set; }

    /// <summary>The worksheet of a workbook the columns are on; null for other files.</summary>
    public string? Sheet { get; set; }

    public ImportMapping ToMapping(IReadOnlyList<string> sourceHeader)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < sourceHeader.Count && i < Columns.Count; i++)
        {
            if (!string.IsNullOrEmpty(Columns[i]))
            {
                columns[sourceHeader[i]] = Columns[i]!;
            }
        }

        var constants = Constants.Where(c => !string.IsNullOrWhiteSpace(c.Value)).ToDictionary(c => c.Key, c => c.Value!.Trim(), StringComparer.Ordinal);
        return new ImportMapping(columns, constants, string.IsNullOrEmpty(DateFormat) ? null : DateFormat, string.IsNullOrEmpty(NumberFormat) ? null : NumberFormat,
            Sheet: string.IsNullOrEmpty(Sheet) ? null : Sheet);
    }
}

public sealed record ImportProfilesModel(IReadOnlyList<ImportProfile> Profiles, string? Message);
