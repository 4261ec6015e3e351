using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>The mapping page's use cases (spec §7): what a staged file holds, and reading it with the caller's mapping.</summary>
public sealed partial class ImportService
{
    /// <summary>A mapped batch is checked again from the start (never one that is being committed or was).</summary>
    private const string RemapSql = """
        UPDATE import_batches SET format = @Format, mapping_json = @MappingJson, profile_id = @ProfileId, profile_name = @ProfileName,
            status = @Status, needs_mapping = 0, error_count = 0, finished_at = NULL
        WHERE id = @Id AND status IN (@Rejected, @Previewed, @Failed)
        """;

    private const string HomeAgsSql = "SELECT o.ags FROM organisations o WHERE o.id = @Id AND {scope:o.id}";

    /// <summary>
    /// What the mapping page shows of a staged file: its own header, its first records and how it was read, plus the
    /// fields suggested for each column of <paramref name="format"/> (the batch's format when null) — the batch's
    /// current mapping when it has one for that format, else suggestions from the column names.
    /// </summary>
    /// <returns>null when the batch is not the caller's to map (the refusal is audited).</returns>
    /// <param name="sheet">The worksheet of a workbook to map; null: the one mapped before, else the first.</param>
    public async Task<MappingDraft?> DraftMappingAsync(CallerScope scope, long batchId, ImportFormat? format = null, int sampleRows = 5, string? sheet = null)
    {
        var batch = await GetBatchAsync(scope, batchId);
        if (batch is null || !MayMap(scope, batch))
        {
            return null;
        }

        IReadOnlyList<string> header;
        var samples = new List<string[]>();
        string kind;
        IReadOnlyList<string> sheets;
        var current = batch.Mapping;
        var chosen = sheet ?? current?.Sheet;
        using (var file = _staged.Open(batchId, batch.FileSize))
        using (var source = CsvSource.Open(file, batch.FileName, chosen is null ? null : new ImportMapping(new Dictionary<string, string>(), new Dictionary<string, string>(), Sheet: chosen)))
        {
            header = source.SourceHeader;
            kind = source.EncodingName;
            sheets = source.Sheets;
            foreach (var (_, values, _, _) in source.Records().Take(sampleRows))
            {
                samples.Add(values);
            }
        }

        // Another worksheet than the batch was read from has its own likeliest format.
        var target = format ?? (chosen != current?.Sheet ? ColumnSuggestions.LikeliestFormat(header) : batch.ImportFormat);
        var columns = current is { Columns.Count: > 0 } && target == batch.ImportFormat && current.Sheet == chosen
            ? current.Columns
            : ColumnSuggestions.Suggest(target, header);
        return new MappingDraft(batch, target, header, samples, kind, columns, current?.Constants ?? new Dictionary<string, string>(),
            current?.DateFormat, current?.NumberFormat, TableSpecs.Columns(target).Select(c => new FormField(c.Name, c.Required, "", c.MaxLength)).ToList())
        {
            Sheets = sheets,
            Sheet = chosen ?? sheets.FirstOrDefault(),
        };
    }

