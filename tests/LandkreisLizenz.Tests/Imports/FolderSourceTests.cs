using System.Diagnostics;
using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// A watched folder (spec §7): every new file is imported with the profile its header names, moved to done/ or failed/
/// with its report; the runs are batches of the import history; a failing file notifies the license managers; a file
/// still being written waits; reruns and overlapping runs import nothing twice.
/// </summary>
[TestClass]
public sealed class FolderSourceTests : ImportTestBase
{
    private string _folder = null!;

    private static string Fixture(string name) => Path.Combine(Repository.Root(), "tests", "fixtures", "sources", name);

    private FolderSources Sources(int minimumAgeSeconds = 60)
    {
        var clock = TestClock.Create();
        _folder = Path.Combine(Db.Folder, "export-inventar");
        Directory.CreateDirectory(_folder);
        return new FolderSources(Imports, new ScopeService(Db.Database), new NotificationService(Db.Database, clock), clock, new ImportSourceOptions
        {
            MinimumFileAgeSeconds = minimumAgeSeconds,
            Folders = [new FolderSource { Name = "Intune-Export", Folder = _folder, As = "lm.mettmann", Organisation = "05158" }],
        });
    }

    /// <summary>A file as the tool leaves it: written some minutes before the run (or just now, still being written).</summary>
    private void Drop(string name, string content, TimeSpan age)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, TestClock.Create().GetUtcNow().UtcDateTime - age);
    }

    [TestMethod]
    public async Task Run_GoodBrokenAndFreshFile_DoneFailedWaitingWithReportsAndNotification()
    {
        var sources = Sources();
        Drop("intune-montag.csv", File.ReadAllText(Fixture("intune-appinvrawdata.csv")), TimeSpan.FromMinutes(10));
        Drop("kaputt.csv", "ApplicationName,DeviceName\nnur-eine-spalte\n", TimeSpan.FromMinutes(10));
        Drop("noch-offen.csv", File.ReadAllText(Fixture("intune-appinvrawdata.csv")), TimeSpan.FromSeconds(5));

        var runs = await sources.RunAsync();
        var again = await sources.RunAsync();

        Assert.HasCount(2, runs);
        Assert.IsEmpty(again, "a rerun imported a file twice");
        var done = Directory.GetFiles(Path.Combine(_folder, FolderSources.Done)).Select(Path.GetFileName).ToList();
        var failed = Directory.GetFiles(Path.Combine(_folder, FolderSources.Failed)).Select(Path.GetFileName).ToList();
        Assert.IsTrue(done.Any(f => f!.EndsWith("-intune-montag.csv", StringComparison.Ordinal)), string.Join(", ", done));
        StringAssert.Contains(File.ReadAllText(Directory.GetFiles(Path.Combine(_folder, FolderSources.Done), "*.bericht.txt").Single()), "Übernommen als Installationen (Inventar) mit dem Profil Microsoft Intune (AppInvRawData)");
        Assert.IsTrue(failed.Any(f => f!.EndsWith("-kaputt.csv", StringComparison.Ordinal)), string.Join(", ", failed));
        StringAssert.Contains(File.ReadAllText(Directory.GetFiles(Path.Combine(_folder, FolderSources.Failed), "*.bericht.txt").Single()), "Nicht übernommen");
        Assert.IsTrue(File.Exists(Path.Combine(_folder, "noch-offen.csv")), "a file still being written was taken");
        using var connection = Db.Database.Open();
        Assert.AreEqual(ImportStatus.Completed, connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE file_name = 'intune-montag.csv'"));
        Assert.AreEqual(ImportStatus.Rejected, connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE file_name = 'kaputt.csv'"), "the failed run is in the history too");
        Assert.AreEqual(1, connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
            WHERE n.kind = 'import_source_failed' AND u.user_name = 'lm.mettmann' AND n.title LIKE '%kaputt.csv%'
            """));
    }

    [TestMethod]
    public async Task Run_TwoAtOnce_EveryFileImportedOnce()
    {
        var sources = Sources(minimumAgeSeconds: 0);
        for (var i = 0; i < 6; i++)
        {
            Drop($"inventar-{i}.csv", File.ReadAllText(Fixture("intune-appinvrawdata.csv")).Replace("KM-", $"K{i}-"), TimeSpan.FromMinutes(10));
        }

        var both = await Task.WhenAll(Task.Run(sources.RunAsync), Task.Run(sources.RunAsync));

        Assert.AreEqual(6, both.Sum(r => r.Count), "a file was imported by both runs, or by none");
        Assert.AreEqual(6, both.SelectMany(r => r).Select(r => r.File).Distinct().Count());
        Assert.IsTrue(both.SelectMany(r => r).All(r => r.Committed), string.Join("\n", both.SelectMany(r => r).Select(r => r.Report)));
        Assert.HasCount(12, Directory.GetFiles(Path.Combine(_folder, FolderSources.Done)), "six files and their reports");
    }

    [TestMethod]
    public async Task Run_ClaimOfADeadNode_ReturnsAndIsImported()
    {
        var sources = Sources(minimumAgeSeconds: 0);
        var claim = Path.Combine(_folder, FolderSources.Processing, "abgebrochen");
        Directory.CreateDirectory(claim);
        File.Copy(Fixture("intune-appinvrawdata.csv"), Path.Combine(claim, "liegen-geblieben.csv"));
        File.SetLastWriteTimeUtc(Path.Combine(claim, "liegen-geblieben.csv"), TestClock.Create().GetUtcNow().UtcDateTime.AddHours(-2));
        Directory.SetLastWriteTimeUtc(claim, TestClock.Create().GetUtcNow().UtcDateTime.AddHours(-2));

        var runs = await sources.RunAsync();

        Assert.AreEqual("liegen-geblieben.csv", runs.Single().File);
        Assert.IsTrue(runs.Single().Committed);
        Assert.IsFalse(Directory.Exists(claim));
    }

    [TestMethod]
    public async Task RecurringJob_OnTheJobServer_ImportsTheDroppedFileEndToEnd()
    {
        var folder = Path.Combine(TestDatabase.NewFolder(), "export");
        Directory.CreateDirectory(folder);
        using var app = new AppFactory(runJobServer: true, new()
        {
            ["ImportSources:Folders:0:Name"] = "Intune-Export", ["ImportSources:Folders:0:Folder"] = folder, ["ImportSources:Folders:0:As"] = "lm.mettmann",
            ["ImportSources:Folders:0:Organisation"] = "05158", ["ImportSources:MinimumFileAgeSeconds"] = "0",
        });
        _ = app.Server;
        File.Copy(Fixture("intune-appinvrawdata.csv"), Path.Combine(folder, "intune.csv"));

        app.Services.GetRequiredService<Hangfire.IRecurringJobManager>().Trigger(LandkreisLizenz.Web.Jobs.SourceJobs.FoldersJobId);

        var watch = Stopwatch.StartNew();
        while (!Directory.Exists(Path.Combine(folder, FolderSources.Done)) || Directory.GetFiles(Path.Combine(folder, FolderSources.Done), "*-intune.csv").Length == 0)
        {
            Assert.IsLessThan(60, watch.Elapsed.TotalSeconds, "the job did not import the file");
            await Task.Delay(100);
        }

        using var connection = app.Database.Open();
        Assert.AreEqual(ImportStatus.Completed, connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE file_name = 'intune.csv'"));
        Assert.AreEqual(7, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations i JOIN devices d ON d.id = i.device_id WHERE d.device_key LIKE 'KM-%-000_'"));
    }
}
