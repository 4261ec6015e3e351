using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Reconciliation;

/// <summary>Spec §2 on hand-made estates, as of 27.11.2026 (unused: last use before 29.08.2026).</summary>
[TestClass]
public sealed class ReconciliationServiceTests
{
    private TestDatabase _db = null!;
    private EstateBuilder _estate = null!;
    private ReconciliationService _service = null!;

    [TestInitialize]
    public void Setup()
    {
        _db = TestDatabase.CreateEmpty();
        _estate = new EstateBuilder(_db.Database);
        var clock = TestClock.Create();
        _service = new ReconciliationService(_db.Database, clock, new AuditLog(_db.Database, clock), new ReconciliationOptions());
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private async Task<IReadOnlyList<LicensePosition>> RunAsync()
    {
        var run = await _service.RunNow(CallerScope.System("test"), null);
        Assert.AreEqual("succeeded", run.Status);
        return _service.PositionsOfRun(run.Id);
    }

    private static LicensePosition Single(IReadOnlyList<LicensePosition> positions, long organisation, long product, string metric) =>
        positions.Single(p => p.OrganisationId == organisation && p.ProductId == product && p.Metric == metric);

    [TestMethod]
    public async Task Device_CoversMembers_MunicipalitiesPoolIntoCountyUnlessOwnLicense()
    {
        var county = _estate.Organisation("05158", population: 485_684);
        var m1 = _estate.Organisation("05158004", "municipality", county);
        var m2 = _estate.Organisation("05158008", "municipality", county);
        var p = _estate.Product(listPrice: 150m);
        _estate.License(county, p, "device", 5, unitPrice: 100m, annualCost: 20m, covers: true);
        _estate.License(m2, p, "device", 1, unitPrice: 80m, annualCost: 16m);
        for (var i = 0; i < 2; i++) { _estate.Installed(county, p); }
        for (var i = 0; i < 3; i++) { _estate.Installed(m1, p); }
        for (var i = 0; i < 2; i++) { _estate.Installed(m2, p); }

        var positions = await RunAsync();

        var countyPool = Single(positions, county, p, "device");
        Assert.AreEqual((5L, 5L, 0L, PositionStatus.Compliant), (countyPool.Entitlement!.Value, countyPool.Consumption, countyPool.Balance!.Value, countyPool.Status));
        var own = Single(positions, m2, p, "device");
        Assert.AreEqual((1L, 2L, -1L, PositionStatus.Shortfall, 80m, 16m), (own.Entitlement!.Value, own.Consumption, own.Balance!.Value, own.Status, own.RiskAmount!.Value, own.AnnualCostPerUnit!.Value));
        Assert.IsFalse(positions.Any(x => x.OrganisationId == m1), "m1 consumes from the county pool");
        Assert.HasCount(2, positions);
    }

    [TestMethod]
    public async Task Device_WithoutCoversMembers_MunicipalityKeepsOwnEmptyPool()
    {
        var county = _estate.Organisation("05158");
        var m1 = _estate.Organisation("05158004", "municipality", county);
        var p = _estate.Product(listPrice: 150m);
        _estate.License(county, p, "device", 5, unitPrice: 100m);
        _estate.Installed(m1, p);

        var positions = await RunAsync();

        var municipality = Single(positions, m1, p, "device");
        Assert.AreEqual((0L, 1L, PositionStatus.Unlicensed, 150m), (municipality.Entitlement!.Value, municipality.Consumption, municipality.Status, municipality.UnitPrice!.Value),
            "own pool holds no license: the list price, not the county's unit price");
        Assert.AreEqual(150m, municipality.RiskAmount);
        Assert.AreEqual(PositionStatus.Surplus, Single(positions, county, p, "device").Status);
    }

    [TestMethod]
    public async Task ValidityWindow_StartsTomorrowEndedYesterdayOrContractEnded_NotCounted()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product(listPrice: 150m);
        _estate.License(county, p, "device", 10, unitPrice: 100m, validFrom: "2026-11-28");
        _estate.License(county, p, "device", 10, unitPrice: 100m, validTo: "2026-11-26");
        _estate.License(county, p, "device", 10, unitPrice: 100m, contract: _estate.Contract(county, "2025-01-01", end: "2026-11-26"));
        _estate.License(county, p, "device", 10, unitPrice: 100m, contract: _estate.Contract(county, "2025-11-27", initial: 12));
        _estate.License(county, p, "device", 2, unitPrice: 90m, validFrom: "2026-11-27", validTo: "2026-11-27");
        for (var i = 0; i < 3; i++) { _estate.Installed(county, p); }

        var position = Single(await RunAsync(), county, p, "device");

        // Only the last license counts: valid exactly today. The 12-month contract from 27.11.2025 ended on 26.11.2026.
        Assert.AreEqual((2L, 3L, -1L, PositionStatus.Shortfall, 90m), (position.Entitlement!.Value, position.Consumption, position.Balance!.Value, position.Status, position.RiskAmount!.Value));
    }

