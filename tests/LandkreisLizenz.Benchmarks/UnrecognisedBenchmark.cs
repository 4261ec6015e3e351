using System.Diagnostics;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Recognition;

/// <summary>
/// The unrecognised list (per-family decisions joined in) and a global rule's preview on a seeded estate, as the pages
/// call them: p50/p95 over repeated requests for an admin (the whole estate) and a county's license manager.
/// </summary>
internal static class UnrecognisedBenchmark
{
    public static async Task<int> RunAsync(string file)
    {
        var database = BenchEstate.Open(file);
        var clock = TimeProvider.System;
        var service = new RecognitionService(database, clock, new AuditLog(database, clock));
        var admin = await BenchEstate.ScopeAsync(database, "admin");
        var manager = await BenchEstate.ScopeAsync(database, "lm.mettmann");
        foreach (var (label, scope) in new[] { ("admin (estate)", admin), ("lm.mettmann (county)", manager) })
        {
            var page = await service.ListUnrecognisedAsync(scope, null, new PageRequest(1, 50));
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var watch = Stopwatch.StartNew();
                await service.ListUnrecognisedAsync(scope, null, new PageRequest(1, 50));
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine($"unrecognised list, {label}: {page.TotalCount:N0} titles; p50 {times[10]:N0} ms, p95 {times[18]:N0} ms");
            var title = page.Items[0];
            var preview = Stopwatch.StartNew();
            var result = await service.PreviewAsync(scope, new RuleDraft(title.SoftwareTitleId, null, NotLicensable: true));
            Console.WriteLine($"  preview of a rule for \"{title.Name}\": {result.Installations:N0} installations in {result.Organisations:N0} organisations "
                              + $"({result.OrganisationsOutsideScope:N0} outside the scope) in {preview.Elapsed.TotalMilliseconds:N0} ms");
        }

        return 0;
    }
}
