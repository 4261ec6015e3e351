using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class DeadlineBrowserTests
{
    private static BrowserSession _session = null!;

    [ClassInitialize]
    public static async Task Start(TestContext context) => _session = await BrowserSession.StartAsync();

    [ClassCleanup]
    public static async Task Stop() => await _session.DisposeAsync();

    [TestMethod]
    public async Task Fristenkalender_SortAndOpenContract_NoAxeViolations()
    {
        var page = await _session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Fristenkalender" }).ClickAsync();
        Assert.AreEqual("Fristenkalender", await page.Locator("h1").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Jahreskosten" }).ClickAsync();
        StringAssert.EndsWith(page.Url, "sort=cost");
        await page.Locator("table tbody a").First.ClickAsync();
        await page.Locator("[data-notice-deadline]").WaitForAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }
}
