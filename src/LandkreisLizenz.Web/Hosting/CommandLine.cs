using System.Globalization;
using System.Text;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Web.Hosting;

/// <summary>
/// Maintenance commands of the same executable:
/// <c>seed --scale test|demo|national --database &lt;file&gt; [--seed N] [--as-of yyyy-MM-dd]</c> and
/// <c>migrate</c> (uses the configured provider and connection string, e.g. for SQL Server) and
/// <c>backup --to &lt;file&gt; [--database &lt;file&gt;]</c> (online backup of the embedded SQLite database, also while the app runs) and
/// <c>users add --user NAME --role ROLE [--organisation AGS]</c> (password: one line on standard input), <c>users list</c>,
/// <c>users disable --user NAME</c> (same configuration as the app; the database is created and migrated when needed).
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        Aufruf: LandkreisLizenz.Web [Einstellungen]             startet die Web-Anwendung, z. B. --urls http://127.0.0.1:8080
                LandkreisLizenz.Web import --file PFAD --as BENUTZER [--format FORMAT] [--organisation AGS]
                LandkreisLizenz.Web users add --user NAME --role admin|verbund_analyst|cio|license_manager|reader [--organisation AGS]
                LandkreisLizenz.Web users list | users disable --user NAME
                LandkreisLizenz.Web migrate
                LandkreisLizenz.Web backup --to DATEI [--database DATEI]
                LandkreisLizenz.Web seed --scale test|demo|national --database DATEI [--seed N] [--as-of JJJJ-MM-TT]
        Einstellungen wie in appsettings.json, z. B. --Database:DataFolder=/srv/landkreislizenz.
        """;

    /// <summary>
    /// A first argument that is not an option is a verb: known or not, it never starts the web server (a typo such as
    /// <c>imprt</c> gets the usage, not a running application).
    /// </summary>
    public static bool IsCommand(string arg) => !arg.StartsWith('-') && !arg.Contains('=', StringComparison.Ordinal);

    public static int Run(string[] args)
    {
        try
        {
            return args[0] switch
            {
                "seed" => Seed(Options(args, "scale", "database", "seed", "as-of")),
                "migrate" => Migrate(args),
                "backup" => Backup(args),
                "users" => Users(args),
                "import" => Import(args),
                _ => UnknownVerb(args[0]),
            };
        }
        catch (ImportFileException ex)
        {
            Console.Error.WriteLine("Fehler: " + ex.Error);
            return 1;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or LandkreisLizenz.Core.Security.AccessDeniedException)
        {
            Console.Error.WriteLine("Fehler: " + ex.Message);
            return 1;
        }
    }

    private static int UnknownVerb(string verb)
    {
        Console.Error.WriteLine($"Unbekannter Befehl „{verb}“.");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    /// <summary>
    /// <c>import --file PATH --as USER [--format KEY] [--organisation AGS]</c>: the same detection, check, all-or-nothing
    /// commit and audit as an upload; exit code 0 only when the file was committed.
    /// </summary>
    private static int Import(string[] args)
    {
        var options = Options(args, "file", "as", "format", "organisation");
        var path = Required(options, "file");
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Die Datei „{path}“ gibt es nicht.");
        }

        ImportFormat? format = null;
        if (options.TryGetValue("format", out var key))
        {
            format = ImportFormats.TryParse(key, out var parsed)
                ? parsed
                : throw new ArgumentException($"Unbekanntes Format „{key}“; bekannt sind {string.Join(", ", ImportFormats.All.Select(f => f.Key()))}.");
        }

        // The app's own composition (same configuration, database, reconciliation trigger), without serving anything.
        using var app = LandkreisLizenzApp.Build([.. options.Where(o => o.Key.Contains(':', StringComparison.Ordinal)).Select(o => $"--{o.Key}={o.Value}"), "--Demo:SeedOnFirstStart=false"]);
        var services = app.Services;
        var userName = Required(options, "as");
        var scope = services.GetRequiredService<LandkreisLizenz.Core.Security.ScopeService>().ForUserNameAsync(userName).GetAwaiter().GetResult()
            ?? throw new ArgumentException($"Kein aktives Konto „{userName}“.");
        var result = services.GetRequiredService<ImportService>()
            .ImportFileAsync(scope, Path.GetFullPath(path), format, options.GetValueOrDefault("organisation")).GetAwaiter().GetResult();

        var de = CultureInfo.GetCultureInfo("de-DE");
        var check = result.Check;
        var profile = result.ProfileName is null ? "" : $" mit dem Profil {result.ProfileName}";
        Console.WriteLine(string.Create(de, $"{Path.GetFileName(path)} als {result.Format.GermanName()}{profile} gelesen (Import {result.BatchId}): {check.TotalRows:N0} Zeilen."));
        if (check.HeaderMismatch)
        {
            Console.Error.WriteLine($"Die Spalten passen zu keinem Format und keinem Profil: {check.Errors[0].Reason}");
            Console.Error.WriteLine($"Einmal in der Web-Anwendung zuordnen (/import/{result.BatchId}/zuordnung) und als Profil speichern – danach liest import --file Dateien mit dieser Kopfzeile ohne Rückfrage.");
            return 1;
        }

        if (!check.IsValid)
        {
            Console.Error.WriteLine(string.Create(de, $"{check.ErrorCount:N0} Fehler – nichts übernommen:"));
            foreach (var error in check.Errors.Take(20))
            {
                Console.Error.WriteLine("  " + error);
            }

            if (check.ErrorCount > 20)
            {
                Console.Error.WriteLine(string.Create(de, $"  … und {check.ErrorCount - 20:N0} weitere (alle in der Import-Historie, Import {result.BatchId})."));
            }

            return 1;
        }

        var commit = result.Commit!;
        Console.WriteLine(string.Create(de, $"Übernommen: {commit.Inserts:N0} neu, {commit.Updates:N0} geändert, {commit.Unchanged:N0} unverändert."));
        return result.Committed ? 0 : 1;
    }

    private static int Seed(Dictionary<string, string> options)
    {
        var scale = DemoScaleProfile.Parse(options.GetValueOrDefault("scale", "demo"));
        var file = options.GetValueOrDefault("database") ?? throw new ArgumentException("--database <Datei> fehlt.");
        var seed = int.Parse(options.GetValueOrDefault("seed", DemoEstateGenerator.DefaultSeed.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var clock = TimeProvider.System;
        var asOf = options.TryGetValue("as-of", out var asOfText)
            ? DateOnly.ParseExact(asOfText, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : BusinessDate.Today(clock);

        var database = Database.ForSqliteFile(Path.GetFullPath(file));
        var dbRoot = Migrator.LocateDbRoot();
        Migrator.Run(database, dbRoot);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var report = new DemoEstateGenerator(database, clock).Generate(scale, seed, asOf, Path.Combine(dbRoot, "seed"));
        Console.WriteLine(Describe(report, stopwatch.Elapsed));
        return 0;
    }

    private static int Backup(string[] args)
    {
        var options = Options(args, "to", "database");
        var target = options.GetValueOrDefault("to") ?? throw new ArgumentException("--to <Datei> fehlt (Zieldatei der Sicherung).");
        var source = options.GetValueOrDefault("database");
        if (source is null)
        {
            var database = Configuration([]).GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
            if (database.Provider != DatabaseProvider.Sqlite)
            {
                throw new ArgumentException("Die Sicherung per Befehl gilt der eingebetteten SQLite-Datenbank; SQL Server sichern Sie mit seinen eigenen Werkzeugen.");
            }

            source = Path.Combine(Database.ResolveDataFolder(database, Directory.GetCurrentDirectory()), database.SqliteFile);
        }

        var report = SqliteBackup.Run(source, target);
        Console.WriteLine(string.Create(CultureInfo.GetCultureInfo("de-DE"),
            $"Sicherung von {Path.GetFullPath(source)} nach {report.Target}: {report.Bytes / 1024.0 / 1024.0:N1} MB in {report.Elapsed.TotalSeconds:N1} s, integrity_check: {report.IntegrityCheck}."));
        return 0;
    }

    private static IConfiguration Configuration(string[] args) => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args.Skip(1).ToArray())
        .Build();

    private static int Users(string[] args)
    {
        var configuration = Configuration(args);
        var databaseOptions = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var database = Database.FromOptions(databaseOptions, Directory.GetCurrentDirectory());
        var clock = TimeProvider.System;
        DatabaseBootstrap.Prepare(database, clock);
        var users = new LandkreisLizenz.Core.Security.UserAdministration(database, clock, new LandkreisLizenz.Core.Audit.AuditLog(database, clock));
        var scope = LandkreisLizenz.Core.Security.CallerScope.System("command line");
        var options = Options(args.Skip(1).ToArray(), "user", "role", "organisation");
        switch (args.ElementAtOrDefault(1))
        {
            case "add":
                var password = Console.In.ReadLine() ?? throw new ArgumentException("Passwort: eine Zeile auf der Standardeingabe erwartet.");
                users.AddAsync(scope, Required(options, "user"), Required(options, "role"), options.GetValueOrDefault("organisation"), password).GetAwaiter().GetResult();
                Console.WriteLine($"Konto „{options["user"]}“ angelegt ({options["role"]}{(options.TryGetValue("organisation", out var ags) ? " " + ags : "")}).");
                return 0;
            case "list":
                foreach (var user in users.ListAsync(scope).GetAwaiter().GetResult())
                {
                    Console.WriteLine($"{user.UserName,-24} {(user.IsActive ? "aktiv   " : "gesperrt")} {user.Grants}");
                }

                return 0;
            case "disable":
                users.DisableAsync(scope, Required(options, "user")).GetAwaiter().GetResult();
                Console.WriteLine($"Konto „{options["user"]}“ gesperrt; seine Sitzungen enden.");
                return 0;
            default:
                throw new ArgumentException("users add --user NAME --role admin|verbund_analyst|cio|license_manager|reader [--organisation AGS] | users list | users disable --user NAME");
        }
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} fehlt.");

    private static int Migrate(string[] args)
    {
        Options(args);
        var configuration = Configuration(args);
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var database = Database.FromOptions(options, Directory.GetCurrentDirectory());
        var (applied, reference) = DatabaseBootstrap.Prepare(database, TimeProvider.System);
        Console.WriteLine($"{options.Provider}: {applied.Count} Migration(en) angewendet{(applied.Count > 0 ? ": " + string.Join(", ", applied) : ".")}");
        if (reference.Counties + reference.Categories > 0)
        {
            Console.WriteLine($"Leere Installation: {reference.Counties} Landkreise (Destatis 2018) und {reference.Categories} Kategorien angelegt.");
        }

        return 0;
    }

    public static string Describe(DemoEstateReport report, TimeSpan elapsed)
    {
        var de = CultureInfo.GetCultureInfo("de-DE");
        var text = new StringBuilder();
        text.AppendLine(string.Create(de, $"Demo-Bestand '{report.Scale}' (Seed {report.Seed}, Stichtag {report.AsOf:dd.MM.yyyy}) in {elapsed.TotalSeconds:N1} s:"));
        text.AppendLine(string.Create(de, $"  {report.Counties:N0} Landkreise, {report.Organisations:N0} Organisationen, {report.Applications:N0} Anwendungen, {report.Contracts:N0} Verträge, {report.Licenses:N0} Lizenzen,"));
        text.AppendLine(string.Create(de, $"  {report.Devices:N0} Geräte, {report.Installations:N0} Installationen."));
        text.AppendLine("Demo-Zugänge (Benutzername / Passwort – Rolle):");
        foreach (var account in report.Accounts)
        {
            text.AppendLine($"  {account.UserName,-20} / {account.Password}  – {account.Description}");
        }

        return text.ToString();
    }

    /// <param name="allowed">The verb's own options; settings (names with ':') are always allowed, anything else is an error.</param>
    private static Dictionary<string, string> Options(string[] args, params string[] allowed)
    {
        var result = ParseOptions(args);
        if (result.Keys.FirstOrDefault(k => !k.Contains(':', StringComparison.Ordinal) && !allowed.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new ArgumentException($"Unbekannte Option --{unknown} für „{args[0]}“; {(allowed.Length == 0 ? "der Befehl hat keine eigenen Optionen" : "erlaubt sind " + string.Join(", ", allowed.Select(a => "--" + a)))}.");
        }

        return result;
    }

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unerwartetes Argument '{args[i]}'.");
            }

            var name = args[i][2..];
            // --name=value, as configuration settings are given (e.g. --Database:DataFolder=/srv/lkl).
            if (name.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals)
            {
                result[name[..equals]] = name[(equals + 1)..];
                continue;
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Wert für --{name} fehlt.");
            }

            result[name] = args[++i];
        }

        return result;
    }
}
