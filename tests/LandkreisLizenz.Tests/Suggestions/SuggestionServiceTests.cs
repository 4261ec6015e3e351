using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Core.Suggestions;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Suggestions;

/// <summary>Spec §4 on hand-made estates as of 27.11.2026: one positive and one near-miss case per type.</summary>
[TestClass]
public sealed class SuggestionServiceTests
{
    private TestDatabase _db = null!;
    private EstateBuilder _estate = null!;
    private SuggestionService _service = null!;

    [TestInitialize]
    public void Setup()
    {
        _db = TestDatabase.CreateEmpty();
        _estate = new EstateBuilder(_db.Database);
        var clock = TestClock.Create();
        _service = new SuggestionService(_db.Database, clock, new AuditLog(_db.Database, clock), new SuggestionOptions());
    }

    [TestCleanup]
    public void TearDown() => _db.Dispose();

    private async Task<List<(string Key, string Type, string Status, decimal? Savings, decimal? Risk, string Rationale)>> RefreshAsync()
    {
        var clock = TestClock.Create();
        await new ReconciliationService(_db.Database, clock, new AuditLog(_db.Database, clock), new ReconciliationOptions()).RunNow(CallerScope.System("t"), null);
        await _service.RefreshAsync();
        using var connection = _db.Database.Open();
        return connection.Query<(string, string, string, decimal?, decimal?, string)>(
            "SELECT suggestion_key, type, status, estimated_savings, risk_amount, rationale FROM suggestions ORDER BY suggestion_key").ToList();
    }

    private static (string Key, string Type, string Status, decimal? Savings, decimal? Risk, string Rationale) Of(
        List<(string Key, string Type, string Status, decimal? Savings, decimal? Risk, string Rationale)> all, string type) =>
        all.Single(s => s.Type == type);

