using System.Globalization;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// The inventory commit in constant memory: the file's rows are sorted in runs on disk and merged device by device, and a
/// device's stored snapshot is one value. A run size of a few rows makes every test merge many runs.
/// </summary>
[TestClass]
public sealed class InstallationImporterTests : ImportTestBase
{
    private const string Header = "ags;device;software;device_kind;cores;publisher;version;user;last_used";

    private const string InstalledSql = """
        SELECT d.device_key || '|' || d.device_kind || '|' || COALESCE(CAST(d.cores AS TEXT), '') || '|' || t.name || '|' || t.publisher || '|'
               || COALESCE(i.version, '') || '|' || COALESCE(i.user_key, '') || '|' || COALESCE(i.last_used, '')
        FROM installations i JOIN devices d ON d.id = i.device_id JOIN software_titles t ON t.id = i.software_title_id
        WHERE d.device_key LIKE 'RUN-%'
        ORDER BY 1
        """;

    /// <summary>30 devices with 5 installations each, every device's rows spread over the whole file.</summary>
    private static List<string> ScatteredRows(string version = "2.0")
    {
        var rows = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            for (var d = 0; d < 30; d++)
            {
                var kind = d % 3 == 0 ? "laptop" : "";
                rows.Add($"05158;RUN-{d:00};Fachanwendung {n};{kind};{(n == 0 ? "8" : "")};Hersteller {n % 2};{version}.{n};u{d % 4};2026-10-{1 + d % 28:00}");
            }
        }

