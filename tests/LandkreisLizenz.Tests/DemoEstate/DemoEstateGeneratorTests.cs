using Dapper;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.DemoEstate;

[TestClass]
public sealed class DemoEstateGeneratorTests
{
    [TestMethod]
    public void Generate_TestScale_Writes294CountiesWithDestatisFigures()
    {
        using var connection = SharedEstate.Database.Database.Open();

        Assert.AreEqual(294, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE kind = 'county'"));
        var types = connection.Query<(string Type, int Count)>("SELECT county_type, COUNT(*) FROM organisations WHERE kind = 'county' GROUP BY county_type")
            .ToDictionary(r => r.Type, r => r.Count);
        Assert.AreEqual(251, types["Landkreis"]);
        Assert.AreEqual(42, types["Kreis"]);
        Assert.AreEqual(1, types["Regionalverband"]);

        var spots = connection.Query<(string Ags, string Name, long Population, string StateCode)>(
            "SELECT ags, name, population, state_code FROM organisations WHERE ags IN ('09184', '05158', '16063') ORDER BY ags").ToList();
        CollectionAssert.AreEqual(
            new[] { ("05158", "Mettmann", 485684L, "05"), ("09184", "München", 348871L, "09"), ("16063", "Wartburgkreis", 123025L, "16") },
            spots);
    }

    [TestMethod]
    public void Generate_SameSeedTwice_IdenticalRowCountsAndChecksums()
    {
        using var second = TestDatabase.CreateSeeded(DemoScale.Test);

        var expected = EstateChecksum.Compute(SharedEstate.Database.Database);
        var actual = EstateChecksum.Compute(second.Database);

        Assert.IsGreaterThan(0L, expected["installations"].Rows);
        CollectionAssert.AreEqual(expected.ToList(), actual.ToList());
    }

    [TestMethod]
    public void Generate_OtherSeed_DifferentEstate()
    {
        using var other = TestDatabase.CreateSeeded(DemoScale.Test, seed: 7);

        var expected = EstateChecksum.Compute(SharedEstate.Database.Database);
        var actual = EstateChecksum.Compute(other.Database);

        Assert.AreNotEqual(expected["applications"].Sha256, actual["applications"].Sha256);
        Assert.AreEqual(expected["organisations"].Rows > 0, actual["organisations"].Rows > 0);
    }

    [TestMethod]
    public void Generate_NonEmptyDatabase_RefusesAndWritesNothing()
    {
        var generator = new DemoEstateGenerator(SharedEstate.Database.Database, TestClock.Create());
        var before = EstateChecksum.Compute(SharedEstate.Database.Database);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            generator.Generate(DemoScale.Test, 1, TestClock.Today, Path.Combine(LandkreisLizenz.Core.Data.Migrator.LocateDbRoot(), "seed")));

        StringAssert.Contains(error.Message, "leere Datenbank");
        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(SharedEstate.Database.Database).ToList());
    }

    [TestMethod]
    public void Generate_TestScale_MatchesSurveyShape()
    {
        using var connection = SharedEstate.Database.Database.Open();

        var perCounty = connection.Query<int>("""
            SELECT COUNT(*) FROM applications a JOIN organisations o ON o.id = a.organisation_id
            WHERE o.kind = 'county' GROUP BY o.id
            """).ToList();
        Assert.HasCount(DemoScaleProfile.TestCounties.Count, perCounty);

        var ownShare = connection.ExecuteScalar<double>("""
            SELECT AVG(CASE WHEN h.operator_kind = 'self' THEN 1.0 ELSE 0.0 END)
            FROM applications a JOIN hostings h ON h.id = a.hosting_id
            """);
        Assert.IsInRange(0.7, 0.9, ownShare);

        var evbTypes = connection.Query<string>("SELECT DISTINCT evb_it_type FROM contracts").ToHashSet();
        foreach (var type in new[] { "ueberlassung_a", "ueberlassung_b", "pflege_s", "cloud", "dienstvertrag", "other" })
        {
            Assert.Contains(type, evbTypes);
        }

        var metrics = connection.Query<string>("SELECT DISTINCT metric FROM licenses").ToHashSet();
        foreach (var metric in new[] { "device", "named_user", "subscription", "concurrent_user", "core", "instance", "inhabitants", "site" })
        {
            Assert.Contains(metric, metrics);
        }
    }

    [TestMethod]
    public void Generate_TestScale_PlantsSuggestionCases()
    {
        using var connection = SharedEstate.Database.Database.Open();

        // redundant_applications: Mettmann runs two DMS products.
        var dmsInMettmann = connection.ExecuteScalar<int>("""
            SELECT COUNT(DISTINCT a.product_id) FROM applications a
            JOIN organisations o ON o.id = a.organisation_id JOIN products p ON p.id = a.product_id JOIN categories c ON c.id = p.category_id
            WHERE o.ags = '05158' AND c.category_key = 'dms'
            """);
        Assert.IsGreaterThanOrEqualTo(2, dmsInMettmann);

        // terminate_contract: Mettmann holds licenses for a product it runs nowhere.
        var unusedLicensed = connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM licenses l JOIN organisations o ON o.id = l.organisation_id
            WHERE o.ags = '05158'
              AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.organisation_id = l.organisation_id AND a.product_id = l.product_id)
            """);
        Assert.IsGreaterThanOrEqualTo(1, unusedLicensed);

        // hosting_compliance: high protection need on hosting outside Germany or without C5/Grundschutz.
        var nonConformant = connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM applications a JOIN hostings h ON h.id = a.hosting_id
            WHERE a.protection_need IN ('high','very_high')
              AND (COALESCE(h.country, '') <> 'DE' OR (h.c5 = 'none' AND h.iso27001 <> 'grundschutz'))
            """);
        Assert.IsGreaterThan(0, nonConformant);

        // member_pooling: municipalities of one county with separate licenses for the same product.
        var pooled = connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM (
              SELECT m.parent_id, l.product_id FROM licenses l JOIN organisations m ON m.id = l.organisation_id
              WHERE m.kind = 'municipality' GROUP BY m.parent_id, l.product_id HAVING COUNT(DISTINCT m.id) >= 2) x
            """);
        Assert.IsGreaterThan(0, pooled);

        // Unrecognised inventory, stale usage and unknown last-used dates all occur.
        Assert.IsGreaterThan(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations i JOIN software_titles t ON t.id = i.software_title_id WHERE t.product_id IS NULL"));
        Assert.IsGreaterThan(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations WHERE last_used IS NULL"));
        Assert.IsGreaterThan(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM installations WHERE last_used < '2026-08-29'"));
    }
}
