using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using LandkreisLizenz.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// How long the embedded default (Hangfire on SQLite) takes from enqueueing a job — what "Jetzt abgleichen" does — to
/// the job starting, with the app's own job server and storage options.
/// </summary>
internal static class JobPickupBenchmark
{
    private static readonly ConcurrentQueue<double> Delays = new();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    // Public and static: Hangfire calls it by name from its storage.
    public static class Probe
    {
        public static void Mark(long enqueuedAtTicks) => Delays.Enqueue(TimeSpan.FromTicks(Clock.Elapsed.Ticks - enqueuedAtTicks).TotalMilliseconds);
    }

    public static async Task<int> RunAsync(int samples)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lkl-jobs-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var app = LandkreisLizenzApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5097");
            builder.Configuration["Database:Provider"] = "Sqlite";
            builder.Configuration["Database:DataFolder"] = folder;
            builder.Configuration["Demo:Scale"] = "test";
            builder.Configuration["Jobs:RunServer"] = "true";
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        await Task.Delay(3000); // the server's workers are up and the start-up jobs are done

        for (var i = 0; i < samples; i++)
        {
            var before = Delays.Count;
            var ticks = Clock.Elapsed.Ticks;
            jobs.Enqueue(() => Probe.Mark(ticks));
            while (Delays.Count == before)
            {
                await Task.Delay(5);
            }

            // Enqueue at a random moment of the poll cycle, as a person clicking would.
            await Task.Delay(Random.Shared.Next(100, 900));
        }

        var sorted = Delays.Order().ToList();
        Console.WriteLine($"job pickup on SQLite, poll interval {JobsOptions.SqliteQueuePollInterval.TotalMilliseconds:N0} ms, {sorted.Count} jobs: "
                          + $"median {sorted[sorted.Count / 2]:N0} ms, p95 {sorted[(int)(sorted.Count * 0.95)]:N0} ms, max {sorted[^1]:N0} ms");
        await app.StopAsync();
        return 0;
    }
}
