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

    private const string Mettmann = "05158";
    private const string Wartburgkreis = "16063";

    private static long Organisation(LandkreisLizenz.Core.Data.Database db, string ags)
    {
        using var connection = db.Open();
        return connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = @ags", new { ags });
    }

    /// <summary>An undecided title both counties' inventories report, with its installations per family.</summary>
    private static (long Id, string Name, int InMettmann, int InWartburgkreis, int Everywhere) SharedUnrecognisedTitle(LandkreisLizenz.Core.Data.Database db)
    {
        using var connection = db.Open();
        const string InFamily = """
            SELECT COUNT(*) FROM installations i JOIN devices d ON d.id = i.device_id
            JOIN organisation_family f ON f.organisation_id = d.organisation_id
            WHERE i.software_title_id = @id AND f.family_id = (SELECT id FROM organisations WHERE ags = @ags)
            """;
        foreach (var (id, name) in connection.Query<(long, string)>("SELECT id, name FROM software_titles WHERE product_id IS NULL ORDER BY id"))
        {
            var mettmann = connection.ExecuteScalar<int>(InFamily, new { id, ags = Mettmann });
            var wartburgkreis = connection.ExecuteScalar<int>(InFamily, new { id, ags = Wartburgkreis });
            if (mettmann > 0 && wartburgkreis > 0)
            {
                return (id, name, mettmann, wartburgkreis, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations WHERE software_title_id = @id", new { id }));
            }
        }

        throw new AssertInconclusiveException("The estate has no unrecognised title in both counties.");
    }

    /// <summary>Devices that count for the product (null: for any) in the family's reconciliation input (what the balance is built from).</summary>
    private static int DevicesCounted(LandkreisLizenz.Core.Data.Database db, long root, long? productId)
    {
        using var connection = db.Open();
        var data = LandkreisLizenz.Core.Reconciliation.FamilyLoader.Load(connection, root, new DateOnly(2026, 12, 1), 90,
            new Dictionary<long, decimal?>(), new Dictionary<long, string>());
        return data.Usage.Where(u => productId is null || u.Key.ProductId == productId).Sum(u => u.Value.Devices.Count);
    }

    private static async Task<int?> InstallationsListed(RecognitionService service, CallerScope scope, long titleId) =>
        (await service.GetTitleAsync(scope, titleId))?.Installations;

    private static long Product(LandkreisLizenz.Core.Data.Database db, string key)
    {
        using var connection = db.Open();
        return connection.ExecuteScalar<long>("SELECT id FROM products WHERE product_key = @key", new { key });
    }

    /// <summary>A copy of the test estate with the three callers of the federation tests and a title both counties report.</summary>
    private sealed class Federation : IDisposable
    {
        public required TestDatabase Db { get; init; }
        public required RecognitionService Service { get; init; }
        public required CallerScope Manager { get; init; }
        public required CallerScope Admin { get; init; }
        public required CallerScope Reader { get; init; }
        public required (long Id, string Name, int InMettmann, int InWartburgkreis, int Everywhere) Title { get; init; }
        public required long Product { get; init; }
        public required long Mettmann { get; init; }
        public required long Wartburgkreis { get; init; }

        public LandkreisLizenz.Core.Data.Database Database => Db.Database;

        public static async Task<Federation> CreateAsync()
        {
            var db = TestDatabase.CopyOf(SharedEstate.Database);
            return new Federation
            {
                Db = db,
                Service = Service(db.Database),
                Manager = await Scopes.ForUserNameAsync(db.Database, "lm.mettmann"),
                Admin = await Scopes.ForUserNameAsync(db.Database, "admin"),
                Reader = await Scopes.ForUserNameAsync(db.Database, "leser.wartburgkreis"),
                Title = SharedUnrecognisedTitle(db.Database),
                Product = Product(db.Database, "ms-m365-e3"),
                Mettmann = Organisation(db.Database, RecognitionServiceTests.Mettmann),
                Wartburgkreis = Organisation(db.Database, RecognitionServiceTests.Wartburgkreis),
            };
        }

        public void Dispose() => Db.Dispose();
    }

    [TestMethod]
    public async Task MapAsync_LocalRuleOfMettmann_ChangesNothingOutsideItsFamily()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var wartburgkreisDevices = DevicesCounted(db.Database, f.Wartburgkreis, f.Product);
        var mettmannDevices = DevicesCounted(db.Database, f.Mettmann, f.Product);
        var wartburgkreisListed = await InstallationsListed(service, f.Reader, title.Id);
        var draft = new RuleDraft(title.Id, f.Product);

        var preview = await service.PreviewAsync(f.Manager, draft);
        var result = await service.MapAsync(f.Manager, draft);

        Assert.AreEqual(f.Mettmann, preview.FamilyId, "A license manager's mapping is local to the own county family.");
        Assert.AreEqual(0, preview.OrganisationsOutsideScope);
        Assert.AreEqual(title.InMettmann, preview.Installations);
        Assert.AreEqual((preview.Titles, preview.Installations, preview.Organisations), (result.TitlesRecognised, result.InstallationsReattributed, result.Organisations),
            "The rule did something else than its preview said.");
        Assert.IsNull(await service.GetTitleAsync(f.Manager, title.Id), "The title is still unrecognised in Mettmann.");
        Assert.AreEqual(wartburgkreisListed, await InstallationsListed(service, f.Reader, title.Id), "Wartburgkreis's unrecognised list changed.");
        Assert.AreEqual(wartburgkreisDevices, DevicesCounted(db.Database, f.Wartburgkreis, f.Product), "Wartburgkreis's reconciliation input changed.");
        Assert.IsGreaterThan(mettmannDevices, DevicesCounted(db.Database, f.Mettmann, f.Product), "Mettmann's installations do not count for the product.");
        using var connection = db.Database.Open();
        Assert.IsNull(connection.ExecuteScalar<long?>("SELECT product_id FROM software_titles WHERE id = @Id", new { title.Id }), "The global decision changed.");
    }

    [TestMethod]
    public async Task MapAsync_GlobalRuleByAdminAfterPreview_ReattributesEveryFamily()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var wartburgkreisDevices = DevicesCounted(db.Database, f.Wartburgkreis, f.Product);
        var draft = new RuleDraft(title.Id, f.Product);

        var preview = await service.PreviewAsync(f.Admin, draft);
        var result = await service.MapAsync(f.Admin, draft);

        Assert.IsNull(preview.FamilyId, "An admin's rule is global.");
        Assert.AreEqual(title.Everywhere, preview.Installations);
        Assert.IsGreaterThan(1, preview.Organisations);
        Assert.AreEqual((preview.Titles, preview.Installations, preview.Organisations), (result.TitlesRecognised, result.InstallationsReattributed, result.Organisations));
        Assert.IsNull(await service.GetTitleAsync(f.Reader, title.Id), "The title is still unrecognised in Wartburgkreis.");
        Assert.IsGreaterThan(wartburgkreisDevices, DevicesCounted(db.Database, f.Wartburgkreis, f.Product));
    }

    [TestMethod]
    public async Task MapAsync_NotLicensable_LeavesTheListAndCountsForNoProduct()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var before = (await service.ListUnrecognisedAsync(f.Manager, null, new PageRequest(1, 100))).TotalCount;
        using var connection = db.Database.Open();
        var counted = DevicesCounted(db.Database, f.Mettmann, productId: null);

        var local = await service.MapAsync(f.Manager, new RuleDraft(title.Id, null, NotLicensable: true));

        Assert.AreEqual(title.InMettmann, local.InstallationsReattributed);
        Assert.AreEqual(before - 1, (await service.ListUnrecognisedAsync(f.Manager, null, new PageRequest(1, 100))).TotalCount);
        Assert.IsNull(await service.GetTitleAsync(f.Manager, title.Id));
        Assert.IsNotNull(await service.GetTitleAsync(f.Reader, title.Id), "A local classification reached Wartburgkreis.");
        Assert.IsNull(connection.ExecuteScalar<long?>("SELECT product_id FROM family_title_recognition WHERE software_title_id = @Id", new { title.Id }));
        Assert.AreEqual(counted, DevicesCounted(db.Database, f.Mettmann, productId: null), "A not-licensable title counts for a product.");

        var global = await service.MapAsync(f.Admin, new RuleDraft(title.Id, null, NotLicensable: true));

        Assert.AreEqual(title.Everywhere - title.InMettmann, global.InstallationsReattributed, "Mettmann's own decision counts once.");
        Assert.IsNull(await service.GetTitleAsync(f.Reader, title.Id), "The global classification left the title in Wartburgkreis's list.");
        Assert.AreEqual(1, connection.ExecuteScalar<int>("SELECT not_licensable FROM software_titles WHERE id = @Id", new { title.Id }));
    }

    [TestMethod]
    public async Task PromoteAsync_LocalRuleAfterPreview_DecidesOtherFamiliesMettmannKeepsItsProduct()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var local = await service.MapAsync(f.Manager, new RuleDraft(title.Id, f.Product));
        var mettmannDevices = DevicesCounted(db.Database, f.Mettmann, f.Product);

        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => service.PromoteAsync(f.Manager, local.RuleId));
        var preview = await service.PreviewPromotionAsync(f.Admin, local.RuleId);
        var promoted = await service.PromoteAsync(f.Admin, local.RuleId);

        Assert.AreEqual(title.Everywhere - title.InMettmann, preview.Installations, "The preview counts what changes: the other families' installations.");
        Assert.AreEqual(preview.Installations, promoted.InstallationsReattributed);
        StringAssert.Contains(preview.FamilyName, "Mettmann");
        Assert.IsNull(await service.GetTitleAsync(f.Reader, title.Id));
        Assert.AreEqual(mettmannDevices, DevicesCounted(db.Database, f.Mettmann, f.Product), "Mettmann's installations changed product.");
        using var connection = db.Database.Open();
        Assert.IsNull(connection.ExecuteScalar<long?>("SELECT family_id FROM recognition_rules WHERE id = @RuleId", new { local.RuleId }));
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM family_title_recognition WHERE rule_id = @RuleId", new { local.RuleId }));
    }

    [TestMethod]
    public async Task InstallationsImport_NewTitleMatchingLocalRule_DecidedInThatFamilyOnly()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var clock = TestClock.Create();
        var imports = new LandkreisLizenz.Core.Imports.ImportService(db.Database, clock, new AuditLog(db.Database, clock), service, new LandkreisLizenz.Core.Imports.ImportOptions(), db.Folder);
        await service.MapAsync(f.Manager, new RuleDraft(title.Id, f.Product, SoftwarePattern: title.Name + "*", PublisherPattern: "*"));
        var newName = title.Name + " Neue Version 99";

        foreach (var (scope, ags) in new[] { (f.Manager, Mettmann), (f.Admin, Wartburgkreis) })
        {
            var csv = $"ags;device;software\n{ags};NEUES-GERAET-{ags};{newName}\n";
            var outcome = imports.Commit(scope, LandkreisLizenz.Core.Imports.ImportFormat.Installations, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), "inventar.csv");
            Assert.IsTrue(outcome.IsValid, string.Join("; ", outcome.Errors));
        }

        using var connection = db.Database.Open();
        var newTitle = connection.ExecuteScalar<long>("SELECT id FROM software_titles WHERE name = @newName", new { newName });
        Assert.IsNull(await service.GetTitleAsync(f.Manager, newTitle), "Mettmann's local rule did not decide the new title in Mettmann.");
        Assert.AreEqual(1, await InstallationsListed(service, f.Reader, newTitle), "Mettmann's local rule decided the title in Wartburgkreis.");
    }

    [TestMethod]
    public async Task DeleteRuleAsync_LocalRule_TitleUnrecognisedAgainOtherCountyCannotDelete()
    {
        using var f = await Federation.CreateAsync();
        var (db, service, title) = (f.Db, f.Service, f.Title);
        var local = await service.MapAsync(f.Manager, new RuleDraft(title.Id, f.Product));

        await Assert.ThrowsExactlyAsync<KeyNotFoundException>(() => service.DeleteRuleAsync(f.Reader, local.RuleId));
        Assert.IsFalse((await service.ListRulesAsync(f.Reader, null, new PageRequest())).Items.Any(r => r.Id == local.RuleId), "Wartburgkreis sees Mettmann's local rule.");
        Assert.IsTrue((await service.ListRulesAsync(f.Manager, null, new PageRequest())).Items.Any(r => r.Id == local.RuleId && r.Titles == 1));
        await service.DeleteRuleAsync(f.Manager, local.RuleId);

        Assert.AreEqual(title.InMettmann, await InstallationsListed(service, f.Manager, title.Id));
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
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM family_title_recognition WHERE software_title_id = @foreignTitle", new { foreignTitle }));
        // Audited for the families whose inventory reports the title, so that their CIOs see the attempt.
        var owners = connection.Query<long?>("SELECT organisation_id FROM audit_log WHERE action = 'access_denied' AND user_name = 'lm.mettmann' AND object_type = 'software_titles'").ToList();
        Assert.IsNotEmpty(owners);
        Assert.IsTrue(owners.All(o => o is not null && o != Organisation(db.Database, Mettmann)), string.Join(",", owners));
    }
}
