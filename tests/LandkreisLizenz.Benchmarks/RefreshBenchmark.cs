using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Suggestions;

/// <summary>The suggestion refresh over a seeded and reconciled estate: time, peak memory, what it found (twice: first and rerun).</summary>
internal static class RefreshBenchmark
{
    public static async Task<int> RunAsync(string file)
    {
        var database = BenchEstate.Open(file);
        var clock = TimeProvider.System;
        var service = new SuggestionService(database, clock, new AuditLog(database, clock), new SuggestionOptions());
        foreach (var label in new[] { "refresh", "rerun (nothing changed)" })
        {
            var watch = Stopwatch.StartNew();
            var result = await service.RefreshAsync();
            Console.WriteLine($"{label}: {watch.Elapsed.TotalSeconds:N1} s — {result.Created:N0} created, {result.Updated:N0} updated, {result.Unchanged:N0} unchanged, "
                              + $"{result.Obsoleted:N0} obsolete; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024:N0} MB");
        }

        using var connection = database.Open();
        foreach (var (type, count, participants) in connection.Query<(string, long, double)>("""
                     SELECT s.type, COUNT(*), AVG((SELECT COUNT(*) FROM suggestion_organisations so WHERE so.suggestion_id = s.id AND so.role = 'participant'))
                     FROM suggestions s WHERE s.status <> 'obsolete' GROUP BY s.type ORDER BY s.type
                     """))
        {
            Console.WriteLine($"  {type}: {count:N0} (participants on average {participants:N1})");
        }

        return 0;
    }
}
