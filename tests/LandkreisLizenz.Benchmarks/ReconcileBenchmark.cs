using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;

internal static class ReconcileBenchmark
{
    public static async Task<int> RunAsync(string file)
    {
        var database = BenchEstate.Open(file);
        using (var connection = database.Open())
        {
            Console.WriteLine($"estate: {connection.ExecuteScalar<long>("SELECT COUNT(*) FROM installations"):N0} installations, {connection.ExecuteScalar<long>("SELECT COUNT(*) FROM devices"):N0} devices, {connection.ExecuteScalar<long>("SELECT COUNT(*) FROM organisations"):N0} organisations");
        }

        var clock = TimeProvider.System;
        var service = new ReconciliationService(database, clock, new AuditLog(database, clock), new ReconciliationOptions { Parallelism = 2 });
        var full = Stopwatch.StartNew();
        var run = await service.RunNow(CallerScope.System("benchmark"), null);
        full.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
        Console.WriteLine($"full run: {full.Elapsed.TotalSeconds:N1} s, {run.PositionsCount:N0} positions, {run.FamiliesTotal:N0} families, peak working set {peak:N0} MB");

        long county;
        using (var connection = database.Open())
        {
            county = connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = '05158'");
        }

        var single = Stopwatch.StartNew();
        var one = await service.RunNow(CallerScope.System("benchmark"), [county], "manual");
        single.Stop();
        Console.WriteLine($"single county (Mettmann with 10 towns): {single.Elapsed.TotalMilliseconds:N0} ms, {one.PositionsCount:N0} positions");

        var sqlite = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("sqlite3", $"\"{Path.GetFullPath(file)}\"") { RedirectStandardInput = true, RedirectStandardOutput = true };
        using (var process = Process.Start(psi)!)
        {
            await process.StandardInput.WriteLineAsync("""
                SELECT COUNT(*) FROM (SELECT d.organisation_id, t.product_id, COUNT(DISTINCT i.device_id)
                FROM installations i JOIN devices d ON d.id = i.device_id JOIN software_titles t ON t.id = i.software_title_id
                WHERE t.product_id IS NOT NULL GROUP BY d.organisation_id, t.product_id);
                """);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            sqlite.Stop();
            Console.WriteLine($"sqlite3 bare aggregation (distinct devices per organisation and product): {sqlite.Elapsed.TotalSeconds:N1} s, {output.Trim()} groups");
        }

        return 0;
    }
}
