using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Logging;

namespace LandkreisLizenz.Core.Data;

/// <summary>Applies the numbered scripts of <c>db/&lt;dialect&gt;</c> with DbUp; a second run applies none.</summary>
public static class Migrator
{
    public static string ScriptFolder(DatabaseProvider provider, string dbRoot) =>
        Path.Combine(dbRoot, provider == DatabaseProvider.Sqlite ? "sqlite" : "sqlserver");

    /// <summary>Finds the <c>db</c> folder: next to the binaries (build and publish output), else in the repository.</summary>
    public static string LocateDbRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "db");
            if (Directory.Exists(Path.Combine(candidate, "sqlite")))
            {
                return candidate;
            }

            dir = dir.Parent;
        }

        throw new DirectoryNotFoundException("The db folder with the migration scripts was not found.");
    }

    /// <returns>The names of the scripts applied by this run.</returns>
    public static IReadOnlyList<string> Run(Database database, string dbRoot, ILogger? logger = null)
    {
        var folder = ScriptFolder(database.Provider, dbRoot);
        if (database.SqliteFile is { } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } parent)
        {
            Directory.CreateDirectory(parent);
            // WAL lets pages read while an import or job writes; the mode is stored in the file.
            using var connection = database.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        var builder = database.Provider == DatabaseProvider.Sqlite
            ? DeployChanges.To.SqliteDatabase(database.ConnectionString)
            : DeployChanges.To.SqlDatabase(database.ConnectionString);

        var engine = builder
            .WithScriptsFromFileSystem(folder)
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();

        DatabaseUpgradeResult result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration failed in script '{result.ErrorScript?.Name}': {result.Error?.Message}", result.Error);
        }

        return result.Scripts.Select(s => s.Name).ToList();
    }

    private sealed class DbUpLog(ILogger? logger) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        // DbUp narrates every step; only the summary of applied scripts is worth an Information line (logged by the caller).
        public void LogInformation(string format, params object[] args) =>
            logger?.LogDebug("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) =>
            logger?.LogWarning("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            logger?.LogError("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            logger?.LogError(ex, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