        return rows;
    }

    private static string Csv(IEnumerable<string> rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    private static ImportOutcome Commit(Core.Imports.ImportService imports, Core.Security.CallerScope scope, string content) =>
        imports.Commit(scope, ImportFormat.Installations, new MemoryStream(Encoding.UTF8.GetBytes(content)), "inventar.csv");

    private static List<string> Installed(TestDatabase db)
    {
        using var connection = db.Database.Open();
        return connection.Query<string>(InstalledSql).ToList();
    }

    [TestMethod]
    public void Commit_DeviceRowsScatteredOverManyRuns_StoresWhatOneRunStores()
    {
        using var reference = TestDatabase.CopyOf(SharedEstate.Database);
        var content = Csv(ScatteredRows());

        var merged = Commit(Db.Imports(new ImportOptions { InventoryRunRows = 7 }), Manager, content);
        var whole = Commit(reference.Imports(), Manager, content);

        Assert.IsTrue(merged.IsValid, string.Join("; ", merged.Errors));
        Assert.AreEqual(150, merged.Inserts);
        Assert.AreEqual(whole.Inserts, merged.Inserts);
        var installed = Installed(Db);
        Assert.HasCount(150, installed);
        CollectionAssert.AreEqual(Installed(reference), installed);
        Assert.Contains("RUN-00|laptop|8|Fachanwendung 0|Hersteller 0|2.0.0|u0|2026-10-01", installed);
        Assert.AreEqual(30, Scalar("SELECT COUNT(*) FROM devices WHERE device_key LIKE 'RUN-%' AND installations_hash LIKE '5:%'"));
    }

    [TestMethod]
    public void Commit_MoreRunsThanAreMergedAtOnce_StoresWhatOneRunStores()
    {
        using var reference = TestDatabase.CopyOf(SharedEstate.Database);
        var content = Csv(ScatteredRows().Concat(ScatteredRows().Select(r => r.Replace("Fachanwendung", "Fachverfahren", StringComparison.Ordinal))));

        // One row a run: 300 runs, more than InstallationSpill.MaxFanIn, so the shortest runs are merged into a longer one first.
        var merged = Commit(Db.Imports(new ImportOptions { InventoryRunRows = 1 }), Manager, content);
        var whole = Commit(reference.Imports(), Manager, content);

        Assert.IsGreaterThan(InstallationSpill.MaxFanIn, 300);
        Assert.IsTrue(merged.IsValid, string.Join("; ", merged.Errors));
        Assert.AreEqual(whole.Inserts, merged.Inserts);
        var installed = Installed(Db);
        Assert.HasCount(300, installed);
        CollectionAssert.AreEqual(Installed(reference), installed);
    }

    [TestMethod]
    public void Commit_SameFileInAnotherOrder_ChangesNothing()
    {
        var imports = Db.Imports(new ImportOptions { InventoryRunRows = 7 });
        var rows = ScatteredRows();
        Commit(imports, Manager, Csv(rows));
        var before = Installed(Db);
        var updatedAt = Scalar("SELECT COUNT(DISTINCT updated_at) FROM devices WHERE device_key LIKE 'RUN-%'");

        rows.Reverse();
        var again = Commit(imports, Manager, Csv(rows));

        Assert.IsTrue(again.IsValid, string.Join("; ", again.Errors));
        Assert.AreEqual(0, again.Inserts + again.Updates);
        Assert.AreEqual(150, again.Unchanged);
        Assert.IsEmpty(again.AffectedOrganisationIds);
        CollectionAssert.AreEqual(before, Installed(Db));
        Assert.AreEqual(updatedAt, Scalar("SELECT COUNT(DISTINCT updated_at) FROM devices WHERE device_key LIKE 'RUN-%'"));
    }

    [TestMethod]
    public void Commit_OneInstallationChanged_ReplacesOnlyThatDevice()
    {
        var imports = Db.Imports(new ImportOptions { InventoryRunRows = 7 });
        var rows = ScatteredRows();
        Commit(imports, Manager, Csv(rows));
        var hashBefore = Scalar("SELECT COUNT(*) FROM devices WHERE device_key = 'RUN-07' AND installations_hash IS NOT NULL");
        var changed = rows.Select(r => r.StartsWith("05158;RUN-07;Fachanwendung 3;", StringComparison.Ordinal) ? r.Replace("2.0.3", "2.1.0", StringComparison.Ordinal) : r).ToList();

        var outcome = Commit(imports, Manager, Csv(changed));

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        Assert.AreEqual(5, outcome.Updates, "the changed device's five rows");
        Assert.AreEqual(145, outcome.Unchanged);
        Assert.AreEqual(1, hashBefore);
        Assert.Contains("RUN-07|workstation|8|Fachanwendung 3|Hersteller 1|2.1.0|u3|2026-10-08", Installed(Db));
        Assert.DoesNotContain("RUN-07|workstation|8|Fachanwendung 3|Hersteller 1|2.0.3|u3|2026-10-08", Installed(Db));
    }

    [TestMethod]
    public void Commit_DeviceKindAndCoresContradictedInAnotherRun_ErrorsNameBothRowsAndNothingIsWritten()
    {
        var rows = ScatteredRows();
        // RUN-00 is a laptop with 8 cores in data rows 1, 31, 61, …; a later row calls it a server, another gives 16 cores.
        rows[120] = "05158;RUN-00;Fachanwendung 4;server;;Hersteller 0;2.0.4;u0;2026-10-01";
        rows[90] = "05158;RUN-00;Fachanwendung 3;;16;Hersteller 1;2.0.3;u0;2026-10-01";
        var devicesBefore = Scalar("SELECT COUNT(*) FROM devices");

        var outcome = Commit(Db.Imports(new ImportOptions { InventoryRunRows = 7 }), Manager, Csv(rows));

        Assert.IsFalse(outcome.IsValid);
        Assert.HasCount(2, outcome.Errors);
        var cores = outcome.Errors.Single(e => e.Column == "cores");
        Assert.AreEqual(92, cores.Row);
        Assert.AreEqual("16", cores.Value);
        Assert.AreEqual("widerspricht Zeile 2 für dasselbe Gerät (8)", cores.Reason);
        var kind = outcome.Errors.Single(e => e.Column == "device_kind");
        Assert.AreEqual(122, kind.Row);
        Assert.AreEqual("server", kind.Value);
        Assert.AreEqual("widerspricht Zeile 62 für dasselbe Gerät (laptop)", kind.Reason, "the last row that named the kind");
        Assert.AreEqual(devicesBefore, Scalar("SELECT COUNT(*) FROM devices"));
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM devices WHERE device_key LIKE 'RUN-%'"));
    }

    [TestMethod]
    public void Commit_DemoDeviceWithoutStoredSnapshot_UnchangedRowsRecognisedFromItsInstallations()
    {
        using var connection = Db.Database.Open();
        var device = connection.QueryFirst<(long Id, string Key, string Kind, long? Cores)>("""
            SELECT d.id, d.device_key, d.device_kind, d.cores FROM devices d JOIN organisations o ON o.id = d.organisation_id
            WHERE o.ags = '05158' AND d.installations_hash IS NULL AND EXISTS (SELECT 1 FROM installations i WHERE i.device_id = d.id)
            ORDER BY d.id
            """);
        var rows = connection.Query<(string Name, string Publisher, string? Version, string? User, string? LastUsed)>("""
            SELECT t.name, t.publisher, i.version, i.user_key, i.last_used FROM installations i JOIN software_titles t ON t.id = i.software_title_id
            WHERE i.device_id = @Id
            """, new { device.Id }).ToList();
        var lines = rows.Select(r => string.Join(";", "05158", device.Key, r.Name, device.Kind, "", r.Publisher, r.Version, r.User, r.LastUsed?[..10])).ToList();

        var same = Commit(Db.Imports(new ImportOptions { InventoryRunRows = 2 }), Manager, Csv(lines));

        Assert.IsTrue(same.IsValid, string.Join("; ", same.Errors));
        Assert.AreEqual(rows.Count, same.Unchanged);
        Assert.AreEqual(0, same.Inserts + same.Updates);
        Assert.IsNull(connection.ExecuteScalar<string?>("SELECT installations_hash FROM devices WHERE id = @Id", new { device.Id }), "an unchanged device is not written");

        var cores = (device.Cores ?? 2) + 2;
        lines[0] = lines[0].Replace(";" + device.Kind + ";", ";" + device.Kind + ";" + cores.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var changed = Commit(Db.Imports(), Manager, Csv(lines));

        Assert.AreEqual(rows.Count, changed.Updates);
        Assert.AreEqual(rows.Count.ToString(CultureInfo.InvariantCulture) + ":",
            connection.ExecuteScalar<string>("SELECT installations_hash FROM devices WHERE id = @Id", new { device.Id })!.Split(':')[0] + ":");
        Assert.AreEqual(cores, connection.ExecuteScalar<long>("SELECT cores FROM devices WHERE id = @Id", new { device.Id }));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(40)]
    [DataRow(250)]
    public async Task Commit_MappingWhileAnImportRuns_BothTitlesDecidedWhicheverCommitsFirst(int mappingDelayMs)
    {
        var imports = Db.Imports(new ImportOptions { InventoryRunRows = 5_000 });
        Commit(imports, Manager, Csv(["05158;RUN-X;Interplay Tool;;;Interplay GmbH;1.0;;"]));
        var existing = Scalar("SELECT id FROM software_titles WHERE name = 'Interplay Tool'");
        // 30,000 rows, among them a title the database does not know yet that the mapping's pattern covers too.
        var rows = Enumerable.Range(0, 30_000).Select(i =>
            $"05158;RUN-{i / 50:0000};{(i % 50 == 0 ? "Interplay Tool 2" : i % 50 == 1 ? "Interplay Tool" : "Beiwerk " + (i % 50))};;;Interplay GmbH;1.{i % 7};;").ToList();

        var import = Task.Run(() => Commit(imports, Manager, Csv(rows)));
        await Task.Delay(mappingDelayMs);
        var mapping = await Recognition().MapAsync(Manager, existing, ProductId("caigos"), "Interplay Tool*");
        var outcome = await import;

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        Assert.AreEqual(30_000, outcome.TotalRows);
        Assert.IsNotNull(mapping);
        var undecided = await Recognition().ListUnrecognisedAsync(Manager, "Interplay", new Core.Common.PageRequest(1, 50));
        Assert.IsEmpty(undecided.Items, "both titles decided for the county, in either order");
        Assert.AreEqual(1_200, Scalar("""
            SELECT COUNT(*) FROM installations i JOIN software_titles t ON t.id = i.software_title_id
            JOIN devices d ON d.id = i.device_id WHERE t.name LIKE 'Interplay Tool%' AND d.device_key LIKE 'RUN-%'
            """) - 1, "the import's rows of both titles, and the first import's one");
    }

    [TestMethod]
    public void Commit_SortFolderCannotBeWritten_GermanErrorOnTheBatchAndNothingWritten()
    {
        var missing = Path.Combine(Db.Folder, "gibt-es-nicht");
        var devicesBefore = Scalar("SELECT COUNT(*) FROM devices");

        var outcome = Commit(Db.Imports(new ImportOptions { SortFolder = missing }), Manager, Csv(ScatteredRows()));

        Assert.IsFalse(outcome.IsValid);
        var error = outcome.Errors.Single();
        StringAssert.Contains(error.Reason, "Das Inventar konnte nicht zum Vergleich sortiert werden");
        StringAssert.Contains(error.Reason, missing);
        StringAssert.Contains(error.Reason, "Es wurde nichts übernommen.");
        Assert.AreEqual(devicesBefore, Scalar("SELECT COUNT(*) FROM devices"));
    }

    [TestMethod]
    public async Task Commit_SameInventoryTwiceAtOnce_OneWritesTheOtherFindsItUnchanged()
    {
        var imports = Db.Imports(new ImportOptions { InventoryRunRows = 7 });
        var content = Csv(ScatteredRows());

        var outcomes = await Task.WhenAll(Task.Run(() => Commit(imports, Manager, content)), Task.Run(() => Commit(imports, Manager, content)));

        Assert.IsTrue(outcomes.All(o => o.IsValid), string.Join("; ", outcomes.SelectMany(o => o.Errors)));
        CollectionAssert.AreEquivalent(new[] { 150, 0 }, outcomes.Select(o => o.Inserts).ToArray(), "each device written once");
        CollectionAssert.AreEquivalent(new[] { 0, 150 }, outcomes.Select(o => o.Unchanged).ToArray());
        Assert.HasCount(150, Installed(Db));
        Assert.AreEqual(30, Scalar("SELECT COUNT(*) FROM devices WHERE device_key LIKE 'RUN-%'"));
    }
}
