using System.Net;
using Dapper;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

[TestClass]
public sealed class ImportPageTests : SharedAppTests<ImportPageTests>
{
    private static byte[] Sample(string format) => File.ReadAllBytes(Repository.ImportSample(format));

    [TestMethod]
    public async Task Upload_SampleContracts_PreviewThenCommitWritesRows()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var organisations = (await AppFactory.UploadAsync(client, "organisations", "organisations.csv", Sample("organisations"))).Headers.Location!.OriginalString;
        await AppFactory.PostFormAsync(client, organisations, organisations + "/uebernehmen");

        var upload = await AppFactory.UploadAsync(client, "contracts", "vertraege.csv", Sample("contracts"));
        var batchUrl = upload.Headers.Location!.OriginalString;
        var preview = await client.GetStringAsync(batchUrl);
        var commit = await AppFactory.PostFormAsync(client, batchUrl, batchUrl + "/uebernehmen");
        var report = await client.GetStringAsync(batchUrl);

        Assert.AreEqual(HttpStatusCode.Redirect, upload.StatusCode);
        StringAssert.Contains(preview, "Vorschau");
        StringAssert.Contains(preview, "data-count=\"insert\">2<");
        Assert.AreEqual(HttpStatusCode.Redirect, commit.StatusCode);
        StringAssert.Contains(report, "übernommen");
        using var connection = Factory.Database.Open();
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key IN ('V-BEISPIEL-001', 'V-MUSTER-001')"));
    }

    [TestMethod]
    public async Task Upload_FileWithErrors_ShowsErrorTableAndOffersNoCommit()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var bad = "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-X;A;B;kaufvertrag;2025-01-01\n05158;V-Y;A;B;other;31.02.2025\n"u8.ToArray();

        var upload = await AppFactory.UploadAsync(client, "contracts", "fehler.csv", bad);
        var page = await client.GetStringAsync(upload.Headers.Location!.OriginalString);

        StringAssert.Contains(page, "2 Fehler – die Datei wurde nicht übernommen");
        StringAssert.Contains(page, "kaufvertrag");
        StringAssert.Contains(page, "kein gültiges Datum");
        Assert.DoesNotContain("uebernehmen", page);
    }

    [TestMethod]
    public async Task Upload_OldExcelOrBrokenWorkbook_ClearGermanError()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");

        var xls = await (await AppFactory.UploadAsync(client, "contracts", "liste.xls", [0xD0, 0xCF, 0x11, 0xE0])).Content.ReadAsStringAsync();
        var broken = await AppFactory.UploadAsync(client, "contracts", "liste.xlsx", [0x50, 0x4B, 0x03, 0x04]);

        StringAssert.Contains(xls, "als Excel-Arbeitsmappe (.xlsx) oder CSV speichern");
        Assert.AreEqual(HttpStatusCode.Redirect, broken.StatusCode, "a workbook is staged like any file");
        var batch = await client.GetStringAsync(broken.Headers.Location!.ToString());
        StringAssert.Contains(batch, "Excel-Arbeitsmappe ist beschädigt");
    }

    [TestMethod]
    public async Task ProfilesPage_LicenseManagerRetiresOwnProfile_GoneFromListPastBatchesKeepTheirMapping()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        long mettmann;
        using (var connection = Factory.Database.Open())
        {
            mettmann = connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = '05158'");
        }

        var profile = Planted.Profile(Factory.Database, mettmann);
        StringAssert.Contains(await client.GetStringAsync("/import/profile"), "„Vertragsregister“ (Version 1)");

        var retired = await AppFactory.PostFormAsync(client, "/import/profile", $"/import/profile/{profile}/loeschen");

        Assert.AreEqual(HttpStatusCode.Redirect, retired.StatusCode);
        var after = await client.GetStringAsync("/import/profile");
        StringAssert.Contains(after, "Profil gelöscht");
        Assert.DoesNotContain("„Vertragsregister“ (Version 1)", after);
        using var check = Factory.Database.Open();
        Assert.AreEqual(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'delete' AND object_type = 'import_profiles' AND user_name = 'lm.mettmann'"));
    }

    [TestMethod]
    public async Task Upload_Reader_Forbidden()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");
        var token = await AppFactory.TokenFromAsync(client, "/anmelden");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("contracts"), "format" },
            { new ByteArrayContent(Sample("contracts")), "file", "x.csv" },
        };

        var response = await client.PostAsync("/import", form);

        Assert.IsTrue(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("/fehler/403") == true,
            response.StatusCode.ToString());
    }

    [TestMethod]
    public async Task BatchPage_OtherUsersBatchOfOtherCounty_NotFound()
    {
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var upload = await AppFactory.UploadAsync(manager, "organisations", "organisations.csv", Sample("organisations"));
        using var reader = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");

        var response = await reader.GetAsync(upload.Headers.Location!.OriginalString);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    public async Task UnrecognisedExport_CsvAndXlsx_ListTheNamesOfTheScope()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "cio.mettmann");

        var csv = await client.GetStringAsync("/inventar/nicht-erkannt/export.csv");
        var xlsx = await client.GetAsync("/inventar/nicht-erkannt/export.xlsx");

        StringAssert.StartsWith(csv.TrimStart('\uFEFF'), "software;publisher;devices;installations");
        StringAssert.Contains(csv, "7-Zip;Igor Pavlov;");
        Assert.AreEqual("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        Assert.IsGreaterThan(1000L, xlsx.Content.Headers.ContentLength ?? (await xlsx.Content.ReadAsByteArrayAsync()).LongLength);
    }

    [TestMethod]
    public async Task UnrecognisedPage_LicenseManagerMaps_NameDisappears()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        using var connection = Factory.Database.Open();
        var titleId = connection.ExecuteScalar<long>("SELECT id FROM software_titles WHERE name = 'TeamViewer'");
        var productId = connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = 'helpdesk-otrs'");
        Assert.Contains("TeamViewer", await client.GetStringAsync("/inventar/nicht-erkannt?suche=Team"));

        var response = await AppFactory.PostFormAsync(client, $"/inventar/nicht-erkannt/{titleId}", $"/inventar/nicht-erkannt/{titleId}/zuordnen",
            new() { ["productId"] = productId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var after = await client.GetStringAsync("/inventar/nicht-erkannt?suche=Team");

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        StringAssert.Contains(after, "Regel angelegt");
        Assert.DoesNotContain("<td>TeamViewer</td>", after);
    }
}

