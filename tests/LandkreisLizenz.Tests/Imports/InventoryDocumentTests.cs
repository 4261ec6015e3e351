using System.IO.Compression;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// GLPI Agent / FusionInventory inventories (spec §7), real files from glpi-project/inventory_format (MIT, see
/// tests/fixtures/sources/README.md): one XML or JSON file per device, or a ZIP of many, read as installations per
/// device with nothing named; a second import changes nothing; hostile or broken documents get one German error.
/// </summary>
[TestClass]
public sealed class InventoryDocumentTests : ImportTestBase
{
    private static string Fixture(string name) => Path.Combine(Repository.Root(), "tests", "fixtures", "sources", "glpi", name);

    private (int Installations, string? Kind, int? Cores) Device(string device)
    {
        using var connection = Db.Database.Open();
        return connection.QuerySingle<(int, string?, int?)>("""
            SELECT (SELECT COUNT(*) FROM installations i WHERE i.device_id = d.id), d.device_kind, d.cores
            FROM devices d JOIN organisations o ON o.id = d.organisation_id WHERE o.ags = '05158' AND d.device_key = @device
            """, new { device });
    }

    [TestMethod]
    [DataRow("inventory_format_tests_data_1.xml", "LF014", 42, "laptop")]
    [DataRow("inventory_format_tests_data_2.xml", "pc-arg-23", 8, "laptop")]
    [DataRow("inventory_format_tests_data_3.xml", "MacBook-de-teclib", 40, "workstation")]
    [DataRow("inventory_format_examples_computer_1.json", "glpixps", 6, "laptop")]
    public async Task ImportFile_RealInventory_InstallationsOfItsDeviceSecondImportUnchanged(string file, string device, int installations, string? kind)
    {
        var first = await Imports.ImportFileAsync(Manager, Fixture(file), null, "05158");
        var second = await Imports.ImportFileAsync(Manager, Fixture(file), null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(ImportFormat.Installations, first.Format);
        StringAssert.Contains(first.ProfileName, "GLPI");
        Assert.AreEqual(installations, Device(device).Installations);
        Assert.AreEqual(kind, Device(device).Kind);
        Assert.AreEqual((0, installations), (second.Commit!.Inserts + second.Commit.Updates, second.Commit.Unchanged));
    }

    [TestMethod]
    public async Task ImportFile_ZipOfInventories_EveryDeviceOnceSecondImportUnchanged()
    {
        var zip = Path.Combine(Db.Folder, "inventare.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Fixture("x"))!).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)))
            {
                archive.CreateEntryFromFile(file, "agent/" + Path.GetFileName(file));
            }
        }

        var first = await Imports.ImportFileAsync(Manager, zip, null, "05158");
        var second = await Imports.ImportFileAsync(Manager, zip, null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(42 + 8 + 40 + 6, first.Commit!.Inserts);
        Assert.AreEqual((42, 8, 40, 6), (Device("LF014").Installations, Device("pc-arg-23").Installations, Device("MacBook-de-teclib").Installations, Device("glpixps").Installations));
        Assert.AreEqual(96, second.Commit!.Unchanged);
    }

    public static IEnumerable<object[]> Hostile =>
    [
        ["bomb.xml", "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><REQUEST><CONTENT><HARDWARE><NAME>&lol2;</NAME></HARDWARE></CONTENT></REQUEST>", "enthält eine DTD"],
        ["xxe.xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><REQUEST><CONTENT><HARDWARE><NAME>&x;</NAME></HARDWARE></CONTENT></REQUEST>", "enthält eine DTD"],
        ["kaputt.xml", "<?xml version=\"1.0\"?><REQUEST><CONTENT><HARDWARE><NAME>PC-1</NAME></HARDWARE><SOFTWARES><NAME>X</NAME>", "kein gültiges XML"],
        ["ohne-geraet.xml", "<?xml version=\"1.0\"?><REQUEST><CONTENT><SOFTWARES><NAME>X</NAME></SOFTWARES></CONTENT></REQUEST>", "nennt kein Gerät"],
        ["kaputt.json", "{\"content\": {\"hardware\": {\"name\": \"PC-1\"}, \"softwares\": [", "kein gültiges JSON"],
        ["fremd.json", "{\"devices\": []}", "„content“ fehlt"],
    ];

    [TestMethod]
    [DynamicData(nameof(Hostile))]
    public async Task ImportFile_HostileOrBrokenDocument_OneGermanErrorNothingWritten(string name, string content, string reason)
    {
        var path = Path.Combine(Db.Folder, name);
        await File.WriteAllTextAsync(path, content, new UTF8Encoding(false));
        int Installations()
        {
            using var connection = Db.Database.Open();
            return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations");
        }

        var before = Installations();
        var result = await Imports.ImportFileAsync(Manager, path, null, "05158");

        Assert.IsFalse(result.Committed);
        StringAssert.Contains(result.Check.Errors.Single().Reason, reason);
        Assert.AreEqual(before, Installations());
    }

    [TestMethod]
    public async Task ImportFile_ZipEntryLargerUnpackedThanAllowed_RefusedWithoutUnpackingIt()
    {
        var zip = Path.Combine(Db.Folder, "gross.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            await using var entry = archive.CreateEntry("agent/riesig.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 70; i++)
            {
                await entry.WriteAsync(zeros);
            }
        }

        var result = await Imports.ImportFileAsync(Manager, zip, null, "05158");

        Assert.IsFalse(result.Committed);
        StringAssert.Contains(result.Check.Errors.Single().Reason, "entpackt größer als 64 MB");
    }
}
