using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Tests.Kernels.Threading;

/// <summary>The pool covers every item exactly once, for any thread count, also with many concurrent callers.</summary>
[NonParallelizable]
public sealed unsafe class WorkerPoolTests
{
    private struct Counts
    {
        public int* PerItem;
    }

    private static void Mark(void* context, long first, long end)
    {
        var counts = (Counts*)context;
        for (long i = first; i < end; i++) Interlocked.Increment(ref counts->PerItem[i]);
    }

    /// <summary>
    /// Every item runs once, at the pool's default chunking (chunksPerThread null) and at any chunk count per
    /// thread (one item per chunk, or fewer chunks than threads).
    /// </summary>
    [TestCase(1, 1, null)]
    [TestCase(7, 2, null)]
    [TestCase(1000, 2, null)]
    [TestCase(1000, 3, null)]
    [TestCase(12345, 8, null)]
    [TestCase(33, 2, int.MaxValue)]
    [TestCase(20, 2, 1000)]
    [TestCase(1000, 3, 16)]
    [TestCase(7, 2, 1)]
    [TestCase(5, 8, 0)]
    public void EveryItemRunsExactlyOnce(int items, int threads, int? chunksPerThread)
    {
        int previous = ComputeSettings.ThreadCount;
        try
        {
            ComputeSettings.ThreadCount = threads;
            for (int round = 0; round < 50; round++)
            {
                var perItem = new int[items];
                fixed (int* pointer = perItem)
                {
                    var counts = new Counts { PerItem = pointer };
                    if (chunksPerThread is int chunks) WorkerPool.Shared.For(items, threads, &Mark, &counts, chunks);
                    else WorkerPool.Shared.For(items, threads, &Mark, &counts);
                }
                Assert.That(perItem, Is.All.EqualTo(1), $"round {round}");
            }
        }
        finally
        {
            ComputeSettings.ThreadCount = previous;
        }
    }

    [Test]
    public void ConcurrentCallersEachGetTheirWholeJob()
    {
        int previous = ComputeSettings.ThreadCount;
        ComputeSettings.ThreadCount = 3;
        try
        {
            var failures = 0;
            var callers = Enumerable.Range(0, 8).Select(caller => new Thread(() =>
            {
                for (int round = 0; round < 200; round++)
                {
                    int items = 50 + caller * 17 + round % 13;
                    var perItem = new int[items];
                    fixed (int* pointer = perItem)
                    {
                        var counts = new Counts { PerItem = pointer };
                        WorkerPool.Shared.For(items, 3, &Mark, &counts);
                    }
                    if (perItem.Any(count => count != 1)) Interlocked.Increment(ref failures);
                }
            })).ToList();
            callers.ForEach(thread => thread.Start());
            callers.ForEach(thread => thread.Join());
            Assert.That(failures, Is.Zero);
        }
        finally
        {
            ComputeSettings.ThreadCount = previous;
        }
    }
}
