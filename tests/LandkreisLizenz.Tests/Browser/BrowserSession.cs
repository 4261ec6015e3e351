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
        var refused = CspViolations.GetOrCreateValue(page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (refused)
                {
                    refused.Add(message.Text);
                }
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

    // What the browser refused under the Content-Security-Policy, per page.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> CspViolations = new();

    /// <summary>
    /// Runs axe-core for WCAG 2.1 A and AA and fails with a readable list of every violation; fails too when the
    /// browser refused anything under the Content-Security-Policy on this page so far.
    /// </summary>
    public static async Task AssertNoAxeViolationsAsync(IPage page)
    {
        AssertNoCspViolations(page);

        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = results.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))})").ToList();
        Assert.IsEmpty(violations, $"axe on {page.Url}:\n" + string.Join("\n", violations));
        Assert.IsNotEmpty(results.Passes, "axe ran no checks at all.");
    }

    /// <summary>Fails when the browser refused anything under the Content-Security-Policy on this page so far.</summary>
    public static void AssertNoCspViolations(IPage page)
    {
        if (CspViolations.TryGetValue(page, out var refused))
        {
            lock (refused)
            {
                Assert.IsEmpty(refused, $"Content-Security-Policy refused on {page.Url}:\n" + string.Join("\n", refused));
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
