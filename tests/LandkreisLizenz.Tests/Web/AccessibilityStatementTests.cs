using System.Net;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed class AccessibilityStatementTests
{
    [TestMethod]
    public async Task Statement_ContactFromConfiguration_PublicAndLinkedFromEveryPage()
    {
        using var factory = new AppFactory(settings: new()
        {
            ["Accessibility:Operator"] = "Kreis Mettmann, Amt für Digitalisierung",
            ["Accessibility:ContactEmail"] = "barrierefreiheit@kreis-mettmann.de",
            ["Accessibility:ContactPhone"] = "02104 99-0",
        });
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var statement = await anonymous.GetAsync("/barrierefreiheit");
        var html = await statement.Content.ReadAsStringAsync();
        var login = await anonymous.GetStringAsync("/anmelden");
        using var signedIn = await AppFactory.SignedInClientAsync(factory, "leser.wartburgkreis");
        var start = await signedIn.GetStringAsync("/");

        Assert.AreEqual(HttpStatusCode.OK, statement.StatusCode, "reachable without signing in");
        StringAssert.Contains(html, "Kreis Mettmann, Amt für Digitalisierung");
        StringAssert.Contains(html, "mailto:barrierefreiheit@kreis-mettmann.de");
        StringAssert.Contains(html, "tel:0210499-0");
        StringAssert.Contains(html, "BITV 2.0");
        StringAssert.Contains(html, "https://www.schlichtungsstelle-bgg.de");
        foreach (var page in new[] { login, start })
        {
            StringAssert.Contains(page, "href=\"/barrierefreiheit\"");
            StringAssert.Contains(page, "mailto:barrierefreiheit@kreis-mettmann.de", "a way to report a barrier from every page");
        }
    }
}
