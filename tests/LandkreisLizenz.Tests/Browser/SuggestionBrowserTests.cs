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

    [TestMethod]
    public async Task Cluster_CioJoinsFromTheTopOfThePage_OwnDecisionShownNoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");
        await page.GotoAsync("/empfehlungen?reichweite=gemeinsam&typ=shared_operation");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.Locator("table tbody a").First.ClickAsync();

        // The decision comes before the figures and the rationale, not below them.
        var decision = await page.Locator("#decision-heading").BoundingBoxAsync();
        var rationale = await page.GetByRole(AriaRole.Heading, new() { Name = "Begründung" }).BoundingBoxAsync();
        Assert.IsLessThan(rationale!.Y, decision!.Y, "the decision panel is not at the top");
        Assert.IsLessThan(900f, decision.Y, "the decision panel is below the first screen");
        await BrowserSession.AssertNoAxeViolationsAsync(page);

        var form = page.Locator(".decision-panel form").First;
        await form.GetByLabel("abgelehnt").CheckAsync();
        await form.GetByRole(AriaRole.Button).ClickAsync();
        StringAssert.Contains(await page.Locator("#decision-error").InnerTextAsync(), "Begründung");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        form = page.Locator(".decision-panel form").First;
        await form.GetByLabel("beigetreten").CheckAsync();
        await form.GetByRole(AriaRole.Button).ClickAsync();

        StringAssert.Contains(await page.Locator("[role=status]").InnerTextAsync(), "gespeichert");
        Assert.AreEqual("beigetreten", await page.Locator(".decision-panel [data-decision]").First.InnerTextAsync());
        Assert.AreEqual("in Bildung", await page.Locator("[data-cluster-status]").InnerTextAsync());
    }

    [TestMethod]
    public async Task Cluster_AllocationTableByKeyAndXlsxExport_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");
        await page.GotoAsync("/empfehlungen?reichweite=gemeinsam&typ=shared_operation");
        await page.Locator("table tbody a").First.ClickAsync();

        var table = page.Locator("table[data-allocation]");
        StringAssert.Contains(await table.Locator("caption").InnerTextAsync(), "nach Nutzern");
        var byUsers = await table.Locator("tbody").InnerTextAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Verteilungsschlüssel", new() { Exact = true }).SelectOptionAsync("gleich");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verteilen" }).ClickAsync();

        StringAssert.Contains(await table.Locator("caption").InnerTextAsync(), "zu gleichen Teilen");
        Assert.AreNotEqual(byUsers, await table.Locator("tbody").InnerTextAsync(), "the key changed nothing");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        var href = await page.GetByRole(AriaRole.Link, new() { Name = "Kostenverteilung als Excel (XLSX)" }).GetAttributeAsync("href");
        var export = await page.Context.APIRequest.GetAsync(href!);
        Assert.AreEqual(200, export.Status);
        Assert.AreEqual("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.Headers["content-type"]);
        Assert.IsGreaterThan(1000, (await export.BodyAsync()).Length);
    }

    [TestMethod]
    public async Task Measures_AcceptedSuggestionBecomesAMeasureTheCioKeeps_NoAxeViolations()
    {
        var page = await Session.NewPageAsync();
        await BrowserSession.SignInAsync(page, "cio.mettmann");
        await page.GotoAsync("/empfehlungen?typ=right_size");
        await page.Locator("table tbody a").First.ClickAsync();
        var title = await page.Locator("h1").InnerTextAsync();
        await page.GetByLabel("angenommen").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Entscheidung speichern" }).ClickAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Maßnahmen", Exact = true }).ClickAsync();
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = title }).First.ClickAsync();
        await page.GetByLabel("Fällig am (TT.MM.JJJJ)").FillAsync("31.02.2027");
        await page.GetByRole(AriaRole.Button, new() { Name = "Maßnahme speichern" }).ClickAsync();
        StringAssert.Contains(await page.Locator(".error-summary").InnerTextAsync(), "TT.MM.JJJJ");
        await BrowserSession.AssertNoAxeViolationsAsync(page);
        await page.GetByLabel("Fällig am (TT.MM.JJJJ)").FillAsync("31.03.2027");
        await page.GetByLabel("Verantwortlich").FillAsync("Herr Muster");
        await page.GetByRole(AriaRole.Button, new() { Name = "Maßnahme speichern" }).ClickAsync();

        StringAssert.Contains(await page.Locator("[role=status]").InnerTextAsync(), "gespeichert");
        StringAssert.Contains(await page.Locator("table tbody").InnerTextAsync(), "Herr Muster");
        StringAssert.Contains(await page.Locator("table tbody").InnerTextAsync(), "31.03.2027");
    }
}
