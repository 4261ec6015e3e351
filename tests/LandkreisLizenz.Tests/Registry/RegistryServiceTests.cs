using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Exports;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Registry;

[TestClass]
public sealed class RegistryServiceTests
{
    private TestDatabase _db = null!;
    private RegistryService _registry = null!;
    private ImportService _imports = null!;

    public static IEnumerable<object[]> Entities => RegistryEntities.All.Select(e => new object[] { e.Slug });

    [TestInitialize]
    public void Setup()
    {
        _db = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var audit = new AuditLog(_db.Database, clock);
        _registry = new RegistryService(_db.Database, clock, audit);
        _imports = _db.Imports();
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private Task<CallerScope> Manager() => Scopes.ForUserNameAsync(_db.Database, "lm.mettmann");

    private async Task<RegistryRecord> FirstContractOfMettmannAsync(CallerScope scope)
    {
        var page = await _registry.ListAsync(scope, RegistryEntities.Contracts, new ListQuery(Search: "Mettmann", PageSize: 1));
        return (await _registry.GetAsync(scope, RegistryEntities.Contracts, Convert.ToInt64(page.Rows[0]["id"])))!;
    }

    private static Dictionary<string, string?> Fields(RegistryRecord record) =>
        ImportFormatDescriptions.AllColumns(record.Entity.Format).ToDictionary(c => c, c => LandkreisLizenz.Core.Common.ValueText.Normalise(record.Values[c]));

    [TestMethod]
    public async Task SaveAsync_TwoEditsOfOneVersion_SecondRefusedFirstSurvives()
    {
        var manager = await Manager();
        var record = await FirstContractOfMettmannAsync(manager);
        var first = Fields(record);
        first["title"] = "Erste Änderung";
        var second = Fields(record);
        second["title"] = "Zweite Änderung";

        var firstResult = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, first, record.RowVersion);
        var secondResult = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, second, record.RowVersion);

