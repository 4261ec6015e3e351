using System.Text;
using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

[TestClass]
public sealed class ImportServiceTests : ImportTestBase
{

    public static IEnumerable<object[]> Formats => ImportFormats.All.Select(f => new object[] { f.Key() });

    private static ImportFormat Parse(string key) => ImportFormats.TryParse(key, out var f) ? f : throw new ArgumentException(key);

    // Each import is a new request: the scope is read afresh, so organisations created by an earlier import are covered.
    // The shared catalogue and global rules are the administration's (spec §6.1); everything else the county's.
    private ImportOutcome Commit(ImportFormat format, string content, string fileName = "datei.csv")
    {
        Manager = Scopes.ForUserNameAsync(Db.Database, "lm.mettmann").GetAwaiter().GetResult();
        var scope = format is ImportFormat.Products or ImportFormat.RecognitionRules
            ? Scopes.ForUserNameAsync(Db.Database, "admin").GetAwaiter().GetResult()
            : Manager;
        return Imports.Commit(scope, format, new MemoryStream(Encoding.UTF8.GetBytes(content)), fileName);
    }

    private ImportOutcome CommitBytes(ImportFormat format, byte[] content, string fileName = "datei.csv") =>
        Imports.Commit(Manager, format, new MemoryStream(content), fileName);

    /// <summary>Samples depend on each other (hostings before applications, contracts before licenses): import the ones before.</summary>
    private void ImportPrerequisites(ImportFormat format)
    {
        foreach (var earlier in ImportFormats.All.TakeWhile(f => f != format))
        {
            var outcome = Commit(earlier, File.ReadAllText(Repository.ImportSample(earlier.Key())));
            Assert.IsTrue(outcome.IsValid, $"{earlier}: " + string.Join("; ", outcome.Errors));
        }
    }

    private string Checksum() => string.Join("|", EstateChecksum.Compute(Db.Database).Select(kv => kv.Value.Sha256));

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void Commit_SampleFile_ImportsThenSecondRunChangesNothing(string formatKey)
    {
        var format = Parse(formatKey);
        ImportPrerequisites(format);
        var sample = File.ReadAllText(Repository.ImportSample(formatKey));

        var first = Commit(format, sample);
        var afterFirst = Checksum();
        var second = Commit(format, sample);

        Assert.IsTrue(first.IsValid, string.Join("; ", first.Errors));
        Assert.IsGreaterThan(0, first.Inserts + first.Updates, "The sample must change something.");
        Assert.AreEqual(first.TotalRows, first.Inserts + first.Updates + first.Unchanged);
        Assert.IsTrue(second.IsValid);
        Assert.AreEqual(0, second.Inserts + second.Updates);
        Assert.AreEqual(first.TotalRows, second.Unchanged);
        Assert.AreEqual(afterFirst, Checksum(), "The second import wrote something.");
    }

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void Commit_ThreeBadRows_ExactlyThreeErrorsAndNothingWritten(string formatKey)
    {
        var format = Parse(formatKey);
        ImportPrerequisites(format);
        var lines = File.ReadAllLines(Repository.ImportSample(formatKey)).ToList();
        var header = lines[0].Split(';');
        var (column, bad) = format switch
        {
            ImportFormat.Organisations => ("kind", "planet"),
            ImportFormat.Products => ("category", "gibt-es-nicht"),
            ImportFormat.RecognitionRules => ("product_key", "gibt-es-nicht"),
            _ => ("ags", "99999"),
        };
        var index = Array.IndexOf(header, column);
        for (var i = 0; i < 3; i++)
        {
            var cells = lines[1].Split(';');
            cells[index] = bad;
            lines.Add(string.Join(';', cells));
        }

        var before = Checksum();

        var outcome = Commit(format, string.Join("\n", lines));

        Assert.IsFalse(outcome.IsValid);
        Assert.HasCount(3, outcome.Errors, string.Join("; ", outcome.Errors));
        CollectionAssert.AreEqual(new[] { lines.Count - 2, lines.Count - 1, lines.Count }, outcome.Errors.Select(e => e.Row).ToArray());
        Assert.IsTrue(outcome.Errors.All(e => e.Column == column && e.Value == bad), string.Join("; ", outcome.Errors));
        Assert.AreEqual(before, Checksum(), "A rejected file must not write anything.");
    }

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void Commit_MissingRequiredColumn_OneClearError(string formatKey)
    {
        var format = Parse(formatKey);
        var lines = File.ReadAllLines(Repository.ImportSample(formatKey));
        var dropped = lines.Select(l => string.Join(';', l.Split(';').Skip(1)));

        var outcome = Commit(format, string.Join("\n", dropped));

        Assert.HasCount(1, outcome.Errors);
        StringAssert.Contains(outcome.Errors[0].Reason, "Pflichtspalte(n) fehlen: " + lines[0].Split(';')[0]);
    }

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void Commit_TabDelimited_SameAsSemicolons(string formatKey)
    {
        var format = Parse(formatKey);
        ImportPrerequisites(format);
        var content = File.ReadAllText(Repository.ImportSample(formatKey));

        var tabs = Commit(format, content.Replace(';', '\t'));
        var semicolons = Commit(format, content);

        Assert.IsTrue(tabs.IsValid, string.Join("; ", tabs.Errors));
        Assert.AreEqual(tabs.TotalRows, semicolons.Unchanged + semicolons.Updates, "the tab-separated file wrote what the ';' file holds");
        Assert.AreEqual(0, semicolons.Inserts);
    }

