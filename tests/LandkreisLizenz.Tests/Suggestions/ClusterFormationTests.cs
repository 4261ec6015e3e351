using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Tests.Suggestions;

/// <summary>Spec §6.2 by hand: who forms a cluster with whom.</summary>
[TestClass]
public sealed class ClusterFormationTests
{
    private static ClusterFormation.Member M(string ags, long? servedBy = null) => new(long.Parse(ags, System.Globalization.CultureInfo.InvariantCulture), ags, ags[..2], servedBy);

    private static string[][] Form(IEnumerable<ClusterFormation.Member> members, bool crossState = false) =>
        ClusterFormation.Form(members, 3, 8, crossState).Select(c => c.Select(m => m.Ags).ToArray()).ToArray();

    /// <summary>A Land with 20 qualifying counties: 5 in Regierungsbezirk 051, 9 in 053, 6 in 057.</summary>
    private static List<ClusterFormation.Member> Twenty() =>
        Enumerable.Range(0, 5).Select(i => M($"0511{i}"))
            .Concat(Enumerable.Range(0, 9).Select(i => M($"0533{i}")))
            .Concat(Enumerable.Range(0, 6).Select(i => M($"0577{i}")))
            .ToList();

    [TestMethod]
    public void Form_TwentyCountiesOfOneLand_ClustersByRegierungsbezirkNoneAboveEightOrBelowThree()
    {
        var clusters = Form(Twenty());

        CollectionAssert.AreEqual(new[] { 5, 5, 4, 6 }, clusters.Select(c => c.Length).ToArray(), "051: 5; 053: 9 → 5 + 4; 057: 6");
        CollectionAssert.AreEqual(new[] { "05110", "05111", "05112", "05113", "05114" }, clusters[0]);
        CollectionAssert.AreEqual(new[] { "05330", "05331", "05332", "05333", "05334" }, clusters[1]);
        Assert.IsTrue(clusters.All(c => c.Select(a => a[..3]).Distinct().Count() == 1), "each cluster stays within its Regierungsbezirk");
    }

    [TestMethod]
    public void Form_ServedBySameOperator_GroupedFirstAcrossRegierungsbezirke()
    {
        var members = Twenty();
        // Three counties of different Regierungsbezirke already served by one provider.
        foreach (var ags in new[] { "05110", "05330", "05770" })
        {
            members[members.FindIndex(m => m.Ags == ags)] = M(ags, servedBy: 9001);
        }

        var clusters = Form(members);

        Assert.IsTrue(clusters.Any(c => c.SequenceEqual(new[] { "05110", "05330", "05770" })), string.Join(" | ", clusters.Select(c => string.Join(",", c))));
        Assert.AreEqual(20, clusters.Sum(c => c.Length));
    }

    [TestMethod]
    public void Form_OneCountyAddedInAnotherLand_ThisLandsClustersUnchanged()
    {
        var before = Form(Twenty().Concat([M("06411"), M("06412"), M("06413")]));
        var after = Form(Twenty().Concat([M("06411"), M("06412"), M("06413"), M("06414")]));

        CollectionAssert.AreEqual(before.Where(c => c[0].StartsWith("05", StringComparison.Ordinal)).Select(c => string.Join(",", c)).ToArray(),
            after.Where(c => c[0].StartsWith("05", StringComparison.Ordinal)).Select(c => string.Join(",", c)).ToArray());
        Assert.AreEqual(4, after.Single(c => c[0].StartsWith("06", StringComparison.Ordinal)).Length);
    }

    [TestMethod]
    public void Form_TwoAndTwoInTwoLaender_NoneUnlessCrossStateAllowed()
    {
        var members = new[] { M("05110"), M("05111"), M("06411"), M("06412") };

        Assert.IsEmpty(Form(members), "municipal cooperation is state law: no cluster crosses Länder by default");
        CollectionAssert.AreEqual(new[] { 4 }, Form(members, crossState: true).Select(c => c.Length).ToArray());
    }

    [TestMethod]
    public void Form_TwoLeftOverInARegierungsbezirk_JoinAClusterWithRoom()
    {
        var members = Enumerable.Range(0, 4).Select(i => M($"0511{i}")).Concat([M("05330"), M("05331")]).ToList();

        var clusters = Form(members);

        CollectionAssert.AreEqual(new[] { 6 }, clusters.Select(c => c.Length).ToArray(), "the two of 053 are too few alone and join the cluster of 051");
    }

    [TestMethod]
    public void ClustersSql_ListsExactlyTheClusterTypes()
    {
        var listed = SuggestionTypes.ClustersSql.Trim('(', ')').Split(", ").Select(t => t.Trim('\'')).ToHashSet();

        Assert.IsTrue(listed.SetEquals(SuggestionTypes.Clusters), SuggestionTypes.ClustersSql);
    }
}
