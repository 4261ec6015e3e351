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
//   import [rows] [reps] installations import throughput against sqlite3's own .import, interleaved repetitions, medians
//   bindings [rows]      bulk insert of installation rows: SQLitePCL's binding calls against direct ones without GC transition
//   reconcile <file>     full and single-county reconciliation of a seeded estate against sqlite3's bare aggregation
//   dashboards <file>    CIO and Verbund dashboard server time (p50/p95 over 200 requests) and SQL statements per request
//   graphql [s] [conns]  a typical integration query through /graphql against a plain JSON endpoint, both under wrk
//   recognition [titles] [rules]  a recognition_rules import over many unrecognised titles; indexed rule matching against trying every rule
//   unrecognised <file>  the unrecognised list and a rule preview for an admin and a county's license manager
//   jobs [samples]       time from enqueueing a job ("Jetzt abgleichen") to its start on the embedded default
//   refresh <file>       the suggestion refresh over a seeded, reconciled estate (time, memory, what it found)
if (args.Length > 0 && args[0] == "bindings")
{
    return BindingBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000);
}

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

// Import: the same generated file imported R times (default 3), each time into a fresh estate, interleaved with sqlite3's
// own .import of it into a fresh file, so that a slow moment of the machine falls on both sides; medians are reported.
var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var work = Path.Combine(Path.GetTempPath(), "lkl-bench-import-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
var csv = Path.Combine(work, "installations.csv");
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
Console.WriteLine($"file: {rows:N0} rows, {fileMb:N1} MB, generated in {generate.Elapsed.TotalSeconds:N1} s; {repetitions} repetitions");
var clock = TimeProvider.System;
var scope = CallerScope.System("benchmark");
var previews = new List<double>();
var imports = new List<double>();
var agains = new List<double>();
var theirs = new List<double>();
var peaks = new List<double>();
for (var r = 1; r <= repetitions; r++)
{
    var (folder, database) = BenchEstate.Create();
    var audit = new AuditLog(database, clock);
    var service = new ImportService(database, clock, audit, new RecognitionService(database, clock, audit), new ImportOptions(), folder);
    var preview = Stopwatch.StartNew();
    using (var stream = File.OpenRead(csv))
    {
        service.Preview(scope, ImportFormat.Installations, stream, "installations.csv");
    }

    preview.Stop();
    GC.Collect();
    var allocatedBefore = GC.GetTotalAllocatedBytes(true);
    var import = Stopwatch.StartNew();
    ImportOutcome outcome;
    using (var stream = File.OpenRead(csv))
    {
        outcome = service.Commit(scope, ImportFormat.Installations, stream, "installations.csv");
    }

    import.Stop();
    var allocatedMb = (GC.GetTotalAllocatedBytes(true) - allocatedBefore) / 1024.0 / 1024.0;
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
        again = service.Commit(scope, ImportFormat.Installations, stream, "installations.csv");
    }

    second.Stop();
    var peakAfterSecondMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
    // The next repetition starts as this one did: no pooled connection to this estate, nothing of it on the heap.
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var process = Process.GetCurrentProcess();
    Console.WriteLine($"  after run {r}: managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1024.0 / 1024.0:N0} MB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0 / 1024.0:N0} MB, working set {process.WorkingSet64 / 1024.0 / 1024.0:N0} MB");
    Directory.Delete(folder, recursive: true);

    var rawDb = Path.Combine(work, $"raw-{r}.db");
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
    File.Delete(rawDb);
    previews.Add(preview.Elapsed.TotalSeconds);
    imports.Add(import.Elapsed.TotalSeconds);
    agains.Add(second.Elapsed.TotalSeconds);
    theirs.Add(sqliteImport.Elapsed.TotalSeconds);
    peaks.Add(peakAfterSecondMb);
    Console.WriteLine($"run {r}: preview {preview.Elapsed.TotalSeconds:N2} s; import {import.Elapsed.TotalSeconds:N2} s (inserted {outcome.Inserts:N0}, allocated {allocatedMb:N0} MB, "
        + $"peak working set {peakMb:N0} MB); same file again {second.Elapsed.TotalSeconds:N2} s (unchanged {again.Unchanged:N0}, peak so far {peakAfterSecondMb:N0} MB); "
        + $"sqlite3 .import {sqliteImport.Elapsed.TotalSeconds:N2} s; ratio {sqliteImport.Elapsed.TotalSeconds / import.Elapsed.TotalSeconds:N2}×");
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

Console.WriteLine($"median: preview {Median(previews):N2} s; import {Median(imports):N2} s = {rows / Median(imports):N0} rows/s; same file again {Median(agains):N2} s; "
    + $"sqlite3 .import {Median(theirs):N2} s = {rows / Median(theirs):N0} rows/s; ratio of medians {Median(theirs) / Median(imports):N2}×; peak working set {peaks.Max():N0} MB");
Directory.Delete(work, recursive: true);
return 0;