    [TestMethod]
    public async Task Unused_UnknownLastUsedNeverUnused_OldOnlyIfEveryInstallationOld()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "device", 10, annualCost: 50m);
        _estate.Installed(county, p, lastUsed: null);
        _estate.Installed(county, p, lastUsed: "2026-01-01");
        _estate.Installed(county, p, lastUsed: "2026-08-29");
        var mixed = _estate.Installed(county, p, lastUsed: "2025-05-01");
        _estate.Install(mixed, p, lastUsed: "2026-11-01");

        var position = Single(await RunAsync(), county, p, "device");

        Assert.AreEqual((4L, 1L, 3L, 6L), (position.Consumption, position.Unused, position.ActiveConsumption, position.Balance!.Value));
    }

    [TestMethod]
    public async Task Site_TenDevices_NeverLimiting()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product(listPrice: 0m);
        _estate.License(county, p, "site", 1);
        for (var i = 0; i < 10; i++) { _estate.Installed(county, p); }

        var position = Single(await RunAsync(), county, p, "site");

        Assert.AreEqual((null, 10L, null, PositionStatus.Compliant, null), (position.Entitlement, position.Consumption, position.Balance, position.Status, position.RiskAmount));
    }

    [TestMethod]
    public async Task ConcurrentUser_MonthsSummedAcrossOrganisations_MaxOfTwelveMonths()
    {
        var county = _estate.Organisation("05158");
        var m1 = _estate.Organisation("05158004", "municipality", county);
        var p = _estate.Product();
        _estate.License(county, p, "concurrent_user", 20, unitPrice: 300m, covers: true);
        _estate.Peak(county, p, "2026-10", 8);
        _estate.Peak(county, p, "2026-11", 5);
        _estate.Peak(m1, p, "2026-10", 7);
        _estate.Peak(m1, p, "2026-11", 12);
        _estate.Peak(county, p, "2025-11", 50);
        _estate.Peak(m1, p, "2026-12", 40);

        var position = Single(await RunAsync(), county, p, "concurrent_user");

        // December 2025 … November 2026: October 8 + 7 = 15, November 5 + 12 = 17. 2025-11 and 2026-12 lie outside.
        Assert.AreEqual((20L, 17L, 3L, PositionStatus.Surplus), (position.Entitlement!.Value, position.Consumption, position.Balance!.Value, position.Status));
    }

    [TestMethod]
    public async Task Core_ServersOnly_MinimumCoresPerDevice()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "core", 32, unitPrice: 200m, minCores: 16);
        _estate.Installed(county, p, kind: "server", cores: 8);
        _estate.Installed(county, p, kind: "virtual_server", cores: 24);
        _estate.Installed(county, p, kind: "server", cores: null);
        _estate.Installed(county, p, kind: "workstation", cores: 4);

        var position = Single(await RunAsync(), county, p, "core");

        // max(8,16) + max(24,16) + max(0,16) = 56; the workstation does not count.
        Assert.AreEqual((56L, -24L, PositionStatus.Shortfall, 4800m), (position.Consumption, position.Balance!.Value, position.Status, position.RiskAmount!.Value));
    }

    [TestMethod]
    public async Task Instance_DistinctServers()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "instance", 1);
        var server = _estate.Installed(county, p, kind: "server");
        _estate.Install(server, p);
        _estate.Installed(county, p, kind: "virtual_server");
        _estate.Installed(county, p);

        var position = Single(await RunAsync(), county, p, "instance");

        Assert.AreEqual((2L, -1L), (position.Consumption, position.Balance!.Value));
    }

    [TestMethod]
    public async Task Inhabitants_FromPopulationOfPoolOwner()
    {
        var county = _estate.Organisation("05158", population: 485_684);
        var m1 = _estate.Organisation("05158004", "municipality", county, population: 44_384);
        var p = _estate.Product();
        _estate.License(county, p, "inhabitants", 500_000, covers: true);
        _estate.Installed(m1, p, kind: "server");

        var position = Single(await RunAsync(), county, p, "inhabitants");

        Assert.AreEqual((485_684L, 14_316L, PositionStatus.Surplus), (position.Consumption, position.Balance!.Value, position.Status));
    }

    [TestMethod]
    public async Task NamedUserAndSubscription_UsersFromAssignmentsAndInstallations()
    {
        var county = _estate.Organisation("05158");
        var named = _estate.Product();
        var subscription = _estate.Product();
        _estate.License(county, named, "named_user", 5);
        _estate.License(county, subscription, "subscription", 1, unitPrice: 432m);
        _estate.Assign(county, named, "u1");
        _estate.Assign(county, named, "u2", lastLogin: "2026-03-01");
        _estate.Installed(county, named, user: "u1", lastUsed: "2026-01-01");
        _estate.Installed(county, named, user: "u3", lastUsed: null);
        _estate.Installed(county, named, user: null);
        _estate.Assign(county, subscription, "u1");
        _estate.Assign(county, subscription, "u2", lastLogin: null);
        _estate.Installed(county, subscription, user: "u9");

        var positions = await RunAsync();

        var namedPosition = Single(positions, county, named, "named_user");
        Assert.AreEqual((3L, 1L, 2L), (namedPosition.Consumption, namedPosition.Unused, namedPosition.Balance!.Value), "u1, u2 (unused), u3; the empty user does not count");
        var subscriptionPosition = Single(positions, county, subscription, "subscription");
        Assert.AreEqual((2L, 0L, -1L, 432m), (subscriptionPosition.Consumption, subscriptionPosition.Unused, subscriptionPosition.Balance!.Value, subscriptionPosition.RiskAmount!.Value));
    }

    [TestMethod]
    public async Task RiskAmount_MostRecentlyStartedLicensesUnitPrice()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product(listPrice: 999m);
        _estate.License(county, p, "device", 1, unitPrice: 100m, annualCost: 10m, validFrom: "2024-01-01");
        _estate.License(county, p, "device", 1, unitPrice: 120m, annualCost: 12m, validFrom: "2025-06-01");
        for (var i = 0; i < 5; i++) { _estate.Installed(county, p); }

        var position = Single(await RunAsync(), county, p, "device");

        Assert.AreEqual((2L, -3L, 120m, 360m, 12m), (position.Entitlement!.Value, position.Balance!.Value, position.UnitPrice!.Value, position.RiskAmount!.Value, position.AnnualCostPerUnit!.Value));
    }

    [TestMethod]
    public async Task RunTwice_SamePositionsAndChecksums()
    {
        using var seeded = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var service = new ReconciliationService(seeded.Database, clock, new AuditLog(seeded.Database, clock), new ReconciliationOptions());

        var first = await service.RunNow(CallerScope.System("test"), null);
        var second = await service.RunNow(CallerScope.System("test"), null);

        Assert.IsGreaterThan(500, first.PositionsCount);
        Assert.AreEqual(first.Checksum, second.Checksum);
        Assert.AreEqual(first.PositionsCount, second.PositionsCount);
        var statuses = service.PositionsOfRun(first.Id).Select(p => p.Status).ToHashSet();
        CollectionAssert.IsSubsetOf(PositionStatus.All.ToList(), statuses.ToList(), "The demo estate shows every status.");
    }

    [TestMethod]
    public async Task RunKilledMidway_RerunEqualsUninterruptedRun_NoDuplicates()
    {
        using var seeded = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var service = new ReconciliationService(seeded.Database, clock, new AuditLog(seeded.Database, clock), new ReconciliationOptions());
        var uninterrupted = await service.RunNow(CallerScope.System("test"), null);

        var killed = await service.StartAsync(CallerScope.System("test"), null);
        service.ProcessFamily(killed.Id, killed.Families[0]);
        service.ProcessFamily(killed.Id, killed.Families[1]);
        // The job is retried (Hangfire runs it again): the family is rewritten, not duplicated.
        service.ProcessFamily(killed.Id, killed.Families[1]);
        var rerun = await service.RunNow(CallerScope.System("test"), null);

        Assert.AreEqual("running", (await service.GetRunAsync(CallerScope.System("test"), killed.Id))!.Status);
        Assert.AreEqual(uninterrupted.Checksum, rerun.Checksum);
        using var connection = seeded.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM (SELECT run_id, organisation_id, product_id, metric FROM license_positions GROUP BY run_id, organisation_id, product_id, metric HAVING COUNT(*) > 1) d"));
        foreach (var family in killed.Families)
        {
            service.ProcessFamily(killed.Id, family);
        }

        Assert.AreEqual(uninterrupted.Checksum, (await service.GetRunAsync(CallerScope.System("test"), killed.Id))!.Checksum, "the killed run, resumed, finishes with the same positions");
    }

    [TestMethod]
    public async Task ProcessFamily_FamilyHeldByAnotherLiveRun_BusyUntilReleased()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "device", 1);
        var first = await _service.StartAsync(CallerScope.System("a"), null);
        var second = await _service.StartAsync(CallerScope.System("b"), null);
        using (var connection = _db.Database.Open())
        {
            connection.Execute("INSERT INTO reconciliation_locks (organisation_id, run_id, acquired_at) VALUES (@county, @run, '2026-11-27T07:59:00Z')", new { county, run = first.Id });
        }

        Assert.ThrowsExactly<FamilyBusyException>(() => _service.ProcessFamily(second.Id, county));
        _service.ProcessFamily(first.Id, county);
        _service.ProcessFamily(second.Id, county);

        Assert.AreEqual("succeeded", (await _service.GetRunAsync(CallerScope.System("test"), first.Id))!.Status);
        Assert.AreEqual("succeeded", (await _service.GetRunAsync(CallerScope.System("test"), second.Id))!.Status);
    }

    [TestMethod]
    public async Task StartAsync_LicenseManagerForForeignCounty_Denied()
    {
        using var seeded = TestDatabase.CopyOf(SharedEstate.Database);
        var clock = TestClock.Create();
        var service = new ReconciliationService(seeded.Database, clock, new AuditLog(seeded.Database, clock), new ReconciliationOptions());
        var manager = await Scopes.ForUserNameAsync(seeded.Database, "lm.mettmann");

        var own = await service.RunNow(manager, [Scopes.OrganisationId(seeded.Database, "05158")], "manual");

        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => service.StartAsync(manager, [Scopes.OrganisationId(seeded.Database, "16063")]));
        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => service.StartAsync(manager, null));
        Assert.AreEqual("succeeded", own.Status);
        Assert.AreEqual(1, own.FamiliesTotal);
        var full = await service.RunNow(CallerScope.System("test"), null);
        var reader = await Scopes.ForUserNameAsync(seeded.Database, "leser.wartburgkreis");
        var admin = await Scopes.ForUserNameAsync(seeded.Database, "admin");
        Assert.IsNotNull(await service.GetRunAsync(manager, own.Id), "own county's run");
        Assert.IsNull(await service.GetRunAsync(reader, own.Id), "another county's run");
        Assert.IsNull(await service.GetRunAsync(manager, full.Id), "runs over the whole estate are for admins");
        Assert.IsNotNull(await service.GetRunAsync(admin, full.Id));
    }
}
