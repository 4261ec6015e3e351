using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed class ReconciliationPageTests : SharedAppTests<ReconciliationPageTests>
{
    [TestMethod]
    public async Task Balance_Cio_RedirectedToOwnCountyWithTotalsMatchingDatabase()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");
        using var connection = Factory.Database.Open();
        const string latest = "FROM license_positions p JOIN reconciliation_latest l ON l.run_id = p.run_id AND l.organisation_id = p.organisation_id WHERE p.organisation_id = @mettmann";
        var positions = connection.ExecuteScalar<int>("SELECT COUNT(*) " + latest, new { mettmann });
        var shortfalls = connection.ExecuteScalar<int>("SELECT COUNT(*) " + latest + " AND p.status = 'shortfall'", new { mettmann });

        var redirect = await client.GetAsync("/lizenzabgleich");
        var html = await client.GetStringAsync(redirect.Headers.Location!.OriginalString);

        Assert.AreEqual($"/lizenzabgleich/{mettmann}", redirect.Headers.Location.OriginalString);
        Assert.IsGreaterThan(10, positions);
        StringAssert.Contains(html, $"data-total=\"positions\">{positions:N0}<".Replace(",", "."));
        StringAssert.Contains(html, $"data-total=\"shortfalls\">{shortfalls}<");
    }

    [TestMethod]
    public async Task PositionDetail_ShowsLicensesConsumersAndTrendTable()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");
        using var connection = Factory.Database.Open();
        var (product, metric, consumption) = connection.QueryFirst<(long, string, long)>("""
            SELECT p.product_id, p.metric, p.consumption FROM license_positions p JOIN reconciliation_latest l ON l.run_id = p.run_id AND l.organisation_id = p.organisation_id
            WHERE p.organisation_id = @mettmann AND p.metric = 'device' AND p.consumption > 0 ORDER BY p.product_id
            """, new { mettmann });

        var html = await client.GetStringAsync($"/lizenzabgleich/{mettmann}/{product}/{metric}");

        StringAssert.Contains(html, "id=\"trend-chart\"");
        StringAssert.Contains(html, "id=\"trend-table\"");
        StringAssert.Contains(html, $"Gezählte Geräte bzw. Benutzer ({consumption:N0}".Replace(",", "."));
        StringAssert.Contains(html, "/register/vertraege/");
    }

    [TestMethod]
    public async Task Balance_ForeignCounty_NotFound()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var response = await client.GetAsync($"/lizenzabgleich/{Scopes.OrganisationId(Factory.Database, "16063")}");

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    public async Task StartRun_Cio_Forbidden()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");
        var mettmann = Scopes.OrganisationId(Factory.Database, "05158");

        var response = await AppFactory.PostFormAsync(client, $"/lizenzabgleich/{mettmann}", $"/lizenzabgleich/{mettmann}/abgleichen");

        StringAssert.Contains(response.Headers.Location?.OriginalString, "/fehler/403");
    }
}

[TestClass]
public sealed class ReconciliationJobTests
{
    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task JetztAbgleichen_LicenseManager_RunFansOutAndFinishes()
    {
        using var factory = new AppFactory(runJobServer: true);
        using var client = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        var mettmann = Scopes.OrganisationId(factory.Database, "05158");

        var start = await AppFactory.PostFormAsync(client, $"/lizenzabgleich/{mettmann}", $"/lizenzabgleich/{mettmann}/abgleichen");
        var runUrl = start.Headers.Location!.OriginalString;
        var status = "";
        for (var i = 0; i < 400 && status != "succeeded"; i++)
        {
            var json = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(runUrl.Replace("?", "/status?", StringComparison.Ordinal)));
            status = json.RootElement.GetProperty("status").GetString()!;
            await Task.Delay(250);
        }

        Assert.AreEqual("succeeded", status);
        StringAssert.Contains(await client.GetStringAsync(runUrl), "Positionen für");
        var monitoring = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var refreshed = false;
        for (var i = 0; i < 200 && !refreshed; i++)
        {
            refreshed = monitoring.SucceededJobs(0, 100).Any(j => j.Value.Job?.Type.Name == "SuggestionJobs");
            await Task.Delay(250);
        }

        Assert.IsTrue(refreshed, "the finished run handed over to the suggestion refresh job");
        using var connection = factory.Database.Open();
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM reconciliation_runs WHERE status = 'succeeded'"), "first start + the manual run");
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task InstallationsImport_Committed_QueuesRunForAffectedCounty()
    {
        using var factory = new AppFactory(runJobServer: true);
        using var client = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");
        var csv = "ags;device;software;publisher\n05158;PC-NEU-1;OK.VORFAHRT Client;AKDB\n"u8.ToArray();

        var upload = await AppFactory.UploadAsync(client, "installations", "inventar.csv", csv);
        var batch = upload.Headers.Location!.OriginalString;
        var commit = await AppFactory.PostFormAsync(client, batch, batch + "/uebernehmen");
        Assert.AreEqual(HttpStatusCode.Redirect, commit.StatusCode);
        using var connection = factory.Database.Open();
        var runs = 0;
        for (var i = 0; i < 400 && runs == 0; i++)
        {
            runs = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM reconciliation_runs WHERE kind = 'import' AND status = 'succeeded'");
            await Task.Delay(250);
        }

        var monitoring = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var failed = string.Join("\n", monitoring.FailedJobs(0, 10).Select(j => j.Value.ExceptionMessage + " " + j.Value.ExceptionDetails?[..Math.Min(600, j.Value.ExceptionDetails.Length)]));
        var all = string.Join("; ", connection.Query<(long, string, string)>("SELECT id, kind, status FROM reconciliation_runs"))
            + " batches: " + string.Join("; ", connection.Query<(long, string, int)>("SELECT id, status, error_count FROM import_batches"))
            + " errors: " + string.Join("; ", connection.Query<string>("SELECT reason FROM import_errors"));
        Assert.AreEqual(1, runs, $"runs: {all}; failed jobs: {failed}; enqueued {monitoring.EnqueuedCount("default")}, succeeded {monitoring.SucceededListCount()}");
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT families_total FROM reconciliation_runs WHERE kind = 'import'"));
    }
}
