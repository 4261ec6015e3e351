using System.Globalization;
using System.Text;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// A folder that a county's tool exports into (spec §7), configured by the operators — a path on the server is theirs to
/// give, never a web user's: every new file is imported as <see cref="As"/> with the profile its header names, then moved
/// to <c>done/</c> or <c>failed/</c> with its report beside it.
/// </summary>
public sealed class FolderSource
{
    public string Name { get; set; } = "";

    public string Folder { get; set; } = "";

    /// <summary>The account the files are imported as (its rights apply; a license manager of the organisation).</summary>
    public string As { get; set; } = "";

    /// <summary>The AGS of files without an AGS column (the exports of inventory tools).</summary>
    public string? Organisation { get; set; }

    /// <summary>A format key; empty: recognised from each file.</summary>
    public string? Format { get; set; }
}

public sealed class ImportSourceOptions
{
    public const string SectionName = "ImportSources";

    public List<FolderSource> Folders { get; set; } = [];

    public List<LdapSource> Ldap { get; set; } = [];

    /// <summary>How often the folders are looked at.</summary>
    public int PollMinutes { get; set; } = 5;

    /// <summary>A file written to less than this long ago may still be being written; it waits for the next run.</summary>
    public int MinimumFileAgeSeconds { get; set; } = 60;

    /// <summary>A file claimed this long ago by a node that did not finish (it died) goes back to the folder.</summary>
    public int StaleClaimMinutes { get; set; } = 60;
}

/// <param name="BatchId">The batch in the import history; null when the file could not even be staged.</param>
public sealed record FolderRun(string Source, string File, long? BatchId, bool Committed, string Report);

/// <summary>
/// Runs the folder sources. Reentrant across nodes and reruns: a file is claimed by moving it into a folder of its own
/// under <c>processing/</c> (a move is atomic; whoever loses it skips the file), and an import of the same file again
/// changes nothing. A file that fails notifies the license managers of its organisation.
/// </summary>
public sealed class FolderSources(ImportService imports, ScopeService scopes, NotificationService notifications, TimeProvider clock, ImportSourceOptions options)
{
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Processing = "processing";

    public async Task<IReadOnlyList<FolderRun>> RunAsync()
    {
        var runs = new List<FolderRun>();
        foreach (var source in options.Folders)
        {
            runs.AddRange(await RunAsync(source));
        }

        return runs;
    }

    private async Task<IReadOnlyList<FolderRun>> RunAsync(FolderSource source)
    {
        if (!Directory.Exists(source.Folder))
        {
            return [];
        }

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var sub in new[] { Done, Failed, Processing })
        {
            Directory.CreateDirectory(Path.Combine(source.Folder, sub));
        }

        ReturnStaleClaims(source, now);
        var files = new DirectoryInfo(source.Folder).EnumerateFiles()
            .Where(f => !f.Name.StartsWith('.') && f.LastWriteTimeUtc <= now.AddSeconds(-options.MinimumFileAgeSeconds))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var runs = new List<FolderRun>();
        foreach (var file in files)
        {
            var claim = Path.Combine(source.Folder, Processing, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(claim);
            var claimed = Path.Combine(claim, file.Name);
            try
            {
                File.Move(file.FullName, claimed);
            }
            catch (Exception ex) when (ex is FileNotFoundException or IOException)
            {
                Directory.Delete(claim);
                continue;
            }

            runs.Add(await ImportAsync(source, claimed, now));
            Directory.Delete(claim, recursive: true);
        }

        return runs;
    }

