using System.Diagnostics;
using System.Globalization;
using System.Text;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;

// Benchmarks of docs/benchmarks.md, measured, never asserted:
//   import [rows]        installations import throughput against sqlite3's own .import
//   reconcile <file>     full and single-county reconciliation of a seeded estate against sqlite3's bare aggregation
//   dashboards <file>    CIO and Verbund dashboard server time (p50/p95 over 200 requests) and SQL statements per request
//   graphql [s] [conns]  a typical integration query through /graphql against a plain JSON endpoint, both under wrk
//   recognition [titles] [rules]  a recognition_rules import over many unrecognised titles; indexed rule matching against trying every rule
//   unrecognised <file>  the unrecognised list and a rule preview for an admin and a county's license manager
//   jobs [samples]       time from enqueueing a job ("Jetzt abgleichen") to its start on the embedded default
//   refresh <file>       the suggestion refresh over a seeded, reconciled estate (time, memory, what it found)
if (args.Length > 0 && args[0] == "recognition")
{
    return RecognitionBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500);
}

if (args.Length > 0 && args[0] == "reconcile")
{
    return await ReconcileBenchmark.RunAsync(args[1]);
}

if (args.Length > 0 && args[0] == "graphql")
{
    return await GraphQLBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8);
}

if (args.Length > 0 && args[0] == "refresh")
{
    return await RefreshBenchmark.RunAsync(args[1]);
}

if (args.Length > 0 && args[0] == "jobs")
{
    return await JobPickupBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
}

if (args.Length > 0 && args[0] == "unrecognised")
{
    return await UnrecognisedBenchmark.RunAsync(args[1]);
}

if (args.Length > 0 && args[0] == "dashboards")
{
    return await DashboardBenchmark.RunAsync(args[1]);
}

var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var (folder, database) = BenchEstate.Create();

var csv = Path.Combine(folder, "installations.csv");
var software = new[]
{
    ("OK.VORFAHRT", "AKDB"), ("Microsoft 365 Apps", "Microsoft"), ("Sophos Intercept X", "Sophos"), ("baramundi Management Agent", "baramundi software GmbH"),
    ("7-Zip", "Igor Pavlov"), ("Mozilla Firefox ESR", "Mozilla"), ("enaio", "OPTIMAL SYSTEMS GmbH"), ("ArcGIS Pro", "Esri Deutschland GmbH"),
    ("Zoom Workplace", "Zoom Video Communications, Inc."), ("Adobe Acrobat", "Adobe"),
};
var counties = DemoScaleProfile.TestCounties;
var generate = Stopwatch.StartNew();
using (var writer = new StreamWriter(csv, false, new UTF8Encoding(false), 1 << 20))
{
    writer.WriteLine("ags;device;software;device_kind;cores;publisher;version;user;last_used");
    for (var i = 0; i < rows; i++)
    {
        var device = i / 40;
        var (name, publisher) = software[(i * 7 + device) % software.Length];
        writer.Write(counties[device % counties.Count]);
        writer.Write(";BENCH-");
        writer.Write(device.ToString("000000", CultureInfo.InvariantCulture));
        writer.Write(';');
        writer.Write(name);
        writer.Write(" ");
        writer.Write((i % 40).ToString(CultureInfo.InvariantCulture));
        writer.Write(";workstation;4;");
        writer.Write(publisher);
        writer.Write(";1.");
        writer.Write((i % 9).ToString(CultureInfo.InvariantCulture));
        writer.Write(";u");
        writer.Write((device % 5000).ToString("00000", CultureInfo.InvariantCulture));
        writer.Write(";2026-");
        writer.Write((1 + i % 11).ToString("00", CultureInfo.InvariantCulture));
        writer.WriteLine("-15");
    }
}

var fileMb = new FileInfo(csv).Length / 1024.0 / 1024.0;
Console.WriteLine($"file: {rows:N0} rows, {fileMb:N1} MB, generated in {generate.Elapsed.TotalSeconds:N1} s");

var clock = TimeProvider.System;
var audit = new AuditLog(database, clock);
var imports = new ImportService(database, clock, audit, new RecognitionService(database, clock, audit), new ImportOptions(), folder);
var scope = CallerScope.System("benchmark");
var preview = Stopwatch.StartNew();
using (var stream = File.OpenRead(csv))
{
    imports.Preview(scope, ImportFormat.Installations, stream, "installations.csv");
}

Console.WriteLine($"validation only (preview): {preview.Elapsed.TotalSeconds:N2} s");
GC.Collect();
var allocatedBefore = GC.GetTotalAllocatedBytes(true);
var import = Stopwatch.StartNew();
ImportOutcome outcome;
using (var stream = File.OpenRead(csv))
{
    outcome = imports.Commit(scope, ImportFormat.Installations, stream, "installations.csv");
}

import.Stop();
var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
if (!outcome.IsValid)
{
    Console.Error.WriteLine(string.Join("\n", outcome.Errors.Take(10)));
    return 1;
}

var second = Stopwatch.StartNew();
ImportOutcome again;
using (var stream = File.OpenRead(csv))
{
    again = imports.Commit(scope, ImportFormat.Installations, stream, "installations.csv");
}

second.Stop();
var peakAfterSecondMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;

var rawDb = Path.Combine(folder, "raw.db");
var sqliteImport = Stopwatch.StartNew();
var psi = new ProcessStartInfo("sqlite3", $"\"{rawDb}\"") { RedirectStandardInput = true, RedirectStandardError = true };
using (var sqlite = Process.Start(psi)!)
{
    await sqlite.StandardInput.WriteLineAsync("PRAGMA journal_mode = WAL;");
    await sqlite.StandardInput.WriteLineAsync("CREATE TABLE installations_raw (ags TEXT, device TEXT, software TEXT, device_kind TEXT, cores INTEGER, publisher TEXT, version TEXT, user TEXT, last_used TEXT);");
    await sqlite.StandardInput.WriteLineAsync(".mode csv");
    await sqlite.StandardInput.WriteLineAsync(".separator ;");
    await sqlite.StandardInput.WriteLineAsync($".import --skip 1 \"{csv}\" installations_raw");
    sqlite.StandardInput.Close();
    await sqlite.WaitForExitAsync();
}

sqliteImport.Stop();
var ours = rows / import.Elapsed.TotalSeconds;
var theirs = rows / sqliteImport.Elapsed.TotalSeconds;
Console.WriteLine($"LandkreisLizenz import: {import.Elapsed.TotalSeconds:N2} s = {ours:N0} rows/s (inserted {outcome.Inserts:N0}), allocated {(GC.GetTotalAllocatedBytes(true) - allocatedBefore) / 1024.0 / 1024.0:N0} MB, peak working set {peakMb:N0} MB");
Console.WriteLine($"same file again (unchanged {again.Unchanged:N0}): {second.Elapsed.TotalSeconds:N2} s, peak working set so far {peakAfterSecondMb:N0} MB");
Console.WriteLine($"sqlite3 .import: {sqliteImport.Elapsed.TotalSeconds:N2} s = {theirs:N0} rows/s");
Console.WriteLine($"ratio: {ours / theirs:N2}× of sqlite3's own import");
Directory.Delete(folder, recursive: true);
return 0;
