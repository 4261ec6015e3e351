namespace LandkreisLizenz.Core.DemoEstate;

public enum DemoScale
{
    /// <summary>A few counties with small inventories; built in seconds for tests.</summary>
    Test,

    /// <summary>All 294 counties with a modest inventory; the embedded default on first start.</summary>
    Demo,

    /// <summary>All 294 counties × ~2,500 devices × ~40 installations (≈ 29 million rows), for benchmarks.</summary>
    National,
}

/// <summary>Sizes of a scale preset. Counts vary ±10 % per county around these values.</summary>
public sealed record DemoScaleProfile(
    DemoScale Scale,
    IReadOnlyList<string>? CountyAgs,
    int ApplicationsPerCounty,
    int DevicesPerCounty,
    int InstallationsPerDevice,
    double MemberShare,
    int MaxUsersPerApplication)
{
    /// <summary>Counties always present at test scale (they carry the demo accounts and the spot checks).</summary>
    public static readonly IReadOnlyList<string> TestCounties = ["05158", "16063", "09184", "08115", "14522", "01058"];

    public static DemoScaleProfile For(DemoScale scale) => scale switch
    {
        DemoScale.Test => new(scale, TestCounties, 40, 24, 12, 0.5, 12),
        DemoScale.Demo => new(scale, null, 161, 40, 16, 0.3, 60),
        DemoScale.National => new(scale, null, 161, 2500, 40, 0.3, 400),
        _ => throw new ArgumentOutOfRangeException(nameof(scale)),
    };

    public static DemoScale Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "test" => DemoScale.Test,
        "demo" => DemoScale.Demo,
        "national" => DemoScale.National,
        _ => throw new ArgumentException($"Unbekannte Größe '{value}'. Erlaubt: test, demo, national."),
    };
}
