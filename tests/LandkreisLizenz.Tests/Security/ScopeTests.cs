using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Overview;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Security;

/// <summary>The tenancy rules live in Core: these tests call Core services directly, without any controller.</summary>
[TestClass]
public sealed class ScopeTests
{
    private static LandkreisLizenz.Core.Data.Database Db => SharedEstate.Database.Database;

    private static RegistryService Registry => new(Db, TestClock.Create(), new LandkreisLizenz.Core.Audit.AuditLog(Db, TestClock.Create()));

    [TestMethod]
    public async Task GetAsync_ReaderOfOtherCounty_ReturnsNull()
    {
        var reader = await Scopes.ForUserNameAsync(Db, "leser.wartburgkreis");
        var mettmannApp = Scopes.FirstApplicationOf(Db, "05158");
        var ownApp = Scopes.FirstApplicationOf(Db, "16063");

        var foreign = await Registry.GetAsync(reader, RegistryEntities.Applications, mettmannApp);
        var own = await Registry.GetAsync(reader, RegistryEntities.Applications, ownApp);

        Assert.IsNull(foreign);
        Assert.IsNotNull(own);
        Assert.AreEqual("16063", own.Values["ags"]);
    }

    [TestMethod]
    public async Task GetAsync_CioOfCounty_SeesMemberMunicipalityApplication()
    {
        var cio = await Scopes.ForUserNameAsync(Db, "cio.mettmann");
        var ratingenApp = Scopes.FirstApplicationOf(Db, "05158028");

        var detail = await Registry.GetAsync(cio, RegistryEntities.Applications, ratingenApp);

        Assert.IsNotNull(detail);
        Assert.AreEqual("05158028", detail.Values["ags"]);
    }

    [TestMethod]
    public async Task ListAsync_Reader_ListsOnlyOwnCounty()
    {
        var reader = await Scopes.ForUserNameAsync(Db, "leser.wartburgkreis");

        var page = await Registry.ListAsync(reader, RegistryEntities.Organisations, new ListQuery(PageSize: 200));
        var ags = page.Rows.Select(r => (string)r["ags"]!).ToList();

        Assert.AreEqual(page.TotalCount, ags.Count);
        Assert.IsTrue(ags.All(a => a.StartsWith("16063", StringComparison.Ordinal)), string.Join(", ", ags));
        Assert.Contains("16063", ags);
    }

    [TestMethod]
    public async Task ListAsync_Admin_ListsAllOrganisations()
    {
        var admin = await Scopes.ForUserNameAsync(Db, "admin");
        using var connection = Db.Open();

        var page = await Registry.ListAsync(admin, RegistryEntities.Organisations, new ListQuery(Filter: "county", PageSize: 10));

        Assert.AreEqual(294, page.TotalCount);
        Assert.HasCount(10, page.Rows);
    }

    [TestMethod]
    public async Task ListAsync_VerbundAnalyst_ListsOnlyOptedInOrganisations()
    {
        var analyst = await Scopes.ForUserNameAsync(Db, "verbund");
        using var connection = Db.Open();
        var optedIn = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE shares_for_consolidation = 1");

        var page = await Registry.ListAsync(analyst, RegistryEntities.Organisations, new ListQuery(PageSize: 10));

        Assert.AreEqual(optedIn, page.TotalCount);
        Assert.IsLessThan(connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations"), page.TotalCount);
    }

    [TestMethod]
    public async Task GetAsync_OrganisationOutsideScope_ReturnsNull()
    {
        var cio = await Scopes.ForUserNameAsync(Db, "cio.mettmann");

        var wartburg = await Registry.GetAsync(cio, RegistryEntities.Organisations, Scopes.OrganisationId(Db, "16063"));
        var mettmann = await Registry.GetAsync(cio, RegistryEntities.Organisations, Scopes.OrganisationId(Db, "05158"));

        Assert.IsNull(wartburg);
        Assert.IsNotNull(mettmann);
        Assert.HasCount(10, mettmann.Related.Single(r => r.List.Heading == "Kreisangehörige Gemeinden").Rows);
    }

    [TestMethod]
    public async Task CanWrite_LicenseManager_OwnCountyAndMembersOnly()
    {
        var manager = await Scopes.ForUserNameAsync(Db, "lm.mettmann");
        var cio = await Scopes.ForUserNameAsync(Db, "cio.mettmann");

        Assert.IsTrue(manager.CanWrite(Scopes.OrganisationId(Db, "05158")));
        Assert.IsTrue(manager.CanWrite(Scopes.OrganisationId(Db, "05158016")));
        Assert.IsFalse(manager.CanWrite(Scopes.OrganisationId(Db, "16063")));
        Assert.IsFalse(cio.CanWrite(Scopes.OrganisationId(Db, "05158")));
    }

    [TestMethod]
    public async Task GetAsync_ReaderScope_CountsMatchIndependentQueries()
    {
        var reader = await Scopes.ForUserNameAsync(Db, "leser.wartburgkreis");
        using var connection = Db.Open();
        // Computed independently: the reader's county is 16063 plus its members (parent_id).
        const string orgs = "(SELECT id FROM organisations WHERE ags = '16063' OR parent_id = (SELECT id FROM organisations WHERE ags = '16063'))";
        var expectedApps = connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM applications WHERE organisation_id IN {orgs}");
        var expectedInstallations = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM installations WHERE device_id IN (SELECT id FROM devices WHERE organisation_id IN {orgs})");
        var expectedContracts = connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM contracts WHERE organisation_id IN {orgs}");

        var summary = await new EstateSummaryService(Db).GetAsync(reader);

        Assert.AreEqual(1, summary.Counties);
        Assert.AreEqual(expectedApps, summary.Applications);
        Assert.AreEqual(expectedInstallations, summary.Installations);
        Assert.AreEqual(expectedContracts, summary.Contracts);
        Assert.IsGreaterThan(0, summary.Applications);
    }

    [TestMethod]
    public void OrganisationFilter_UserScope_UsesScopeView()
    {
        var scope = CallerScope.ForUser(42, "x", [new RoleGrant(Roles.Reader, 1, new HashSet<long> { 1 })]);

        var predicate = scope.OrganisationFilter("a.organisation_id");

        StringAssert.Contains(predicate, "user_organisation_scope");
        Assert.AreEqual(42L, scope.Bind().Get<long>("ScopeUserId"));
        Assert.AreEqual("1 = 1", CallerScope.System("job").OrganisationFilter("a.organisation_id"));
    }
}