[TestClass]
public sealed class BackgroundImportTests
{
    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    [DataRow("organisations", "SELECT COUNT(*) FROM organisations WHERE ags = '05158040'")]
    [DataRow("installations", "SELECT COUNT(DISTINCT device_id) FROM installations i JOIN devices d ON d.id = i.device_id WHERE d.device_key LIKE 'PC-BEISPIEL-%'")]
    public async Task LargeFile_ValidatedAndCommittedByJobs_PageReportsProgressAndResult(string format, string check)
    {
        using var factory = new AppFactory(runJobServer: true, new() { ["Imports:BackgroundThresholdBytes"] = "10" });
        using var client = await AppFactory.SignedInClientAsync(factory, "lm.mettmann");

        var upload = await AppFactory.UploadAsync(client, format, format + ".csv", File.ReadAllBytes(Repository.ImportSample(format)));
        var url = upload.Headers.Location!.OriginalString;
        var status = await WaitForAsync(client, url, "previewed");
        var commit = await AppFactory.PostFormAsync(client, url, url + "/uebernehmen");
        var final = await WaitForAsync(client, url, "completed");

        Assert.AreEqual("previewed", status);
        Assert.AreEqual(HttpStatusCode.Redirect, commit.StatusCode);
        Assert.AreEqual("completed", final);
        using var connection = factory.Database.Open();
        Assert.IsGreaterThanOrEqualTo(1, connection.ExecuteScalar<int>(check));
    }

    private static async Task<string> WaitForAsync(HttpClient client, string url, string expected)
    {
        var status = "";
        for (var i = 0; i < 240 && status != expected; i++)
        {
            var json = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(url + "/status"));
            status = json.RootElement.GetProperty("status").GetString()!;
            if (status != expected)
            {
                await Task.Delay(250);
            }
        }

        return status;
    }
}
