using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

public sealed class ImportOptions
{
    public const string SectionName = "Imports";

    /// <summary>Where uploaded files wait between preview and commit; relative to the data folder.</summary>
    public string StagingFolder { get; set; } = "imports";

    public long MaxFileBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Files above this size are validated and committed by a background job with a progress bar.</summary>
    public long BackgroundThresholdBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Keep staged uploads in the database (any node can go on with them); default: on SQL Server yes, on SQLite no.</summary>
    public bool? StageInDatabase { get; set; }

    public int StagingChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Inventory rows sorted in memory at a time before they go to a temporary file (about 100 bytes each): what bounds
    /// the memory of an inventory commit, whatever the size of the file.
    /// </summary>
    public int InventoryRunRows { get; set; } = InstallationImporter.DefaultRunRows;

    /// <summary>Where an inventory commit sorts its rows (a temporary file about as large as the file); null: the system's temporary folder.</summary>
    public string? SortFolder { get; set; }
}

public sealed class ImportBatch
{
    public long Id { get; init; }
    public long? OrganisationId { get; init; }
    public long? UserId { get; init; }
    public string UserName { get; init; } = "";
    public string Format { get; init; } = "";
    public string FileName { get; init; } = "";
    public long FileSize { get; init; }
    public string Status { get; init; } = "";
    public int TotalRows { get; init; }
    public int ProcessedRows { get; init; }
    public int InsertedRows { get; init; }
    public int UpdatedRows { get; init; }
    public int UnchangedRows { get; init; }
    public int RemovedRows { get; init; }