    [TestMethod]
    public async Task RightSize_UnusedAndSpareLicenses_SavingsDifferenceTimesAnnualCost()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "device", 10, annualCost: 50m);
        for (var i = 0; i < 4; i++) { _estate.Installed(county, p); }
        _estate.Installed(county, p, lastUsed: "2026-01-01");
        _estate.Installed(county, p, lastUsed: "2026-02-01");

        var s = Of(await RefreshAsync(), SuggestionTypes.RightSize);

        Assert.AreEqual(300m, s.Savings, "(10 − 4 active) × 50 €");
        StringAssert.Contains(s.Rationale, "2 Installationen bzw. Zuweisungen sind seit über 90 Tagen unbenutzt");
        StringAssert.Contains(s.Rationale, "4 Lizenzen hat niemand");
    }

    [TestMethod]
    public async Task RightSize_EverythingActivelyUsed_None()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.License(county, p, "device", 2, annualCost: 50m);
        _estate.Installed(county, p);
        _estate.Installed(county, p);

        Assert.IsFalse((await RefreshAsync()).Any(s => s.Type == SuggestionTypes.RightSize));
    }

    [TestMethod]
    public async Task ComplianceRisk_Shortfall_RiskShownNoSavings_CompliantNone()
    {
        var county = _estate.Organisation("05158");
        var short1 = _estate.Product();
        var fine = _estate.Product();
        _estate.License(county, short1, "device", 1, unitPrice: 80m);
        _estate.License(county, fine, "device", 1, unitPrice: 80m);
        for (var i = 0; i < 3; i++) { _estate.Installed(county, short1); }
        _estate.Installed(county, fine);

        var all = await RefreshAsync();

        var risk = Of(all, SuggestionTypes.ComplianceRisk);
        Assert.AreEqual((null, 160m), (risk.Savings, risk.Risk));
        Assert.AreEqual(1, all.Count(s => s.Type == SuggestionTypes.ComplianceRisk));
    }

    [TestMethod]
    public async Task TerminateContract_DeadlineWithin180DaysAndNoConsumption_SavesAnnualCost()
    {
        var county = _estate.Organisation("05158");
        var unused = _estate.Product();
        var used = _estate.Product();
        // Term ends 31.05.2027, 3 months notice: deadline 28.02.2027, 93 days ahead.
        var idle = _estate.Contract(county, "2024-06-01", 12, 12, notice: 3, annualCost: 4500m);
        _estate.License(county, unused, "named_user", 10, contract: idle);
        var busy = _estate.Contract(county, "2024-06-01", 12, 12, notice: 3, annualCost: 9000m);
        _estate.License(county, used, "named_user", 10, contract: busy);
        _estate.Assign(county, used, "u1");
        // Same idle licenses, but the deadline is over 180 days away (term ends 31.10.2027, deadline 31.07.2027).
        var later = _estate.Contract(county, "2024-11-01", 12, 12, notice: 3, annualCost: 7000m);
        _estate.License(county, _estate.Product(), "named_user", 10, contract: later);

        var terminations = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.TerminateContract).ToList();

        Assert.HasCount(1, terminations);
        Assert.AreEqual(4500m, terminations[0].Savings);
        StringAssert.Contains(terminations[0].Rationale, "bis 28.02.2027");
    }

    [TestMethod]
    public async Task RedundantApplications_TwoSingleSystemApps_SavesAllButMostUsed()
    {
        var county = _estate.Organisation("05158");
        var hosting = _estate.Hosting(county, iso: "grundschutz");
        var dmsA = _estate.Product(singleSystem: true);
        var dmsB = _estate.Product(singleSystem: true);
        _estate.Application(county, dmsA, hosting, users: 300, cost: 20_000m);
        _estate.Application(county, dmsB, hosting, users: 40, cost: 8_000m);
        _estate.License(county, dmsB, "named_user", 40, annualCost: 100m);

        var s = Of(await RefreshAsync(), SuggestionTypes.RedundantApplications);

        Assert.AreEqual(12_000m, s.Savings, "8.000 € operation + 40 × 100 € licenses of the smaller system");
    }

    [TestMethod]
    public async Task RedundantApplications_SecondOneBeingEliminated_None()
    {
        var county = _estate.Organisation("05158");
        var hosting = _estate.Hosting(county, iso: "grundschutz");
        _estate.Application(county, _estate.Product(singleSystem: true), hosting, users: 300);
        _estate.Application(county, _estate.Product(singleSystem: true), hosting, users: 40, lifecycle: "eliminate");

        Assert.IsFalse((await RefreshAsync()).Any(s => s.Type == SuggestionTypes.RedundantApplications));
    }

    [TestMethod]
    public async Task JointProcurement_ThreeOptedInWithSeparateContracts_TenPercentOfCombinedCost()
    {
        var p = _estate.Product();
        foreach (var ags in new[] { "05158", "05162", "05166" })
        {
            var org = _estate.Organisation(ags);
            _estate.License(org, p, "named_user", 10, annualCost: 100m);
        }

        var s = Of(await RefreshAsync(), SuggestionTypes.JointProcurement);

        Assert.AreEqual(300m, s.Savings, "3 × 1.000 € × 10 %");
    }

    [TestMethod]
    public async Task JointProcurement_ThirdOptedOutOrUnderFramework_None()
    {
        var p = _estate.Product();
        _estate.License(_estate.Organisation("05158"), p, "named_user", 10, annualCost: 100m);
        _estate.License(_estate.Organisation("05162"), p, "named_user", 10, annualCost: 100m);
        _estate.License(_estate.Organisation("05166", shares: false), p, "named_user", 10, annualCost: 100m);
        var framed = _estate.Organisation("05170");
        _estate.License(framed, p, "named_user", 10, annualCost: 100m, contract: _estate.Contract(framed, framework: "RV-2023"));

        Assert.IsFalse((await RefreshAsync()).Any(s => s.Type == SuggestionTypes.JointProcurement));
    }

    /// <summary>Each participant of a suggestion with its role and figures, in AGS order.</summary>
    private List<(string Ags, string Role, decimal? Cost, decimal? Share, int? Users)> Parties(string key)
    {
        using var connection = _db.Database.Open();
        return connection.Query<(string, string, decimal?, decimal?, int?)>("""
            SELECT o.ags, so.role, so.annual_cost, so.savings_share, so.users FROM suggestion_organisations so
            JOIN organisations o ON o.id = so.organisation_id JOIN suggestions s ON s.id = so.suggestion_id
            WHERE s.suggestion_key = @key ORDER BY o.ags
            """, new { key }).ToList();
    }

    private (string? State, long? Lead, decimal? Cost, decimal? Percent, decimal? Migration, decimal? Payback) Cluster(string key)
    {
        using var connection = _db.Database.Open();
        return connection.QuerySingle<(string?, long?, decimal?, decimal?, decimal?, decimal?)>(
            "SELECT state_code, lead_organisation_id, cluster_annual_cost, share_percent, migration_cost, payback_months FROM suggestions WHERE suggestion_key = @key", new { key });
    }

    [TestMethod]
    public async Task SharedOperation_ThreeSelfOperated_QuarterSavedSharesByOwnCostPaybackInHouseLead()
    {
        var p = _estate.Product(key: "efa");
        var provider = _estate.Organisation("X0501", "municipal_provider");
        var costs = new[] { ("05158", 10_000m), ("05162", 20_000m), ("05166", 30_000m) };
        foreach (var (ags, cost) in costs)
        {
            var org = _estate.Organisation(ags);
            _estate.Application(org, p, _estate.Hosting(org), users: 20, cost: cost);
        }

        var served = _estate.Organisation("05170");
        _estate.Application(served, p, _estate.Hosting(served, "municipal_provider", c5: "type2", georedundant: true, operatorOrganisation: provider), users: 50, cost: 3_000m);

        var s = Of(await RefreshAsync(), SuggestionTypes.SharedOperation);

        Assert.AreEqual("shared_operation:efa:X0501", s.Key, "type + product + lead");
        Assert.AreEqual(15_000m, s.Savings, "3 participants → 25 % of 60.000 €");
        CollectionAssert.AreEqual(new decimal?[] { 2_500m, 5_000m, 7_500m }, Parties(s.Key).Where(x => x.Role == "participant").Select(x => x.Share).ToArray(),
            "each participant saves 25 % of its own cost");
        var cluster = Cluster(s.Key);
        Assert.AreEqual(("05", 30_000m, 24.0m), (cluster.State, cluster.Migration, cluster.Payback), "50 % of 60.000 € once, paid back by 15.000 €/year in 24 months");
        StringAssert.Contains(s.Rationale, "Inhouse-Vergabe nach § 108 GWB an Org X0501 möglich");
        Assert.DoesNotContain("Org 05162", s.Rationale, "names belong in the participants' table, not in the text");
    }

    /// <summary>Three counties running one product themselves, the Land's provider as lead, a CIO for each; refreshed.</summary>
    private async Task<(long Id, Dictionary<string, CallerScope> Cio)> ClusterWithCiosAsync(int counties = 3)
    {
        var p = _estate.Product(key: "efa");
        var provider = _estate.Organisation("X0501", "municipal_provider");
        var served = _estate.Organisation("05999");
        _estate.Application(served, p, _estate.Hosting(served, "municipal_provider", c5: "type2", georedundant: true, operatorOrganisation: provider), cost: 1_000m);
        var names = new Dictionary<string, long> { ["x"] = provider };
        foreach (var (ags, i) in new[] { "05158", "05162", "05166", "05170" }.Take(counties).Select((a, i) => (a, i)))
        {
            var org = _estate.Organisation(ags);
            _estate.Application(org, p, _estate.Hosting(org), users: 20, cost: 10_000m);
            names[((char)('a' + i)).ToString()] = org;
        }

        using (var connection = _db.Database.Open())
        {
            foreach (var (name, org) in names)
            {
                AccountService.CreateUser(connection, null, _db.Database.Dialect, new NewUser("cio." + name, "CIO " + name, null, "x", [(Roles.Cio, org)]), TestClock.Now.UtcDateTime);
            }

            AccountService.CreateUser(connection, null, _db.Database.Dialect, new NewUser("verbund.t", "Verbund", null, "x", [(Roles.VerbundAnalyst, null)]), TestClock.Now.UtcDateTime);
        }

        await RefreshAsync();
        var scopes = new Dictionary<string, CallerScope>();
        foreach (var name in names.Keys.Append("verbund.t"))
        {
            scopes[name] = await Scopes.ForUserNameAsync(_db.Database, name.Contains('.') ? name : "cio." + name);
        }

        using var db = _db.Database.Open();
        return (db.ExecuteScalar<long>("SELECT id FROM suggestions WHERE type = 'shared_operation'"), scopes);
    }

    private async Task<string?> DecisionOf(CallerScope viewer, long id, string ags) => (await _service.GetAsync(viewer, id))!.Organisations.Single(o => o.Ags == ags).Decision;

    [TestMethod]
    public async Task ClusterDecisions_TwoParticipantsDecideDifferently_EachHasItsOwnNeitherChangesTheOther()
    {
        // Four, so that one decline leaves enough to go on.
        var (id, cio) = await ClusterWithCiosAsync(counties: 4);

        Assert.IsNull(await _service.DecideAsync(cio["a"], id, ParticipantDecision.Joined, null));
        Assert.AreEqual("Eine Ablehnung braucht eine Begründung.", await _service.DecideAsync(cio["b"], id, ParticipantDecision.Declined, " "));
        Assert.IsNull(await _service.DecideAsync(cio["b"], id, ParticipantDecision.Declined, "Eigener Betrieb bis 2028 vertraglich gebunden"));

        Assert.AreEqual(ParticipantDecision.Joined, await DecisionOf(cio["a"], id, "05158"), "B's decline changed A's decision");
        Assert.AreEqual(ParticipantDecision.Declined, await DecisionOf(cio["b"], id, "05162"));
        var seenByA = (await _service.GetAsync(cio["a"], id))!.Organisations.Single(o => o.Ags == "05162");
        Assert.AreEqual((ParticipantDecision.Declined, (string?)null), (seenByA.Decision, seenByA.DecisionReason), "A sees B's status, not B's reason");
        Assert.AreEqual("Eigener Betrieb bis 2028 vertraglich gebunden", (await _service.GetAsync(cio["b"], id))!.Organisations.Single(o => o.Ags == "05162").DecisionReason);
        var b = (await _service.GetAsync(cio["b"], id))!.Organisations.Single(o => o.Ags == "05162").Id;
        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _service.DecideAsync(cio["a"], id, ParticipantDecision.Joined, null, organisationId: b), "A decided for B");
        Assert.AreEqual(0m, (await _service.ListAsync(cio["b"], new SuggestionFilter(), new PageRequest())).TotalSavings, "a declined share still counts");
        Assert.AreEqual(2_500m, (await _service.ListAsync(cio["a"], new SuggestionFilter(), new PageRequest())).TotalSavings, "A's share: 25 % of 10.000 €");
        Assert.AreEqual(ClusterStatus.Forming, (await _service.GetAsync(cio["a"], id))!.ClusterStatus);
    }

    [TestMethod]
    public async Task ClusterStatus_FollowsTheDecisions_AgreedNeedsLeadAndThreeImplementedByAnalyst()
    {
        var (id, cio) = await ClusterWithCiosAsync();
        async Task<string?> Status() => (await _service.GetAsync(cio["x"], id))!.ClusterStatus;

        Assert.AreEqual(ClusterStatus.Open, await Status());
        await _service.DecideAsync(cio["a"], id, ParticipantDecision.Interested, null);
        Assert.AreEqual(ClusterStatus.Forming, await Status());
        foreach (var name in new[] { "a", "b", "c" })
        {
            await _service.DecideAsync(cio[name], id, ParticipantDecision.Joined, null);
        }

        Assert.AreEqual(ClusterStatus.Forming, await Status(), "three joined, but not the lead");
        Assert.AreEqual("Nur ein vereinbartes Vorhaben (federführende Organisation und genug Beteiligte beigetreten) kann als umgesetzt markiert werden.",
            await _service.MarkImplementedAsync(cio["verbund.t"], id));
        Assert.IsNull(await _service.DecideAsync(cio["x"], id, ParticipantDecision.Joined, null), "the lead (the proposed operator) decides too");
        Assert.AreEqual(ClusterStatus.Agreed, await Status());
        await Assert.ThrowsExactlyAsync<AccessDeniedException>(() => _service.MarkImplementedAsync(cio["a"], id));
        Assert.IsNull(await _service.MarkImplementedAsync(cio["verbund.t"], id));
        Assert.AreEqual(ClusterStatus.Implemented, await Status());
    }

    [TestMethod]
    public async Task ClusterStatus_OneOfThreeDeclines_Dissolved()
    {
        var (id, cio) = await ClusterWithCiosAsync();

        await _service.DecideAsync(cio["a"], id, ParticipantDecision.Joined, null);
        await _service.DecideAsync(cio["c"], id, ParticipantDecision.Declined, "kein Bedarf");

        Assert.AreEqual(ClusterStatus.Dissolved, (await _service.GetAsync(cio["a"], id))!.ClusterStatus, "two can still join, three are needed");
    }

    [TestMethod]
    public async Task ClusterDecisions_Rerun_SurviveAndADeclinerIsNotProposedAgainWithinTheQuietPeriod()
    {
        var (id, cio) = await ClusterWithCiosAsync(counties: 4);
        await _service.DecideAsync(cio["a"], id, ParticipantDecision.Joined, null);
        await _service.DecideAsync(cio["d"], id, ParticipantDecision.Declined, "eigene Lösung");

        await RefreshAsync();

        Assert.AreEqual(ParticipantDecision.Joined, await DecisionOf(cio["a"], id, "05158"), "the decision did not survive the rerun");
        Assert.IsFalse((await _service.GetAsync(cio["a"], id))!.Organisations.Any(o => o.Ags == "05170"), "the decliner is proposed again");
        var later = TestClock.Create();
        later.Advance(TimeSpan.FromDays(400));
        await new SuggestionService(_db.Database, later, new AuditLog(_db.Database, later), new SuggestionOptions()).RefreshAsync();
        Assert.IsTrue((await _service.GetAsync(cio["a"], id))!.Organisations.Any(o => o.Ags == "05170"), "after the quiet period it is proposed again");
    }

    private MeasureService Measures()
    {
        var clock = TestClock.Create();
        return new MeasureService(_db.Database, clock, new AuditLog(_db.Database, clock));
    }

    [TestMethod]
    public async Task Measures_AgreedCluster_OneMeasurePerJoinedParticipantWithItsShare()
    {
        var (id, cio) = await ClusterWithCiosAsync(counties: 4);
        foreach (var name in new[] { "a", "b", "c", "x" })
        {
            await _service.DecideAsync(cio[name], id, ParticipantDecision.Joined, null);
        }

        Assert.IsEmpty((await Measures().ListAsync(cio["d"], null)).Items, "a participant that did not join got a measure");
        var plan = await Measures().ListAsync(cio["a"], null);

        Assert.AreEqual(ClusterStatus.Agreed, (await _service.GetAsync(cio["a"], id))!.ClusterStatus);
        Assert.HasCount(1, plan.Items);
        Assert.AreEqual((2_500m, MeasureStatus.Planned), (plan.Items[0].PlannedSavings, plan.Items[0].Status), "A's share: 25 % of 10.000 €");
        await RefreshAsync();
        Assert.HasCount(1, (await Measures().ListAsync(cio["a"], null)).Items, "a rerun duplicated the measure");
    }

    [TestMethod]
    public async Task Measures_AcceptedSuggestion_CioKeepsItBadInputNamedOtherCountyRefused()
    {
        var (id, cio) = await ClusterWithCiosAsync(counties: 4);
        foreach (var name in new[] { "a", "b", "c", "x" })
        {
            await _service.DecideAsync(cio[name], id, ParticipantDecision.Joined, null);
        }

        var measures = Measures();
        var measure = (await measures.ListAsync(cio["a"], null)).Items.Single();

        var errors = await measures.UpdateAsync(cio["a"], measure.Id, new MeasureChange("in_progress", "Frau Beispiel", "31.13.2027", "-5", null), measure.RowVersion);
        Assert.AreEqual("Datum als TT.MM.JJJJ angeben, z. B. 31.03.2027.", errors["due_date"]);
        Assert.AreEqual("Betrag in Euro angeben, z. B. 12.500,00 (nicht negativ).", errors["realised_savings"]);
        Assert.AreEqual(MeasureStatus.Planned, (await measures.GetAsync(cio["a"], measure.Id))!.Status, "a refused change was half-written");

        Assert.IsEmpty(await measures.UpdateAsync(cio["a"], measure.Id, new MeasureChange("in_progress", "Frau Beispiel", "31.03.2027", "1.250,50 €", "Vertrag gekündigt"), measure.RowVersion));
        var saved = (await measures.GetAsync(cio["a"], measure.Id))!;
        Assert.AreEqual((MeasureStatus.InProgress, "Frau Beispiel", new DateOnly(2027, 3, 31), 1_250.50m), (saved.Status, saved.Responsible, saved.DueDate, saved.RealisedSavings));
        Assert.AreEqual(1_250.50m, (await measures.ListAsync(cio["a"], null)).Realised);
        await Assert.ThrowsExactlyAsync<KeyNotFoundException>(() => measures.UpdateAsync(cio["b"], measure.Id, new MeasureChange("done", null, null, null, null), saved.RowVersion));
    }

    [TestMethod]
    public async Task SharedOperation_InfrastructureOrOfficeProduct_None()
    {
        foreach (var kind in new[] { "infrastructure", "office" })
        {
            var p = _estate.Product(kind: kind);
            foreach (var ags in new[] { "05158", "05162", "05166" })
            {
                var org = _estate.Organisation(ags + kind[0]);
                _estate.Application(org, p, _estate.Hosting(org), cost: 10_000m);
            }
        }

        Assert.IsFalse((await RefreshAsync()).Any(s => s.Type == SuggestionTypes.SharedOperation), "infrastructure moves with a shared data centre, never as EfA");
    }

    [TestMethod]
    public async Task SharedOperation_TenOfOneLandThreeOfAnother_TwoClustersThereNoneMixing()
    {
        var p = _estate.Product(key: "efa");
        foreach (var i in Enumerable.Range(0, 10))
        {
            var org = _estate.Organisation($"0515{i}");
            _estate.Application(org, p, _estate.Hosting(org), users: 10 + i, cost: 1_000m);
        }

        foreach (var ags in new[] { "06411", "06412" })
        {
            var org = _estate.Organisation(ags);
            _estate.Application(org, p, _estate.Hosting(org), cost: 1_000m);
        }

        var clusters = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.SharedOperation).ToList();

        Assert.HasCount(2, clusters, "ten in NRW → 5 + 5; the two in Hessen are too few and never join NRW");
        CollectionAssert.AreEqual(new[] { 5, 5 }, clusters.Select(c => Parties(c.Key).Count(x => x.Role == "participant")).ToArray());
        Assert.IsTrue(clusters.All(c => Parties(c.Key).All(x => x.Ags.StartsWith("05", StringComparison.Ordinal))));
        Assert.AreEqual(2, clusters.Select(c => c.Key).Distinct().Count(), "each cluster has a key of its own");
    }

    [TestMethod]
    public async Task SharedDataCentre_ThreeCountiesOwnNonConformantDataCentres_IntoTheLandsProvider()
    {
        var provider = _estate.Organisation("X0501", "municipal_provider");
        var client = _estate.Organisation("05170");
        _estate.Hosting(client, "municipal_provider", c5: "type2", georedundant: true, operatorOrganisation: provider);
        foreach (var (ags, cost) in new[] { ("05158", 100_000m), ("05162", 200_000m), ("05166", 300_000m) })
        {
            _estate.Hosting(_estate.Organisation(ags), annualCost: cost);
        }

        // Not a participant: a county whose own data centre is DVS-conformant.
        _estate.Hosting(_estate.Organisation("05174"), iso: "grundschutz", annualCost: 500_000m);

        var s = Of(await RefreshAsync(), SuggestionTypes.SharedDataCentre);

        Assert.AreEqual("shared_data_centre:on_premises:X0501", s.Key);
        Assert.AreEqual(150_000m, s.Savings, "25 % of 600.000 €");
        CollectionAssert.AreEqual(new[] { "05158", "05162", "05166", "X0501" }, Parties(s.Key).Select(x => x.Ags).ToArray());
        Assert.AreEqual(25_000m, Parties(s.Key)[0].Share);
        StringAssert.Contains(s.Rationale, "Inhouse-Vergabe nach § 108 GWB an Org X0501 möglich");
    }

    [TestMethod]
    public async Task JointProcurement_TwelveInOneLand_TwoClustersLedByLargestVolumeSharesByOwnCost()
    {
        var p = _estate.Product(key: "lic");
        foreach (var i in Enumerable.Range(10, 12))
        {
            _estate.License(_estate.Organisation($"051{i}"), p, "named_user", 10, annualCost: 10m * i);
        }

        var clusters = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.JointProcurement).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();

        Assert.HasCount(2, clusters, "12 → 6 + 6");
        Assert.AreEqual("joint_procurement:lic:05115", clusters[0].Key, "the first six (05110–05115) are led by the largest volume, 05115");
        var first = Parties(clusters[0].Key);
        Assert.AreEqual(100m, first[0].Share, "05110: 10 × 100 € × 10 %");
        Assert.AreEqual(first.Sum(x => x.Share), clusters[0].Savings);
    }

    [TestMethod]
    public async Task SharedOperation_OnlyTwoOptedIn_None()
    {
        var p = _estate.Product();
        foreach (var (ags, shares) in new[] { ("05158", true), ("05162", true), ("05166", false) })
        {
            var org = _estate.Organisation(ags, shares: shares);
            _estate.Application(org, p, _estate.Hosting(org), cost: 10_000m);
        }

        Assert.IsFalse((await RefreshAsync()).Any(s => s.Type == SuggestionTypes.SharedOperation));
    }

    [TestMethod]
    public async Task HostingCompliance_HighProtectionAbroad_FailedCriteriaNamed_ConformantNone()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        _estate.Application(county, p, _estate.Hosting(county, "private_provider", country: "NL", c5: "type2"), protection: "high");
        _estate.Application(county, p, _estate.Hosting(county, "private_provider", country: "DE", c5: "type2"), protection: "very_high");
        _estate.Application(county, p, _estate.Hosting(county, country: "DE", iso: "grundschutz"), operation24x7: true);

        var hosting = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.HostingCompliance).ToList();

        Assert.HasCount(2, hosting, "abroad, and 24x7 without georedundancy; the DE/C5 one is conformant");
        Assert.IsTrue(hosting.Any(h => h.Rationale.Contains("Rechenzentrum nicht in Deutschland (NL)", StringComparison.Ordinal)));
        Assert.IsTrue(hosting.Any(h => h.Rationale.Contains("24x7-Betrieb ohne Georedundanz", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task HostingCompliance_ThreeApplicationsOnOneHosting_OneSuggestionListingThem()
    {
        var county = _estate.Organisation("05158");
        var hosting = _estate.Hosting(county, "private_provider", country: "NL", c5: "type2");
        foreach (var protection in new[] { "high", "very_high", "high" })
        {
            _estate.Application(county, _estate.Product(), hosting, protection: protection);
        }

        var found = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.HostingCompliance).ToList();

        Assert.HasCount(1, found, "one per hosting, not one per application");
        StringAssert.Contains(found[0].Rationale, "3 Anwendungen");
        using var connection = _db.Database.Open();
        Assert.AreEqual(3, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM suggestion_objects WHERE object_type = 'application'"));
    }

    [TestMethod]
    public async Task MemberPooling_TwoMunicipalitiesWithoutCountyCovers_FivePercent_WithCoversNone()
    {
        var county = _estate.Organisation("05158");
        var pooled = _estate.Product();
        var covered = _estate.Product();
        foreach (var ags in new[] { "05158004", "05158008" })
        {
            var m = _estate.Organisation(ags, "municipality", county);
            _estate.License(m, pooled, "named_user", 5, annualCost: 20m);
            _estate.License(m, covered, "named_user", 5, annualCost: 20m);
        }

        _estate.License(county, covered, "named_user", 50, annualCost: 20m, covers: true);

        var pooling = (await RefreshAsync()).Where(s => s.Type == SuggestionTypes.MemberPooling).ToList();

        Assert.HasCount(1, pooling);
        Assert.AreEqual(10m, pooling[0].Savings, "2 × 100 € × 5 %");
    }

    [TestMethod]
    public async Task Refresh_Rerun_KeepsDecisionNoDuplicates_DisappearingConditionObsolete()
    {
        var county = _estate.Organisation("05158");
        var p = _estate.Product();
        var license = _estate.License(county, p, "device", 10, annualCost: 50m);
        _estate.Installed(county, p);
        using (var connection = _db.Database.Open())
        {
            AccountService.CreateUser(connection, null, _db.Database.Dialect, new NewUser("cio", "CIO", null, "x", [(Roles.Cio, county)]), TestClock.Now.UtcDateTime);
        }

        await RefreshAsync();
        var cio = await Scopes.ForUserNameAsync(_db.Database, "cio");
        var id = (await _service.ListAsync(cio, new SuggestionFilter(SuggestionTypes.RightSize), new PageRequest())).Page.Items.Single().Id;
        Assert.AreEqual("Eine Ablehnung braucht eine Begründung.", await _service.DecideAsync(cio, id, SuggestionStatus.Rejected, " "));
        Assert.IsNull(await _service.DecideAsync(cio, id, SuggestionStatus.Accepted, null));

        var rerun = await RefreshAsync();
        Assert.AreEqual((SuggestionStatus.Accepted, 1), (Of(rerun, SuggestionTypes.RightSize).Status, rerun.Count(s => s.Type == SuggestionTypes.RightSize)));

        using (var connection = _db.Database.Open())
        {
            connection.Execute("UPDATE licenses SET quantity = 1 WHERE id = @license", new { license });
        }

        Assert.AreEqual(SuggestionStatus.Obsolete, Of(await RefreshAsync(), SuggestionTypes.RightSize).Status);
        using (var connection = _db.Database.Open())
        {
            connection.Execute("UPDATE licenses SET quantity = 10 WHERE id = @license", new { license });
        }

        Assert.AreEqual(SuggestionStatus.Accepted, Of(await RefreshAsync(), SuggestionTypes.RightSize).Status, "back with its last decision");
        var history = (await _service.GetAsync(cio, id))!.History.Select(h => h.Status).ToList();
        CollectionAssert.AreEqual(new[] { SuggestionStatus.Accepted, SuggestionStatus.Obsolete }, history);
    }

    [TestMethod]
    public async Task Tenancy_CioSeesOwnAndCrossCountyInvolvingOwn_NotOthers()
    {
        var p = _estate.Product();
        var a = _estate.Organisation("05158");
        var b = _estate.Organisation("05162");
        var c = _estate.Organisation("05166");
        foreach (var org in new[] { a, b, c })
        {
            _estate.License(org, p, "named_user", 10, annualCost: 100m);
        }

        var onlyB = _estate.Product();
        _estate.License(b, onlyB, "device", 5, annualCost: 10m);
        using (var connection = _db.Database.Open())
        {
            AccountService.CreateUser(connection, null, _db.Database.Dialect, new NewUser("cio.a", "CIO A", null, "x", [(Roles.Cio, a)]), TestClock.Now.UtcDateTime);
        }

        await RefreshAsync();
        var cio = await Scopes.ForUserNameAsync(_db.Database, "cio.a");

        var visible = (await _service.ListAsync(cio, new SuggestionFilter(), new PageRequest(1, 200))).Page.Items;

        Assert.IsTrue(visible.Any(s => s.Type == SuggestionTypes.JointProcurement));
        Assert.IsFalse(visible.Any(s => s.Title.Contains("Org 05162", StringComparison.Ordinal) && s.Type == SuggestionTypes.RightSize), "B's own right-sizing stays B's");
        var joint = await _service.GetAsync(cio, visible.Single(s => s.Type == SuggestionTypes.JointProcurement).Id);
        CollectionAssert.AreEquivalent(new[] { "05158", "05162", "05166" }, joint!.Organisations.Select(o => o.Ags).ToArray());
        using var db = _db.Database.Open();
        var foreign = db.ExecuteScalar<long>("SELECT s.id FROM suggestions s WHERE s.suggestion_key LIKE 'right_size:05162:%'");
        Assert.IsNull(await _service.GetAsync(cio, foreign));
    }
}
