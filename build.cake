// LandkreisLizenz build script (Cake 7, restored by `dotnet tool restore`).
// Usage: dotnet cake [--target=Test|Build|Restore|Run|Migrate|Publish] [--configuration=Release]

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Debug");
var solution = "./LandkreisLizenz.sln";
var webProject = "./src/LandkreisLizenz.Web/LandkreisLizenz.Web.csproj";

Task("Restore")
    .Does(() =>
{
    // npm ci for the client libraries runs inside the web project's build when package-lock.json changed.
    DotNetRestore(solution);
});

Task("Build")
    .IsDependentOn("Restore")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration, NoRestore = true });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings { Configuration = configuration, NoBuild = true, NoRestore = true });
});

Task("Run")
    .Does(() =>
{
    DotNetRun(webProject, new DotNetRunSettings { Configuration = configuration });
});

// Applies db/<provider> migrations with the configured provider, e.g.
// Database__Provider=SqlServer Database__ConnectionString="Server=…" dotnet cake --target=Migrate
Task("Migrate")
    .Does(() =>
{
    DotNetRun(webProject, new ProcessArgumentBuilder().Append("migrate"), new DotNetRunSettings { Configuration = configuration });
});

Task("Publish")
    .Does(() =>
{
    DotNetPublish(webProject, new DotNetPublishSettings
    {
        Configuration = "Release",
        OutputDirectory = "./artifacts/publish",
    });
});

RunTarget(target);