    /// <summary>Rows kept for mapping: their license name (FlexLM feature, Microsoft 365 SKU) is not recognised yet.</summary>
    public int HeldRows { get; init; }
    public int ErrorCount { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? FinishedAt { get; init; }

    /// <summary>How the file is read (<see cref="ImportMapping"/>); null: as the format's own columns.</summary>
    public string? MappingJson { get; init; }

    /// <summary>The profile the file is read with (a saved one with its version, or a built-in one); null: none.</summary>
    public string? ProfileName { get; init; }

    /// <summary>The header fits no format as it is: the columns wait for a mapping (spec §7).</summary>
    public bool NeedsMapping { get; init; }

    public ImportMapping? Mapping => ImportMapping.FromJson(MappingJson);

    public ImportFormat ImportFormat => ImportFormats.TryParse(Format, out var f) ? f : throw new InvalidOperationException(Format);

    public bool IsRunning => Status is ImportStatus.Uploaded or ImportStatus.Validating or ImportStatus.Committing;
}

public static class ImportStatus
{
    public const string Uploaded = "uploaded";
    public const string Validating = "validating";
    public const string Previewed = "previewed";
    public const string Rejected = "rejected";
    public const string Committing = "committing";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static string GermanName(string status) => status switch
    {
        Uploaded => "hochgeladen",
        Validating => "wird geprüft",
        Previewed => "geprüft – bereit zur Übernahme",
        Rejected => "abgelehnt (fehlerhaft)",
        Committing => "wird übernommen",
        Completed => "übernommen",
        Failed => "fehlgeschlagen",
        _ => status,
    };
}

/// <summary>
/// CSV imports of spec §5: the whole file is validated before anything is written, a preview shows inserts,
/// updates and unchanged rows, and a commit writes all rows in one transaction or none.
/// </summary>
public sealed partial class ImportService(Database database, TimeProvider clock, AuditLog audit, RecognitionService recognition, ImportOptions options, string dataFolder,
    LandkreisLizenz.Core.Reconciliation.IReconciliationTrigger? reconciliation = null)
{
    /// <summary>Formats whose import changes license positions.</summary>
    private static readonly HashSet<ImportFormat> ReconciledFormats =
        [ImportFormat.Installations, ImportFormat.UserAssignments, ImportFormat.UsagePeaks, ImportFormat.Licenses];

    /// <summary>What an upload may be (spec §7): CSV in any usual delimiter and encoding, or an Excel workbook.</summary>
    public static readonly IReadOnlySet<string> UploadExtensions = new HashSet<string>(StringComparer.Ordinal) { ".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xml", ".ocs", ".json", ".zip", ".ldif", ".ldf" };

    private const string InsertBatchSql = """
        INSERT INTO import_batches (organisation_id, user_id, format, file_name, file_size, file_sha256, status, created_at, mapping_json, profile_id, profile_name)
        VALUES (@OrganisationId, @UserId, @Format, @FileName, @FileSize, @Sha256, @Status, @Now, @MappingJson, @ProfileId, @ProfileName)
        """;

    private const string BatchSql = """
        SELECT b.id AS Id, b.organisation_id AS OrganisationId, b.user_id AS UserId, COALESCE(u.user_name, '') AS UserName, b.format AS Format,
               b.file_name AS FileName, b.file_size AS FileSize, b.status AS Status, b.total_rows AS TotalRows, b.processed_rows AS ProcessedRows,
               b.inserted_rows AS InsertedRows, b.updated_rows AS UpdatedRows, b.unchanged_rows AS UnchangedRows, b.removed_rows AS RemovedRows, b.held_rows AS HeldRows, b.error_count AS ErrorCount,
               b.created_at AS CreatedAt, b.finished_at AS FinishedAt, b.mapping_json AS MappingJson, b.profile_name AS ProfileName,
               b.needs_mapping AS NeedsMapping
        FROM import_batches b
        LEFT JOIN users u ON u.id = b.user_id
        """;

    private const string BatchesByIdSql = BatchSql + "\nWHERE b.id IN ({ids}) AND (b.user_id = @ScopeUserId OR {scope:b.organisation_id})";

    private const string RecentBatchesSql = BatchSql + "\nWHERE (b.user_id = @ScopeUserId OR {scope:b.organisation_id})\nORDER BY b.created_at DESC, b.id DESC";

    private const string SetStatusSql = "UPDATE import_batches SET status = @Status, processed_rows = @Processed WHERE id = @Id";

    private const string ClaimSql = "UPDATE import_batches SET status = @To WHERE id = @Id AND status = @From";

    /// <summary>The commit transaction's first statement: it waits for a concurrent commit of the batch and then finds it done.</summary>
    private const string TakeBatchSql = "UPDATE import_batches SET status = @Status WHERE id = @Id AND status = @Status";

    /// <summary>A run that broke off ends failed — unless another run finished the batch meanwhile.</summary>
    private const string FailSql = """
        UPDATE import_batches SET status = @Failed, finished_at = @Finished, error_count = 1
        WHERE id = @Id AND status IN (@Uploaded, @Validating, @Committing)
        """;

    private const string InterruptedSql = "SELECT id AS Id, status AS Status FROM import_batches WHERE status IN (@Uploaded, @Validating, @Committing) ORDER BY id";

    private const string ProgressSql = "UPDATE import_batches SET processed_rows = @Processed WHERE id = @Id";

    private const string FinishSql = """
        UPDATE import_batches SET status = @Status, total_rows = @Total, processed_rows = @Total, inserted_rows = @Inserts, updated_rows = @Updates,
            unchanged_rows = @Unchanged, removed_rows = @Removed, held_rows = @Held, error_count = @ErrorCount, finished_at = @Finished, needs_mapping = @NeedsMapping
        WHERE id = @Id
        """;

    private const string DeleteErrorsSql = "DELETE FROM import_errors WHERE import_batch_id = @Id";

    private const string InsertErrorSql = "INSERT INTO import_errors (import_batch_id, row_number, column_name, value, reason) VALUES (@Id, @Row, @Column, @Value, @Reason)";

    private const string ErrorsSql = """
        SELECT row_number AS RowNumber, column_name AS ColumnName, value AS Value, reason AS Reason
        FROM import_errors WHERE import_batch_id = @Id ORDER BY row_number, id
        """;

    private const string BatchOwnerSql = "SELECT user_id FROM import_batches WHERE id = @Id";

    /// <summary>Validates a file without writing anything.</summary>
    public ImportOutcome Preview(CallerScope scope, ImportFormat format, Stream content, string fileName, Action<int>? progress = null, ImportMapping? mapping = null) =>
        AuditRefusals(scope, format, fileName, Run(scope, format, content, fileName, commit: false, progress, mapping)!);

    /// <summary>
    /// Rows that asked for writes the caller has no right to are audited like any refused write (one entry per target
    /// organisation, so that its CIO sees the attempt), whether the file was only checked or meant to be committed.
    /// </summary>
    private ImportOutcome AuditRefusals(CallerScope scope, ImportFormat format, string fileName, ImportOutcome outcome)
    {
        foreach (var owner in outcome.RefusedOrganisations)
        {
            audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, format.Key(), fileName, owner)).GetAwaiter().GetResult();
        }

