using Dapper;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Notifications;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// A live LDAP source (spec §7) against a real OpenLDAP server on loopback: the members of a group that grants a product
/// become its user assignments in the organisation — a batch of the import history; a second run changes nothing; a
/// group without a product is named in the report, not an error; an unreachable server or a refused bind notifies the
/// license managers and writes nothing.
/// </summary>
[TestClass]
public sealed class LdapSourceTests : ImportTestBase
{
    private const string People = "ou=people," + Slapd.Suffix;

    private static readonly string Directory = $"""
        dn: {Slapd.Suffix}
        objectClass: dcObject
        objectClass: organization
        o: Kreis Mettmann
        dc: kreis-mettmann

        dn: {People}
        objectClass: organizationalUnit
        ou: people

        dn: uid=anna.schmidt,{People}
        objectClass: inetOrgPerson
        uid: anna.schmidt
        cn: Anna Schmidt
        sn: Schmidt

        dn: uid=jan.mueller,{People}
        objectClass: inetOrgPerson
        uid: jan.mueller
        cn: Jan Müller
        sn: Müller

        dn: uid=eva.kaya,{People}
        objectClass: inetOrgPerson
        uid: eva.kaya
        cn: Eva Kaya
        sn: Kaya

        dn: cn=GG_OK-VORFAHRT,{People}
        objectClass: groupOfNames
        cn: GG_OK-VORFAHRT
        member: uid=anna.schmidt,{People}
        member: uid=jan.mueller,{People}

        dn: cn=GG_Kantine,{People}
        objectClass: groupOfNames
        cn: GG_Kantine
        member: uid=eva.kaya,{People}

        """;

    private static Slapd _server = null!;

    [ClassInitialize]
    public static void StartServer(TestContext context) => _server = Slapd.Start(Directory);

    [ClassCleanup]
    public static void StopServer() => _server.Dispose();

    private LdapSources Sources(string? password = Slapd.AdminPassword, string? server = null)
    {
        var clock = TestClock.Create();
        return new LdapSources(Imports, new ScopeService(Db.Database), new NotificationService(Db.Database, clock), clock, new ImportSourceOptions
        {
            Ldap =
            [
                new LdapSource
                {
                    Name = "AD Mettmann", Server = server ?? _server.Url, BindDn = Slapd.AdminDn, Password = password, BaseDn = Slapd.Suffix,
                    As = "lm.mettmann", Organisation = "05158", Groups = new(StringComparer.OrdinalIgnoreCase) { ["GG_OK-VORFAHRT"] = "akdb-ok-vorfahrt" },
                },
            ],
        });
    }

    private List<string> Assignments()
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT a.user_key FROM user_assignments a JOIN products p ON p.id = a.product_id JOIN organisations o ON o.id = a.organisation_id
            WHERE p.product_key = 'akdb-ok-vorfahrt' AND o.ags = '05158' AND a.user_key IN ('anna.schmidt', 'jan.mueller', 'eva.kaya')
            ORDER BY a.user_key
            """).ToList();
    }

    [TestMethod]
    public async Task Run_GroupGrantingAProduct_MembersAssignedSecondRunUnchanged()
    {
        var sources = Sources();

        var first = (await sources.RunAsync()).Single();
        var second = (await sources.RunAsync()).Single();

        Assert.IsTrue(first.Committed, first.Report);
        CollectionAssert.AreEqual(new[] { "anna.schmidt", "jan.mueller" }, Assignments());
        StringAssert.Contains(first.Report, "2 neu");
        StringAssert.Contains(first.Report, "Gruppen ohne Produkt (in der Konfiguration unter Groups zuordnen): GG_Kantine");
        StringAssert.Contains(second.Report, "0 neu, 0 geändert, 2 unverändert, 0 entfernt");
        using var connection = Db.Database.Open();
        Assert.AreEqual(2, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM import_batches WHERE format = 'user_assignments' AND file_name LIKE 'ldap-AD Mettmann-%' AND status = 'completed'"),
            "each run is in the import history");
    }

    [TestMethod]
    public async Task Run_TwoAtOnce_MembersAssignedOnceBothRunsEndCommitted()
    {
        var sources = Sources();

        var both = await Task.WhenAll(Task.Run(sources.RunAsync), Task.Run(sources.RunAsync));

        Assert.IsTrue(both.All(r => r.Single().Committed), string.Join("\n", both.Select(r => r.Single().Report)));
        CollectionAssert.AreEqual(new[] { "anna.schmidt", "jan.mueller" }, Assignments());
        StringAssert.Contains(string.Join("\n", both.Select(r => r.Single().Report)), "2 neu");
    }

    [TestMethod]
    public async Task Run_MemberLeftTheGroup_LosesTheAssignmentCounted()
    {
        var sources = Sources();
        Assert.IsTrue((await sources.RunAsync()).Single().Committed);
        var change = $"""
            dn: cn=GG_OK-VORFAHRT,{People}
            changetype: modify
            delete: member
            member: uid=jan.mueller,{People}

            """;
        _server.Modify(change);
        try
        {
            var run = (await sources.RunAsync()).Single();

            Assert.IsTrue(run.Committed, run.Report);
            StringAssert.Contains(run.Report, "1 unverändert, 1 entfernt");
            CollectionAssert.AreEqual(new[] { "anna.schmidt" }, Assignments());
        }
        finally
        {
            _server.Modify(change.Replace("delete: member", "add: member", StringComparison.Ordinal));
        }
    }

    [TestMethod]
    [DataRow("falsch", null, "ab (Benutzer oder Passwort falsch)")]
    [DataRow(Slapd.AdminPassword, "ldap://127.0.0.1:1", "antwortet nicht")]
    public async Task Run_RefusedBindOrNoServer_NotifiesLicenseManagersWritesNothing(string password, string? server, string reason)
    {
        var run = (await Sources(password, server).RunAsync()).Single();

        Assert.IsFalse(run.Committed);
        StringAssert.Contains(run.Report, reason);
        Assert.IsEmpty(Assignments());
        using var connection = Db.Database.Open();
        Assert.AreEqual(1, connection.ExecuteScalar<int>("""
            SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
            WHERE n.kind = 'import_source_failed' AND u.user_name = 'lm.mettmann' AND n.title LIKE '%AD Mettmann%'
            """));
    }
}
