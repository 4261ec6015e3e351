using System.Net;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed class DeadlinePageTests : SharedAppTests<DeadlinePageTests>
{
    [TestMethod]
    public async Task Fristenkalender_Cio_ListsDeadlinesAndOffersIcs()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var html = await client.GetStringAsync("/fristen?sort=cost");
        var ics = await client.GetAsync("/fristen/kuendigungsfristen.ics");
        var body = await ics.Content.ReadAsStringAsync();

        StringAssert.Contains(html, "Fristen bis");
        StringAssert.Contains(html, "/register/vertraege/");
        Assert.AreEqual("text/calendar", ics.Content.Headers.ContentType?.MediaType);
        StringAssert.StartsWith(body, "BEGIN:VCALENDAR");
        Assert.AreEqual(html.Split("<tr>").Length - 2, body.Split("BEGIN:VEVENT").Length - 1, "one event per listed deadline");
        var links = System.Text.RegularExpressions.Regex.Matches(body.Replace("\r\n ", "", StringComparison.Ordinal), "URL:(http://[^/]+)/register/vertraege/(\\d+)\r\n");
        Assert.AreEqual(body.Split("BEGIN:VEVENT").Length - 1, links.Count, "every event links to its contract");
        var contract = await client.GetAsync(new Uri(links[0].Value[4..].Trim()).PathAndQuery);
        Assert.AreEqual(System.Net.HttpStatusCode.OK, contract.StatusCode, "the link leads to the contract's page");
        Assert.AreEqual(2 * links.Count, body.Split("BEGIN:VALARM").Length - 1, "two alarms per deadline");
    }

    [TestMethod]
    public async Task ContractDetail_RenewingContract_ShowsTermEndAndNextNoticeDeadline()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        using var connection = Factory.Database.Open();
        var id = connection.ExecuteScalar<long>("""
            SELECT MIN(k.id) FROM contracts k JOIN organisations o ON o.id = k.organisation_id
            WHERE o.ags = '05158' AND k.evb_it_type = 'pflege_s' AND k.end_date IS NULL AND k.initial_term_months = 12 AND k.renewal_term_months = 12
            """);

        var html = await client.GetStringAsync($"/register/vertraege/{id}");

        StringAssert.Contains(html, "Laufzeit und Kündigung");
        StringAssert.Matches(html, new System.Text.RegularExpressions.Regex(@"data-term-end>\d\d\.\d\d\.\d{4} bis \d\d\.\d\d\.\d{4}<"));
        StringAssert.Matches(html, new System.Text.RegularExpressions.Regex(@"data-notice-deadline>\d\d\.\d\d\.\d{4} \(zum Laufzeitende"));

        // One word for whom the contract is with, on the contract, its form, the register and the calendar.
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var pages = new[] { html, await manager.GetStringAsync($"/register/vertraege/{id}/bearbeiten"), await client.GetStringAsync("/register/vertraege"), await client.GetStringAsync("/fristen") };
        foreach (var page in pages)
        {
            StringAssert.Contains(page, "Vertragspartner");
            Assert.DoesNotContain("Hersteller", page);
        }
    }
}
