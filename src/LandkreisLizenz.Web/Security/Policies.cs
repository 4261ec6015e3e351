namespace LandkreisLizenz.Web.Security;

public static class Policies
{
    public const string Authenticated = "authenticated";
    public const string Admin = "admin";
}
