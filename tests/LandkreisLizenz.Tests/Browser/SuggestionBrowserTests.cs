using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class SuggestionBrowserTests : SharedBrowserTests<SuggestionBrowserTests>
{
    [TestMethod]
    public async Task Empfehlungen_ListDetailAndDecisionRoundTrip_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Empfehlungen", Exact = true }).ClickAsync();
        Assert.AreEqual("Empfehlungen", await page.Locator("h1").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Art").SelectOptionAsync("redundant_applications");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anwenden" }).ClickAsync();
        await page.Locator("table tbody a").First.ClickAsync();
        StringAssert.Contains(await page.Locator(".rationale").InnerTextAsync(), "Vorschlag: auf");
        await BrowserSession.AssertNoAxeViolationsAsync(page);

        await page.GetByLabel("abgelehnt").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Entscheidung speichern" }).ClickAsync();
        StringAssert.Contains(await page.Locator(".error-summary").InnerTextAsync(), "Begründung");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Begründung (bei Ablehnung erforderlich)").FillAsync("Beide Systeme werden 2027 durch die E-Akte des Landes abgelöst.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Entscheidung speichern" }).ClickAsync();

        Assert.AreEqual("abgelehnt", await page.Locator("[data-suggestion-status]").InnerTextAsync());
        StringAssert.Contains(await page.Locator("table").Last.InnerTextAsync(), "Beide Systeme werden 2027");
        StringAssert.Contains(await page.Locator("table").Last.InnerTextAsync(), "cio.mettmann");
    }
}
