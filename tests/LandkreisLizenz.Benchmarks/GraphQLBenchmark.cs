using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Hosting;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// A typical integration query (the applications of one county with product and hosting, 50 per page) through
/// /graphql, against a plain Kestrel endpoint in the same process that returns the same data as JSON through the same
/// Core calls, both under load from wrk with the same token. The ratio is GraphQL's own cost (parsing, validation,
/// complexity analysis, execution, loaders, serialisation).
/// </summary>
public static class GraphQLBenchmark
{
    private const string Url = "http://127.0.0.1:5099";
    private const string County = "05158";

    private const string Query = """
        query Register($ags: String!) {
          organisation(ags: $ags) {
            name
            applications(first: 50) {
              totalCount
              nodes { applicationKey name users protectionNeed product { name vendor } hosting { name operatorKind model dvsConformant } }
            }
          }
        }
        """;

    public static async Task<int> RunAsync(int seconds, int connections)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lkl-graphql-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var start = Stopwatch.StartNew();
        var app = LandkreisLizenzApp.Build([], builder =>
        {
            builder.WebHost.UseUrls(Url);
            builder.Configuration["Database:Provider"] = "Sqlite";
            builder.Configuration["Database:DataFolder"] = folder;
            builder.Configuration["Demo:Scale"] = "demo";
            builder.Configuration["Demo:SeedOnFirstStart"] = "true";
            builder.Configuration["Jobs:RunServer"] = "false";
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        app.MapGet("/plain/register", PlainRegister).RequireAuthorization(Policies.Authenticated);
        await app.StartAsync();
        Console.WriteLine($"demo estate ready after {start.Elapsed.TotalSeconds:0.0} s in {folder}");

        var database = app.Services.GetRequiredService<Database>();
        long userId, organisationId;
        using (var connection = database.Open())
        {
            userId = connection.ExecuteScalar<long>("SELECT id FROM users WHERE user_name = 'lm.mettmann'");
            organisationId = connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = @County", new { County });
        }

        var scope = await app.Services.GetRequiredService<ScopeService>().ForUserAsync(userId) ?? throw new InvalidOperationException("lm.mettmann");
        var token = (await app.Services.GetRequiredService<ApiTokenService>().CreateAsync(scope, "benchmark", "read", organisationId)).Token;
        var body = JsonSerializer.Serialize(new { query = Query, variables = new { ags = County } });

        // Same data: the plain answer equals GraphQL's data.organisation.
        using (var client = new HttpClient { BaseAddress = new Uri(Url) })
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var graph = JsonNode.Parse(await (await client.PostAsync("/graphql", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
            var plain = JsonNode.Parse(await client.GetStringAsync($"/plain/register?ags={County}"))!;
            var same = JsonNode.DeepEquals(graph["data"]!["organisation"], plain["organisation"]);
            Console.WriteLine($"same data from both endpoints: {same} ({graph["data"]!["organisation"]!["applications"]!["nodes"]!.AsArray().Count} applications per page)");
            if (!same)
            {
                Console.WriteLine(graph.ToJsonString());
                Console.WriteLine(plain.ToJsonString());
                return 1;
            }
        }

        var post = Path.Combine(folder, "post.lua");
        await File.WriteAllTextAsync(post, $"wrk.method = \"POST\"\nwrk.body = {LuaString(body)}\nwrk.headers[\"Content-Type\"] = \"application/json\"\n" + Report);
        var get = Path.Combine(folder, "get.lua");
        await File.WriteAllTextAsync(get, Report);

        Wrk(get, $"{Url}/plain/register?ags={County}", token, 5, connections); // warm-up
        Wrk(post, $"{Url}/graphql", token, 5, connections);
        var plainRuns = new List<(double Rps, double P50, double P95)>();
        var graphRuns = new List<(double Rps, double P50, double P95)>();
        for (var run = 0; run < 3; run++)
        {
            plainRuns.Add(Wrk(get, $"{Url}/plain/register?ags={County}", token, seconds, connections));
            graphRuns.Add(Wrk(post, $"{Url}/graphql", token, seconds, connections));
        }

        var p = Median(plainRuns);
        var g = Median(graphRuns);
        Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s, 3 alternating runs each, medians:");
        Console.WriteLine($"| endpoint | requests/s | p50 ms | p95 ms |");
        Console.WriteLine($"| plain Kestrel JSON | {p.Rps:0} | {p.P50:0.0} | {p.P95:0.0} |");
        Console.WriteLine($"| GraphQL | {g.Rps:0} | {g.P50:0.0} | {g.P95:0.0} |");
        Console.WriteLine($"throughput ratio GraphQL/plain: {g.Rps / p.Rps:0.00} (target >= 0.25); p95 ratio: {g.P95 / p.P95:0.00} (target <= 4)");

        // What tooling sends on load (graphql-js getIntrospectionQuery() with all options), and what a document of 40,000
        // fields costs before it is refused: sequential requests, after 5 of each to warm up.
        var introspection = JsonSerializer.Serialize(new { query = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "tests", "fixtures", "graphql", "introspection-query.graphql")) });
        var flood = JsonSerializer.Serialize(new { query = "{ viewer { " + string.Concat(Enumerable.Repeat("userName ", 40_000)) + "} }" });
        using (var client = new HttpClient { BaseAddress = new Uri(Url) })
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            client.DefaultRequestHeaders.Accept.ParseAdd("application/graphql-response+json");
            foreach (var (name, request, expected, count) in new[] { ("standard introspection query", introspection, 200, 50), ("40,000-field document (refused)", flood, 400, 20) })
            {
                var times = new List<double>();
                var bytes = 0L;
                for (var i = 0; i < count + 5; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var response = await client.PostAsync("/graphql", new StringContent(request, System.Text.Encoding.UTF8, "application/json"));
                    var answer = await response.Content.ReadAsByteArrayAsync();
                    watch.Stop();
                    if ((int)response.StatusCode != expected)
                    {
                        Console.WriteLine($"{name}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(answer)}");
                        return 1;
                    }

                    if (i >= 5)
                    {
                        times.Add(watch.Elapsed.TotalMilliseconds);
                        bytes = answer.Length;
                    }
                }

                times.Sort();
                Console.WriteLine($"{name}: {count} sequential requests, request {request.Length / 1024.0:N0} KB, answer {bytes / 1024.0:N0} KB: "
                    + $"p50 {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95)]:0.0} ms, max {times[^1]:0.0} ms");
            }
        }

        await app.StopAsync();
        return 0;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LandkreisLizenz.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("LandkreisLizenz.sln not found above " + AppContext.BaseDirectory);
    }

