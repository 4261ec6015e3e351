namespace LandkreisLizenz.Core.Security;

public static class Roles
{
    public const string Admin = "admin";
    public const string VerbundAnalyst = "verbund_analyst";
    public const string Cio = "cio";
    public const string LicenseManager = "license_manager";
    public const string Reader = "reader";

    public static readonly IReadOnlyList<string> All = [Admin, VerbundAnalyst, Cio, LicenseManager, Reader];

    /// <summary>The role itself when it is one of <see cref="All"/>; anything else is a programming error.</summary>
    public static string Known(string role) => All.Contains(role) ? role : throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role.");

    public static string GermanName(string role) => role switch
    {
        Admin => "Administration",
        VerbundAnalyst => "Verbund-Analyse",
        Cio => "CIO",
        LicenseManager => "Lizenzmanagement",
        Reader => "Lesezugriff",
        _ => role,
    };
}
