using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class ImportPageBrowserTests : SharedBrowserTests<ImportPageBrowserTests>
{
    [TestMethod]
    public async Task ImportFlow_LicenseManager_UploadPreviewCommitAndFindRowInList()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true }).ClickAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Inhalt der Datei").SelectOptionAsync("organisations");
        await page.GetByLabel("Datei (CSV oder XLSX)").SetInputFilesAsync(Repository.ImportSample("organisations"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Hochladen und prüfen" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/import/", StringComparison.Ordinal));
        Assert.AreEqual("1", await page.Locator("[data-count=insert]").InnerTextAsync());
        Assert.AreEqual("1", await page.Locator("[data-count=update]").InnerTextAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Jetzt übernehmen" }).ClickAsync();
        await page.GetByText("Die Daten sind im Register.").WaitForAsync();

        await page.GotoAsync("/register/organisationen?suche=Musterstadt");
        Assert.AreEqual("Musterstadt (Beispiel)", await page.Locator("table tbody a").First.InnerTextAsync());
    }

    /// <summary>
    /// Spec §7 as a license manager meets it: an Excel contract register with German headers is mapped once (suggested
    /// from the header), saved as a profile, and the next workbook with that header is read without asking.
    /// </summary>
    [TestMethod]
    public async Task MappingPage_GermanXlsxRegister_MappedOnceSavedAsProfileNextFileWithoutAsking()
    {
        var folder = TestDatabase.NewFolder();
        string Register(string name, params (string Key, string Title)[] contracts)
        {
            var path = Path.Combine(folder, name);
            MiniExcelLibs.MiniExcel.SaveAs(path, contracts.Select(c => new Dictionary<string, object>
            {
                ["Vertragsnummer"] = c.Key, ["Vertragspartner"] = "Muster Software GmbH", ["Bezeichnung"] = c.Title, ["Vertragsart"] = "EVB-IT Pflege S",
                ["Vertragsbeginn"] = new DateTime(2024, 1, 1), ["Kündigungsfrist (Monate)"] = 3, ["Jahreskosten"] = 5700.5, ["Bemerkung"] = "intern",
            }).ToList());
            return path;
        }

        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");
        await page.GotoAsync("/import");
        await page.GetByLabel("Datei (CSV oder XLSX)").SetInputFilesAsync(Register("vertragsregister.xlsx", ("V-XLSX-1", "Pflege Kfz"), ("V-XLSX-2", "Pflege Gewerbe")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Hochladen und prüfen" }).ClickAsync();

        await page.WaitForURLAsync(url => url.EndsWith("/zuordnung", StringComparison.Ordinal));
        Assert.AreEqual("contract_key", await page.GetByLabel("Feld für die Spalte „vertragsnummer“").InputValueAsync());
        Assert.AreEqual("vendor", await page.GetByLabel("Feld für die Spalte „vertragspartner“").InputValueAsync());
        Assert.AreEqual("notice_period_months", await page.GetByLabel("Feld für die Spalte „kündigungsfrist (monate)“").InputValueAsync());
        Assert.AreEqual("", await page.GetByLabel("Feld für die Spalte „bemerkung“").InputValueAsync(), "a column without a likely field is not read");
        Assert.AreEqual("05158", await page.GetByLabel("AGS / Schlüssel der Organisation (ags), Pflicht").InputValueAsync());
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Als Profil speichern unter").FillAsync("Vertragsregister Excel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Zuordnen und prüfen" }).ClickAsync();

        await page.WaitForURLAsync(url => !url.EndsWith("/zuordnung", StringComparison.Ordinal));
        Assert.AreEqual("2", await page.Locator("[data-count=insert]").InnerTextAsync(), await page.Locator("main").InnerTextAsync());
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "„Vertragsregister Excel“ (Version 1)");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Jetzt übernehmen" }).ClickAsync();
        await page.GetByText("Die Daten sind im Register.").WaitForAsync();

        await page.GotoAsync("/import");
        await page.GetByLabel("Datei (CSV oder XLSX)").SetInputFilesAsync(Register("vertragsregister-2.xlsx", ("V-XLSX-2", "Pflege Gewerbe"), ("V-XLSX-3", "Pflege Sozial")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Hochladen und prüfen" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/import/", StringComparison.Ordinal));
        Assert.IsFalse(page.Url.EndsWith("/zuordnung", StringComparison.Ordinal), "the second file asked for a mapping again");
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "„Vertragsregister Excel“ (Version 1)");
        Assert.AreEqual("1", await page.Locator("[data-count=insert]").InnerTextAsync());
        Assert.AreEqual("1", await page.Locator("[data-count=unchanged]").InnerTextAsync());
    }

    [TestMethod]
    public async Task ImportFlow_BadFile_ShowsErrorsWithoutAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");
        var file = Path.Combine(TestDatabase.NewFolder(), "fehler.csv");
        await File.WriteAllTextAsync(file, "ags;contract_key;vendor;title;evb_it_type;start_date\n16063;V-1;A;B;other;2025-01-01\n");

        await page.GotoAsync("/import");
        await page.GetByLabel("Inhalt der Datei").SelectOptionAsync("contracts");
        await page.GetByLabel("Datei (CSV oder XLSX)").SetInputFilesAsync(file);
        await page.GetByRole(AriaRole.Button, new() { Name = "Hochladen und prüfen" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/import/", StringComparison.Ordinal));
        StringAssert.Contains(await page.Locator("table caption").InnerTextAsync(), "1 Fehler");
        StringAssert.Contains(await page.Locator("table tbody").InnerTextAsync(), "keine Schreibberechtigung");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task UnrecognisedSoftware_ListAndMapForm_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "Nicht erkannte Software" }).ClickAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.Locator("table tbody a").First.ClickAsync();
        StringAssert.Contains(await page.Locator("h1").InnerTextAsync(), "zuordnen");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task RecognitionRule_LocalPreviewSaveThenAdminPromotesAfterPreview_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "lm.mettmann");
        await page.GotoAsync("/inventar/nicht-erkannt?suche=TeamViewer");
        await page.Locator("table tbody a").First.ClickAsync();
        await page.GetByLabel("Produkt aus dem Katalog").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorschau: was die Regel zuordnet" }).ClickAsync();

        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "(lokale Regel)");
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "Mettmann");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Regel anlegen und zuordnen" }).ClickAsync();
        StringAssert.Contains(await page.Locator("[role=status]").InnerTextAsync(), "Regel angelegt");
        await page.GetByRole(AriaRole.Link, new() { Name = "Erkennungsregeln" }).ClickAsync();
        StringAssert.Contains(await page.Locator("table tbody").InnerTextAsync(), "(lokal)");
        await BrowserSession.AssertNoAxeViolationsAsync(page);

        var admin = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(admin, "admin");
        await admin.GotoAsync("/inventar/regeln?suche=TeamViewer");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Für alle übernehmen" }).First.ClickAsync();
        StringAssert.Contains(await admin.Locator("h1").InnerTextAsync(), "für alle übernehmen");
        await BrowserSession.AssertNoAxeViolationsAsync(admin);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Für alle übernehmen" }).ClickAsync();
        StringAssert.Contains(await admin.Locator("[role=status]").InnerTextAsync(), "gilt jetzt für alle");
        StringAssert.Contains(await admin.Locator("table tbody").InnerTextAsync(), "alle (global)");
    }
}
