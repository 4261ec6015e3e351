using LandkreisLizenz.Core.Suggestions;

namespace LandkreisLizenz.Tests.Suggestions;

/// <summary>Spec §6.3 by hand: three participants paying 10.000, 20.000 and 30.000 € today; the cluster saves 15.000 €.</summary>
[TestClass]
public sealed class CostAllocationTests
{
    private static readonly CostAllocation.Participant[] Three =
    [
        new(1, "A", "05158", 10_000m, Users: 10, Inhabitants: 100_000),
        new(2, "B", "05162", 20_000m, Users: 30, Inhabitants: 300_000),
        new(3, "C", "05166", 30_000m, Users: 60, Inhabitants: 100_000),
    ];

    private static decimal[] After(string key, IReadOnlyList<CostAllocation.Participant>? participants = null, decimal savings = 15_000m) =>
        CostAllocation.Allocate(participants ?? Three, savings, key).Lines.Select(l => l.CostAfter).ToArray();

    [TestMethod]
    [DataRow(AllocationKeys.Users, 4_500, 13_500, 27_000)]
    [DataRow(AllocationKeys.Inhabitants, 9_000, 27_000, 9_000)]
    [DataRow(AllocationKeys.Equal, 15_000, 15_000, 15_000)]
    [DataRow(AllocationKeys.Mixed, 9_500, 18_500, 17_000)]
    public void Allocate_EachKey_SharesTheFutureCostOf45000(string key, int a, int b, int c)
    {
        var result = CostAllocation.Allocate(Three, 15_000m, key);

        Assert.AreEqual(45_000m, result.FutureCost, "60.000 € today − 15.000 € savings");
        CollectionAssert.AreEqual(new decimal[] { a, b, c }, result.Lines.Select(l => l.CostAfter).ToArray());
        Assert.AreEqual(result.FutureCost, result.Lines.Sum(l => l.CostAfter));
    }

    [TestMethod]
    public void Allocate_ByUsers_DifferenceIsAfterMinusToday()
    {
        var lines = CostAllocation.Allocate(Three, 15_000m, AllocationKeys.Users).Lines;

        CollectionAssert.AreEqual(new[] { -5_500m, -6_500m, -3_000m }, lines.Select(l => l.Difference).ToArray());
    }

    [TestMethod]
    public void Allocate_ThirdsOfACentAmount_AddUpToTheCent()
    {
        var equalCost = Three.Select(p => p with { CostToday = 100m / 3m }).ToArray();

        var after = After(AllocationKeys.Equal, equalCost, savings: 0m);

        Assert.AreEqual(100.00m, after.Sum());
        CollectionAssert.AreEqual(new[] { 33.34m, 33.33m, 33.33m }, after);
    }

    [TestMethod]
    public void Allocate_ByUsersWithoutUserFigures_EqualPartsAndSaysSo()
    {
        var withoutUsers = Three.Select(p => p with { Users = null }).ToArray();

        var result = CostAllocation.Allocate(withoutUsers, 15_000m, AllocationKeys.Users);

        CollectionAssert.AreEqual(new[] { 15_000m, 15_000m, 15_000m }, result.Lines.Select(l => l.CostAfter).ToArray());
        StringAssert.Contains(result.Note, "fehlen die Zahlen");
    }
}