    /// <summary>
    /// Reads a staged file with the caller's mapping (spec §7): checks that it covers every required field once, saves
    /// it as a new version of the named profile when a name is given (in the same transaction as the batch's new
    /// mapping), and checks the file again with it. A batch already committed keeps its mapping.
    /// </summary>
    /// <returns>Errors by form field ("" for the whole mapping); empty when the file is being checked with the mapping.</returns>
    public async Task<IReadOnlyDictionary<string, string>> ApplyMappingAsync(CallerScope scope, long batchId, ImportFormat format, ImportMapping mapping,
        string? profileName, IImportQueue background)
    {
        var batch = await GetBatchAsync(scope, batchId)
            ?? throw new KeyNotFoundException("Der Import existiert nicht oder gehört nicht zu Ihrem Zuständigkeitsbereich.");
        if (!MayMap(scope, batch))
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "import", $"{batchId}/mapping", batch.OrganisationId));
            throw new AccessDeniedException(batch.Status is ImportStatus.Completed or ImportStatus.Committing
                ? "Ein übernommener Import wird nicht neu zugeordnet; bitte die Datei erneut hochladen."
                : "Nur wer die Datei hochgeladen hat, ordnet ihre Spalten zu.");
        }

        // The page maps columns; how the file's tool names products and lists values stays as the file was read.
        mapping = mapping.WithToolReadingOf(format == batch.ImportFormat ? batch.Mapping : null);
        var errors = CheckMapping(format, mapping);
        var name = profileName?.Trim();
        if (name is { Length: > 200 })
        {
            errors[""] = "Der Profilname ist zu lang (höchstens 200 Zeichen).";
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        IReadOnlyList<string> header;
        using (var file = _staged.Open(batchId, batch.FileSize))
        using (var source = CsvSource.Open(file, batch.FileName, mapping.Sheet is null ? null : new ImportMapping(new Dictionary<string, string>(), new Dictionary<string, string>(), Sheet: mapping.Sheet)))
        {
            header = source.SourceHeader;
        }

        await using (var connection = database.Open())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            long? profileId = null;
            string? label = null;
            if (!string.IsNullOrEmpty(name))
            {
                var owner = batch.OrganisationId ?? scope.HomeOrganisationIds.FirstOrDefault();
                var (id, version) = _profiles.Save(connection, transaction, scope, owner, name, format, header, mapping);
                (profileId, label) = (id, $"„{name}“ (Version {version})");
            }

            await connection.ExecuteAsync(RemapSql, new
            {
                Id = batchId, Format = format.Key(), MappingJson = mapping.ToJson(), ProfileId = profileId, ProfileName = label, Status = ImportStatus.Uploaded,
                ImportStatus.Rejected, ImportStatus.Previewed, ImportStatus.Failed,
            }, transaction);
            await transaction.CommitAsync();
        }

        await RunOrQueueAsync(scope, batchId, commit: false, background);
        return errors;
    }

    private static bool MayMap(CallerScope scope, ImportBatch batch) =>
        scope.CanImport && (scope.IsAdmin || batch.UserId == scope.UserId)
        && batch.Status is ImportStatus.Rejected or ImportStatus.Previewed or ImportStatus.Failed;

    /// <summary>Every required field once, by a column or a constant; no field twice; only fields of the format.</summary>
    private static Dictionary<string, string> CheckMapping(ImportFormat format, ImportMapping mapping)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var fields = TableSpecs.Columns(format);
        foreach (var field in mapping.Columns.Values.Concat(mapping.Constants.Keys).Where(f => fields.All(c => c.Name != f)).Distinct())
        {
            errors[field] = $"„{field}“ ist kein Feld von {format.GermanName()}.";
        }

        foreach (var twice in mapping.Columns.GroupBy(c => c.Value).Where(g => g.Count() > 1))
        {
            errors[twice.Key] = $"„{twice.Key}“ ist mehreren Spalten zugeordnet ({string.Join(", ", twice.Select(t => t.Key))}); jedes Feld nur einer.";
        }

        foreach (var both in mapping.Constants.Keys.Where(mapping.Columns.Values.Contains))
        {
            errors[both] = $"„{both}“ ist einer Spalte zugeordnet und hat zugleich einen festen Wert; bitte eines von beiden.";
        }

        foreach (var field in fields.Where(f => f.Required && !mapping.Columns.Values.Contains(f.Name) && !mapping.Constants.ContainsKey(f.Name)))
        {
            errors[field.Name] = $"Pflichtfeld „{field.Name}“: bitte einer Spalte zuordnen oder einen festen Wert angeben.";
        }

        foreach (var empty in mapping.Constants.Where(c => string.IsNullOrWhiteSpace(c.Value)))
        {
            errors[empty.Key] = $"Fester Wert für „{empty.Key}“ ist leer.";
        }

        if (mapping.DateFormat is { } date && ImportMapping.DateFormats.All(d => d.Format != date))
        {
            errors["date_format"] = "Unbekanntes Datumsformat.";
        }

        if (mapping.NumberFormat is { } number && number is not (NumberFormats.German or NumberFormats.English))
        {
            errors["number_format"] = "Unbekanntes Zahlenformat.";
        }

        return errors;
    }

    /// <summary>The AGS the upload form proposes for files without one: the caller's own organisation (none for admins).</summary>
    public async Task<string?> HomeOrganisationAgsAsync(CallerScope scope)
    {
        if (scope.HomeOrganisationIds.Count == 0)
        {
            return null;
        }

        await using var connection = database.Open();
        return (await connection.QueryScopedAsync<string>(scope, HomeAgsSql, new { Id = scope.HomeOrganisationIds[0] })).FirstOrDefault();
    }
}
