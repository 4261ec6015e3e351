using Dapper;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Imports;

/// <summary>
/// Directory group exports (spec §7): an LDIF export of Active Directory (<c>ldifde</c>) or OpenLDAP (<c>ldapsearch</c>)
/// and the PowerShell CSV of group members (synthetic fixtures in tests/fixtures/sources). Each group stands for the
/// product it grants and is recognised like a software title: held until mapped, then its members are the product's
/// assignments — all of them, so whoever leaves the group loses the assignment.
/// </summary>
[TestClass]
public sealed class DirectoryGroupExportTests : ImportTestBase
{
    private static string Fixture(string name) => SourceFixture(name);

    private long TitleId(string name) => Scalar("SELECT id FROM software_titles WHERE name = @name AND publisher = @publisher", new { name, publisher = DirectoryGroupExports.Publisher });

    private List<string> Held()
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT t.name || '|' || h.subject
            FROM held_evidence h JOIN software_titles t ON t.id = h.software_title_id JOIN organisations o ON o.id = h.organisation_id
            WHERE o.ags = '05158' AND h.kind = 'user_assignments' ORDER BY 1
            """).ToList();
    }

    private List<string> Assigned(string productKey)
    {
        using var connection = Db.Database.Open();
        return connection.Query<string>("""
            SELECT a.user_key FROM user_assignments a JOIN products p ON p.id = a.product_id JOIN organisations o ON o.id = a.organisation_id
            WHERE o.ags = '05158' AND p.product_key = @productKey ORDER BY 1
            """, new { productKey }).ToList();
    }

    private string Changed(string name, string fixture, Func<string, string> change)
    {
        var path = Path.Combine(Db.Folder, name);
        File.WriteAllText(path, change(File.ReadAllText(Fixture(fixture))));
        return path;
    }

    [TestMethod]
    public async Task ImportFile_ActiveDirectoryLdif_GroupsHeldWithTheirAccountsNestedGroupsExpanded()
    {
        var first = await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");
        var second = await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");

        Assert.IsTrue(first.Committed, string.Join("; ", first.Check.Errors));
        Assert.AreEqual(ImportFormat.UserAssignments, first.Format, "recognised from the file itself");
        Assert.AreEqual(DirectoryGroupExports.Kind, first.ProfileName);
        CollectionAssert.AreEqual(new[]
        {
            "GG-GIS-Admins|joeztuerk",
            "GG-GIS-Nutzer|ebeispiel",
            "GG-GIS-Nutzer|joeztuerk",
            "GG-GIS-Nutzer|mmuster",
        }, Held(), "members by sAMAccountName (escaped comma, folded line, base64 DN), the nested group's member counted, the group itself not");
        Assert.AreEqual(4, first.Commit!.HeldChanged);
        Assert.IsTrue(second.Committed);
        Assert.AreEqual((0, 0, 0), (second.Commit!.Inserts, second.Commit.Updates, second.Commit.HeldChanged), "a second import changed something");

        var listed = await Recognition().ListUnrecognisedAsync(Manager, "GG-GIS", new Core.Common.PageRequest(1, 50));
        Assert.AreEqual(3, listed.Items.Single(i => i.Name == "GG-GIS-Nutzer").HeldEvidence, "offered for mapping with its members");

        var left = await Imports.ImportFileAsync(Manager, Changed("ohne-erika.ldf", "ad-gruppen.ldf",
            t => t.Replace("member: CN=Erika Beispiel,OU=Benutzer,OU=Kreisverwaltung,DC=kreis-mettmann,DC=ex\n ample\n", "")), null, "05158");
        Assert.AreEqual(1, left.Commit!.HeldChanged, "a held member who left the group is let go");
        CollectionAssert.DoesNotContain(Held(), "GG-GIS-Nutzer|ebeispiel");
    }

    [TestMethod]
    public async Task MapAsync_HeldGroup_MembersAreTheProductsAssignmentsWhoeverLeavesLosesIt()
    {
        await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");

        await Recognition().MapAsync(Manager, TitleId("GG-GIS-Nutzer"), ProductId("caigos"));
        CollectionAssert.IsSubsetOf(new[] { "ebeispiel", "joeztuerk", "mmuster" }, Assigned("caigos"), "released by the mapping");

        var again = await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");
        Assert.IsTrue(again.Committed, string.Join("; ", again.Check.Errors));
        CollectionAssert.AreEqual(new[] { "ebeispiel", "joeztuerk", "mmuster" }, Assigned("caigos"),
            "the group is the whole truth about the product's holders in the county: assignments it does not list are removed");

        var left = await Imports.ImportFileAsync(Manager, Changed("ohne-max.ldf", "ad-gruppen.ldf",
            t => t.Replace("member: CN=Muster\\, Max,OU=Benutzer,OU=Kreisverwaltung,DC=kreis-mettmann,DC=example\n", "")), null, "05158");
        Assert.AreEqual((0, 1), (left.Commit!.Inserts, left.Commit.Removed));
        CollectionAssert.AreEqual(new[] { "ebeispiel", "joeztuerk" }, Assigned("caigos"));
    }

    /// <summary>The export with GG-GIS-Nutzer emptied: the group is still there, with no member left.</summary>
    private string WithoutMembers() => Changed("leer.ldf", "ad-gruppen.ldf", t => t
        .Replace("member: CN=Muster\\, Max,OU=Benutzer,OU=Kreisverwaltung,DC=kreis-mettmann,DC=example\n", "")
        .Replace("member: CN=Erika Beispiel,OU=Benutzer,OU=Kreisverwaltung,DC=kreis-mettmann,DC=ex\n ample\n", "")
        .Replace("member: CN=GG-GIS-Admins,OU=Gruppen,OU=Kreisverwaltung,DC=kreis-mettmann,DC=example\n", ""));

    [TestMethod]
    public async Task ImportFile_MappedGroupEmptied_ItsProductHasNoHoldersLeft()
    {
        await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");
        await Recognition().MapAsync(Manager, TitleId("GG-GIS-Nutzer"), ProductId("caigos"));
        await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");
        CollectionAssert.AreEqual(new[] { "ebeispiel", "joeztuerk", "mmuster" }, Assigned("caigos"));

        var emptied = await Imports.ImportFileAsync(Manager, WithoutMembers(), null, "05158");

        Assert.IsTrue(emptied.Committed, string.Join("; ", emptied.Check.Errors));
        Assert.AreEqual(3, emptied.Commit!.Removed, "a group without members leaves its product without holders");
        Assert.IsEmpty(Assigned("caigos"));
        CollectionAssert.AreEqual(new[] { "GG-GIS-Admins|joeztuerk" }, Held(), "the other group stays as it was");
    }

    [TestMethod]
    public async Task ImportFile_HeldGroupEmptied_ItsHeldMembersAreLetGo()
    {
        await Imports.ImportFileAsync(Manager, Fixture("ad-gruppen.ldf"), null, "05158");

        var emptied = await Imports.ImportFileAsync(Manager, WithoutMembers(), null, "05158");

        Assert.IsTrue(emptied.Committed, string.Join("; ", emptied.Check.Errors));
        Assert.AreEqual(3, emptied.Commit!.HeldChanged);
        CollectionAssert.AreEqual(new[] { "GG-GIS-Admins|joeztuerk" }, Held());
    }

    [TestMethod]
    public async Task ImportFile_EmptyGroupForACountyTheCallerMayNotWrite_RefusedAndItsHeldMembersStay()
    {
        const string members = "dn: cn=GG-Fremd,dc=wartburgkreis,dc=example\nobjectClass: groupOfNames\ncn: GG-Fremd\nmember: uid=kfremd,dc=wartburgkreis,dc=example\n";
        const string empty = "dn: cn=GG-Fremd,dc=wartburgkreis,dc=example\nobjectClass: groupOfNames\ncn: GG-Fremd\n";
        var admin = await Scopes.ForUserNameAsync(Db.Database, "admin");
        var withMembers = Path.Combine(Db.Folder, "fremd.ldif");
        File.WriteAllText(withMembers, members);
        Assert.IsTrue((await Imports.ImportFileAsync(admin, withMembers, null, "16063")).Committed);
        var heldBefore = Scalar("SELECT COUNT(*) FROM held_evidence h JOIN organisations o ON o.id = h.organisation_id WHERE o.ags = '16063'");
        var emptied = Path.Combine(Db.Folder, "fremd-leer.ldif");
        File.WriteAllText(emptied, empty);

        var result = await Imports.ImportFileAsync(Manager, emptied, null, "16063");

        Assert.IsFalse(result.Committed, "Mettmann's license manager may not write the Wartburgkreis");
        Assert.AreEqual(1, heldBefore);
        Assert.AreEqual(heldBefore, Scalar("SELECT COUNT(*) FROM held_evidence h JOIN organisations o ON o.id = h.organisation_id WHERE o.ags = '16063'"));
    }

    [TestMethod]
    public async Task ImportFile_OpenLdapLdif_GroupOfNamesAndPosixGroupMembers()
    {
        var result = await Imports.ImportFileAsync(Manager, Fixture("openldap-gruppen.ldif"), null, "05158");

        Assert.IsTrue(result.Committed, string.Join("; ", result.Check.Errors));
        CollectionAssert.AreEqual(new[] { "caigos-extern|kwagner", "caigos-extern|tbecker", "caigos-nutzer|kwagner", "caigos-nutzer|lschmidt" }, Held(),
            "uid from the member DN, memberUid as it stands");
    }

    [TestMethod]
    public async Task ImportFile_GroupMembersCsvOfPowerShell_RecognisedByItsHeader()
    {
        var result = await Imports.ImportFileAsync(Manager, Fixture("ad-gruppenmitglieder.csv"), null, "05158");

        Assert.IsTrue(result.Committed, string.Join("; ", result.Check.Errors));
        Assert.AreEqual("Active Directory (Gruppenmitglieder, CSV-Export)", result.ProfileName);
        CollectionAssert.AreEqual(new[] { "GG-Fachverfahren-Kfz|mmuster", "GG-GIS-Nutzer|ebeispiel", "GG-GIS-Nutzer|mmuster" }, Held());
    }

    [TestMethod]
    [DataRow("version: 1\ncn: vor-dem-dn\ndn: cn=x,dc=example\nmember: uid=a,dc=example\n", 2, "vor der ersten Zeile „dn:“")]
    [DataRow("version: 1\n\ndn: uid=a,dc=example\nuid: a\n", 1, "keine Gruppe")]
    [DataRow("dn: cn=x,dc=example\nmember:: kein-base64!\n", 2, "kein gültiges Base64")]
    public async Task ImportFile_BrokenLdif_OneGermanErrorNothingWritten(string text, int line, string expected)
    {
        var path = Path.Combine(Db.Folder, "kaputt.ldif");
        await File.WriteAllTextAsync(path, text);

        var result = await Imports.ImportFileAsync(Manager, path, null, "05158");

        Assert.IsFalse(result.Committed);
        var error = result.Check.Errors.Single();
        Assert.AreEqual(line, error.Row);
        StringAssert.Contains(error.Reason, expected);
        Assert.IsEmpty(Held());
        Assert.AreEqual(0, Scalar("SELECT COUNT(*) FROM software_titles WHERE publisher = @publisher", new { publisher = DirectoryGroupExports.Publisher }));
    }
}
