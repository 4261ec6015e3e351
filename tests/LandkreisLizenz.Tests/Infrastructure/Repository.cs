namespace LandkreisLizenz.Tests.Infrastructure;

public static class Repository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LandkreisLizenz.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Repository root not found.");
    }

    public static string ImportSample(string formatKey) => Path.Combine(Root(), "docs", "import-samples", formatKey + ".csv");
}
