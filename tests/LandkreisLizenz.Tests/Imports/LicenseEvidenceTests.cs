using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// License evidence from the tools that name licenses in their own words (spec §7): FlexLM <c>lmstat -a</c> reports
/// (real outputs of FlexNet servers, tests/fixtures/sources/flexlm, Apache-2.0) become monthly usage peaks, the
/// Microsoft 365 user export (synthetic, from the documented columns) user assignments. A feature or SKU no rule maps
/// yet is held for mapping — never an error, never lost — and its mapping releases it into the evidence.
/// </summary>
[TestClass]
public sealed class LicenseEvidenceTests : ImportTestBase
{
    private static string Fixture(string name) => SourceFixture(name);

    private long TitleId(string name, string publisher) => Scalar("SELECT id FROM software_titles WHERE name = @name AND publisher = @publisher", new { name, publisher });

    private List<string> Held(string kind)
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT t.name || '|' || h.subject || '|' || COALESCE(CAST(h.quantity AS TEXT), '')
            FROM held_evidence h JOIN software_titles t ON t.id = h.software_title_id JOIN organisations o ON o.id = h.organisation_id
            WHERE o.ags = '05158' AND h.kind = @kind ORDER BY 1
            """, new { kind }).ToList();
    }

    private int? Peak(string productKey, string month) => (int?)Scalar("""
        SELECT p.peak_concurrent FROM usage_peaks p JOIN products pr ON pr.id = p.product_id JOIN organisations o ON o.id = p.organisation_id
        WHERE o.ags = '05158' AND pr.product_key = @productKey AND p.month = @month
        """, new { productKey, month }) is var value and > 0 ? (int)value : null;

    private List<string> Assigned(string productKey)
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT a.user_key FROM user_assignments a JOIN products p ON p.id = a.product_id JOIN organisations o ON o.id = a.organisation_id
            WHERE o.ags = '05158' AND p.product_key = @productKey AND a.user_key LIKE '%@kreis-mettmann.example' ORDER BY 1
            """, new { productKey }).ToList();
    }

    private string Report(string name, Func<string, string> change)
    {
        var path = Path.Combine(Db.Folder, name);
        File.WriteAllText(path, change(File.ReadAllText(Fixture("flexlm/lmstat_app2.txt"))));
        return path;
    }

    [TestMethod]
    public async Task ImportFile_FlexlmReport_FeaturesHeldAsPeaksOfTheSnapshotMonthSecondImportUnchanged()
    {
        var first = await Imports.ImportFileAsync(Manager, Fixture("flexlm/lmstat_app2.txt"), null, "05158");
        var second = await Imports.ImportFileAsync(Manager, Fixture("flexlm/lmstat_app2.txt"), null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(ImportFormat.UsagePeaks, first.Format, "recognised from the file itself, without a format");
        Assert.AreEqual("FlexLM-Lizenzserver (lmstat -a)", first.ProfileName);
        var held = Held("usage_peaks");
        Assert.AreEqual(first.Commit!.Held, held.Count, "every feature is held: no rule maps a FlexLM feature yet");
        CollectionAssert.Contains(held, "feature2|2017-10|22", "the month from 'status on Fri 10/20/2017', the count from 'Total of 22 licenses in use'");
        CollectionAssert.Contains(held, "feature1|2017-10|0");
        Assert.AreEqual((0, 0), (first.Commit.Inserts, first.Commit.Updates), "nothing written as evidence before a mapping");
        Assert.IsTrue(second.Committed);
        Assert.AreEqual((0, 0, 0), (second.Commit!.Inserts, second.Commit.Updates, second.Commit.HeldChanged), "a second import changed something");
        CollectionAssert.AreEqual(held, Held("usage_peaks"));

        var listed = await Recognition().ListUnrecognisedAsync(Manager, "feature2", new PageRequest(1, 50));
        var feature = listed.Items.Single(i => i.Name == "feature2");
        Assert.AreEqual(("FlexLM", 0, 1), (feature.Publisher, feature.Devices, feature.HeldEvidence), "offered for mapping with its held peak");
    }

    [TestMethod]
    public async Task MapAsync_HeldFeature_ReleasedIntoUsagePeaksLaterSnapshotsOnlyRaiseThePeak()
    {
        await Imports.ImportFileAsync(Manager, Fixture("flexlm/lmstat_app2.txt"), null, "05158");

        var mapped = await Recognition().MapAsync(Manager, TitleId("feature2", "FlexLM"), ProductId("caigos"));

        Assert.AreEqual(1, mapped.TitlesRecognised);
        Assert.AreEqual(22, Peak("caigos", "2017-10"), "the held peak is now evidence of the product");
        Assert.IsFalse(Held("usage_peaks").Any(h => h.StartsWith("feature2|", StringComparison.Ordinal)), "released, not kept twice");

        var lower = await Imports.ImportFileAsync(Manager, Report("lmstat-niedriger.txt", t => t.Replace("Total of 22 licenses in use", "Total of 5 licenses in use")
            .Replace("10/20/2017 17:02", "10/27/2017 09:00")), null, "05158");
        Assert.IsTrue(lower.Committed, string.Join("; ", lower.Check.Errors));
        Assert.AreEqual((0, 0), (lower.Commit!.Inserts, lower.Commit.Updates), "a lower snapshot of the month leaves its peak");
        Assert.AreEqual(22, Peak("caigos", "2017-10"));

        var higher = await Imports.ImportFileAsync(Manager, Report("lmstat-hoeher.txt", t => t.Replace("Total of 22 licenses in use", "Total of 31 licenses in use")), null, "05158");
        Assert.AreEqual(1, higher.Commit!.Updates);
        Assert.AreEqual(31, Peak("caigos", "2017-10"), "the month's peak is the highest of its snapshots");

        var nextMonth = await Imports.ImportFileAsync(Manager, Report("lmstat-november.txt", t => t.Replace("Fri 10/20/2017 17:02", "Mon 11/06/2017 10:15")), null, "05158");
        Assert.AreEqual(1, nextMonth.Commit!.Inserts, "a mapped feature is written at once");
        Assert.AreEqual(22, Peak("caigos", "2017-11"));

        // A second feature of the same product: one product's usage, the features' licenses in use summed.
        await Recognition().MapAsync(Manager, TitleId("feature3", "FlexLM"), ProductId("caigos"));
        var both = await Imports.ImportFileAsync(Manager, Report("lmstat-zwei-features.txt", t => t.Replace("Fri 10/20/2017 17:02", "Mon 12/04/2017 10:15")
            .Replace("Users of feature3:  (Total of 144 licenses issued;  Total of 0 licenses in use)", "Users of feature3:  (Total of 144 licenses issued;  Total of 4 licenses in use)")), null, "05158");
        Assert.IsTrue(both.Committed, string.Join("; ", both.Check.Errors));
        Assert.AreEqual(26, Peak("caigos", "2017-12"));
    }

    [TestMethod]
    public async Task ImportFile_FlexlmReportWithAServerDown_ReadsWhatTheOtherServersReport()
    {
        var result = await Imports.ImportFileAsync(Manager, Fixture("flexlm/lmstat_server_down.txt"), null, "05158");

        Assert.IsTrue(result.Committed, string.Join("; ", result.Check.Errors));
        CollectionAssert.Contains(Held("usage_peaks"), "feature2|2017-11|39");
    }

    [TestMethod]
    [DataRow("flexlm/lmstat_i_app1.txt", "lmstat -i")]
    [DataRow(null, "Flexible License Manager status on")]
    public async Task ImportFile_BrokenFlexlmReport_OneGermanErrorNothingWritten(string? file, string expected)
    {
        var path = file is null ? Report("ohne-zeitpunkt.txt", t => t.Replace("Flexible License Manager status on Fri 10/20/2017 17:02", "")) : Fixture(file);

        var result = await Imports.ImportFileAsync(Manager, path, null, "05158");

        Assert.IsFalse(result.Committed);
        var error = result.Check.Errors.Single();
        StringAssert.Contains(error.Reason, expected);
        Assert.IsEmpty(Held("usage_peaks"));
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM software_titles WHERE publisher = 'FlexLM'"), "no title written");
    }

    [TestMethod]
    public async Task ImportFile_Microsoft365Export_SkusHeldThenAssignedByTheirMapping()
    {
        var first = await Imports.ImportFileAsync(Manager, Fixture("m365-users.csv"), null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(ImportFormat.UserAssignments, first.Format);
        Assert.AreEqual("Microsoft 365 Admin Center (Benutzerexport)", first.ProfileName);
        var held = Held("user_assignments");
        CollectionAssert.AreEqual(new[]
        {
            "Enterprise Mobility + Security E3|sabine.krueger@kreis-mettmann.example|",
            "Microsoft 365 E3|aylin.demir@kreis-mettmann.example|",
            "Microsoft 365 E3|jan.mueller@kreis-mettmann.example|",
            "Microsoft 365 E3|peter.schmitz@kreis-mettmann.example|",
            "Microsoft 365 E5|sabine.krueger@kreis-mettmann.example|",
            "Microsoft Teams Exploratory|jan.mueller@kreis-mettmann.example|",
            "Visio Plan 2|peter.schmitz@kreis-mettmann.example|",
        }, held, "one assignment per SKU of a user, 'A+B' split (not inside 'Mobility + Security'), an unlicensed user none");

        var mapped = await Recognition().MapAsync(Manager, TitleId("Microsoft 365 E3", NamedProducts.Microsoft365), ProductId("ms-m365-e3"));
        Assert.AreEqual(1, mapped.TitlesRecognised);
        CollectionAssert.AreEqual(new[] { "aylin.demir@kreis-mettmann.example", "jan.mueller@kreis-mettmann.example", "peter.schmitz@kreis-mettmann.example" },
            Assigned("ms-m365-e3"));
        Assert.HasCount(4, Held("user_assignments"), "the other SKUs stay held");

        var again = await Imports.ImportFileAsync(Manager, Fixture("m365-users.csv"), null, "05158");
        Assert.AreEqual((0, 0, 0), (again.Commit!.Inserts, again.Commit.Updates, again.Commit.HeldChanged), "a second import changed something");
        Assert.AreEqual(3, again.Commit.Unchanged);

        // The German export names the SKUs by part number (SPE_E3): the SKU table makes them the same title, already mapped.
        var german = await Imports.ImportFileAsync(Manager, Fixture("m365-benutzer.csv"), null, "05158");
        Assert.IsTrue(german.Committed, string.Join("; ", german.Check.Errors));
        Assert.AreEqual("Microsoft 365 Admin Center (Benutzerexport, deutsch)", german.ProfileName);
        Assert.AreEqual((1, 1), (german.Commit!.Inserts, german.Commit.Unchanged), "Lena is new, Jan was assigned already");
        CollectionAssert.Contains(Assigned("ms-m365-e3"), "lena.wolf@kreis-mettmann.example");
        CollectionAssert.Contains(Held("user_assignments"), "Visio Plan 2|lena.wolf@kreis-mettmann.example|", "VISIOCLIENT is the title of 'Visio Plan 2'");
    }

    [TestMethod]
    public async Task MapAsync_HeldSkuNotLicensable_DropsItsEvidence()
    {
        await Imports.ImportFileAsync(Manager, Fixture("m365-users.csv"), null, "05158");

        await Recognition().MapAsync(Manager, new RuleDraft(TitleId("Microsoft Teams Exploratory", NamedProducts.Microsoft365), null, true, null, null));

        Assert.IsFalse(Held("user_assignments").Any(h => h.StartsWith("Microsoft Teams Exploratory|", StringComparison.Ordinal)));
        var again = await Imports.ImportFileAsync(Manager, Fixture("m365-users.csv"), null, "05158");
        Assert.AreEqual(0, again.Commit!.HeldChanged, "a not-licensable SKU is not held again");
    }

    [TestMethod]
    public async Task ImportFile_BrokenMicrosoft365Export_OneGermanErrorNothingWritten()
    {
        var lines = File.ReadAllLines(Fixture("m365-users.csv"));
        var broken = Path.Combine(Db.Folder, "m365-kaputt.csv");
        // The user principal name (the 8th column) of the second user is missing.
        var fields = lines[2].Split(',');
        fields[7] = "";
        File.WriteAllLines(broken, [lines[0], lines[1], string.Join(',', fields)]);

        var result = await Imports.ImportFileAsync(Manager, broken, null, "05158");

        Assert.IsFalse(result.Committed);
        var error = result.Check.Errors.Single();
        Assert.AreEqual((3, "user"), (error.Row, error.Column));
        Assert.IsEmpty(Held("user_assignments"));
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM software_titles WHERE publisher = 'Microsoft 365'"));
    }
}
