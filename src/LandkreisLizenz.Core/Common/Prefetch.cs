using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace LandkreisLizenz.Core.Common;

/// <summary>
/// A sequence produced on a second thread while the caller consumes it: for the two halves of a long import (parsing
/// while validating, merging while writing), which would otherwise take turns on one of the machine's cores. Items move
/// in batches, so that the hand-over costs nothing per item; at most <c>depth</c> batches wait, which bounds the memory.
/// </summary>
internal static class Prefetch
{
    /// <remarks>
    /// The source is enumerated by one thread only, and that enumeration has ended — completed, failed or stopped — before
    /// this sequence's enumeration ends, so the caller may dispose what the source reads from right afterwards. A failure
    /// of the source surfaces in the consumer with its own type and stack.
    /// </remarks>
    public static IEnumerable<T> Ahead<T>(IEnumerable<T> source, int batch = 4096, int depth = 4)
    {
        using var stop = new CancellationTokenSource();
        using var queue = new BlockingCollection<T[]>(depth);
        ExceptionDispatchInfo? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var buffer = new T[batch];
                var count = 0;
                foreach (var item in source)
                {
                    buffer[count++] = item;
                    if (count == batch)
                    {
                        queue.Add(buffer, stop.Token);
                        buffer = new T[batch];
                        count = 0;
                    }
                }

                if (count > 0)
                {
                    queue.Add(buffer[..count], stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var items in queue.GetConsumingEnumerable())
            {
                foreach (var item in items)
                {
                    yield return item;
                }
            }

            producer.Wait();
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            // Waits for the producer to leave the source, whatever ended the consumer.
            producer.Wait(CancellationToken.None);
        }
    }
}
