using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

/// <summary>
/// The real app on Kestrel (loopback, free port) and Debian's Chromium driven by Playwright.
/// CI installs Chromium (<c>apt-get install chromium</c>); set CHROMIUM_PATH to use another binary.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private BrowserSession(AppFactory factory, IPlaywright playwright, IBrowser browser, string baseUrl)
    {
        Factory = factory;
        Playwright = playwright;
        Browser = browser;
        BaseUrl = baseUrl;
    }

    public AppFactory Factory { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    public string BaseUrl { get; }

    public static async Task<BrowserSession> StartAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Fail($"Chromium not found at {chromium}. Install it with 'apt-get install -y chromium' (CI does this in .ci/run).");
        }

        var factory = new AppFactory();
        var address = factory.StartOnKestrel();
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Args = ChromiumArgs, Headless = true });
        return new BrowserSession(factory, playwright, browser, address);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE", BaseURL = BaseUrl });
        var page = await context.NewPageAsync();
        var problems = BrowserProblems.GetOrCreateValue(page);
        void Record(string problem)
        {
            lock (problems)
            {
                problems.Add(problem);
            }
        }

        // Every console error (CSP refusals, script errors) and every sub-resource the server refused (a stylesheet,
        // script or icon that 404s); a page answered 4xx on purpose (error pages) is the document, not counted.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Record(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && response.Request.ResourceType != "document")
            {
                Record($"{response.Status} {response.Request.ResourceType} {response.Url}");
            }
        };
        return page;
    }

    public static async Task SignInAsync(IPage page, string userName)
    {
        await page.GotoAsync("/anmelden");
        await page.GetByLabel("Benutzername").FillAsync(userName);
        await page.GetByLabel("Passwort").FillAsync(LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
    }

    // What went wrong in the browser, per page: console errors and refused sub-resources.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> BrowserProblems = new();

    /// <summary>
    /// Runs axe-core for WCAG 2.1 A and AA and fails with a readable list of every violation; fails too when the
    /// browser reported an error on this page so far (a Content-Security-Policy refusal, a script error, a 404 of a resource).
    /// </summary>
    public static async Task AssertNoAxeViolationsAsync(IPage page)
    {
        AssertNoBrowserErrors(page);

        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = results.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))})").ToList();
        Assert.IsEmpty(violations, $"axe on {page.Url}:\n" + string.Join("\n", violations));
        Assert.IsNotEmpty(results.Passes, "axe ran no checks at all.");
    }

    /// <summary>Fails when the browser reported an error on this page so far: console errors (CSP refusals included) and refused sub-resources.</summary>
    public static void AssertNoBrowserErrors(IPage page)
    {
        if (BrowserProblems.TryGetValue(page, out var problems))
        {
            lock (problems)
            {
                Assert.IsEmpty(problems, $"Browser errors on {page.Url}:\n" + string.Join("\n", problems));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Factory.DisposeAsync();
    }
}
