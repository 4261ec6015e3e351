namespace LandkreisLizenz.Core.Security;

public static class Roles
{
    public const string Admin = "admin";
    public const string VerbundAnalyst = "verbund_analyst";
    public const string Cio = "cio";
    public const string LicenseManager = "license_manager";
    public const string Reader = "reader";

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