        Assert.IsTrue(firstResult.Succeeded);
        Assert.IsFalse(secondResult.Succeeded);
        StringAssert.Contains(secondResult.Conflict, "inzwischen von jemand anderem geändert");
        var stored = await _registry.GetAsync(manager, RegistryEntities.Contracts, record.Id);
        Assert.AreEqual("Erste Änderung", stored!.Values["title"]);
        Assert.AreEqual(record.RowVersion + 1, stored.RowVersion);
    }

    [TestMethod]
    public async Task SaveAsync_KeepOmitted_OnlyGivenFieldsChangeFormsStillClearEmptyOnes()
    {
        var manager = await Manager();
        var record = await FirstContractOfMettmannAsync(manager);
        var vendor = Convert.ToString(record.Values["vendor"], System.Globalization.CultureInfo.InvariantCulture);

        var patched = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, new Dictionary<string, string?> { ["title"] = "Nur der Titel" }, record.RowVersion, keepOmitted: true);
        var afterPatch = (await _registry.GetAsync(manager, RegistryEntities.Contracts, record.Id))!;
        var form = Fields(afterPatch);
        form["framework"] = "";
        var formSaved = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, form, afterPatch.RowVersion);
        var afterForm = (await _registry.GetAsync(manager, RegistryEntities.Contracts, record.Id))!;

        Assert.IsTrue(patched.Succeeded, string.Join("; ", patched.FieldErrors.Values));
        Assert.AreEqual("Nur der Titel", afterPatch.Values["title"]);
        Assert.AreEqual(vendor, Convert.ToString(afterPatch.Values["vendor"], System.Globalization.CultureInfo.InvariantCulture), "fields left out keep their value");
        Assert.IsTrue(formSaved.Succeeded);
        Assert.IsNull(afterForm.Values["framework"], "a form sends every field: an empty one clears");
    }

    [TestMethod]
    public async Task SaveAsync_InvalidValue_GermanFieldErrorAndNothingWritten()
    {
        var manager = await Manager();
        var record = await FirstContractOfMettmannAsync(manager);
        var fields = Fields(record);
        fields["start_date"] = "31.02.2025";
        fields["title"] = "Wird nicht gespeichert";

        var result = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, fields, record.RowVersion);

        Assert.AreEqual("kein gültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)", result.FieldErrors["start_date"]);
        Assert.AreNotEqual("Wird nicht gespeichert", (await _registry.GetAsync(manager, RegistryEntities.Contracts, record.Id))!.Values["title"]);
    }

    [TestMethod]
    public async Task SaveAsync_KeyFieldsPosted_KeyCannotBeChanged()
    {
        var manager = await Manager();
        var record = await FirstContractOfMettmannAsync(manager);
        var fields = Fields(record);
        fields["ags"] = "16063";
        fields["contract_key"] = "GEKAPERT";

        var result = await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, fields, record.RowVersion);

        Assert.IsTrue(result.Succeeded);
        var stored = (await _registry.GetAsync(manager, RegistryEntities.Contracts, record.Id))!;
        Assert.AreEqual(record.Values["contract_key"], stored.Values["contract_key"]);
        Assert.AreEqual(record.Values["ags"], stored.Values["ags"]);
    }

    [TestMethod]
    public async Task SaveAsync_CreateInForeignCounty_RefusedAndAudited()
    {
        var manager = await Manager();
        var fields = new Dictionary<string, string?> { ["ags"] = "16063", ["contract_key"] = "V-FREMD", ["vendor"] = "X", ["title"] = "Y", ["evb_it_type"] = "other", ["start_date"] = "2025-01-01" };

        var result = await _registry.SaveAsync(manager, RegistryEntities.Contracts, null, fields, null);

        Assert.AreEqual("keine Schreibberechtigung für diese Organisation", result.FieldErrors["ags"]);
        using var connection = _db.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts WHERE contract_key = 'V-FREMD'"));
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND object_key = '16063/V-FREMD'"));
    }

    [TestMethod]
    public async Task SaveAsync_CreateAndDelete_AuditedWithBeforeAndAfter()
    {
        var manager = await Manager();
        var fields = new Dictionary<string, string?> { ["ags"] = "05158", ["contract_key"] = "V-NEU", ["vendor"] = "X", ["title"] = "Neu", ["evb_it_type"] = "other", ["start_date"] = "01.03.2025", ["annual_cost"] = "1234,50" };

        var created = await _registry.SaveAsync(manager, RegistryEntities.Contracts, null, fields, null);
        var record = (await _registry.GetAsync(manager, RegistryEntities.Contracts, created.Id!.Value))!;
        var problem = await _registry.DeleteAsync(manager, RegistryEntities.Contracts, record.Id, record.RowVersion);

        Assert.IsNull(problem);
        Assert.AreEqual("2025-03-01", LandkreisLizenz.Core.Common.ValueText.Normalise(record.Values["start_date"]));
        Assert.AreEqual("1234.5", LandkreisLizenz.Core.Common.ValueText.Normalise(record.Values["annual_cost"]));
        using var connection = _db.Database.Open();
        var actions = connection.Query<(string Action, string? Before, string? After)>("SELECT action, before_json, after_json FROM audit_log WHERE object_key = '05158/V-NEU' ORDER BY id").ToList();
        Assert.AreEqual("create", actions[0].Action);
        StringAssert.Contains(actions[0].After, "1234,50");
        Assert.AreEqual("delete", actions[1].Action);
        StringAssert.Contains(actions[1].Before, "V-NEU");
    }

    [TestMethod]
    public async Task DeleteAsync_HostingInUse_RefusedWithGermanReason()
    {
        var manager = await Manager();
        var page = await _registry.ListAsync(manager, RegistryEntities.Hostings, new ListQuery(Search: "Rechenzentrum Kreisverwaltung", PageSize: 1));
        var hosting = (await _registry.GetAsync(manager, RegistryEntities.Hostings, Convert.ToInt64(page.Rows[0]["id"])))!;

        var problem = await _registry.DeleteAsync(manager, RegistryEntities.Hostings, hosting.Id, hosting.RowVersion);

        StringAssert.Contains(problem, "kann nicht gelöscht werden");
        Assert.IsNotNull(await _registry.GetAsync(manager, RegistryEntities.Hostings, hosting.Id));
    }

    [TestMethod]
    public async Task DeleteAsync_Reader_AccessDenied()
    {
        var reader = await Scopes.ForUserNameAsync(_db.Database, "leser.wartburgkreis");
        var page = await _registry.ListAsync(reader, RegistryEntities.Contracts, new ListQuery(PageSize: 1));
        var record = (await _registry.GetAsync(reader, RegistryEntities.Contracts, Convert.ToInt64(page.Rows[0]["id"])))!;

        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _registry.DeleteAsync(reader, RegistryEntities.Contracts, record.Id, record.RowVersion));
    }

    [TestMethod]
    public async Task ListAsync_UnknownSortColumn_FallsBackToDefaultInsteadOfInjecting()
    {
        var manager = await Manager();

        var page = await _registry.ListAsync(manager, RegistryEntities.Contracts, new ListQuery(Sort: "title; DROP TABLE contracts", PageSize: 5));

        Assert.HasCount(5, page.Rows);
        using var connection = _db.Database.Open();
        Assert.IsGreaterThan(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM contracts"));
    }

    [TestMethod]
    public async Task ExportCsv_FormulaInName_PrefixedWithApostrophe()
    {
        var manager = await Manager();
        var record = await FirstContractOfMettmannAsync(manager);
        var fields = Fields(record);
        fields["title"] = "=HYPERLINK(\"x\")";
        Assert.IsTrue((await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, fields, record.RowVersion)).Succeeded);

        var (columns, rows) = await _registry.ExportAsync(manager, RegistryEntities.Contracts, new ListQuery(Search: "HYPERLINK"));
        using var csv = new MemoryStream();
        await TabularExport.WriteCsvAsync(csv, columns, rows);
        var text = Encoding.UTF8.GetString(csv.ToArray());

        StringAssert.Contains(text, "\"'=HYPERLINK(\"\"x\"\")\"");
        Assert.AreEqual("'=HYPERLINK(\"x\")", TabularExport.EscapeFormula("=HYPERLINK(\"x\")"));
    }

    [TestMethod]
    [DynamicData(nameof(Entities))]
    public async Task ExportCsv_ReimportedByImporter_ChangesNothing(string slug)
    {
        var manager = await Manager();
        var entity = RegistryEntities.BySlug(slug)!;
        if (entity == RegistryEntities.Contracts)
        {
            var record = await FirstContractOfMettmannAsync(manager);
            var fields = Fields(record);
            fields["title"] = "=HYPERLINK(\"x\"); \"zitiert\", mit Komma";
            Assert.IsTrue((await _registry.SaveAsync(manager, RegistryEntities.Contracts, record.Id, fields, record.RowVersion)).Succeeded);
        }

        var (columns, rows) = await _registry.ExportAsync(manager, entity, new ListQuery(Search: entity.Global ? null : "Mettmann"));
        using var csv = new MemoryStream();
        await TabularExport.WriteCsvAsync(csv, columns, rows);
        var before = EstateChecksum.Compute(_db.Database);
        csv.Position = 0;

        // The shared catalogue is imported by the administration (spec §6.1); everything else by the county.
        var importer = entity.Global ? await Scopes.ForUserNameAsync(_db.Database, "admin") : manager;
        var outcome = _imports.Commit(importer, entity.Format, csv, "export.csv");

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors.Take(5)));
        Assert.IsGreaterThan(0, outcome.TotalRows);
        Assert.AreEqual(0, outcome.Inserts + outcome.Updates, $"{outcome.Inserts} inserts, {outcome.Updates} updates");
        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(_db.Database).ToList());
    }

    [TestMethod]
    public async Task ExportXlsx_FormulaText_StoredAsTextWithApostrophe()
    {
        var rows = new List<IDictionary<string, object?>> { new Dictionary<string, object?> { ["title"] = "=1+1", ["annual_cost"] = 12.5m } };
        using var xlsx = new MemoryStream();

        await TabularExport.WriteXlsxAsync(xlsx, ["title", "annual_cost"], rows, "Test");
        xlsx.Position = 0;
        var read = MiniExcelLibs.MiniExcel.Query(xlsx, useHeaderRow: true).Cast<IDictionary<string, object>>().Single();

        Assert.AreEqual("'=1+1", read["title"]);
        Assert.AreEqual(12.5, Convert.ToDouble(read["annual_cost"]));
    }
}
