using Hangfire;
using Hangfire.Storage.Monitoring;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LandkreisLizenz.Tests.Web;

public static class JobProbe
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Runs = new();

    public static void Touch(string marker) => Runs.AddOrUpdate(marker, 1, (_, n) => n + 1);

    public static int RunsOf(string marker) => Runs.GetValueOrDefault(marker);
}

[TestClass]
public sealed class JobHostingTests
{
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task HangfireServer_OnSqliteStorage_RunsEnqueuedJob()
    {
        using var factory = new AppFactory(runJobServer: true);
        factory.CreateClient().Dispose();
        var marker = Guid.NewGuid().ToString("N");

        var jobId = factory.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => JobProbe.Touch(marker));
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        JobDetailsDto? details = null;
        for (var i = 0; i < 200 && JobProbe.RunsOf(marker) == 0; i++)
        {
            await Task.Delay(250);
        }

        details = monitoring.JobDetails(jobId);
        Assert.AreEqual(1, JobProbe.RunsOf(marker));
        Assert.IsTrue(File.Exists(Path.Combine(factory.DataFolder, "hangfire.db")), "Hangfire keeps its own SQLite file.");
        Assert.IsNotNull(details);
    }

    [TestMethod]
    public void RunServerFalse_NoHangfireServerHosted()
    {
        using var factory = new AppFactory(runJobServer: false);
        factory.CreateClient().Dispose();

        var hosted = factory.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        Assert.DoesNotContain("BackgroundJobServerHostedService", hosted);
        Assert.IsNotNull(factory.Services.GetRequiredService<JobStorage>());
    }
}