        return outcome;
    }

    /// <summary>Validates and writes a file in one transaction, its audit entry in the same; any invalid row writes nothing.</summary>
    public ImportOutcome Commit(CallerScope scope, ImportFormat format, Stream content, string fileName, Action<int>? progress = null, ImportMapping? mapping = null) =>
        Committed(scope, format, AuditRefusals(scope, format, fileName, Run(scope, format, content, fileName, commit: true, progress, mapping)!));

    /// <summary>What follows a commit outside its transaction: the reconciliation of what changed.</summary>
    private ImportOutcome Committed(CallerScope scope, ImportFormat format, ImportOutcome outcome)
    {
        if (outcome.IsValid && ReconciledFormats.Contains(format) && outcome.AffectedOrganisationIds.Count > 0)
        {
            reconciliation?.OrganisationsChanged(outcome.AffectedOrganisationIds);
        }

        return outcome;
    }

    /// <param name="batch">
    /// For a staged batch: its id, and the commit transaction first takes the batch (still <c>committing</c>) and ends
    /// it <c>completed</c> with its counts — data, counts and audit entry commit together or not at all. Null comes back
    /// when the batch was no longer committing when the transaction got it (another node or a rerun committed it).
    /// </param>
    private ImportOutcome? Run(CallerScope scope, ImportFormat format, Stream content, string fileName, bool commit, Action<int>? progress, ImportMapping? mapping, long? batch = null)
    {
        CsvSource source;
        try
        {
            source = CsvSource.Open(content, fileName, mapping);
        }
        catch (ImportFileException ex)
        {
            return ImportOutcome.Rejected(format, 0, [ex.Error]);
        }

        using (source)
        {
            if (CheckHeader(format, source) is { } headerError)
            {
                return ImportOutcome.Rejected(format, 0, [headerError]) with { HeaderMismatch = true };
            }

            var now = clock.GetUtcNow().UtcDateTime;
            using var connection = database.Open();
            using var transaction = commit ? connection.BeginTransaction() : null;
            try
            {
                if (batch is { } guarded && connection.Execute(TakeBatchSql, new { Id = guarded, Status = ImportStatus.Committing }, transaction) == 0)
                {
                    return null;
                }

                var names = source.ProductNames is { } publisher && format is ImportFormat.UserAssignments or ImportFormat.UsagePeaks or ImportFormat.Licenses
                    ? new NamedProducts(connection, transaction, database.Dialect, publisher, recognition.LoadRules(connection, transaction),
                        family => recognition.LoadFamilyRules(connection, transaction, family))
                    : null;
                var outcome = format == ImportFormat.Installations
                    ? new InstallationImporter(database.Dialect, now, recognition.LoadRules(connection, transaction), options.InventoryRunRows, options.SortFolder).Run(connection, transaction, source, scope, commit, progress)
                    : new TableImporter(TableSpecs.For(format), database.Dialect, now, names).Run(connection, transaction, source, scope, commit);
                if (commit && outcome.IsValid)
                {
                    if (format == ImportFormat.RecognitionRules)
                    {
                        // Imported rules act on the inventory already there, exactly as a mapping does (spec §6.1).
                        recognition.ApplyRulesToUnrecognised(connection, transaction!);
                    }
                    else if (format == ImportFormat.Installations)
                    {
                        // Global rules decided the new titles as they were written; the families' local rules decide them there.
                        recognition.ApplyLocalRules(connection, transaction!, outcome.AffectedOrganisationIds);
                    }

                    audit.Write(connection, transaction!, scope, new AuditEntry(AuditActions.Import, format.Key(), fileName,
                        OrganisationId: outcome.AffectedOrganisationIds.Count == 1 ? outcome.AffectedOrganisationIds[0] : null,
                        After: new { outcome.TotalRows, outcome.Inserts, outcome.Updates, outcome.Unchanged, outcome.Removed, outcome.Held, outcome.AffectedOrganisationIds, Batch = batch }));
                    if (batch is { } id)
                    {
                        Finish(connection, transaction!, id, outcome, commit: true);
                    }

                    transaction!.Commit();
                    if (format == ImportFormat.Installations && outcome.Inserts > 0 && database.Dialect.RefreshStatistics is { } refresh)
                    {
                        connection.Execute(refresh);
                    }
                }

                return outcome;
            }
            catch (ImportFileException ex)
            {
                return ImportOutcome.Rejected(format, 0, [ex.Error]);
            }
        }
    }

    /// <summary>One clear message for a header that does not fit the format (wrong delimiter, missing or unknown columns).</summary>
    private static ImportError? CheckHeader(ImportFormat format, CsvSource source)
    {
        var specs = TableSpecs.Columns(format);
        var known = specs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var required = specs.Where(c => c.Required).Select(c => c.Name).ToList();
        var header = source.Header;
        if (header.Count == 1 && specs.Count > 1 && !known.Contains(header[0]))
        {
            var hint = header[0].Contains('\t', StringComparison.Ordinal) ? "Die Spalten sind durch Tabulatoren getrennt. " : "";
            var example = required.Count > 1 ? required : specs.Take(3).Select(c => c.Name).ToList();
            return new ImportError(1, null, header[0], $"Trennzeichen nicht erkannt: {hint}Die Kopfzeile muss die Spalten durch ';' oder ',' trennen, z. B. „{string.Join(';', example)}“.");
        }

        var duplicates = header.GroupBy(h => h).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            return new ImportError(1, duplicates[0], null, $"Spalte mehrfach in der Kopfzeile: {string.Join(", ", duplicates)}");
        }

        var missing = required.Where(r => !header.Contains(r)).ToList();
        var unknown = header.Where(h => !known.Contains(h)).ToList();
        if (missing.Count == 0 && unknown.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"Pflichtspalte(n) fehlen: {string.Join(", ", missing)}");
        }

        if (unknown.Count > 0)
        {
            parts.Add($"unbekannte Spalte(n): {string.Join(", ", unknown.Select(u => u.Length == 0 ? "(leer)" : u))}");
        }

        return new ImportError(1, missing.FirstOrDefault() ?? unknown.First(), null,
            $"{string.Join("; ", parts)}. Erlaubte Spalten für {format.GermanName()}: {string.Join(", ", known)}.");
    }

    // ------------------------------------------------------------------ staged imports (web page and jobs)

    /// <summary>Stores an upload for preview and commit; checks size and type before anything is parsed.</summary>
    /// <param name="format">The format the file is meant to be; null: recognised from its header (spec §7).</param>
    /// <param name="mapping">How to read the file (constants, renamed columns); null: as <see cref="PlanAsync"/> decides from the header.</param>
    /// <param name="organisationAgs">The organisation of a file without an <c>ags</c> column (the upload's or <c>--organisation</c>).</param>
    /// <exception cref="ArgumentException">Too large, wrong type, or — when no format is given — unreadable.</exception>
    public async Task<long> StageAsync(CallerScope scope, ImportFormat? format, Stream content, string fileName, long length, ImportMapping? mapping = null,
        string? organisationAgs = null)
    {
        await EnsureMayImportAsync(scope, format?.Key());

        if (length <= 0)
        {
            throw new ArgumentException("Die Datei ist leer.");
        }

        if (length > options.MaxFileBytes)
        {
            throw new ArgumentException($"Die Datei ist mit {length / 1024.0 / 1024.0:N0} MB größer als erlaubt ({options.MaxFileBytes / 1024 / 1024:N0} MB).");
        }

        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!UploadExtensions.Contains(extension))
        {
            throw new ArgumentException(extension is ".xls" or ".ods"
                ? $"Dateien im Format „{extension}“ werden nicht gelesen. Bitte in der Tabellenkalkulation als Excel-Arbeitsmappe (.xlsx) oder CSV speichern."
                : $"Dateityp „{extension}“ wird nicht unterstützt; erwartet wird eine CSV-Datei (.csv, .txt, .tsv), eine Excel-Arbeitsmappe (.xlsx), ein Inventar aus GLPI/FusionInventory (.xml, .json, .zip) oder ein LDIF-Export von Verzeichnisgruppen (.ldif, .ldf).");
        }

        var folder = _staged.Folder;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".tmp");
        string sha;
        await using (var file = File.Create(temp))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await content.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read));
            }

            sha = Convert.ToHexString(hash.GetHashAndReset());
        }

        ReadingPlan plan;
        try
        {
            plan = mapping is not null && format is { } given
                ? new ReadingPlan(given, mapping, null, null)
                : await PlanAsync(scope, temp, fileName, format, organisationAgs);
        }
        catch (ImportFileException ex) when (format is { } named)
        {
            // With its format named, an unreadable file becomes a batch whose check names the problem, as before.
            _ = ex;
            plan = new ReadingPlan(named, null, null, null);
        }
        catch (ImportFileException ex)
        {
            File.Delete(temp);
            throw new ArgumentException(ex.Error.Reason);
        }

        using var connection = database.Open();
        var id = await connection.ExecuteScalarAsync<long>(database.Dialect.InsertReturningId(InsertBatchSql), new
        {
            OrganisationId = scope.HomeOrganisationIds.Count > 0 ? scope.HomeOrganisationIds[0] : (long?)null,
            UserId = scope.IsSystem ? (long?)null : scope.UserId,
            Format = plan.Format.Key(),
            FileName = Path.GetFileName(fileName),
            FileSize = length,
            Sha256 = sha,
            Status = ImportStatus.Uploaded,
            Now = clock.GetUtcNow().UtcDateTime,
            MappingJson = plan.Mapping?.ToJson(),
            plan.ProfileId,
            plan.ProfileName,
        });
        _staged.Store(id, temp);
        return id;
    }

    /// <summary>
    /// An upload of the import page: staged, then checked at once (small files) or by a background job (large ones);
    /// the batch as it stands afterwards — <see cref="ImportBatch.NeedsMapping"/> when its columns wait for a mapping.
    /// </summary>
    public async Task<ImportBatch> UploadAsync(CallerScope scope, ImportFormat? format, Stream content, string fileName, long length, string? organisationAgs,
        IImportQueue background)
    {
        var id = await StageAsync(scope, format, content, fileName, length, organisationAgs: organisationAgs);
        await RunOrQueueAsync(scope, id, commit: false, background);
        return Current(id);
    }

    /// <summary>
    /// A file imported in one go — what county IT schedules after its nightly export (<c>import --file</c>): staged,
    /// checked and, only when the whole file is valid, committed, as a batch of the import history exactly like an
    /// upload (same checks, same all-or-nothing commit, same audit). The format is recognised from the header when not given.
    /// </summary>
    /// <param name="organisationAgs">The organisation of a file that has no <c>ags</c> column (a constant of its mapping).</param>
    /// <exception cref="ImportFileException">The file is unreadable or its format cannot be recognised.</exception>
    /// <param name="mapping">How to read the file when the caller knows it (a source that writes its own file); null: from the header.</param>
    public async Task<FileImportResult> ImportFileAsync(CallerScope scope, string path, ImportFormat? format, string? organisationAgs, ImportMapping? mapping = null)
    {
        await EnsureMayImportAsync(scope, format?.Key());
        long id;
        await using (var stream = File.OpenRead(path))
        {
            id = await StageAsync(scope, format, stream, Path.GetFileName(path), stream.Length, mapping, organisationAgs);
        }

        var batch = await AuthorizeRunAsync(scope, id, commit: false);
        var check = RunBatch(scope, batch, commit: false);
        var commit = check.IsValid ? RunBatch(scope, await AuthorizeRunAsync(scope, id, commit: true), commit: true) : null;
        return new FileImportResult(id, batch.ImportFormat, batch.ProfileName, check, commit);
    }

    /// <summary>Refuses (and audits) a caller who may not import at all, before any input is looked at.</summary>
    public async Task EnsureMayImportAsync(CallerScope scope, string? format)
    {
        if (!scope.CanImport)
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "import", format ?? "upload"));
            throw new AccessDeniedException("Importieren darf nur das Lizenzmanagement oder die Administration (nie mit einem Lese-Token).");
        }
    }

    public bool RunsInBackground(ImportBatch batch) => batch.FileSize > options.BackgroundThresholdBytes;

    /// <returns>null when the batch does not exist or is neither the caller's nor their organisations' (the refusal is audited).</returns>
    public async Task<ImportBatch?> GetBatchAsync(CallerScope scope, long id)
    {
        var batch = (await GetBatchesAsync(scope, [id])).SingleOrDefault();
        if (batch is null)
        {
            await audit.RefusedAsync(scope, "import_batches", id);
        }

        return batch;
    }

    /// <summary>The batches with these ids the caller may see (own uploads or their organisations'), in one statement.</summary>
    public async Task<IReadOnlyList<ImportBatch>> GetBatchesAsync(CallerScope scope, IReadOnlyCollection<long> ids)
    {
        using var connection = database.Open();
        var sql = BatchesByIdSql.Replace("{ids}", database.Dialect.IdSet("@Ids"), StringComparison.Ordinal);
        return (await connection.QueryScopedAsync<ImportBatch>(scope, sql, new { Ids = SqlDialect.IdList(ids) })).ToList();
    }

    public async Task<IReadOnlyList<ImportBatch>> RecentBatchesAsync(CallerScope scope, int take = 20)
    {
        using var connection = database.Open();
        var sql = database.Dialect.Page(RecentBatchesSql);
        return (await connection.QueryScopedAsync<ImportBatch>(scope, sql, new { Skip = 0, Take = take })).ToList();
    }

    public async Task<IReadOnlyList<ImportError>> ErrorsAsync(CallerScope scope, long id)
    {
        if (await GetBatchAsync(scope, id) is null)
        {
            return [];
        }

        using var connection = database.Open();
        return (await connection.QueryAsync<StoredError>(ErrorsSql, new { Id = id }))
            .Select(e => new ImportError((int)e.RowNumber, e.ColumnName, e.Value, e.Reason)).ToList();
    }

    /// <summary>Validates a staged file (status validating → previewed or rejected). Reentrant: a rerun gives the same result.</summary>
    public ImportOutcome ValidateBatch(CallerScope scope, long batchId) =>
        RunBatch(scope, AuthorizeRunAsync(scope, batchId, commit: false).GetAwaiter().GetResult(), commit: false);

    /// <summary>Commits a previewed batch exactly once; a second call (or a retried job) finds it completed and does nothing.</summary>
    public ImportOutcome CommitBatch(CallerScope scope, long batchId) =>
        RunBatch(scope, AuthorizeRunAsync(scope, batchId, commit: true).GetAwaiter().GetResult(), commit: true);

    /// <summary>
    /// Checks or commits a staged batch for the caller: small files at once, large ones as a background job (which
    /// rebuilds the uploader's scope). Whoever may not run the batch is refused before anything is claimed or queued.
    /// </summary>
    public async Task RunOrQueueAsync(CallerScope scope, long batchId, bool commit, IImportQueue background)
    {
        var batch = await AuthorizeRunAsync(scope, batchId, commit);
        if (RunsInBackground(batch))
        {
            background.Enqueue(batchId, commit);
        }
        else
        {
            RunBatch(scope, batch, commit);
        }
    }

    /// <summary>Only the uploader (or an admin) with write rights runs a batch; a read-only token never does.</summary>
    private async Task<ImportBatch> AuthorizeRunAsync(CallerScope scope, long batchId, bool commit)
    {
        var batch = await GetBatchAsync(scope, batchId)
            ?? throw new KeyNotFoundException("Der Import existiert nicht oder gehört nicht zu Ihrem Zuständigkeitsbereich.");
        if (!scope.CanImport || (!scope.IsAdmin && batch.UserId != scope.UserId))
        {
            await audit.WriteAsync(scope, new AuditEntry(AuditActions.AccessDenied, "import", $"{batchId}/{(commit ? "commit" : "validate")}", batch.OrganisationId));
            throw new AccessDeniedException(scope.CanImport
                ? "Nur wer die Datei hochgeladen hat, kann sie prüfen und übernehmen."
                : "Mit Lesezugriff (auch mit einem Lese-Token) wird nichts importiert.");
        }

        return batch;
    }

    /// <param name="batch">The batch as <see cref="AuthorizeRunAsync"/> returned it for this caller.</param>
    /// <remarks>
    /// Whatever breaks — an unreadable file, a lost staged file, a bug — the batch ends rejected or failed with a German
    /// reason, never in a running state. A process that dies mid-commit leaves it <c>committing</c> with nothing written
    /// (data, counts and audit entry are one transaction); <see cref="ResumeInterruptedAsync"/> or the job's retry commits it.
    /// </remarks>
    private ImportOutcome RunBatch(CallerScope scope, ImportBatch batch, bool commit)
    {
        var batchId = batch.Id;
        using var connection = database.Open();
        if (commit)
        {
            if (batch.Status == ImportStatus.Completed)
            {
                return Stored(batch);
            }

            // Only a previewed (or an interrupted) batch may be committed; the claim makes a second, concurrent commit wait and find it done.
            if (connection.Execute(ClaimSql, new { Id = batchId, From = ImportStatus.Previewed, To = ImportStatus.Committing }) == 0)
            {
                // Someone else claimed it since the caller looked (or it was interrupted): go on only while it is committing.
                var current = Current(batchId);
                if (current.Status == ImportStatus.Completed)
                {
                    return Stored(current);
                }

                if (current.Status != ImportStatus.Committing)
                {
                    throw new InvalidOperationException($"Der Import hat den Status „{ImportStatus.GermanName(current.Status)}“ und kann nicht übernommen werden.");
                }
            }
        }
        else
        {
            connection.Execute(SetStatusSql, new { Id = batchId, Status = ImportStatus.Validating, Processed = 0 });
        }

        ImportOutcome outcome;
        try
        {
            using var file = _staged.Open(batchId, batch.FileSize);
            void Progress(int rows) => connection.Execute(ProgressSql, new { Id = batchId, Processed = rows });
            // A commit holds SQLite's single write lock for its whole transaction, so it cannot report progress
            // through another connection; the page shows it as running until it is done.
            if (!commit)
            {
                outcome = Preview(scope, batch.ImportFormat, file, batch.FileName, Progress, ImportMapping.FromJson(batch.MappingJson));
            }
            else if (Run(scope, batch.ImportFormat, file, batch.FileName, commit: true, progress: null, ImportMapping.FromJson(batch.MappingJson), batchId) is { } committed)
            {
                outcome = AuditRefusals(scope, batch.ImportFormat, batch.FileName, committed);
            }
            else
            {
                return Stored(Current(batchId));
            }
        }
        catch (Exception ex) when (ex is not AccessDeniedException)
        {
            Fail(connection, batchId, ex is IOException
                ? "Die hochgeladene Datei ist nicht mehr lesbar oder nicht mehr vorhanden; bitte erneut hochladen."
                : $"{(commit ? "Die Übernahme" : "Die Prüfung")} ist abgebrochen ({ex.GetType().Name}: {ex.Message}); es wurde nichts geschrieben. Bitte erneut versuchen oder die Datei erneut hochladen.");
            // A concurrent commit that finished first removed the staged file: its result is this caller's too.
            var current = Current(batchId);
            return current.Status == ImportStatus.Completed
                ? Stored(current)
                : ImportOutcome.Rejected(batch.ImportFormat, 0, [new ImportError(0, null, null, ex.Message)]);
        }

        if (commit && outcome.IsValid)
        {
            _staged.Delete(batchId);
            return Committed(scope, batch.ImportFormat, outcome);
        }

        using var transaction = connection.BeginTransaction();
        Finish(connection, transaction, batchId, outcome, commit);
        transaction.Commit();
        return outcome;
    }

    /// <summary>Stores the batch's result: its first errors, its counts, its final status.</summary>
    private void Finish(DbConnection connection, DbTransaction transaction, long batchId, ImportOutcome outcome, bool commit)
    {
        connection.Execute(DeleteErrorsSql, new { Id = batchId }, transaction);
        connection.Execute(InsertErrorSql, outcome.Errors.Select(e => new { Id = batchId, e.Row, e.Column, e.Value, e.Reason }), transaction);
        connection.Execute(FinishSql, new
        {
            Id = batchId,
            Status = !outcome.IsValid ? ImportStatus.Rejected : commit ? ImportStatus.Completed : ImportStatus.Previewed,
            Total = outcome.TotalRows,
            outcome.Inserts,
            outcome.Updates,
            outcome.Unchanged,
            outcome.Removed,
            outcome.Held,
            outcome.ErrorCount,
            Finished = clock.GetUtcNow().UtcDateTime,
            NeedsMapping = outcome.HeaderMismatch,
        }, transaction);
    }

    private void Fail(DbConnection connection, long batchId, string reason)
    {
        using var transaction = connection.BeginTransaction();
        if (connection.Execute(FailSql, new
            {
                Id = batchId, Failed = ImportStatus.Failed, Finished = clock.GetUtcNow().UtcDateTime,
                ImportStatus.Uploaded, ImportStatus.Validating, ImportStatus.Committing,
            }, transaction) > 0)
        {
            connection.Execute(DeleteErrorsSql, new { Id = batchId }, transaction);
            connection.Execute(InsertErrorSql, new { Id = batchId, Row = 0, Column = (string?)null, Value = (string?)null, Reason = reason }, transaction);
        }

        transaction.Commit();
    }

    private ImportBatch Current(long batchId) => GetBatchesAsync(CallerScope.System("import"), [batchId]).GetAwaiter().GetResult().Single();

    private static ImportOutcome Stored(ImportBatch batch) =>
        new(batch.ImportFormat, batch.TotalRows, batch.InsertedRows, batch.UpdatedRows, batch.UnchangedRows, [], [], batch.Status == ImportStatus.Completed)
        {
            Removed = batch.RemovedRows, Held = batch.HeldRows,
        };

    /// <summary>
    /// Start-up: batches a dead process left checking or committing go to the queue again (nothing of an interrupted
    /// commit was written, so committing it again is the same as committing it once). Returns the ids queued.
    /// </summary>
    public async Task<IReadOnlyList<long>> ResumeInterruptedAsync(IImportQueue queue)
    {
        await using var connection = database.Open();
        var interrupted = (await connection.QueryAsync<(long Id, string Status)>(InterruptedSql,
            new { ImportStatus.Uploaded, ImportStatus.Validating, ImportStatus.Committing })).ToList();
        foreach (var (id, status) in interrupted)
        {
            queue.Enqueue(id, commit: status == ImportStatus.Committing);
        }

        return interrupted.Select(b => b.Id).ToList();
    }

    /// <summary>The user who staged a batch: jobs rebuild that user's scope from it (ids, not objects).</summary>
    public long? BatchOwner(long batchId)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>(BatchOwnerSql, new { Id = batchId });
    }

    private sealed class StoredError
    {
        public long RowNumber { get; init; }
        public string? ColumnName { get; init; }
        public string? Value { get; init; }
        public string Reason { get; init; } = "";
    }

    private readonly StagedFiles _staged = new(database, options, dataFolder);

    private readonly ImportProfiles _profiles = new(database, clock, audit);
}
