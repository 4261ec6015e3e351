using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Tests.Common;

[TestClass]
public sealed class PrefetchTests
{
    private sealed class Source(int count, Exception? failAt = null, int failIndex = -1)
    {
        public bool Ended { get; private set; }
        public int ThreadId { get; private set; }
        public int Produced { get; private set; }

        public IEnumerable<int> Items()
        {
            ThreadId = Environment.CurrentManagedThreadId;
            try
            {
                for (var i = 0; i < count; i++)
                {
                    if (i == failIndex)
                    {
                        throw failAt!;
                    }

                    Produced++;
                    yield return i;
                }
            }
            finally
            {
                Ended = true;
            }
        }
    }

    [TestMethod]
    public void Ahead_ManyBatches_YieldsEveryItemInOrder()
    {
        var source = new Source(10_001);

        var items = Prefetch.Ahead(source.Items(), batch: 100, depth: 2).ToList();

        CollectionAssert.AreEqual(Enumerable.Range(0, 10_001).ToList(), items);
        Assert.IsTrue(source.Ended);
        Assert.AreNotEqual(Environment.CurrentManagedThreadId, source.ThreadId, "the source is enumerated on a second thread");
    }

    [TestMethod]
    public void Ahead_SourceFails_ConsumerGetsTheSameExceptionAfterTheItemsBeforeIt()
    {
        var failure = new ImportFileException(new ImportError(7, null, null, "kaputt"));
        var source = new Source(1_000, failure, failIndex: 250);
        var seen = new List<int>();

        var thrown = Assert.ThrowsExactly<ImportFileException>(() =>
        {
            foreach (var item in Prefetch.Ahead(source.Items(), batch: 100))
            {
                seen.Add(item);
            }
        });

        Assert.AreSame(failure, thrown);
        CollectionAssert.AreEqual(Enumerable.Range(0, 200).ToList(), seen, "the full batches before the failure");
        Assert.IsTrue(source.Ended);
    }

    [TestMethod]
    public void Ahead_ConsumerStopsEarly_SourceHasEndedWhenTheLoopIsLeft()
    {
        var source = new Source(1_000_000);

        foreach (var item in Prefetch.Ahead(source.Items(), batch: 10, depth: 2))
        {
            if (item == 15)
            {
                break;
            }
        }

        Assert.IsTrue(source.Ended, "the producer left the source before the consumer went on");
        Assert.IsLessThan(100, source.Produced, "a bounded queue: the producer stopped soon after the consumer");
    }
}
