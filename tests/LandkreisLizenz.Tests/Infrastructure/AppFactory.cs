using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// The real web app over its own fresh SQLite folder; on start it migrates and writes the test-scale estate,
/// exactly as the first start of the product does.
/// </summary>
public sealed partial class AppFactory : WebApplicationFactory<Program>
{
    private readonly bool _runJobServer;

    /// <summary>Starts the app on Kestrel at a free loopback port, for clients outside the process (Chromium, Node.js); its base URL.</summary>
    public string StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        return Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    private readonly Dictionary<string, string> _settings;

    private readonly bool _ownsFolder;

    /// <param name="sharedDataFolder">Another instance's data folder: a second node on the same database (that instance cleans up).</param>
    public AppFactory(bool runJobServer = false, Dictionary<string, string>? settings = null, string? sharedDataFolder = null)
    {
        _runJobServer = runJobServer;
        _settings = settings ?? [];
        _ownsFolder = sharedDataFolder is null;
        DataFolder = sharedDataFolder ?? TestDatabase.NewFolder();
        if (SqlServer.Configured && !_settings.ContainsKey("Database:Provider") && _ownsFolder)
        {
            // LKL_TEST_SQLSERVER: every web integration test runs on its own fresh SQL Server database instead of SQLite.
            _sqlServerDatabase = SqlServer.CreateDatabase();
            _settings["Database:Provider"] = "SqlServer";
            _settings["Database:ConnectionString"] = SqlServer.ConnectionString(_sqlServerDatabase);
            _settings["Database:MigrateOnStartup"] = "true";
            _settings["Demo:SeedSqlServer"] = "true";
        }
    }

    private readonly string? _sqlServerDatabase;

    public string DataFolder { get; }

    /// <summary>The settings this instance runs with (a second node on the same database takes them over).</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>The app's database: the SQLite file in the data folder, or the SQL Server the settings name.</summary>
    public LandkreisLizenz.Core.Data.Database Database =>
        _settings.GetValueOrDefault("Database:Provider") == "SqlServer"
            ? LandkreisLizenz.Core.Data.Database.FromOptions(new LandkreisLizenz.Core.Data.DatabaseOptions
            {
                Provider = LandkreisLizenz.Core.Data.DatabaseProvider.SqlServer,
                ConnectionString = _settings["Database:ConnectionString"],
            }, DataFolder)
            : LandkreisLizenz.Core.Data.Database.ForSqliteFile(Path.Combine(DataFolder, "landkreislizenz.db"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:DataFolder", DataFolder);
        builder.UseSetting("Demo:Scale", "test");
        builder.UseSetting("Demo:SeedOnFirstStart", "true");
        builder.UseSetting("Jobs:RunServer", _runJobServer ? "true" : "false");
        // Tests sign in far more often than people; the login rate limit has its own test with its own setting.
        builder.UseSetting("Security:LoginAttemptsPerMinute", "10000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateBrowserClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real login form (with its antiforgery token).</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string userName, string password)
    {
        var token = await TokenFromAsync(client, "/anmelden");
        return await client.PostAsync("/anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    public static async Task<HttpClient> SignedInClientAsync(AppFactory factory, string userName)
    {
        var client = factory.CreateBrowserClient();
        var response = await LoginAsync(client, userName, LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DemoPassword);
        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode, $"Login of {userName} failed.");
        return client;
    }

    /// <summary>The antiforgery token of the first form on a page.</summary>
    public static async Task<string> TokenFromAsync(HttpClient client, string pageUrl) => AntiforgeryTokenIn(await client.GetStringAsync(pageUrl));

    /// <summary>The antiforgery token of the first form in a page's HTML.</summary>
    public static string AntiforgeryTokenIn(string html) => AntiforgeryToken().Match(html).Groups[1].Value;

    /// <summary>Every MVC action of the running app with each HTTP method it answers (from the route table).</summary>
    public List<(Microsoft.AspNetCore.Routing.RouteEndpoint Endpoint, string Method)> ControllerRoutes() =>
        Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Controllers.ControllerActionDescriptor>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"]).Select(m => (e, m)))
            .ToList();

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, string action, Dictionary<string, string>? fields = null)
    {
        var form = new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = await TokenFromAsync(client, pageUrl) };
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string format, string fileName, byte[] content)
    {
        var token = await TokenFromAsync(client, "/import");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(format), "format" },
            { new ByteArrayContent(content), "file", fileName },
        };
        return await client.PostAsync("/import", form);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _sqlServerDatabase is not null)
        {
            SqlServer.DropDatabase(_sqlServerDatabase);
        }

        if (disposing && _ownsFolder)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
