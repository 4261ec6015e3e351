using Hangfire;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>
/// Background steps of large imports. They take the batch id only and rebuild the uploader's scope from the
/// database, so a retried or duplicated job sees the same rights and the batch status makes reruns harmless.
/// </summary>
public sealed class ImportJobs(ImportService imports, ScopeService scopes)
{
    public void Validate(long batchId) => imports.ValidateBatch(Scope(batchId), batchId);

    public void Commit(long batchId) => imports.CommitBatch(Scope(batchId), batchId);

    private CallerScope Scope(long batchId)
    {
        var owner = imports.BatchOwner(batchId) ?? throw new InvalidOperationException($"Import {batchId} has no owner.");
        return scopes.ForUserAsync(owner).GetAwaiter().GetResult()
            ?? throw new AccessDeniedException("Das Konto, das die Datei hochgeladen hat, ist nicht mehr aktiv.");
    }
}

/// <summary>Large batches go to Hangfire.</summary>
public sealed class HangfireImportQueue(IBackgroundJobClient jobs) : IImportQueue
{
    public void Enqueue(long batchId, bool commit)
    {
        if (commit)
        {
            jobs.Enqueue<ImportJobs>(j => j.Commit(batchId));
        }
        else
        {
            jobs.Enqueue<ImportJobs>(j => j.Validate(batchId));
        }
    }
}
