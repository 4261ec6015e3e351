using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Dashboards;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Suggestions;

/// <summary>
/// Spec §6 on the demo estate of all 294 counties (seeded, reconciled and refreshed once for the class): the clusters a
/// CIO is shown are believable, and every figure is the county's own share.
/// </summary>
[TestClass]
public sealed class DemoScaleSuggestionTests
{
    private static TestDatabase _db = null!;

    [ClassInitialize]
    public static async Task Initialise(TestContext context)
    {
        _db = TestDatabase.CreateSeeded(DemoScale.Demo);
        var clock = TestClock.Create();
        var audit = new AuditLog(_db.Database, clock);
        await new ReconciliationService(_db.Database, clock, audit, new ReconciliationOptions { Parallelism = 2 }).RunNow(CallerScope.System("test"), null);
        await new SuggestionService(_db.Database, clock, audit, new SuggestionOptions()).RefreshAsync();
    }

    [ClassCleanup]
    public static void Cleanup() => _db.Dispose();

    private static List<(long Id, string Key, string Type, string? State, int Participants, int Laender)> Clusters()
    {
        using var connection = _db.Database.Open();
        return connection.Query<(long, string, string, string?, int, int)>("""
            SELECT s.id, s.suggestion_key, s.type, s.state_code,
                   (SELECT COUNT(*) FROM suggestion_organisations so WHERE so.suggestion_id = s.id AND so.role = 'participant'),
                   (SELECT COUNT(DISTINCT o.state_code) FROM suggestion_organisations so JOIN organisations o ON o.id = so.organisation_id
                    WHERE so.suggestion_id = s.id AND so.role = 'participant')
            FROM suggestions s
            WHERE s.type IN ('joint_procurement', 'shared_operation', 'shared_data_centre') AND s.status <> 'obsolete'
            """).ToList();
    }

    [TestMethod]
    public void Clusters_DemoEstate_BetweenThreeAndEightParticipantsOfOneLand()
    {
        var clusters = Clusters();

        Assert.IsGreaterThan(20, clusters.Count, "The demo estate has too few clusters to check anything.");
        Assert.IsEmpty(clusters.Where(c => c.Participants is < 3 or > 8).Select(c => $"{c.Key}: {c.Participants}").ToList());
        Assert.IsEmpty(clusters.Where(c => c.Laender != 1 || c.State is null).Select(c => c.Key).ToList(), "clusters mixing Länder");
        Assert.IsTrue(clusters.Any(c => c.Type == SuggestionTypes.SharedDataCentre), "no shared data centre on the demo estate");
    }

    [TestMethod]
    public void SharedOperation_DemoEstate_OnlySpecialisedApplications()
    {
        using var connection = _db.Database.Open();
        var wrong = connection.Query<string>("""
            SELECT s.title FROM suggestions s JOIN products p ON p.id = s.product_id JOIN categories c ON c.id = p.category_id
            WHERE s.type = 'shared_operation' AND c.kind <> 'fachverfahren'
            """).ToList();

        Assert.IsEmpty(wrong, "infrastructure or office proposed as EfA: " + string.Join("; ", wrong.Take(5)));
    }

    [TestMethod]
    public async Task Mettmann_SuggestionListSum_EqualsDashboardSavingsPotential()
    {
        var clock = TestClock.Create();
        var audit = new AuditLog(_db.Database, clock);
        var cio = await Scopes.ForUserNameAsync(_db.Database, "cio.mettmann");
        using var connection = _db.Database.Open();
        var mettmann = connection.ExecuteScalar<long>("SELECT id FROM organisations WHERE ags = '05158'");

        var list = await new SuggestionService(_db.Database, clock, audit, new SuggestionOptions()).ListAsync(cio, new SuggestionFilter(), new PageRequest(1, 200));
        var dashboard = (await new CioDashboardService(_db.Database, new DeadlineCalendar(_db.Database), clock, audit).GetAsync(cio, mettmann))!;

        Assert.IsGreaterThan(0m, list.TotalSavings);
        Assert.AreEqual(dashboard.SavingsPotential, list.TotalSavings, "the list and the dashboard count different savings");
        // The largest figure a county sees is its share, never more than what it spends on that itself.
        foreach (var item in list.Page.Items.Where(i => i.IsCluster))
        {
            var ownCost = connection.ExecuteScalar<decimal>("""
                SELECT COALESCE(SUM(so.annual_cost), 0) FROM suggestion_organisations so JOIN organisations o ON o.id = so.organisation_id
                WHERE so.suggestion_id = @Id AND so.role = 'participant' AND (o.id = @mettmann OR o.parent_id = @mettmann)
                """, new { item.Id, mettmann });
            Assert.IsLessThanOrEqualTo(ownCost, item.OwnSavings ?? 0, $"{item.Title}: shown {item.OwnSavings}, own cost {ownCost}");
        }
    }

    [TestMethod]
    public void HostingCompliance_DemoEstate_OnePerHosting()
    {
        using var connection = _db.Database.Open();
        var perHosting = connection.Query<(long Hosting, int Count)>("""
            SELECT x.object_id, COUNT(*) FROM suggestions s JOIN suggestion_objects x ON x.suggestion_id = s.id AND x.object_type = 'hosting'
            WHERE s.type = 'hosting_compliance' AND s.status <> 'obsolete' GROUP BY x.object_id
            """).ToList();

        Assert.IsNotEmpty(perHosting);
        Assert.IsTrue(perHosting.All(h => h.Count == 1), "a hosting with more than one compliance suggestion");
    }

    [TestMethod]
    public async Task Refresh_RerunWithNothingChanged_WritesNothing()
    {
        var clock = TestClock.Create();
        using var connection = _db.Database.Open();
        const string Written = "SELECT COALESCE(SUM(row_version), 0) FROM suggestions";
        var before = connection.ExecuteScalar<long>(Written);

        var rerun = await new SuggestionService(_db.Database, clock, new AuditLog(_db.Database, clock), new SuggestionOptions()).RefreshAsync();

        Assert.AreEqual((0, 0, 0), (rerun.Created, rerun.Updated, rerun.Obsoleted), "participants, shares or cluster figures compared unequal to themselves");
        Assert.IsGreaterThan(1000, rerun.Unchanged);
        Assert.AreEqual(before, connection.ExecuteScalar<long>(Written), "a rerun rewrote suggestions");
    }
}