    [TestMethod]
    public void Commit_CommaDelimitedWithBomAndGermanDates_Imports()
    {
        ImportPrerequisites(ImportFormat.Contracts);
        var content = "\uFEFFAGS,Contract_Key,Vendor,Title,EVB_IT_Type,Start_Date,Annual_Cost\n05158,V-KOMMA-1,\"Muster, Söhne & Co.\",\"Pflege \"\"Gold\"\"\",pflege_s,31.01.2025,1234.56\n";

        var outcome = Commit(ImportFormat.Contracts, content);

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        using var connection = Db.Database.Open();
        var row = connection.QuerySingle<(string Vendor, string Title, string Start, double Cost)>(
            "SELECT vendor, title, start_date, annual_cost FROM contracts WHERE contract_key = 'V-KOMMA-1'");
        Assert.AreEqual(("Muster, Söhne & Co.", "Pflege \"Gold\"", "2025-01-31", 1234.56), row);
    }

    [TestMethod]
    public void Commit_OtherCountysOrganisation_RefusedPerRow()
    {
        ImportPrerequisites(ImportFormat.Contracts);
        var content = "ags;contract_key;vendor;title;evb_it_type;start_date\n16063;V-FREMD;X;Y;other;2025-01-01\n05158;V-EIGEN;X;Y;other;2025-01-01\n";

        var outcome = Commit(ImportFormat.Contracts, content);

        Assert.HasCount(1, outcome.Errors);
        Assert.AreEqual(2, outcome.Errors[0].Row);
        StringAssert.Contains(outcome.Errors[0].Reason, "keine Schreibberechtigung");
        using var connection = Db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND user_name = 'lm.mettmann' AND object_type = 'contracts'
              AND organisation_id = (SELECT id FROM organisations WHERE ags = '16063')
            """), "The refused row is not audited for Wartburgkreis, whose CIO would not see the attempt.");
    }

    [TestMethod]
    [DataRow("products", "product_key;name;vendor;category\ngekapert;Gekapert;X;fachverfahren\n")]
    [DataRow("recognition_rules", "software_pattern;publisher_pattern;product_key\nZoom Work*;*;ms-m365-e3\n")]
    public void Commit_CatalogueByLicenseManager_RefusedAndAudited(string formatKey, string content)
    {
        var before = Checksum();

        var outcome = Imports.Commit(Manager, Parse(formatKey), new MemoryStream(Encoding.UTF8.GetBytes(content)), "katalog.csv");

        Assert.IsFalse(outcome.IsValid);
        StringAssert.Contains(outcome.Errors[0].Reason, "nur die Administration");
        Assert.AreEqual(before, Checksum());
        using var connection = Db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND user_name = 'lm.mettmann' AND object_type = @formatKey", new { formatKey }));
    }

    [TestMethod]
    public void Commit_DuplicateKeyInFile_ErrorNamesFirstRow()
    {
        var content = "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-DOPPELT;X;Y;other;2025-01-01\n05158;V-DOPPELT;X;Z;other;2025-01-01\n";

        var outcome = Commit(ImportFormat.Contracts, content);

        Assert.HasCount(1, outcome.Errors);
        Assert.AreEqual(3, outcome.Errors[0].Row);
        StringAssert.Contains(outcome.Errors[0].Reason, "Zeile 2");
    }

    [TestMethod]
    public void Commit_ExpiredTrancheAndSuccessorUnderOneContract_BothKeptSecondImportUnchanged()
    {
        Assert.IsTrue(Commit(ImportFormat.Contracts, "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-TRANCHEN;AKDB;Kfz;pflege_s;2021-01-01\n").IsValid);
        const string licenses = """
            ags;contract_key;product_key;metric;license_key;quantity;valid_from;valid_to
            05158;V-TRANCHEN;akdb-ok-vorfahrt;named_user;2021-2024;40;2021-01-01;2024-12-31
            05158;V-TRANCHEN;akdb-ok-vorfahrt;named_user;2025-2027;55;2025-01-01;2027-12-31
            """;

        var first = Commit(ImportFormat.Licenses, licenses);
        var again = Commit(ImportFormat.Licenses, licenses);
        var twice = Commit(ImportFormat.Licenses, "ags;contract_key;product_key;metric;quantity\n05158;V-TRANCHEN;akdb-ok-vorfahrt;device;1\n05158;V-TRANCHEN;akdb-ok-vorfahrt;device;2\n");

        Assert.IsTrue(first.IsValid, string.Join("; ", first.Errors));
        Assert.AreEqual(2, first.Inserts);
        Assert.AreEqual(2, again.Unchanged);
        using var connection = Db.Database.Open();
        CollectionAssert.AreEqual(new[] { "2021-2024:40", "2025-2027:55" }, connection.Query<string>("""
            SELECT l.license_key || ':' || l.quantity FROM licenses l JOIN contracts k ON k.id = l.contract_id
            WHERE k.contract_key = 'V-TRANCHEN' ORDER BY l.license_key
            """).ToArray());
        StringAssert.Contains(twice.Errors.Single().Reason, "doppelter Schlüssel", "without a license key one product and metric is one license, as before");
    }

    [TestMethod]
    public void Commit_XlsxSavedAsCsv_OneClearError()
    {
        var outcome = CommitBytes(ImportFormat.Contracts, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);

        Assert.HasCount(1, outcome.Errors);
        StringAssert.Contains(outcome.Errors[0].Reason, "Excel-Arbeitsmappe");
    }

    [TestMethod]
    public void Commit_EmptyFile_OneClearError()
    {
        var outcome = CommitBytes(ImportFormat.Contracts, []);

        Assert.HasCount(1, outcome.Errors);
        Assert.AreEqual("Die Datei ist leer.", outcome.Errors[0].Reason);
    }

    [TestMethod]
    [DataRow("windows-1252")]
    [DataRow("utf-16")]
    [DataRow("utf-16BE")]
    [DataRow("utf-8-bom")]
    public void Commit_UsualEncodings_ConvertedUmlautsIntact(string encodingName)
    {
        const string text = "ags;contract_key;vendor;title;evb_it_type;start_date\n05158;V-KODIERUNG;Müller & Söhne;Straßenverkehr – Wartung;other;2025-01-01\n";
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var bytes = encodingName switch
        {
            "utf-8-bom" => new UTF8Encoding(true).GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray(),
            _ => Encoding.GetEncoding(encodingName) is var e ? e.GetPreamble().Concat(e.GetBytes(text)).ToArray() : [],
        };

        var outcome = CommitBytes(ImportFormat.Contracts, bytes);

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        using var connection = Db.Database.Open();
        Assert.AreEqual("Müller & Söhne|Straßenverkehr – Wartung",
            connection.ExecuteScalar<string>("SELECT vendor || '|' || title FROM contracts WHERE contract_key = 'V-KODIERUNG'"));
    }

    [TestMethod]
    public void Commit_Utf16WithInvalidSequence_OneClearErrorWithRow()
    {
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("ags;contract_key\n05158;V-1\n")).Concat(new byte[] { 0x00, 0xD8, 0x41, 0x00 }).ToArray();

        var outcome = CommitBytes(ImportFormat.Contracts, utf16);

        Assert.HasCount(1, outcome.Errors);
        StringAssert.Contains(outcome.Errors[0].Reason, "nicht als UTF-16 lesbar");
    }

    [TestMethod]
    public void Commit_InstallationsSnapshot_ReplacesListedDevicesOnly()
    {
        ImportPrerequisites(ImportFormat.Installations);
        Commit(ImportFormat.Installations, File.ReadAllText(Repository.ImportSample("installations")));
        const string second = "ags;device;software;publisher;version\n05158;PC-BEISPIEL-0001;Beispiel Gewerbe Client;Beispiel GmbH;3.3\n";

        var outcome = Commit(ImportFormat.Installations, second);

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        Assert.AreEqual(1, outcome.Updates);
        using var connection = Db.Database.Open();
        var installed = connection.Query<(string Device, string Software, string Version)>("""
            SELECT d.device_key, t.name, i.version FROM installations i JOIN devices d ON d.id = i.device_id
            JOIN software_titles t ON t.id = i.software_title_id WHERE d.device_key LIKE '%BEISPIEL%' ORDER BY d.device_key, t.name
            """).ToList();
        CollectionAssert.AreEqual(new[]
        {
            ("PC-BEISPIEL-0001", "Beispiel Gewerbe Client", "3.3"),
            ("PC-BEISPIEL-0002", "Beispiel Gewerbe Client", "3.2"),
            ("PC-BEISPIEL-0002", "Fotoarchiv Pro", "1.0"),
            ("SRV-BEISPIEL-01", "Microsoft SQL Server 2022", "16.0"),
        }, installed);
        Assert.AreEqual("workstation", connection.ExecuteScalar<string>("SELECT device_kind FROM devices WHERE device_key = 'PC-BEISPIEL-0001'"));
    }

    [TestMethod]
    public void Commit_Installations_RecognisesNewTitlesByRules()
    {
        ImportPrerequisites(ImportFormat.Installations);

        Commit(ImportFormat.Installations, File.ReadAllText(Repository.ImportSample("installations")));

        using var connection = Db.Database.Open();
        var products = connection.Query<(string Name, string? ProductKey)>("""
            SELECT t.name, p.product_key FROM software_titles t LEFT JOIN products p ON p.id = t.product_id
            WHERE t.name IN ('Beispiel Gewerbe Client', 'Microsoft SQL Server 2022', 'Fotoarchiv Pro') ORDER BY t.name
            """).ToList();
        CollectionAssert.AreEqual(new (string, string?)[]
        {
            ("Beispiel Gewerbe Client", "beispiel-fachverfahren"),
            ("Fotoarchiv Pro", null),
            ("Microsoft SQL Server 2022", "ms-sql-server-std"),
        }, products);
    }

    [TestMethod]
    public void Commit_Success_WritesOneAuditEntry()
    {
        ImportPrerequisites(ImportFormat.Contracts);

        Commit(ImportFormat.Contracts, File.ReadAllText(Repository.ImportSample("contracts")), "vertraege.csv");

        using var connection = Db.Database.Open();
        var entry = connection.QuerySingle<(string Action, string ObjectType, string ObjectKey, string UserName)>(
            "SELECT action, object_type, object_key, user_name FROM audit_log WHERE object_type = 'contracts'");
        Assert.AreEqual((AuditActions.Import, "contracts", "vertraege.csv", "lm.mettmann"), entry);
    }

    [TestMethod]
    public void Commit_Reader_RefusedForEveryRow()
    {
        var reader = Scopes.ForUserNameAsync(Db.Database, "leser.wartburgkreis").GetAwaiter().GetResult();
        var content = "ags;contract_key;vendor;title;evb_it_type;start_date\n16063;V-1;X;Y;other;2025-01-01\n";

        var outcome = Imports.Commit(reader, ImportFormat.Contracts, new MemoryStream(Encoding.UTF8.GetBytes(content)), "x.csv");

        Assert.HasCount(1, outcome.Errors);
        StringAssert.Contains(outcome.Errors[0].Reason, "keine Schreibberechtigung");
    }

    [TestMethod]
    public async Task StagedInDatabase_LargerThanOneChunk_PreviewAndCommitAsFromDiskNothingLeft()
    {
        var inDatabase = Db.Imports(new ImportOptions { StageInDatabase = true, StagingChunkBytes = 1024 });
        var csv = new StringBuilder("ags;device;software;device_kind;cores;publisher;version;user;last_used\n");
        for (var i = 0; i < 200; i++)
        {
            csv.Append($"05158;STAGE-{i / 4:000};Mozilla Firefox ESR;workstation;4;Mozilla;128.{i % 4};u{i};2026-11-{1 + (i % 20):00}\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var id = await inDatabase.StageAsync(Manager, ImportFormat.Installations, new MemoryStream(bytes), "inventar.csv", bytes.Length);
        int Chunks()
        {
            using var connection = Db.Database.Open();
            return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_file_chunks WHERE import_batch_id = @id", new { id });
        }

        var chunksStaged = Chunks();
        var preview = inDatabase.ValidateBatch(Manager, id);
        var committed = inDatabase.CommitBatch(Manager, id);

        Assert.IsGreaterThan(5, chunksStaged, "the file lies in the database in several chunks");
        Assert.IsEmpty(Directory.Exists(Path.Combine(Db.Folder, "imports")) ? Directory.GetFiles(Path.Combine(Db.Folder, "imports")) : [], "nothing on this node's disk");
        Assert.IsTrue(preview.IsValid, string.Join("; ", preview.Errors.Select(e => e.Reason)));
        Assert.AreEqual(200, preview.TotalRows);
        Assert.AreEqual(200, committed.TotalRows);
        Assert.AreEqual(0, Chunks(), "the staged file is removed after the commit");
        using var check = Db.Database.Open();
        Assert.AreEqual(50, check.ExecuteScalar<int>("SELECT COUNT(*) FROM devices WHERE device_key LIKE 'STAGE-%'"));
    }

    [TestMethod]
    public void Commit_RecognitionRuleWithBarePattern_RejectedNothingWritten()
    {
        var before = Checksum();

        var outcome = Commit(ImportFormat.RecognitionRules, "product_key;software_pattern;publisher_pattern\nms-m365-e3;*;*\nms-m365-e3;Zoom*;Z*\n");

        Assert.IsFalse(outcome.IsValid);
        Assert.AreEqual(2, outcome.Errors.Count, string.Join("; ", outcome.Errors));
        Assert.AreEqual("software_pattern", outcome.Errors[0].Column);
        Assert.AreEqual("publisher_pattern", outcome.Errors[1].Column);
        Assert.AreEqual(before, Checksum());
    }

    [TestMethod]
    public void Commit_RecognitionRulesAfterInventory_ReattributesExistingInstallations()
    {
        using var connection = Db.Database.Open();
        var zoom = connection.QuerySingle<(long Id, int Installations)>(
            "SELECT t.id, (SELECT COUNT(*) FROM installations i WHERE i.software_title_id = t.id) FROM software_titles t WHERE t.name = 'Zoom Workplace' AND t.product_id IS NULL");
        Assert.IsGreaterThan(0, zoom.Installations);

        var outcome = Commit(ImportFormat.RecognitionRules, "product_key;software_pattern;publisher_pattern\nms-m365-e3;Zoom Work*;*\n");

        Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        Assert.AreEqual(connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = 'ms-m365-e3'"),
            connection.ExecuteScalar<long?>("SELECT product_id FROM software_titles WHERE id = @Id", new { zoom.Id }),
            "The imported rule left the existing installations unrecognised.");
    }

    [TestMethod]
    public async Task Commit_SameRulesFileTwiceAtOnceAndAMapping_OneRuleTitlesMappedOnceNoFailure()
    {
        const string Rules = "product_key;software_pattern;publisher_pattern\nms-m365-e3;Zoom Work*;*\n";
        var scope = await Scopes.ForUserNameAsync(Db.Database, "admin");
        var clock = TestClock.Create();
        var recognition = new RecognitionService(Db.Database, clock, new AuditLog(Db.Database, clock));
        using var connection = Db.Database.Open();
        var gimp = connection.ExecuteScalar<long>("SELECT id FROM software_titles WHERE name = 'GIMP' AND product_id IS NULL");
        var product = connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = 'ms-m365-e3'");

        // Two requests with the same file and a mapping in the same moment: each waits for the write lock, none fails.
        var mappingTask = Task.Run(() => recognition.MapAsync(scope, gimp, product));
        var outcomes = await Task.WhenAll(
            Task.Run(() => Imports.Commit(scope, ImportFormat.RecognitionRules, new MemoryStream(Encoding.UTF8.GetBytes(Rules)), "a.csv")),
            Task.Run(() => Imports.Commit(scope, ImportFormat.RecognitionRules, new MemoryStream(Encoding.UTF8.GetBytes(Rules)), "b.csv")));
        var mapping = await mappingTask;

        Assert.IsTrue(outcomes.All(o => o.IsValid), string.Join("; ", outcomes.SelectMany(o => o.Errors)));
        Assert.AreEqual(1, outcomes.Sum(o => o.Inserts), "The rule was written twice or not at all.");
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM recognition_rules WHERE software_pattern = 'Zoom Work*'"));
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM software_titles WHERE name = 'Zoom Workplace' AND product_id IS NULL"));
        Assert.AreEqual(1, mapping.TitlesRecognised);
    }
}
