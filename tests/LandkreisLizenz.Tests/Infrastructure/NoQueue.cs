using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>The background queue of tests whose files are small: they run at once, so a queued job is a failure.</summary>
internal sealed class NoQueue : IImportQueue
{
    public void Enqueue(long batchId, bool commit) => throw new AssertFailedException("small files run at once");
}
