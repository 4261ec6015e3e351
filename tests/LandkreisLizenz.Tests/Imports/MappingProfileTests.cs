using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// Mapping profiles (spec §7): a German contract register is mapped once from suggested fields, with a constant and the
/// source's number format; saved as a profile of the organisation it reads the next file with that header (in any
/// column order) without asking; a new version never changes a past batch; another county never gets it.
/// </summary>
[TestClass]
public sealed class MappingProfileTests : ImportTestBase
{
    private const string Header = "Vertragsnummer;Vertragspartner;Bezeichnung;Vertragsart;Vertragsbeginn;Kündigungsfrist (Monate);Jahreskosten;Bemerkung";

    private readonly NoQueue _queue = new();

    private async Task<ImportBatch> UploadAsync(CallerScope scope, string content, string name = "register.csv")
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return await Imports.UploadAsync(scope, null, new MemoryStream(bytes), name, bytes.Length, null, _queue);
    }

    private static ImportMapping Accepted(MappingDraft draft, string? numberFormat = NumberFormats.German) =>
        new(draft.Columns, new Dictionary<string, string> { ["ags"] = "05158" }, null, numberFormat);

    [TestMethod]
    public async Task GermanRegister_MappedOnceSavedNextFileInOtherOrderReadWithoutAsking()
    {
        var first = await UploadAsync(Manager, $"{Header}\nV-REG-1;Muster GmbH;Pflege Kfz;EVB-IT Pflege S;01.02.2025;3;1.299,00;intern\n");
        Assert.IsTrue(first.NeedsMapping, "a header of no format waits for a mapping instead of being an error to fix");

        var draft = (await Imports.DraftMappingAsync(Manager, first.Id))!;
        Assert.AreEqual(ImportFormat.Contracts, draft.Format, "the likeliest format from the column names");
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string>
            {
                ["vertragsnummer"] = "contract_key", ["vertragspartner"] = "vendor", ["bezeichnung"] = "title", ["vertragsart"] = "evb_it_type",
                ["vertragsbeginn"] = "start_date", ["kündigungsfrist (monate)"] = "notice_period_months", ["jahreskosten"] = "annual_cost",
            }.ToList(),
            draft.Columns.ToList());

        var errors = await Imports.ApplyMappingAsync(Manager, first.Id, ImportFormat.Contracts, Accepted(draft), "Vertragsregister", _queue);
        Assert.IsEmpty(errors, string.Join("; ", errors.Values));
        var mapped = (await Imports.GetBatchAsync(Manager, first.Id))!;
        Assert.AreEqual(ImportStatus.Previewed, mapped.Status, string.Join("; ", (await Imports.ErrorsAsync(Manager, first.Id)).Select(e => e.ToString())));
        Assert.AreEqual("„Vertragsregister“ (Version 1)", mapped.ProfileName);
        Imports.CommitBatch(Manager, first.Id);

        var reordered = "Jahreskosten;Vertragsnummer;Bemerkung;Vertragspartner;Bezeichnung;Vertragsart;Vertragsbeginn;Kündigungsfrist (Monate)\n2.400,50;V-REG-2;;Muster GmbH;Pflege Gewerbe;Sonstiger Vertrag;01.03.2025;6\n";
        var second = await UploadAsync(Manager, reordered, "register-maerz.csv");

        Assert.AreEqual(ImportStatus.Previewed, second.Status);
        Assert.AreEqual("„Vertragsregister“ (Version 1)", second.ProfileName);
        Imports.CommitBatch(Manager, second.Id);
        using var connection = Db.Database.Open();
        CollectionAssert.AreEqual(new[] { "V-REG-1|pflege_s|1299.0|3", "V-REG-2|other|2400.5|6" }, connection.Query<string>("""
            SELECT contract_key || '|' || evb_it_type || '|' || CAST(annual_cost AS REAL) || '|' || notice_period_months FROM contracts
            WHERE contract_key LIKE 'V-REG-%' ORDER BY contract_key
            """).ToArray());
    }

    [TestMethod]
    public async Task WorkbookWithCoverSheet_SecondSheetMappedAndRecognisedNextTime()
    {
        byte[] Workbook(string key)
        {
            using var stream = new MemoryStream();
            MiniExcelLibs.MiniExcel.SaveAs(stream, new Dictionary<string, object>
            {
                ["Deckblatt"] = new[] { new Dictionary<string, object> { ["Vertragsregister des Kreises"] = "Stand 01.12.2026" } },
                ["Verträge"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["Vertragsnummer"] = key, ["Vertragspartner"] = "Muster GmbH", ["Bezeichnung"] = "Pflege", ["Vertragsart"] = "Sonstiger Vertrag",
                        ["Vertragsbeginn"] = new DateTime(2025, 2, 1),
                    },
                },
            });
            return stream.ToArray();
        }

        async Task<ImportBatch> UploadWorkbookAsync(string key)
        {
            var bytes = Workbook(key);
            return await Imports.UploadAsync(Manager, null, new MemoryStream(bytes), "register.xlsx", bytes.Length, null, _queue);
        }

        var first = await UploadWorkbookAsync("V-BLATT-1");
        var cover = (await Imports.DraftMappingAsync(Manager, first.Id))!;
        var sheet = (await Imports.DraftMappingAsync(Manager, first.Id, sheet: "Verträge"))!;

        CollectionAssert.AreEqual(new[] { "Deckblatt", "Verträge" }, cover.Sheets.ToArray());
        Assert.AreEqual("Deckblatt", cover.Sheet);
        CollectionAssert.Contains(sheet.SourceHeader.ToList(), "vertragsnummer");
        var errors = await Imports.ApplyMappingAsync(Manager, first.Id, ImportFormat.Contracts,
            new ImportMapping(sheet.Columns, new Dictionary<string, string> { ["ags"] = "05158" }, Sheet: "Verträge"), "Register mit Deckblatt", _queue);
        Assert.IsEmpty(errors, string.Join("; ", errors.Values));
        Assert.AreEqual(ImportStatus.Previewed, (await Imports.GetBatchAsync(Manager, first.Id))!.Status);

        var second = await UploadWorkbookAsync("V-BLATT-2");

        Assert.AreEqual(ImportStatus.Previewed, second.Status, "the profile of the second sheet was not found");
        Assert.AreEqual("„Register mit Deckblatt“ (Version 1)", second.ProfileName);
        Assert.AreEqual(1, second.InsertedRows);
    }

    [TestMethod]
    public async Task SavedAgain_NewVersionPastBatchKeepsItsMapping()
    {
        var first = await UploadAsync(Manager, $"{Header}\nV-VER-1;Muster GmbH;Pflege;other;01.02.2025;3;1.299,00;\n");
        var draft = (await Imports.DraftMappingAsync(Manager, first.Id))!;
        await Imports.ApplyMappingAsync(Manager, first.Id, ImportFormat.Contracts, Accepted(draft), "Vertragsregister", _queue);
        var firstMapping = (await Imports.GetBatchAsync(Manager, first.Id))!.MappingJson;

        var second = await UploadAsync(Manager, $"{Header}\nV-VER-2;Muster GmbH;Pflege;other;01.02.2025;3;1.299,00;\n");
        var changed = Accepted((await Imports.DraftMappingAsync(Manager, second.Id))!) with { Columns = new Dictionary<string, string>((await Imports.DraftMappingAsync(Manager, second.Id))!.Columns) { ["bemerkung"] = "framework" } };
        await Imports.ApplyMappingAsync(Manager, second.Id, ImportFormat.Contracts, changed, "Vertragsregister", _queue);

        Assert.AreEqual("„Vertragsregister“ (Version 2)", (await Imports.GetBatchAsync(Manager, second.Id))!.ProfileName);
        var past = (await Imports.GetBatchAsync(Manager, first.Id))!;
        Assert.AreEqual(firstMapping, past.MappingJson, "a new version changed a past import");
        Assert.AreEqual("„Vertragsregister“ (Version 1)", past.ProfileName);
        using var connection = Db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_profiles WHERE name = 'Vertragsregister' AND superseded_at IS NULL"));
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE object_type = 'import_profiles'"));
    }

    [TestMethod]
    public async Task MappingWithoutRequiredFieldOrFieldTwice_GermanErrorsNothingChanged()
    {
        var batch = await UploadAsync(Manager, $"{Header}\nV-F-1;Muster GmbH;Pflege;other;01.02.2025;3;1.299,00;\n");
        var draft = (await Imports.DraftMappingAsync(Manager, batch.Id))!;
        var columns = new Dictionary<string, string>(draft.Columns);
        columns.Remove("vertragsbeginn");
        columns["bemerkung"] = "title";

        var errors = await Imports.ApplyMappingAsync(Manager, batch.Id, ImportFormat.Contracts, new ImportMapping(columns, new Dictionary<string, string>()), "Kaputt", _queue);

        StringAssert.Contains(errors["start_date"], "Pflichtfeld „start_date“");
        StringAssert.Contains(errors["title"], "mehreren Spalten");
        StringAssert.Contains(errors["ags"], "Pflichtfeld „ags“");
        Assert.IsTrue((await Imports.GetBatchAsync(Manager, batch.Id))!.NeedsMapping);
        using var connection = Db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_profiles"));
    }

    [TestMethod]
    public async Task OtherCountysUpload_SameHeader_NotReadWithMettmannsProfile()
    {
        var first = await UploadAsync(Manager, $"{Header}\nV-X-1;Muster GmbH;Pflege;other;01.02.2025;3;1.299,00;\n");
        await Imports.ApplyMappingAsync(Manager, first.Id, ImportFormat.Contracts, Accepted((await Imports.DraftMappingAsync(Manager, first.Id))!), "Vertragsregister", _queue);
        var clock = TestClock.Create();
        await new UserAdministration(Db.Database, clock, new AuditLog(Db.Database, clock))
            .AddAsync(CallerScope.System("test"), "lm.wartburgkreis", "license_manager", "16063", "Ein-langes-Passwort-1");
        var wartburg = await Scopes.ForUserNameAsync(Db.Database, "lm.wartburgkreis");

        var theirs = await UploadAsync(wartburg, $"{Header}\nV-W-1;Muster GmbH;Pflege;other;01.02.2025;3;1.299,00;\n");

        Assert.IsNull(theirs.ProfileName);
        Assert.IsTrue(theirs.NeedsMapping);
        Assert.IsNull(await Imports.DraftMappingAsync(wartburg, first.Id), "another county's batch opened for mapping");
    }
}