    private async Task<FolderRun> ImportAsync(FolderSource source, string claimed, DateTime now)
    {
        var name = Path.GetFileName(claimed);
        FileImportResult? result = null;
        string? failure = null;
        var scope = await scopes.ForUserNameAsync(source.As);
        if (scope is null)
        {
            failure = $"Das Konto „{source.As}“, als das die Quelle importiert, gibt es nicht oder es ist gesperrt.";
        }
        else
        {
            ImportFormat? format = ImportFormats.TryParse(source.Format, out var parsed) ? parsed : null;
            try
            {
                result = await imports.ImportFileAsync(scope, claimed, format, string.IsNullOrWhiteSpace(source.Organisation) ? null : source.Organisation);
            }
            catch (Exception ex) when (ex is ArgumentException or AccessDeniedException or ImportFileException or InvalidOperationException)
            {
                failure = ex is ImportFileException file ? file.Error.Reason : ex.Message;
            }
        }

        var committed = result?.Committed == true;
        var report = Report(source, name, result, failure, now);
        var target = Path.Combine(source.Folder, committed ? Done : Failed, $"{now:yyyyMMdd-HHmmss}-{name}");
        File.Move(claimed, target, overwrite: true);
        await File.WriteAllTextAsync(target + ".bericht.txt", report, new UTF8Encoding(true));
        if (!committed)
        {
            await notifications.NotifyLicenseManagersAsync(scope?.HomeOrganisationIds.FirstOrDefault(), source.Organisation,
                $"import-source:{source.Name}:{name}:{result?.BatchId.ToString(CultureInfo.InvariantCulture) ?? now.ToString("O", CultureInfo.InvariantCulture)}",
                "import_source_failed", $"Import aus „{source.Name}“ fehlgeschlagen: {name}", report.Split('\n').Skip(1).FirstOrDefault() ?? "",
                result is null ? "/import" : $"/import/{result.BatchId}");
        }

        return new FolderRun(source.Name, name, result?.BatchId, committed, report);
    }

    private static string Report(FolderSource source, string name, FileImportResult? result, string? failure, DateTime now)
    {
        var de = CultureInfo.GetCultureInfo("de-DE");
        var text = new StringBuilder();
        text.AppendLine(string.Create(de, $"Quelle „{source.Name}“, Datei {name}, {now:dd.MM.yyyy HH:mm} UTC"));
        if (result is null)
        {
            text.AppendLine("Nicht übernommen: " + failure);
            return text.ToString();
        }

        var check = result.Check;
        text.AppendLine(result.Committed
            ? string.Create(de, $"Übernommen als {result.Format.GermanName()}{(result.ProfileName is null ? "" : " mit dem Profil " + result.ProfileName)} (Import {result.BatchId}): {result.Commit!.Inserts:N0} neu, {result.Commit.Updates:N0} geändert, {result.Commit.Unchanged:N0} unverändert.")
            : string.Create(de, $"Nicht übernommen (Import {result.BatchId}): {check.ErrorCount:N0} Fehler{(check.HeaderMismatch ? " – die Spalten passen zu keinem Format und keinem Profil; einmal in der Anwendung zuordnen und als Profil speichern" : "")}."));
        foreach (var error in check.Errors.Take(100))
        {
            text.AppendLine("  " + error);
        }

        if (check.ErrorCount > 100)
        {
            text.AppendLine(string.Create(de, $"  … und {check.ErrorCount - 100:N0} weitere (in der Import-Historie)."));
        }

        return text.ToString();
    }

    /// <summary>A node that died between claim and move left its file in processing/: it goes back and is imported again.</summary>
    private void ReturnStaleClaims(FolderSource source, DateTime now)
    {
        foreach (var claim in new DirectoryInfo(Path.Combine(source.Folder, Processing)).EnumerateDirectories()
                     .Where(d => d.LastWriteTimeUtc < now.AddMinutes(-options.StaleClaimMinutes)))
        {
            foreach (var file in claim.EnumerateFiles())
            {
                var back = Path.Combine(source.Folder, file.Name);
                if (!File.Exists(back))
                {
                    file.MoveTo(back);
                }
            }

            if (!claim.EnumerateFileSystemInfos().Any())
            {
                claim.Delete();
            }
        }
    }
}
