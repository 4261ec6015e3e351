namespace LandkreisLizenz.Web.Hosting;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>False on nodes that only serve pages; on SQLite exactly one node may run the server.</summary>
    public bool RunServer { get; set; } = true;

    public string HangfireSqliteFile { get; set; } = "hangfire.db";
}

public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool SeedOnFirstStart { get; set; } = true;

    public string Scale { get; set; } = "demo";

    public int Seed { get; set; } = LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DefaultSeed;
}
