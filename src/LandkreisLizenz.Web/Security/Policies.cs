namespace LandkreisLizenz.Web.Security;

public static class Policies
{
    public const string Authenticated = "authenticated";
    public const string Admin = "admin";

    /// <summary>Writes: license managers (within their scope, checked again in Core) and admins.</summary>
    public const string LicenseManager = "license_manager";
}
