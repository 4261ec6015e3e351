using System.Globalization;
using System.Net;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

/// <summary>Every figure of the CIO dashboard against a separate SQL query written here, not the product's code.</summary>
[TestClass]
public sealed class DashboardPageTests : SharedAppTests<DashboardPageTests>
{
    private static readonly CultureInfo De = CultureInfo.GetCultureInfo("de-DE");
    [TestMethod]
    public async Task CioDashboard_EveryFigure_EqualsIndependentQuery()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        using var db = Factory.Database.Open();
        var today = LandkreisLizenz.Core.Common.BusinessDate.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        const string family = "(SELECT id FROM organisations WHERE ags = '05158' OR parent_id = (SELECT id FROM organisations WHERE ags = '05158'))";
        var apps = db.ExecuteScalar<long>($"SELECT COUNT(*) FROM applications WHERE organisation_id IN {family}");
        var own = db.ExecuteScalar<long>($"SELECT COUNT(*) FROM applications a, hostings h WHERE h.id = a.hosting_id AND h.operator_kind = 'self' AND a.organisation_id IN {family}");
        var notDvs = db.ExecuteScalar<long>($"""
            SELECT COUNT(*) FROM applications a, hostings h WHERE h.id = a.hosting_id AND a.organisation_id IN {family}
              AND (h.country IS NULL OR h.country <> 'DE' OR (h.c5 = 'none' AND h.iso27001 <> 'grundschutz') OR (a.operation_24x7 = 1 AND h.georedundant = 0))
            """);
        var operating = db.ExecuteScalar<double>($"SELECT TOTAL(annual_operating_cost) FROM applications WHERE organisation_id IN {family}");
        Assert.AreEqual(0, db.ExecuteScalar<int>($"SELECT COUNT(*) FROM contracts WHERE organisation_id IN {family} AND initial_term_months > 0 AND COALESCE(renewal_term_months, 0) = 0 AND end_date IS NULL"),
            "precondition: the demo estate has no contract that ends after its first term without an end date");
        var licenseSpend = db.ExecuteScalar<double>($"""
            SELECT TOTAL(l.quantity * COALESCE(l.annual_cost_per_unit, 0)) FROM licenses l, contracts k
            WHERE k.id = l.contract_id AND l.organisation_id IN {family}
              AND (l.valid_from IS NULL OR l.valid_from <= '{today}') AND (l.valid_to IS NULL OR l.valid_to >= '{today}')
              AND (k.end_date IS NULL OR k.end_date >= '{today}')
            """);
        var risk = db.ExecuteScalar<double>($"""
            SELECT TOTAL(p.risk_amount) FROM license_positions p, reconciliation_latest r
            WHERE r.run_id = p.run_id AND r.organisation_id = p.organisation_id AND p.organisation_id IN {family}
            """);
        // The county's share of each suggestion: its participating organisations out of all participants.
        var savings = db.ExecuteScalar<double>($"""
            SELECT TOTAL(1.0 * s.estimated_savings
                   * (SELECT COUNT(*) FROM suggestion_organisations a WHERE a.suggestion_id = s.id AND a.role = 'participant' AND a.organisation_id IN {family})
                   / (SELECT COUNT(*) FROM suggestion_organisations b WHERE b.suggestion_id = s.id AND b.role = 'participant'))
            FROM suggestions s WHERE s.status NOT IN ('obsolete', 'rejected')
              AND s.id IN (SELECT suggestion_id FROM suggestion_organisations WHERE role = 'participant' AND organisation_id IN {family})
            """);

        var html = await client.GetStringAsync("/dashboard");

        string Kpi(string key) => System.Text.RegularExpressions.Regex.Match(html, $"data-kpi=\"{key}\"[^>]*>([^<]+)<").Groups[1].Value;
        Assert.AreEqual(apps.ToString("N0", De), Kpi("applications"));
        Assert.AreEqual(((decimal)own / apps).ToString("P0", De), Kpi("own-share"));
        Assert.AreEqual(((decimal)(apps - notDvs) / apps).ToString("P0", De), Kpi("dvs-share"));
        Assert.AreEqual(((decimal)operating).ToString("C", De), Kpi("operating-spend"));
        Assert.AreEqual(((decimal)licenseSpend).ToString("C", De), Kpi("license-spend"));
        Assert.AreEqual(((decimal)risk).ToString("C", De), Kpi("risk"));
        Assert.AreEqual(((decimal)savings).ToString("C", De), Kpi("savings"));
        Assert.IsGreaterThan(0L, apps);

