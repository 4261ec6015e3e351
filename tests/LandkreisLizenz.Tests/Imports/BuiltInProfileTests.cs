using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// The exports of the tools counties use, read without a format or a mapping (spec §7): each built-in profile is
/// recognised from the header, its file imports into installations per device, a second import changes nothing, and a
/// broken file of that kind gets one clear German error and writes nothing. Fixtures: tests/fixtures/sources (synthetic,
/// from the documented columns).
/// </summary>
[TestClass]
public sealed class BuiltInProfileTests : ImportTestBase
{

    private static string Fixture(string name) => Path.Combine(Repository.Root(), "tests", "fixtures", "sources", name);

    public static IEnumerable<object[]> Profiles =>
    [
        ["intune-appinvrawdata.csv", "intune-appinvrawdata", "KM-PC-0001,KM-NB-0002,KM-PC-0003", 7, "KM-NB-0002|OK.VORFAHRT Client|AKDB|5.4.2|jan.mueller@kreis-mettmann.example"],
        ["configmgr-arp-query.csv", "configmgr-arp-query", "KM-SRV-01,KM-PC-0101", 4, "KM-SRV-01|VOIS|KFZ Server|HSH Soft- und Hardware Vertriebs GmbH|4.2.1|"],
        ["configmgr-arp-report.csv", "configmgr-arp-report", "KM-PC-0201,KM-PC-0202", 3, "KM-PC-0201|Adobe Acrobat Reader (64-bit)|Adobe|24.002.20687|"],
        ["idoit-software.csv", "idoit-software", "KM-PC-0301,KM-SRV-03", 3, "KM-SRV-03|OK.FS Fahrerlaubnis Server|AKDB|7.1|"],
    ];

    private List<string> Installations(IEnumerable<string> devices)
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT d.device_key || '|' || t.name || '|' || t.publisher || '|' || COALESCE(i.version, '') || '|' || COALESCE(i.user_key, '')
            FROM installations i JOIN devices d ON d.id = i.device_id JOIN software_titles t ON t.id = i.software_title_id
            JOIN organisations o ON o.id = d.organisation_id
            WHERE o.ags = '05158' AND d.device_key IN @devices
            ORDER BY 1
            """, new { devices }).ToList();
    }

    [TestMethod]
    [DynamicData(nameof(Profiles))]
    public async Task ImportFile_ToolExport_RecognisedInstallationsPerDeviceSecondImportUnchanged(string file, string profileKey, string devices, int rows, string oneInstallation)
    {
        var profile = BuiltInProfiles.ByKey(profileKey)!;

        var first = await Imports.ImportFileAsync(Manager, Fixture(file), null, "05158");
        var second = await Imports.ImportFileAsync(Manager, Fixture(file), null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(ImportFormat.Installations, first.Format);
        Assert.AreEqual(profile.Name, first.ProfileName);
        Assert.AreEqual(rows, first.Commit!.Inserts);
        Assert.IsTrue(second.Committed);
        Assert.AreEqual((0, 0, rows), (second.Commit!.Inserts, second.Commit.Updates, second.Commit.Unchanged), "a second import changed something");
        var stored = Installations(devices.Split(','));
        Assert.HasCount(rows, stored, "installations per device, as many as the export has rows");
        CollectionAssert.Contains(stored, oneInstallation);
    }

    [TestMethod]
    [DynamicData(nameof(Profiles))]
    public async Task ImportFile_BrokenToolExport_OneGermanErrorNothingWritten(string file, string profileKey, string devices, int rows, string oneInstallation)
    {
        _ = (profileKey, devices, rows, oneInstallation);
        var lines = File.ReadAllLines(Fixture(file));
        var broken = Path.Combine(Db.Folder, "kaputt-" + file);
        // A record cut short, as a truncated export has it.
        var delimiter = lines[0].Contains(';') ? ';' : ',';
        File.WriteAllLines(broken, [lines[0], lines[1], string.Join(delimiter, lines[2].Split(delimiter).Take(2))]);
        var before = Installations(devices.Split(',')).Count;

        var result = await Imports.ImportFileAsync(Manager, broken, null, "05158");

        Assert.IsFalse(result.Committed);
        var error = result.Check.Errors.Single();
        Assert.AreEqual(3, error.Row);
        StringAssert.Contains(error.Reason, "Felder statt");
        Assert.AreEqual(before, Installations(devices.Split(',')).Count);
        Assert.AreEqual(0, before);
    }

    [TestMethod]
    public async Task ImportFile_ToolExportWithoutOrganisation_AsksForTheMappingNotAnError()
    {
        var result = await Imports.ImportFileAsync(Manager, Fixture("intune-appinvrawdata.csv"), null, null);

        Assert.IsFalse(result.Committed);
        Assert.IsTrue(result.Check.HeaderMismatch, "without an organisation the export needs the mapping page (its constant ags)");
        StringAssert.Contains(result.Check.Errors[0].Reason, "ags");
    }
}
