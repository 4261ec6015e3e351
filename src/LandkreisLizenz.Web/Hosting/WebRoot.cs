namespace LandkreisLizenz.Web.Hosting;

/// <summary>
/// The web root is the repository's top-level <c>wwwroot</c> during development and tests, and the
/// <c>wwwroot</c> copied next to the binaries by <c>dotnet publish</c>.
/// </summary>
public static class WebRoot
{
    public static string Locate(string contentRoot)
    {
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory })
        {
            var published = Path.Combine(start, "wwwroot");
            if (Directory.Exists(Path.Combine(published, "css")))
            {
                return published;
            }

            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LandkreisLizenz.sln")))
                {
                    return Path.Combine(dir.FullName, "wwwroot");
                }
            }
        }

        throw new DirectoryNotFoundException("wwwroot was not found next to the application or in the repository.");
    }
}
