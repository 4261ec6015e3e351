using System.Diagnostics;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// <c>import --file</c> as county IT schedules it after its nightly export (issue 14, item 4): the real executable as a
/// child process, the format recognised from the header, the same check, all-or-nothing commit, history and audit as an
/// upload, exit code 0 only when committed — and a commit killed with SIGKILL ends committed after the next start.
/// </summary>
[TestClass]
public sealed class ImportCommandTests
{
    private const string ContractsHeader = "ags;contract_key;vendor;title;evb_it_type;start_date";

    private TestDatabase _db = null!;

    [TestInitialize]
    public void Setup() => _db = TestDatabase.CopyOf(SharedEstate.Database, sqlite: true);

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_db.Folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static ProcessStartInfo Command(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LandkreisLizenz.Web.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add($"--Database:DataFolder={folder}");
        info.ArgumentList.Add("--Jobs:RunServer=false");
        return info;
    }

    private (int Code, string Out, string Error) Run(params string[] args)
    {
        using var process = Process.Start(Command(_db.Folder, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    private int Count(string sql, object? parameters = null)
    {
        using var connection = _db.Database.Open();
        return connection.ExecuteScalar<int>(sql, parameters);
    }

    [TestMethod]
    public void Import_ContractsWithoutFormatTwice_CommittedThenNothingChanges()
    {
        var file = WriteFile("vertraege.csv", $"{ContractsHeader}\n05158;V-CLI-1;Muster GmbH;Wartung;other;2025-01-01\n05158;V-CLI-2;Muster GmbH;Pflege;pflege_s;2025-02-01\n");

        var first = Run("import", "--file", file, "--as", "lm.mettmann");
        var second = Run("import", "--file", file, "--as", "lm.mettmann");

        Assert.AreEqual(0, first.Code, first.Error);
        StringAssert.Contains(first.Out, "als Verträge gelesen");
        StringAssert.Contains(first.Out, "2 neu, 0 geändert, 0 unverändert");
        Assert.AreEqual(0, second.Code, second.Error);
        StringAssert.Contains(second.Out, "0 neu, 0 geändert, 2 unverändert");
        Assert.AreEqual(2, Count("SELECT COUNT(*) FROM contracts WHERE contract_key LIKE 'V-CLI-%'"));
        Assert.AreEqual(2, Count("SELECT COUNT(*) FROM import_batches b JOIN users u ON u.id = b.user_id WHERE b.file_name = 'vertraege.csv' AND b.status = 'completed' AND u.user_name = 'lm.mettmann'"),
            "both runs are in the import history of the license manager");
        Assert.AreEqual(2, Count("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND object_key = 'vertraege.csv' AND user_name = 'lm.mettmann'"));
    }

    [TestMethod]
    public void Import_FileWithoutAgsAndOrganisation_ConstantNamesTheCounty()
    {
        var file = WriteFile("export.csv", "contract_key;vendor;title;evb_it_type;start_date\nV-OHNE-AGS;Muster GmbH;Wartung;other;2025-01-01\n");

        var result = Run("import", "--file", file, "--as", "lm.mettmann", "--organisation", "05158");

        Assert.AreEqual(0, result.Code, result.Error);
        Assert.AreEqual(1, Count("SELECT COUNT(*) FROM contracts c JOIN organisations o ON o.id = c.organisation_id WHERE c.contract_key = 'V-OHNE-AGS' AND o.ags = '05158'"));
    }

    [TestMethod]
    public void Import_BadRow_ExitOneWithRowAndReasonNothingWritten()
    {
        var file = WriteFile("fehler.csv", $"{ContractsHeader}\n05158;V-GUT;X;Y;other;2025-01-01\n05158;V-SCHLECHT;X;Y;other;31.02.2025\n");

        var result = Run("import", "--file", file, "--as", "lm.mettmann");

        Assert.AreEqual(1, result.Code);
        StringAssert.Contains(result.Error, "1 Fehler – nichts übernommen");
        StringAssert.Contains(result.Error, "Zeile 3, Spalte „start_date“");
        Assert.AreEqual(0, Count("SELECT COUNT(*) FROM contracts WHERE contract_key IN ('V-GUT', 'V-SCHLECHT')"));
        Assert.AreEqual(1, Count("SELECT COUNT(*) FROM import_batches WHERE file_name = 'fehler.csv' AND status = 'rejected'"));
    }

    [TestMethod]
    public void Import_ReaderOrForeignCounty_RefusedExitOne()
    {
        var file = WriteFile("fremd.csv", $"{ContractsHeader}\n16063;V-FREMD-CLI;X;Y;other;2025-01-01\n");

        var reader = Run("import", "--file", file, "--as", "leser.wartburgkreis");
        var foreign = Run("import", "--file", file, "--as", "lm.mettmann");

        Assert.AreEqual(1, reader.Code);
        StringAssert.Contains(reader.Error, "Importieren darf nur");
        Assert.AreEqual(1, foreign.Code);
        Assert.AreEqual(0, Count("SELECT COUNT(*) FROM contracts WHERE contract_key = 'V-FREMD-CLI'"));
    }

    [TestMethod]
    [DataRow(new[] { "imprt", "--file", "x.csv" }, 2, "Unbekannter Befehl „imprt“")]
    [DataRow(new[] { "import", "--datei", "x.csv", "--as", "lm.mettmann" }, 1, "Unbekannte Option --datei")]
    [DataRow(new[] { "import", "--file", "gibt-es-nicht.csv", "--as", "lm.mettmann" }, 1, "gibt es nicht")]
    [DataRow(new[] { "users", "list", "--rolle", "admin" }, 1, "Unbekannte Option --rolle")]
    public void CommandLine_UnknownVerbOrOption_ErrorWithUsageNoServer(string[] args, int code, string message)
    {
        var result = Run(args);

        Assert.AreEqual(code, result.Code, result.Out);
        StringAssert.Contains(result.Error, message);
        Assert.DoesNotContain("Now listening", result.Out, "the web server started");
    }

    [TestMethod]
    public void Import_HeaderOfNoFormat_NamesTheNearestAndWhatIsMissing()
    {
        var file = WriteFile("unklar.csv", "ags;contract_key;vendor;title;lieferant\n05158;V-1;X;Y;Z\n");

        var result = Run("import", "--file", file, "--as", "lm.mettmann");

        Assert.AreEqual(1, result.Code);
        StringAssert.Contains(result.Error, "Pflichtspalte(n) fehlen: evb_it_type, start_date; unbekannte Spalte(n): lieferant");
        StringAssert.Contains(result.Error, "/zuordnung");
    }

    [TestMethod]
    public async Task Import_KilledDuringCommit_NextStartCommitsWithTrueCountsIntegrityOk()
    {
        var csv = new StringBuilder("ags;device;software;publisher;version\n");
        for (var device = 0; device < 25_000; device++)
        {
            for (var software = 0; software < 10; software++)
            {
                csv.Append($"05158;KILL-{device:D5};Kill-Test Software {software};Test GmbH;1.{software}\n");
            }
        }

        var file = WriteFile("inventar-gross.csv", csv.ToString());
        var installationsBefore = Count("SELECT COUNT(*) FROM installations");
        using (var process = Process.Start(Command(_db.Folder, "import", "--file", file, "--as", "lm.mettmann"))!)
        {
            var watch = Stopwatch.StartNew();
            while (Count("SELECT COUNT(*) FROM import_batches WHERE file_name = 'inventar-gross.csv' AND status = 'committing'") == 0)
            {
                if (process.HasExited)
                {
                    Assert.Fail($"the import ended ({process.ExitCode}) before its commit began: {process.StandardOutput.ReadToEnd()}{process.StandardError.ReadToEnd()}");
                }
                Assert.IsLessThan(120, watch.Elapsed.TotalSeconds, "the commit did not begin");
                await Task.Delay(20);
            }

            await Task.Delay(300);
            Assert.IsFalse(process.HasExited, "the commit finished before it could be killed; make the file larger");
            process.Kill();
            await process.WaitForExitAsync();
        }

        Assert.AreEqual(installationsBefore, Count("SELECT COUNT(*) FROM installations"), "a killed commit wrote something");
        var preview = (Total: Count("SELECT total_rows FROM import_batches WHERE file_name = 'inventar-gross.csv'"),
            Inserted: Count("SELECT inserted_rows FROM import_batches WHERE file_name = 'inventar-gross.csv'"));
        Assert.AreEqual(250_000, preview.Total);

        using (var app = new AppFactory(runJobServer: true, sharedDataFolder: _db.Folder))
        {
            _ = app.Server;
            var watch = Stopwatch.StartNew();
            while (Count("SELECT COUNT(*) FROM import_batches WHERE file_name = 'inventar-gross.csv' AND status IN ('completed', 'failed')") == 0)
            {
                Assert.IsLessThan(120, watch.Elapsed.TotalSeconds, "the interrupted batch was not taken up after the start");
                await Task.Delay(100);
            }
        }

        Assert.AreEqual(1, Count("SELECT COUNT(*) FROM import_batches WHERE file_name = 'inventar-gross.csv' AND status = 'completed'"));
        Assert.AreEqual(preview.Inserted, Count("SELECT inserted_rows FROM import_batches WHERE file_name = 'inventar-gross.csv'"), "the counts are the commit's, as the check said");
        Assert.AreEqual(installationsBefore + 250_000, Count("SELECT COUNT(*) FROM installations"));
        Assert.AreEqual(1, Count("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND object_key = 'inventar-gross.csv'"));
        using var connection = _db.Database.Open();
        Assert.AreEqual("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
    }
}
