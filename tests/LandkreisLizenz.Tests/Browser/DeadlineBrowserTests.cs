using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class DeadlineBrowserTests : SharedBrowserTests<DeadlineBrowserTests>
{
    [TestMethod]
    public async Task Fristenkalender_SortAndOpenContract_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
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
