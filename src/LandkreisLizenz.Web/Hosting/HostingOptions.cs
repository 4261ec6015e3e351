namespace LandkreisLizenz.Web.Hosting;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>False on nodes that only serve pages; on SQLite exactly one node may run the server.</summary>
    public bool RunServer { get; set; } = true;

    public string HangfireSqliteFile { get; set; } = "hangfire.db";

    /// <summary>How often the embedded job storage looks for new jobs (Hangfire's SQLite storage defaults to 15 s).</summary>
    public static readonly TimeSpan SqliteQueuePollInterval = TimeSpan.FromMilliseconds(500);
}

public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool SeedOnFirstStart { get; set; } = true;

    public string Scale { get; set; } = "demo";

    public int Seed { get; set; } = LandkreisLizenz.Core.DemoEstate.DemoEstateGenerator.DefaultSeed;

    /// <summary>Also write the demo estate into an empty SQL Server database (test runs and demos; never in production).</summary>
    public bool SeedSqlServer { get; set; }
}

/// <summary>
/// Who answers accessibility feedback and where to turn if the answer is not satisfactory; the operating public body
/// fills this in (BITV 2.0 § 7). The defaults describe the demo installation.
/// </summary>
public sealed class AccessibilityOptions
{
    public const string SectionName = "Accessibility";

    public string Operator { get; set; } = "Betreiber dieser LandkreisLizenz-Installation (Demo)";

    public string ContactEmail { get; set; } = "barrierefreiheit@landkreislizenz.example";

    public string? ContactPhone { get; set; }

    public string EnforcementBody { get; set; } = "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG) bei der Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen";

    public string EnforcementUrl { get; set; } = "https://www.schlichtungsstelle-bgg.de";

    /// <summary>Date of the last review of the statement.</summary>
    public string ReviewedOn { get; set; } = "27.11.2026";
}
