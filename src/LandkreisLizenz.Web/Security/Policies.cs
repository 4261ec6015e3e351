namespace LandkreisLizenz.Web.Security;

public static class Policies
{
    public const string Authenticated = "authenticated";
    public const string Admin = "admin";

    /// <summary>Writes: license managers (within their scope, checked again in Core) and admins.</summary>
    public const string LicenseManager = "license_manager";

    /// <summary>The audit log: admins see all, CIOs their organisations (filtered again in Core).</summary>
    public const string CioOrAdmin = "cio_or_admin";

    /// <summary>The cross-county Verbund dashboard (checked again in Core).</summary>
    public const string VerbundOrAdmin = "verbund_or_admin";
}
