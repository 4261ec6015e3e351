using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using SQLitePCL;

/// <summary>Server time of the CIO and Verbund dashboards (Core services, as the controllers call them) and SQL statements per request.</summary>
internal static class DashboardBenchmark
{
    private static long _statements;

    public static async Task<int> RunAsync(string file)
    {
        var database = BenchEstate.Open(file);
        var clock = TimeProvider.System;
        var audit = new AuditLog(database, clock);
        using (var connection = database.Open())
        {
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM suggestions") == 0)
            {
                var refresh = Stopwatch.StartNew();
                var result = await new SuggestionService(database, clock, audit, new SuggestionOptions()).RefreshAsync();
                Console.WriteLine($"suggestions refreshed: {result.Created:N0} in {refresh.Elapsed.TotalSeconds:N1} s");
            }
        }

        database.OnSqliteOpened = connection => raw.sqlite3_trace(connection.Handle, (strdelegate_trace)((_, _) => Interlocked.Increment(ref _statements)), null);
        var cio = await BenchEstate.ScopeAsync(database, "cio.mettmann");
        var analyst = await BenchEstate.ScopeAsync(database, "verbund");
        var cioService = new CioDashboardService(database, new DeadlineCalendar(database), clock, new LandkreisLizenz.Core.Audit.AuditLog(database, clock));
        var verbund = new VerbundDashboardService(database, audit);
        long mettmann;
        using (var c = database.Open())
        {
            mettmann = c.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = '05158'");
        }

        await Measure("CIO dashboard (Kreis Mettmann)", () => cioService.GetAsync(cio, mettmann));
        await Measure("Verbund dashboard with peer benchmark", () => verbund.GetAsync(analyst, mettmann));
        // The pages behind the dashboard's savings figure: the CIO's suggestion list (its shares summed by the same rule).
        var suggestions = new SuggestionService(database, clock, audit, new SuggestionOptions());
        var page = await suggestions.ListAsync(cio, new SuggestionFilter(), new LandkreisLizenz.Core.Common.PageRequest(1, 50));
        Console.WriteLine($"suggestion list (Kreis Mettmann): {page.Page.TotalCount:N0} suggestions, sum of shares {page.TotalSavings:N2} €");
        await Measure("suggestion list, first page of 50 with totals (Kreis Mettmann)", () => suggestions.ListAsync(cio, new SuggestionFilter(), new LandkreisLizenz.Core.Common.PageRequest(1, 50)));
        await Measure("suggestion list, clusters only (Verbund analyst)", () => suggestions.ListAsync(analyst, new SuggestionFilter(Reach: "cluster"), new LandkreisLizenz.Core.Common.PageRequest(1, 50)));
        return 0;
    }

    private static async Task Measure(string name, Func<Task> request)
    {
        for (var i = 0; i < 10; i++)
        {
            await request();
        }

        var times = new List<double>();
        var statements = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            var before = Interlocked.Read(ref _statements);
            var watch = Stopwatch.StartNew();
            await request();
            times.Add(watch.Elapsed.TotalMilliseconds);
            statements.Add(Interlocked.Read(ref _statements) - before);
        }

        times.Sort();
        Console.WriteLine($"{name}: p50 {times[99]:N1} ms, p95 {times[189]:N1} ms, max {times[^1]:N1} ms, SQL statements per request {statements.Min()}–{statements.Max()}");
    }
}
