using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Recognition;

[TestClass]
public sealed class RecognitionServiceTests
{
    private static RecognitionService Service(LandkreisLizenz.Core.Data.Database database)
    {
        var clock = TestClock.Create();
        return new RecognitionService(database, clock, new AuditLog(database, clock));
    }

    [TestMethod]
    [DataRow("OK.VORFAHRT*", "OK.VORFAHRT Client 4.2", true)]
    [DataRow("ok.vorfahrt*", "OK.VORFAHRT", true)]
    [DataRow("VOIS*KFZ*", "VOIS KFZ Arbeitsplatz", true)]
    [DataRow("VOIS*KFZ*", "VOIS MESO", false)]
    [DataRow("7-Zip", "7-Zip 23.01", false)]
    [DataRow("*", "", true)]
    [DataRow("a.b", "axb", false)]
    public void IsMatch_Wildcard_MatchesAsSpecified(string pattern, string value, bool expected)
    {
        Assert.AreEqual(expected, new WildcardPattern(pattern).IsMatch(value));
    }

    [TestMethod]
    public void Match_TwoRules_MostSpecificWins()
    {
        var rules = new RuleSet([new RecognitionRule(1, 10, "Microsoft*", "*"), new RecognitionRule(2, 20, "Microsoft SQL Server*", "Microsoft*")]);

        Assert.AreEqual(20L, rules.Match("Microsoft SQL Server 2022", "Microsoft Corporation")?.ProductId);
        Assert.AreEqual(10L, rules.Match("Microsoft Edge", "Microsoft Corporation")?.ProductId);
        Assert.IsNull(rules.Match("Firefox", "Mozilla"));
    }

    [TestMethod]
    public void Match_IndexedRules_SameRuleAsTryingEveryRuleInOrder()
    {
        // Prefixes of every kind the index treats differently: keyed ASCII, leading *, short, non-ASCII, case and blanks.
        string[] stems = ["Micro", "micro", "MICROSOFT SQL", "Zoom", "*Reader", "*", "ab*", "Ökonomie", "  Vois KFZ", "K\u212Aelvin", "Straße", "7-Zip", "Tool 1"];
        var random = new Random(294);
        var rules = Enumerable.Range(1, 400).Select(i =>
        {
            var stem = stems[random.Next(stems.Length)];
            var software = stem.EndsWith('*') ? stem : stem + (random.Next(3) == 0 ? "" : random.Next(2) == 0 ? "*" : " " + random.Next(10) + "*");
            var publisher = random.Next(3) == 0 ? "*" : random.Next(2) == 0 ? "Microsoft*" : "*Corp*";
            return new RecognitionRule(i, 1000 + i, software, publisher);
        }).ToList();
        string[] titles = ["Microsoft SQL Server 2022", "micro 3 tool", "ZOOM 5", "Adobe Reader", "ab", "abc", "Ökonomie 2", "  Vois KFZ 1", "\u212Aelvin 7", "kelvin 7", "Straße 1", "7-Zip 23", "Tool 12", "x", ""];
        string[] publishers = ["Microsoft Corporation", "Foo Corp Ltd", "", "X"];
        var ordered = rules.Select(r => (Rule: r, Software: new WildcardPattern(r.SoftwarePattern), Publisher: new WildcardPattern(r.PublisherPattern)))
            .OrderByDescending(x => x.Software.Specificity).ThenByDescending(x => x.Publisher.Specificity).ThenBy(x => x.Rule.Id).ToList();
        var set = new RuleSet(rules);

        var compared = 0;
        foreach (var title in titles)
        {
            foreach (var publisher in publishers)
            {
                var expected = ordered.FirstOrDefault(x => x.Software.IsMatch(title) && x.Publisher.IsMatch(publisher)).Rule;
                Assert.AreEqual(expected?.Id, set.Match(title, publisher)?.Id, $"{title} / {publisher}");
                compared += expected is null ? 0 : 1;
            }
        }

        Assert.IsGreaterThan(10, compared, "Too few titles matched any rule to compare.");
    }

    [TestMethod]
    public async Task MapAsync_UnrecognisedName_ReattributesInstallationsAndListShrinks()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var service = Service(db.Database);
        var manager = await Scopes.ForUserNameAsync(db.Database, "lm.mettmann");
        var before = await service.ListUnrecognisedAsync(manager, null, new PageRequest(1, 100));
        var zoom = before.Items.Single(i => i.Name == "Zoom Workplace");
        using var connection = db.Database.Open();
        var productId = connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = 'ms-m365-e3'");
        var allZoomInstallations = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations WHERE software_title_id = @Id", new { Id = zoom.SoftwareTitleId });

        var result = await service.MapAsync(manager, zoom.SoftwareTitleId, productId);
        var after = await service.ListUnrecognisedAsync(manager, null, new PageRequest(1, 100));

