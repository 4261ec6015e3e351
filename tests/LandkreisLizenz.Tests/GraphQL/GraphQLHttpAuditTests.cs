using System.Diagnostics;
using System.Text.Json;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.GraphQL;

/// <summary>
/// The official GraphQL-over-HTTP audit suite (npm <c>graphql-http</c> 1.23.1, pinned in tests/graphql-audit) against the
/// real app on Kestrel, with a read token as an integrator has it: every MUST and SHOULD audit passes.
/// </summary>
[TestClass]
public sealed class GraphQLHttpAuditTests
{
    private static string AuditFolder => Path.Combine(Repository.Root(), "tests", "graphql-audit");

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string file, string arguments, string folder)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    [TestMethod]
    public async Task ServerAudits_ReadToken_EveryMustAndShouldPasses()
    {
        if (!Directory.Exists(Path.Combine(AuditFolder, "node_modules", "graphql-http")))
        {
            // The lock file pins the suite; CI installs it in .ci/run, a fresh clone here.
            var install = await RunAsync("npm", "ci --no-audit --no-fund", AuditFolder);
            Assert.AreEqual(0, install.Exit, "npm ci in tests/graphql-audit failed: " + install.Errors);
        }

        using var factory = new AppFactory();
        var address = factory.StartOnKestrel();
        var token = await GraphQLClient.TokenAsync(factory, "lm.mettmann", "read", "05158");

        var (exit, output, errors) = await RunAsync("node", $"audit.mjs {address}/graphql {token}", AuditFolder);

        Assert.AreEqual(0, exit, errors);
        var results = JsonDocument.Parse(output).RootElement.EnumerateArray()
            .Select(r => (Name: r.GetProperty("name").GetString()!, Status: r.GetProperty("status").GetString()!, Reason: r.GetProperty("reason").ToString()))
            .ToList();
        Console.WriteLine($"graphql-http serverAudits: {results.Count(r => r.Status == "ok")} of {results.Count} ok");
        foreach (var result in results.Where(r => r.Status != "ok"))
        {
            Console.WriteLine($"  {result.Status}: {result.Name} – {result.Reason}");
        }

        Assert.IsGreaterThan(50, results.Count, "the suite ran");
        var failed = results.Where(r => r.Status != "ok" && (r.Name.StartsWith("MUST", StringComparison.Ordinal) || r.Name.StartsWith("SHOULD", StringComparison.Ordinal))).ToList();
        Assert.IsEmpty(failed, string.Join("\n", failed.Select(f => $"{f.Name}: {f.Reason}")));
    }
}
