using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class DashboardBrowserTests : SharedBrowserTests<DashboardBrowserTests>
{
    [TestMethod]
    public async Task CioDashboard_EveryChartPaintedWithItsTable_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
        Assert.AreEqual("Dashboard: Mettmann", await page.Locator("h1").InnerTextAsync());
        var canvases = page.Locator("canvas[data-chart-source]");
        Assert.AreEqual(5, await canvases.CountAsync());
        var unpainted = await page.EvaluateAsync<string[]>("""
            () => new Promise(resolve => setTimeout(() => resolve(Array.from(document.querySelectorAll('canvas[data-chart-source]'))
                .filter(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return false; } return true; })
                .map(c => c.getAttribute('data-chart-source'))), 400))
            """);
        Assert.IsEmpty(unpainted, "blank charts: " + string.Join(", ", unpainted));
        foreach (var source in await canvases.EvaluateAllAsync<string[]>("cs => cs.map(c => c.getAttribute('data-chart-source'))"))
        {
            Assert.AreEqual(1, await page.Locator($"table#{source}").CountAsync(), $"chart {source} has its table");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "lkl-dashboard.png"), FullPage = true });
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }
}

[TestClass]
[TestCategory("Browser")]
public sealed class OverviewBrowserTests : SharedBrowserTests<OverviewBrowserTests>
{
    [TestMethod]
    public async Task VerbundAndOverview_ChartsPaintedTablesPresent_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "verbund");
        await page.GetByRole(AriaRole.Link, new() { Name = "Verbund", Exact = true }).ClickAsync();
        await page.GetByLabel("Landkreis", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Mettmann" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Vergleichen" }).ClickAsync();
        var blank = await page.EvaluateAsync<int>("""
            () => new Promise(resolve => setTimeout(() => resolve(Array.from(document.querySelectorAll('canvas[data-chart-source]'))
                .filter(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return false; } return true; }).length), 400))
            """);
        Assert.AreEqual(0, blank);
        Assert.AreEqual(2, await page.Locator("canvas[data-chart-source]").CountAsync());
        Assert.AreEqual(1, await page.Locator("table[data-benchmark]").CountAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);

        var manager = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(manager, "lm.mettmann");
        await manager.GetByRole(AriaRole.Link, new() { Name = "Übersicht" }).ClickAsync();
        Assert.AreEqual("Übersicht Lizenzmanagement", await manager.Locator("h1").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(manager);
        await manager.GetByRole(AriaRole.Link, new() { Name = "Schnittstellen" }).ClickAsync();
        await manager.GetByLabel("Name (wofür wird der Token genutzt?)").FillAsync("Fachverfahrensregister");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Token erstellen" }).ClickAsync();
        StringAssert.StartsWith(await manager.Locator("[data-new-token]").InnerTextAsync(), "lkl_");
        await BrowserSession.AssertNoAxeViolationsAsync(manager);
    }
}
