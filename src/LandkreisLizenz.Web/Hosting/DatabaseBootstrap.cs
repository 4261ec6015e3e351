using System.Diagnostics;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.Hosting;

/// <summary>
/// Start-up: applies migrations (always on SQLite, on SQL Server only when configured) and, on an empty
/// embedded database, writes the demo estate and prints the demo accounts.
/// </summary>
public static class DatabaseBootstrap
{
    /// <summary>
    /// What every verb and every start without the demo does first: the schema up to date and the reference data of
    /// a real installation (the Landkreise and the catalogue's categories) in an empty database.
    /// </summary>
    /// <returns>The migrations applied now and the reference data written now (zero when it was there).</returns>
    public static (IReadOnlyList<string> Applied, ReferenceEstateReport Reference) Prepare(Database database, TimeProvider clock, ILogger? logger = null)
    {
        var dbRoot = Migrator.LocateDbRoot();
        var applied = Migrator.Run(database, dbRoot, logger);
        return (applied, WriteReference(database, clock, dbRoot, logger));
    }

    private static ReferenceEstateReport WriteReference(Database database, TimeProvider clock, string dbRoot, ILogger? logger)
    {
        var report = ReferenceEstate.EnsureWritten(database, clock, Path.Combine(dbRoot, "seed"));
        if (report.Counties + report.Categories > 0)
        {
            logger?.LogInformation("Leere Installation: {Counties} Landkreise (Destatis 2018) und {Categories} Kategorien angelegt.", report.Counties, report.Categories);
        }

        return report;
    }

    public static void EnsureReady(IServiceProvider services)
    {
        var database = services.GetRequiredService<Database>();
        var options = services.GetRequiredService<DatabaseOptions>();
        var demo = services.GetRequiredService<DemoOptions>();
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LandkreisLizenz.Startup");
        var dbRoot = Migrator.LocateDbRoot();

        if (database.Provider == DatabaseProvider.Sqlite || options.MigrateOnStartup)
        {
            var applied = Migrator.Run(database, dbRoot, logger);
            if (applied.Count > 0)
            {
                logger.LogInformation("Applied {Count} migration(s): {Scripts}", applied.Count, string.Join(", ", applied));
            }
        }

        // Imports a dead process left checking or committing go on (nothing of an interrupted commit was written).
        var resumed = services.GetRequiredService<ImportService>().ResumeInterruptedAsync(services.GetRequiredService<IImportQueue>()).GetAwaiter().GetResult();
        if (resumed.Count > 0)
        {
            logger.LogWarning("Unterbrochene Importe wieder aufgenommen: {Batches}", string.Join(", ", resumed));
        }

        // A production SQL Server is never filled with demo data by accident: only when asked for explicitly (test runs, demos).
        if (!demo.SeedOnFirstStart || (database.Provider != DatabaseProvider.Sqlite && !demo.SeedSqlServer))
        {
            if (database.Provider == DatabaseProvider.Sqlite || options.MigrateOnStartup)
            {
                WriteReference(database, clock, dbRoot, logger);
            }

            return;
        }

        var generator = new DemoEstateGenerator(database, clock);
        if (!generator.IsEmpty())
        {
            return;
        }

        var scale = DemoScaleProfile.Parse(demo.Scale);
        Console.WriteLine($"Erster Start: Demo-Bestand ({scale}) wird in {(database.Provider == DatabaseProvider.Sqlite ? database.SqliteFile : "der SQL-Server-Datenbank")} angelegt …");
        var stopwatch = Stopwatch.StartNew();
        var report = generator.Generate(scale, demo.Seed, BusinessDate.Today(clock), Path.Combine(dbRoot, "seed"));
        Console.WriteLine(CommandLine.Describe(report, stopwatch.Elapsed));

        // A first reconciliation, so that the Lizenzbilanz is filled from the first minute (later runs come from jobs).
        var reconciliation = services.GetRequiredService<LandkreisLizenz.Core.Reconciliation.ReconciliationService>();
        var run = reconciliation.RunNow(LandkreisLizenz.Core.Security.CallerScope.System("first-start"), null, "initial").GetAwaiter().GetResult();
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"),
            $"Erster Lizenzabgleich: {run.PositionsCount:N0} Positionen in {(run.FinishedAt - run.StartedAt)?.TotalSeconds:N1} s."));
        var refresh = services.GetRequiredService<LandkreisLizenz.Core.Suggestions.SuggestionService>().RefreshAsync().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), $"Empfehlungen: {refresh.Created:N0} erkannt."));
    }
}
