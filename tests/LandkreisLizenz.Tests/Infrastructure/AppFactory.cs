using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// The real web app over its own fresh SQLite folder; on start it migrates and writes the test-scale estate,
/// exactly as the first start of the product does.
/// </summary>
public sealed partial class AppFactory : WebApplicationFactory<Program>
{
    private readonly bool _runJobServer;

    public AppFactory(bool runJobServer = false)
    {
        _runJobServer = runJobServer;
        DataFolder = TestDatabase.NewFolder();
    }

    public string DataFolder { get; }

    public LandkreisLizenz.Core.Data.Database Database =>
        LandkreisLizenz.Core.Data.Database.ForSqliteFile(Path.Combine(DataFolder, "landkreislizenz.db"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:DataFolder", DataFolder);
        builder.UseSetting("Demo:Scale", "test");
        builder.UseSetting("Demo:SeedOnFirstStart", "true");
        builder.UseSetting("Jobs:RunServer", _runJobServer ? "true" : "false");
    }

    public HttpClient CreateBrowserClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real login form (with its antiforgery token).</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string userName, string password)
    {
        var form = await client.GetStringAsync("/anmelden");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
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

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
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
