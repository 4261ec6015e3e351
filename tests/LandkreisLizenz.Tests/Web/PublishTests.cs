using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

/// <summary>`dotnet publish` output run as a real process: the root wwwroot and the migrations travel with it.</summary>
[TestClass]
[TestCategory("Publish")]
public sealed class PublishTests
{
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task PublishedApp_FirstStart_ServesHealthCssAndChartJs()
    {
        var repository = Repository.Root();
        var output = TestDatabase.NewFolder();
        var dataFolder = TestDatabase.NewFolder();

        var publish = await RunAsync("dotnet", $"publish src/LandkreisLizenz.Web -c Release -o \"{output}\" -nodeReuse:false", repository, TimeSpan.FromMinutes(8));
        Assert.AreEqual(0, publish.ExitCode, publish.Output);
        Assert.IsTrue(File.Exists(Path.Combine(output, "wwwroot", "lib", "chart.js", "chart.umd.min.js")), "chart.js missing in publish output");
        Assert.IsTrue(File.Exists(Path.Combine(output, "db", "sqlite", "0001_schema.sql")), "migrations missing in publish output");

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"LandkreisLizenz.Web.dll --urls http://127.0.0.1:{port}")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Database__DataFolder"] = dataFolder;
        start.Environment["Demo__Scale"] = "test";
        start.Environment["Jobs__RunServer"] = "false";
        using var app = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        app.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        app.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitForHealthAsync(client, app, TimeSpan.FromSeconds(120));
            Assert.AreEqual(HttpStatusCode.OK, health, string.Join("\n", log));

            var css = await client.GetAsync("/css/site.css");
            var chart = await client.GetAsync("/lib/chart.js/chart.umd.min.js");

            Assert.AreEqual(HttpStatusCode.OK, css.StatusCode);
            Assert.AreEqual(HttpStatusCode.OK, chart.StatusCode);
            StringAssert.Contains(await chart.Content.ReadAsStringAsync(), "Chart");
            Assert.Contains(line => line.Contains("cio.mettmann", StringComparison.Ordinal), log, "First start prints the demo accounts.");
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    private static async Task<HttpStatusCode?> WaitForHealthAsync(HttpClient client, Process app, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !app.HasExited)
        {
            try
            {
                var response = await client.GetAsync("/health");
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(250);
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
