using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class ShellPageTests : SharedBrowserTests<ShellPageTests>
{
    [TestMethod]
    public async Task LoginPage_Chromium_RendersWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();

        var response = await page.GotoAsync("/anmelden");

        Assert.AreEqual(200, response!.Status);
        Assert.AreEqual("Anmelden", await page.Locator("h1").InnerTextAsync());
        Assert.AreEqual("de", await page.Locator("html").GetAttributeAsync("lang"));
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task AccessibilityStatement_FromLoginFooterAnonymous_RendersWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await page.GotoAsync("/anmelden");

        await page.GetByRole(AriaRole.Link, new() { Name = "Erklärung zur Barrierefreiheit" }).ClickAsync();

        Assert.AreEqual("Erklärung zur Barrierefreiheit", await page.Locator("h1").InnerTextAsync());
        var headings = await page.Locator("h2").AllInnerTextsAsync();
        CollectionAssert.IsSubsetOf(new[] { "Stand der Vereinbarkeit mit den Anforderungen", "Nicht barrierefreie Inhalte", "Erstellung dieser Erklärung", "Feedback und Kontakt", "Schlichtungsverfahren und Durchsetzung" },
            headings.ToList(), "the parts BITV 2.0 § 7 and the EU model statement require");
        StringAssert.StartsWith(await page.Locator("[data-accessibility-contact]").GetAttributeAsync("href"), "mailto:");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task JobDashboard_SignedInAdmin_RunsUnderTheContentSecurityPolicy()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Hintergrundjobs" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/jobs", StringComparison.Ordinal));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        StringAssert.Contains(await page.TitleAsync(), "Hintergrundjobs");
        BrowserSession.AssertNoBrowserErrors(page);
    }

    [TestMethod]
    public async Task AccountsPage_CioCreatesReader_InitialPasswordShownWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Konten" }).ClickAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Benutzername").FillAsync("leser.haan");
        await page.GetByLabel("Rolle", new() { Exact = true }).Last.SelectOptionAsync("reader");
        await page.GetByLabel("Organisation (AGS; leer").FillAsync("05158008");
        await page.GetByRole(AriaRole.Button, new() { Name = "Konto anlegen" }).ClickAsync();

        var status = await page.Locator("[role=status]").InnerTextAsync();
        StringAssert.Contains(status, "Erstes Passwort");
        StringAssert.Contains(await page.Locator("table").InnerTextAsync(), "leser.haan");
        await BrowserSession.AssertNoAxeViolationsAsync(page);

        // The newcomer uses the initial password once, to choose their own.
        var initial = status.Trim().Split(' ').Last();
        var newcomer = await Session.NewPageAsync();
        await newcomer.GotoAsync("/anmelden");
        await newcomer.GetByLabel("Benutzername").FillAsync("leser.haan");
        await newcomer.GetByLabel("Passwort").FillAsync(initial);
        await newcomer.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await newcomer.WaitForURLAsync("**/anmelden/passwort?benutzer=*");
        await BrowserSession.AssertNoAxeViolationsAsync(newcomer);
        await newcomer.GetByLabel("Erstes Passwort").FillAsync(initial);
        await newcomer.GetByLabel("Neues Passwort", new() { Exact = true }).FillAsync("Haan-eigenes-2026!");
        await newcomer.GetByLabel("Neues Passwort wiederholen").FillAsync("Haan-eigenes-2026!");
        await newcomer.GetByRole(AriaRole.Button, new() { Name = "Passwort festlegen und anmelden" }).ClickAsync();
        await newcomer.Locator("[data-scope]").WaitForAsync();
        StringAssert.Contains(await newcomer.Locator("[data-scope]").InnerTextAsync(), "Haan");
    }

    [TestMethod]
    public async Task StartPage_SignedInCio_ShowsCountsWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();

        await BrowserSession.SignInAsync(page, "cio.mettmann");

        Assert.AreEqual("Überblick", await page.Locator("h1").InnerTextAsync());
        Assert.AreEqual("1", await page.Locator("[data-kpi=counties]").InnerTextAsync());
        Assert.AreEqual("10", await page.Locator("[data-kpi=municipalities]").InnerTextAsync());
        Assert.AreEqual("Mettmann mit 10 kreisangehörigen Gemeinden", await page.Locator("[data-scope]").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "lkl-start.png"), FullPage = true });
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task RegistryPages_SignedInLicenseManager_ListDetailEditWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Register", Exact = true }).ClickAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "lkl-register.png") });
        await page.GetByRole(AriaRole.Link, new() { Name = "Mettmann", Exact = true }).ClickAsync();
        Assert.AreEqual("Mettmann", await page.Locator("h1").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        var applications = page.Locator("table", new() { Has = page.Locator("caption", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Anwendungen") }) });
        await applications.Locator("tbody a").First.ClickAsync();
        StringAssert.Contains(page.Url, "/register/anwendungen/");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Bearbeiten" }).ClickAsync();
        StringAssert.EndsWith(page.Url, "/bearbeiten");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "lkl-edit.png"), FullPage = true });
        await page.GetByLabel("Nutzer", new() { Exact = true }).FillAsync("viele");
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        Assert.AreEqual("keine ganze Zahl", await page.Locator("#f-users-error").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }
}
