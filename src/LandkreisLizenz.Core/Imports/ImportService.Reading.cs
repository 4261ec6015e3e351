using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>How a staged file is read: from its header, as a format, a saved profile or a built-in one (spec §7).</summary>
public sealed partial class ImportService
{
    /// <summary>
    /// How a file is read, from its header (spec §7): as a spec format when the header is one (with the organisation
    /// as a constant when it has no <c>ags</c>), else with the caller's organisations' saved profile for that header,
    /// else with the built-in profile of the tool whose columns it has — or, when none fits, as the likeliest format,
    /// whose header check then asks for a mapping.
    /// </summary>
    /// <exception cref="ImportFileException">The file cannot be read at all.</exception>
    private async Task<ReadingPlan> PlanAsync(CallerScope scope, string path, string fileName, ImportFormat? requested, string? organisationAgs)
    {
        IReadOnlyList<string> header;
        string? document;
        IReadOnlyList<string> sheets;
        await using (var stream = File.OpenRead(path))
        using (var source = CsvSource.Open(stream, fileName))
        {
            header = source.SourceHeader;
            document = source.DocumentKind;
            sheets = source.Sheets;
        }

        var constants = organisationAgs is not null && !header.Contains("ags")
            ? new Dictionary<string, string> { ["ags"] = organisationAgs }
            : new Dictionary<string, string>();
        var asSpec = constants.Count > 0 ? (IReadOnlyList<string>)[.. header, "ags"] : header;
        var spec = requested ?? FormatDetection.TryDetect(asSpec);

        if (spec is { } format && FormatDetection.Fits(format, asSpec))
        {
            return new ReadingPlan(format, constants.Count > 0 ? new ImportMapping(new Dictionary<string, string>(), constants) : null, document, null);
        }

        if (await SavedProfileAsync(scope, path, fileName, header, sheets) is ({ } saved, var sheet) && (requested is null || saved.ImportFormat == requested))
        {
            var mapping = sheet is null ? saved.Mapping : saved.Mapping with { Sheet = sheet };
            if (constants.Count > 0 && !mapping.Columns.Values.Contains("ags") && !mapping.Constants.ContainsKey("ags"))
            {
                mapping = mapping with { Constants = new Dictionary<string, string>(mapping.Constants) { ["ags"] = organisationAgs! } };
            }

            return new ReadingPlan(saved.ImportFormat, mapping, saved.Label, saved.Id);
        }

        if (BuiltInProfiles.For(header) is { } builtIn && (requested is null || builtIn.Format == requested))
        {
            return new ReadingPlan(builtIn.Format, builtIn.Mapping(constants), builtIn.Name, null);
        }

        return new ReadingPlan(requested ?? ColumnSuggestions.LikeliestFormat(header), constants.Count > 0 ? new ImportMapping(new Dictionary<string, string>(), constants) : null, null, null);
    }

    /// <summary>
    /// The caller's saved profile for the file's header — for a workbook, for the header of any of its worksheets (a
    /// register often keeps its table behind a cover sheet); null when none fits.
    /// </summary>
    private async Task<(ImportProfile? Profile, string? Sheet)> SavedProfileAsync(CallerScope scope, string path, string fileName, IReadOnlyList<string> header,
        IReadOnlyList<string> sheets)
    {
        if (await _profiles.ForHeaderAsync(scope, header) is { } first)
        {
            return (first, null);
        }

        foreach (var sheet in sheets.Skip(1))
        {
            await using var stream = File.OpenRead(path);
            using var source = CsvSource.Open(stream, fileName, new ImportMapping(new Dictionary<string, string>(), new Dictionary<string, string>(), Sheet: sheet));
            if (await _profiles.ForHeaderAsync(scope, source.SourceHeader) is { } profile)
            {
                return (profile, sheet);
            }
        }

        return (null, null);
    }

    /// <summary>How a staged file is read: its format, mapping and the profile it came from.</summary>
    private sealed record ReadingPlan(ImportFormat Format, ImportMapping? Mapping, string? ProfileName, long? ProfileId);
}