    private const string Report = """
        done = function(summary, latency, requests)
          local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
          io.write(string.format("RESULT %d %d %.3f %.3f %d\n", summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
        end
        """;

    private static string LuaString(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static (double Rps, double P50, double P95) Wrk(string script, string url, string token, int seconds, int connections)
    {
        var info = new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "-s", script, "-H", $"Authorization: Bearer {token}", url])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
        var requests = double.Parse(line[1], CultureInfo.InvariantCulture);
        var duration = double.Parse(line[2], CultureInfo.InvariantCulture) / 1_000_000;
        if (int.Parse(line[5], CultureInfo.InvariantCulture) > 0)
        {
            throw new InvalidOperationException($"wrk saw errors against {url}:\n{output}");
        }

        return (requests / duration, double.Parse(line[3], CultureInfo.InvariantCulture), double.Parse(line[4], CultureInfo.InvariantCulture));
    }

    private static (double Rps, double P50, double P95) Median(List<(double Rps, double P50, double P95)> runs) =>
        (runs.Select(r => r.Rps).Order().ElementAt(1), runs.Select(r => r.P50).Order().ElementAt(1), runs.Select(r => r.P95).Order().ElementAt(1));

    /// <summary>The same answer as the GraphQL query, from the same Core calls, serialised directly.</summary>
    private static async Task<IResult> PlainRegister(string ags, RegistryService registry, CallerScopeAccessor caller)
    {
        var scope = caller.Current;
        if (await registry.OrganisationByAgsAsync(scope, ags) is not { } organisation)
        {
            return Results.Json(new { organisation = (object?)null });
        }

        var (applications, totals) = await registry.ByParentAsync<ApplicationRow>(scope, RegistryEntities.Applications, ApplicationRow.Select, "organisation_id", [organisation.Id], 0, 50);
        var products = (await registry.ByIdsAsync<ProductRow>(scope, RegistryEntities.Products, ProductRow.Select, applications.Select(a => a.ProductId).Distinct().ToList())).ToDictionary(p => p.Id);
        var hostings = (await registry.ByIdsAsync<HostingRow>(scope, RegistryEntities.Hostings, HostingRow.Select, applications.Select(a => a.HostingId).Distinct().ToList())).ToDictionary(h => h.Id);
        return Results.Json(new
        {
            organisation = new
            {
                name = organisation.Name,
                applications = new
                {
                    totalCount = totals.GetValueOrDefault(organisation.Id),
                    nodes = applications.Select(a => new
                    {
                        applicationKey = a.ApplicationKey,
                        name = a.Name,
                        users = a.Users,
                        protectionNeed = a.ProtectionNeed,
                        product = products.TryGetValue(a.ProductId, out var p) ? new { name = p.Name, vendor = p.Vendor } : null,
                        hosting = hostings.TryGetValue(a.HostingId, out var h)
                            ? new { name = h.Name, operatorKind = h.OperatorKind, model = h.Model, dvsConformant = h.FailedDvsCriteria(a.Operation24x7).Count == 0 }
                            : null,
                    }),
                },
            },
        });
    }
}
