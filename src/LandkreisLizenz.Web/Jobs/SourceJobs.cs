using Hangfire;
using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>
/// The scheduled sources (spec §7). Overlapping runs on two nodes are harmless (a file is claimed by a move), the lock
/// only spares the second node the walk through the folders.
/// </summary>
public sealed class SourceJobs(FolderSources folders, LdapSources directories)
{
    public const string FoldersJobId = "import-sources-folders";

    public const string DirectoriesJobId = "import-sources-ldap";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task Folders() => folders.RunAsync();

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task Directories() => directories.RunAsync();
}
