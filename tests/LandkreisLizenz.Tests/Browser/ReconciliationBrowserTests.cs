using Dapper;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class ReconciliationBrowserTests : SharedBrowserTests<ReconciliationBrowserTests>
{
    [TestMethod]
    public async Task BalanceAndPositionDetail_TrendChartPaintedWithTable_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");
        // A second run, so the trend has two points.
        var mettmann = Scopes.OrganisationId(Session.Factory.Database, "05158");
        await Session.Factory.Services.GetRequiredService<LandkreisLizenz.Core.Reconciliation.ReconciliationService>()
            .RunNow(LandkreisLizenz.Core.Security.CallerScope.System("test"), [mettmann], "manual");

        await page.GetByRole(AriaRole.Link, new() { Name = "Lizenzabgleich" }).ClickAsync();
        StringAssert.StartsWith(await page.Locator("h1").InnerTextAsync(), "Lizenzbilanz: Mettmann");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Status").SelectOptionAsync("surplus");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anwenden" }).ClickAsync();
        await page.Locator("table tbody a").First.ClickAsync();

        await page.Locator("#trend-chart").WaitForAsync();
        var painted = await page.EvaluateAsync<bool>("""
            () => new Promise(resolve => setTimeout(() => {
                const c = document.getElementById('trend-chart');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) { resolve(true); return; } }
                resolve(false);
            }, 300))
            """);
        Assert.IsTrue(painted, "The trend chart canvas is blank.");
        Assert.AreEqual(2, await page.Locator("#trend-table tbody tr").CountAsync());
        Assert.AreEqual("Überdeckung", await page.Locator(".lead .status").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "lkl-position.png"), FullPage = true });
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }
}
