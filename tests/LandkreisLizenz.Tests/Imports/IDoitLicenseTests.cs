using System.Text;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// i-doit's license objects (spec §7 "→ installations and licenses"; fixture tests/fixtures/sources/idoit-lizenzen.csv,
/// synthetic from i-doit's documented CSV columns): recognised from the header, mapped once to a contract of ours and
/// saved as a profile; each tranche of the multi-value category becomes a license; object names no rule decides are
/// held like SKUs and released by their mapping; the activation key is never stored.
/// </summary>
[TestClass]
public sealed class IDoitLicenseTests : ImportTestBase
{
    private const string Contract = "V-IDOIT-1";

    private readonly NoQueue _queue = new();

    [TestInitialize]
    public void CreateContract()
    {
        var contract = Encoding.UTF8.GetBytes($"ags;contract_key;vendor;title;evb_it_type;start_date\n05158;{Contract};CAIGOS GmbH;GIS-Arbeitsplätze;ueberlassung_a;2021-01-01\n");
        var result = Imports.Commit(Manager, ImportFormat.Contracts, new MemoryStream(contract), "vertrag.csv");
        Assert.IsTrue(result.IsValid, string.Join("; ", result.Errors));
    }

    private async Task<ImportBatch> UploadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return await Imports.UploadAsync(Manager, null, stream, Path.GetFileName(path), stream.Length, "05158", _queue);
    }

    private List<string> Licenses(string productKey)
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT c.contract_key || '|' || l.metric || '|' || l.license_key || '|' || l.quantity || '|' || CAST(l.unit_price AS REAL) || '|' || l.valid_from || '|' || l.valid_to
            FROM licenses l JOIN contracts c ON c.id = l.contract_id JOIN products p ON p.id = l.product_id
            WHERE p.product_key = @productKey AND c.contract_key = @Contract ORDER BY l.license_key
            """, new { productKey, Contract }).ToList();
    }

    private List<string> Held()
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT t.name || '|' || h.license_key || '|' || h.quantity FROM held_evidence h JOIN software_titles t ON t.id = h.software_title_id
            WHERE h.kind = 'licenses' ORDER BY 1
            """).ToList();
    }

    /// <summary>The first file: recognised, but i-doit names no contract, so the mapping page asks for it once.</summary>
    private async Task<ImportBatch> MappedOnceAsync()
    {
        var first = await UploadAsync(SourceFixture("idoit-lizenzen.csv"));
        Assert.AreEqual(ImportFormat.Licenses, first.ImportFormat);
        Assert.AreEqual(BuiltInProfiles.IDoitLicenses.Name, first.ProfileName);
        Assert.IsTrue(first.NeedsMapping, "without a contract the file waits for its mapping");
        StringAssert.Contains((await Imports.ErrorsAsync(Manager, first.Id)).Single().Reason, "contract_key");

        var draft = (await Imports.DraftMappingAsync(Manager, first.Id))!;
        Assert.AreEqual("product_key", draft.Columns["objectname"], "the built-in columns are offered, not guessed anew");
        Assert.AreEqual("device", draft.Constants["metric"]);
        Assert.IsFalse(draft.Columns.ContainsKey("lizenzzuweisung: lizenzschlüssel - key"), "the activation key is not read");
        var constants = new Dictionary<string, string>(draft.Constants) { ["contract_key"] = Contract };
        var errors = await Imports.ApplyMappingAsync(Manager, first.Id, ImportFormat.Licenses, new ImportMapping(draft.Columns, constants), "i-doit Lizenzen", _queue);
        Assert.IsEmpty(errors, string.Join("; ", errors.Values));
        var mapped = (await Imports.GetBatchAsync(Manager, first.Id))!;
        Assert.AreEqual(ImportStatus.Previewed, mapped.Status, string.Join("; ", (await Imports.ErrorsAsync(Manager, first.Id)).Select(e => e.ToString())));
        return mapped;
    }

    [TestMethod]
    public async Task Upload_IDoitLicenses_TranchesHeldUntilMappedThenLicensesSecondFileUnchanged()
    {
        var first = await MappedOnceAsync();
        var committed = Imports.CommitBatch(Manager, first.Id);

        Assert.AreEqual((0, 0, 3), (committed.Inserts, committed.Updates, committed.Held), "two tranches of one object and one single license, all held: no rule knows i-doit's names");
        CollectionAssert.AreEqual(new[] { "CAIGOS GIS Arbeitsplatz|KM-CG-2021|40", "CAIGOS GIS Arbeitsplatz|KM-CG-2024|45", "Formularserver Kreisverwaltung|KM-FS-2025|1" }, Held());

        var title = Scalar("SELECT id FROM software_titles WHERE name = 'CAIGOS GIS Arbeitsplatz' AND publisher = 'i-doit'");
        await Recognition().MapAsync(Manager, title, ProductId("caigos"));
        CollectionAssert.AreEqual(
            new[] { $"{Contract}|device|KM-CG-2021|40|420.0|2021-01-01|2023-12-31", $"{Contract}|device|KM-CG-2024|45|455.5|2024-01-01|2026-12-31" },
            Licenses("caigos"), "each tranche a license of the contract, with its count, price and validity");
        CollectionAssert.AreEqual(new[] { "Formularserver Kreisverwaltung|KM-FS-2025|1" }, Held(), "released, not kept twice");

        var second = await UploadAsync(SourceFixture("idoit-lizenzen.csv"));
        Assert.AreEqual(ImportStatus.Previewed, second.Status, "the saved profile reads the next export without asking");
        Assert.AreEqual("„i-doit Lizenzen“ (Version 1)", second.ProfileName);
        var again = Imports.CommitBatch(Manager, second.Id);
        Assert.AreEqual((0, 0, 2, 0), (again.Inserts, again.Updates, again.Unchanged, again.HeldChanged), "a second import changed something");
        Assert.HasCount(2, Licenses("caigos"));
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM licenses WHERE license_key LIKE 'CG2%'") + Scalar("SELECT COUNT(*) FROM held_evidence WHERE license_key LIKE 'FS-%' OR subject LIKE '%FS-ZZ81%'"),
            "an activation key was stored");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(10)]
    [DataRow(40)]
    public async Task MapAsync_WhileTheSameExportIsCommittedAgain_EachTrancheOnceWhateverComesFirst(int mappingAfterMs)
    {
        Imports.CommitBatch(Manager, (await MappedOnceAsync()).Id);
        var again = await UploadAsync(SourceFixture("idoit-lizenzen.csv"));
        var title = Scalar("SELECT id FROM software_titles WHERE name = 'CAIGOS GIS Arbeitsplatz' AND publisher = 'i-doit'");

        // The commit either still holds the tranches (the mapping then releases them) or finds the name decided and writes them itself.
        await Task.WhenAll(
            Task.Run(() => Imports.CommitBatch(Manager, again.Id)),
            Task.Run(async () =>
            {
                await Task.Delay(mappingAfterMs);
                await Recognition().MapAsync(Manager, title, ProductId("caigos"));
            }));

        CollectionAssert.AreEqual(
            new[] { $"{Contract}|device|KM-CG-2021|40|420.0|2021-01-01|2023-12-31", $"{Contract}|device|KM-CG-2024|45|455.5|2024-01-01|2026-12-31" },
            Licenses("caigos"), "each tranche once, with its own count");
        CollectionAssert.AreEqual(new[] { "Formularserver Kreisverwaltung|KM-FS-2025|1" }, Held(), "nothing of the mapped name left held");
    }

    [TestMethod]
    public async Task Upload_IDoitLicenseWithMoreDatesThanTranches_OneGermanErrorNothingWritten()
    {
        await MappedOnceAsync();
        var broken = Path.Combine(Db.Folder, "idoit-kaputt.csv");
        var lines = File.ReadAllLines(SourceFixture("idoit-lizenzen.csv"));
        File.WriteAllLines(broken, [lines[0], lines[1].Replace("01.01.2021,01.01.2024", "01.01.2021,01.01.2024,01.01.2025", StringComparison.Ordinal), lines[2]]);

        var batch = await UploadAsync(broken);

        Assert.AreEqual(ImportStatus.Rejected, batch.Status);
        var error = (await Imports.ErrorsAsync(Manager, batch.Id)).Single();
        Assert.AreEqual((2, "valid_from"), (error.Row, error.Column));
        StringAssert.Contains(error.Reason, "nennt 3 Werte, „quantity“ aber 2");
        Assert.IsEmpty(Held());
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM software_titles WHERE publisher = 'i-doit'"), "no title written");
    }

    [TestMethod]
    public async Task Upload_TwoIDoitObjectsOfOneProductAndSerial_CountsAddUpHeldAndRecognisedAlike()
    {
        Imports.CommitBatch(Manager, (await MappedOnceAsync()).Id);
        var path = Path.Combine(Db.Folder, "idoit-zwei-objekte.csv");
        var lines = File.ReadAllLines(SourceFixture("idoit-lizenzen.csv"));
        File.WriteAllLines(path, [lines[0], lines[2].Replace("Formularserver Kreisverwaltung", "Formularserver A", StringComparison.Ordinal),
            lines[2].Replace("Formularserver Kreisverwaltung;Einzel-Lizenz;1;", "Formularserver B;Volumen-Lizenz;4;", StringComparison.Ordinal)]);
        Imports.CommitBatch(Manager, (await UploadAsync(path)).Id);

        foreach (var name in new[] { "Formularserver A", "Formularserver B" })
        {
            await Recognition().MapAsync(Manager, Scalar("SELECT id FROM software_titles WHERE name = @name AND publisher = 'i-doit'", new { name }), ProductId("caigos"));
        }

        CollectionAssert.AreEqual(new[] { $"{Contract}|device|KM-FS-2025|5|1299.0|2025-06-01|2027-05-31" }, Licenses("caigos"), "one tranche of one product under one contract");
        var again = Imports.CommitBatch(Manager, (await UploadAsync(path)).Id);
        Assert.AreEqual((0, 0, 1), (again.Inserts, again.Updates, again.Unchanged), "recognised on import, the two objects add up to what their release wrote");
    }

    [TestMethod]
    public async Task Upload_IDoitWithEnglishDialogs_TranchesReadWithIsoDates()
    {
        var path = Path.Combine(Db.Folder, "idoit-licenses.csv");
        File.WriteAllText(path, """
            Object type;Object title;Licenses: License keys > License Type (Dialog);Licenses: License keys > Amount;Licenses: License keys > Key;Licenses: License keys > Serial;Licenses: License keys > Start Date (Date);Licenses: License keys > Expiration Date (Date);Licenses: License keys > Price Per Unit (Money)
            C__OBJTYPE__LICENCE;CAIGOS GIS;Volume license,Volume license;100,50;CG-AAAA-1,CG-BBBB-2;KM-CG-A,KM-CG-B;2021-01-01,2022-01-01;2021-12-31,2026-12-31;999.9,899.9
            """);
        await Recognition().MapAsync(Manager, await HeldTitleAsync(path), ProductId("caigos"));

        CollectionAssert.AreEqual(
            new[] { $"{Contract}|device|KM-CG-A|100|999.9|2021-01-01|2021-12-31", $"{Contract}|device|KM-CG-B|50|899.9|2022-01-01|2026-12-31" }, Licenses("caigos"));
    }

    /// <summary>Imports an English i-doit file once, mapped to the contract, and returns the title its object is held under.</summary>
    private async Task<long> HeldTitleAsync(string path)
    {
        var batch = await UploadAsync(path);
        Assert.AreEqual(BuiltInProfiles.IDoitLicensesEnglish.Name, batch.ProfileName);
        var draft = (await Imports.DraftMappingAsync(Manager, batch.Id))!;
        await Imports.ApplyMappingAsync(Manager, batch.Id, ImportFormat.Licenses,
            new ImportMapping(draft.Columns, new Dictionary<string, string>(draft.Constants) { ["contract_key"] = Contract }), null, _queue);
        Assert.AreEqual(2, Imports.CommitBatch(Manager, batch.Id).Held);
        return Scalar("SELECT id FROM software_titles WHERE name = 'CAIGOS GIS' AND publisher = 'i-doit'");
    }
}