        Assert.AreEqual(1, result.TitlesRecognised);
        Assert.AreEqual(allZoomInstallations, result.InstallationsReattributed);
        Assert.AreEqual(before.TotalCount - 1, after.TotalCount);
        Assert.IsFalse(after.Items.Any(i => i.Name == "Zoom Workplace"));
        Assert.AreEqual(productId, connection.ExecuteScalar<long>("SELECT product_id FROM software_titles WHERE id = @Id", new { Id = zoom.SoftwareTitleId }));
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM recognition_rules WHERE software_pattern = 'Zoom Workplace'"));
    }

    [TestMethod]
    public async Task ListUnrecognisedAsync_Reader_CountsOnlyOwnDevices()
    {
        var db = SharedEstate.Database.Database;
        var service = Service(db);
        var reader = await Scopes.ForUserNameAsync(db, "leser.wartburgkreis");
        using var connection = db.Open();
        var expected = connection.ExecuteScalar<int>("""
            SELECT COUNT(DISTINCT i.device_id) FROM installations i JOIN software_titles t ON t.id = i.software_title_id
            JOIN devices d ON d.id = i.device_id JOIN organisations o ON o.id = d.organisation_id
            WHERE t.product_id IS NULL AND (o.ags = '16063' OR o.parent_id = (SELECT id FROM organisations WHERE ags = '16063'))
            """);

        var list = await service.ListUnrecognisedAsync(reader, null, new PageRequest(1, 100));

        Assert.IsGreaterThan(0, list.TotalCount);
        Assert.IsLessThanOrEqualTo(expected, list.Items.Max(i => i.Devices));
        Assert.IsTrue(list.Items.Zip(list.Items.Skip(1)).All(p => p.First.Devices >= p.Second.Devices), "sorted by devices");
    }

    [TestMethod]
    public async Task MapAsync_Reader_DeniedAndAudited()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var service = Service(db.Database);
        var reader = await Scopes.ForUserNameAsync(db.Database, "leser.wartburgkreis");

        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => service.MapAsync(reader, 1, 1));

        using var connection = db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND user_name = 'leser.wartburgkreis' AND object_type = 'recognition_rule'"));
    }

    [TestMethod]
    [DataRow("*", "*")]
    [DataRow("Zo*", "*")]
    [DataRow("Zoom*", "**")]
    [DataRow("Zoom*", "Z*")]
    public async Task MapAsync_PatternWithFewerThanThreeCharacters_RefusedNothingChanges(string software, string publisher)
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var service = Service(db.Database);
        var manager = await Scopes.ForUserNameAsync(db.Database, "lm.mettmann");
        var zoom = (await service.ListUnrecognisedAsync(manager, null, new PageRequest(1, 100))).Items.Single(i => i.Name == "Zoom Workplace");
        using var connection = db.Database.Open();
        var rules = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM recognition_rules");
        var mapped = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM software_titles WHERE product_id IS NOT NULL");

        var error = await Assert.ThrowsExactlyAsync<ArgumentException>(() => service.MapAsync(manager, zoom.SoftwareTitleId, 1, software, publisher));

        StringAssert.Contains(error.Message, "mindestens 3 Zeichen");
        Assert.AreEqual(rules, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM recognition_rules"));
        Assert.AreEqual(mapped, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM software_titles WHERE product_id IS NOT NULL"));
    }

    [TestMethod]
    public async Task MapAsync_TitleOnlyAnotherCountyReports_NotFoundAuditedNothingChanges()
    {
        using var db = TestDatabase.CopyOf(SharedEstate.Database);
        var service = Service(db.Database);
        var manager = await Scopes.ForUserNameAsync(db.Database, "lm.mettmann");
        using var connection = db.Database.Open();
        var mettmannFamily = "(SELECT id FROM organisations WHERE ags = '05158' OR parent_id = (SELECT id FROM organisations WHERE ags = '05158'))";
        var foreignTitle = connection.ExecuteScalar<long?>($"""
            SELECT MIN(t.id) FROM software_titles t
            WHERE t.product_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM installations i JOIN devices d ON d.id = i.device_id WHERE i.software_title_id = t.id AND d.organisation_id IN {mettmannFamily})
              AND EXISTS (SELECT 1 FROM installations i WHERE i.software_title_id = t.id)
            """);
        if (foreignTitle is null)
        {
            // Every unrecognised name of the estate also occurs in Mettmann: plant one that only another county reports.
            var device = connection.ExecuteScalar<long>($"SELECT MIN(id) FROM devices WHERE organisation_id NOT IN {mettmannFamily}");
            foreignTitle = connection.ExecuteScalar<long>("INSERT INTO software_titles (name, publisher) VALUES ('Nur-dort-Software', 'Fremd') RETURNING id");
            connection.Execute("INSERT INTO installations (device_id, software_title_id) VALUES (@device, @foreignTitle)", new { device, foreignTitle });
        }

        await Assert.ThrowsExactlyAsync<KeyNotFoundException>(() => service.MapAsync(manager, foreignTitle.Value, 1));

        Assert.IsNull(connection.ExecuteScalar<long?>("SELECT product_id FROM software_titles WHERE id = @foreignTitle", new { foreignTitle }));
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND user_name = 'lm.mettmann' AND object_type = 'recognition_rule'"));
    }
}
