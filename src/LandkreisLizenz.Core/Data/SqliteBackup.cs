using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Core.Data;

public sealed record BackupReport(string Target, long Bytes, TimeSpan Elapsed, string IntegrityCheck);

/// <summary>
/// Backup of the embedded database while the app runs, with SQLite's online backup API: it copies a consistent
/// snapshot (every transaction committed when the copy started, none half) while other connections go on writing
/// (WAL). The copy is checked with PRAGMA integrity_check before it replaces the target, so a backup file is either
/// complete and sound or not there.
/// </summary>
public static class SqliteBackup
{
    public static BackupReport Run(string sourceFile, string targetFile)
    {
        var source = Path.GetFullPath(sourceFile);
        var target = Path.GetFullPath(targetFile);
        if (!File.Exists(source))
        {
            throw new ArgumentException($"Die Datenbank {source} gibt es nicht.");
        }

        if (string.Equals(source, target, StringComparison.Ordinal))
        {
            throw new ArgumentException("Ziel und Quelle sind dieselbe Datei.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        File.Delete(partial);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        string integrity;
        using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            from.Open();
            to.Open();
            from.BackupDatabase(to);
            using var check = to.CreateCommand();
            // The copy keeps the source's WAL setting; a backup file is one self-contained file.
            check.CommandText = "PRAGMA journal_mode = DELETE;";
            check.ExecuteNonQuery();
            check.CommandText = "PRAGMA integrity_check;";
            integrity = Convert.ToString(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }

        if (integrity != "ok")
        {
            File.Delete(partial);
            throw new InvalidOperationException($"Die Sicherung ist nicht in Ordnung (integrity_check: {integrity}); es wurde nichts geschrieben.");
        }

        File.Move(partial, target, overwrite: true);
        return new BackupReport(target, new FileInfo(target).Length, stopwatch.Elapsed, integrity);
    }
}