        string Cell(string table, string row) => System.Text.RegularExpressions.Regex.Match(html,
            $"id=\"{table}\".*?<th scope=\"row\">(?:<a [^>]*>)?{System.Text.RegularExpressions.Regex.Escape(row)}(?:</a>)?</th><td class=\"num\" data-value=\"([^\"]+)\"",
            System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        foreach (var (status, label) in new[] { ("shortfall", "Unterdeckung"), ("unlicensed", "Nicht lizenziert"), ("surplus", "Überdeckung"), ("compliant", "Ausgeglichen") })
        {
            var count = db.ExecuteScalar<long>($"""
                SELECT COUNT(*) FROM license_positions p, reconciliation_latest r
                WHERE r.run_id = p.run_id AND r.organisation_id = p.organisation_id AND p.organisation_id IN {family} AND p.status = '{status}'
                """);
            Assert.AreEqual(count.ToString(CultureInfo.InvariantCulture), Cell("t-status", label), $"positions {status}");
        }

        var onPremises = db.ExecuteScalar<long>($"SELECT COUNT(*) FROM applications a, hostings h WHERE h.id = a.hosting_id AND h.model = 'on_premises' AND a.organisation_id IN {family}");
        Assert.AreEqual(onPremises.ToString(CultureInfo.InvariantCulture), Cell("t-hosting", "Eigenes Rechenzentrum"));
        var runs = db.ExecuteScalar<long>($"SELECT COUNT(DISTINCT p.run_id) FROM license_positions p, reconciliation_runs r WHERE r.id = p.run_id AND r.status = 'succeeded' AND p.organisation_id IN {family}");
        var trendTable = html[html.IndexOf("id=\"t-trend\"", StringComparison.Ordinal)..];
        trendTable = trendTable[..trendTable.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.AreEqual(runs, trendTable.Split("<th scope=\"row\">").Length - 1, "one trend row per stored run");
    }

    [TestMethod]
    public async Task CioDashboard_NothingOfOtherCounties_ForeignDashboardNotFound()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var html = await client.GetStringAsync("/dashboard");
        var foreign = await client.GetAsync($"/dashboard?organisation={Scopes.OrganisationId(Factory.Database, "16063")}");

        Assert.DoesNotContain("Wartburgkreis", html);
        Assert.AreEqual(HttpStatusCode.NotFound, foreign.StatusCode);
    }
}

[TestClass]
public sealed class OverviewPageTests : SharedAppTests<OverviewPageTests>
{
    [TestMethod]
    public async Task LicenseManagerOverview_ShowsShortfallsSavingsUnrecognisedImportsDeadlines()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");

        var html = await client.GetStringAsync("/uebersicht");

        foreach (var caption in new[] { "Offene Unterdeckungen", "Größte Einsparungen", "Nicht erkannte Software", "Importe", "Kündigungsfristen der nächsten 90 Tage" })
        {
            StringAssert.Contains(html, caption);
        }

        Assert.DoesNotContain("Wartburgkreis", html);
    }

    [TestMethod]
    public async Task Verbund_AnalystSeesBenchmarkWithPeersOnlyAggregated_CioRefused()
    {
        using var analyst = await AppFactory.SignedInClientAsync(Factory, "verbund");
        using var cio = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");

        var html = await analyst.GetStringAsync($"/verbund?landkreis={mettmann}");
        var refused = await cio.GetAsync("/verbund");

        var table = System.Text.RegularExpressions.Regex.Match(html, "<table class=\"data-table\" data-benchmark>(.*?)</table>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        StringAssert.Contains(table, "Median der Vergleichskreise");
        StringAssert.Contains(table, "Mettmann");
        Assert.DoesNotContain("Wartburgkreis", table);
        Assert.DoesNotContain("München", table);
        StringAssert.Contains(html, "id=\"t-products\"");
        StringAssert.Contains(refused.Headers.Location!.OriginalString, "/fehler/403");
    }
}
