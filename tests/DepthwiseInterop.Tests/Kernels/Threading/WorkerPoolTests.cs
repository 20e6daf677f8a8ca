using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Tests.Kernels.Threading;

/// <summary>The pool covers every item exactly once, for any thread count, also with many concurrent callers.</summary>
[NonParallelizable]
public sealed unsafe class WorkerPoolTests
{
    private int _previousThreadCount;

    /// <summary>Each test sets the library's thread count it needs; the count the suite had is restored after it.</summary>
    [SetUp]
    public void RememberThreadCount() => _previousThreadCount = ComputeSettings.ThreadCount;

    [TearDown]
    public void RestoreThreadCount() => ComputeSettings.ThreadCount = _previousThreadCount;

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
    [TestCase(7, 2, 3)]
    [TestCase(10, 3, 3)]
    [TestCase(5, 8, 0)]
    public void EveryItemRunsExactlyOnce(int items, int threads, int? chunksPerThread)
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

    /// <summary>Each thread owns a contiguous run of chunks (the caller the first), together exactly the job's chunks.</summary>
    [TestCase(8, 2)]
    [TestCase(4, 4)]
    [TestCase(13, 3)]
    [TestCase(1000, 7)]
    public void OwnedRunsTileTheChunksInThreadOrder(long chunkCount, int threads)
    {
        long expectedBegin = 0;
        for (int participant = 0; participant < threads; participant++)
        {
            var (begin, end) = WorkerPool.OwnedChunks(chunkCount, threads, participant);
            Assert.That(begin, Is.EqualTo(expectedBegin), $"participant {participant}");
            Assert.That(end - begin, Is.InRange(chunkCount / threads, chunkCount / threads + 1), $"participant {participant}");
            expectedBegin = end;
        }
        Assert.That(expectedBegin, Is.EqualTo(chunkCount));
    }

    private struct SlowCaller
    {
        public int CallerThread;
        public int* RanOnCaller;   // per item: 1 if the calling thread ran it, 2 if a worker did
    }

    private static void StallOnCaller(void* context, long first, long end)
    {
        var job = (SlowCaller*)context;
        bool onCaller = Environment.CurrentManagedThreadId == job->CallerThread;
        if (onCaller && first == 0) Thread.Sleep(100);
        for (long i = first; i < end; i++) Interlocked.Exchange(ref job->RanOnCaller[i], onCaller ? 1 : 2);
    }

    /// <summary>
    /// A thread that stalls on its first chunk does not hold the job up: the other thread, done with its own run,
    /// takes the stalled thread's remaining chunks from their end.
    /// </summary>
    [Test]
    public void IdleThreadsTakeTheChunksOfAStalledOne()
    {
        ComputeSettings.ThreadCount = 2;
        var ranOn = new int[8];
        fixed (int* pointer = ranOn)
        {
            var job = new SlowCaller { CallerThread = Environment.CurrentManagedThreadId, RanOnCaller = pointer };
            WorkerPool.Shared.For(8, 2, &StallOnCaller, &job, chunksPerThread: 4);
        }
        Assert.That(ranOn, Is.All.Not.EqualTo(0), "every item ran");
        Assert.That(ranOn[0], Is.EqualTo(1), "the caller takes its own first chunk");
        Assert.That(ranOn[1..4], Has.Some.EqualTo(2), "the worker took some of the stalled caller's chunks");
        Assert.That(ranOn[4..], Is.All.EqualTo(2), "the worker ran its own run");
    }

    private struct ThreadsSeen
    {
        public int CallerThread;
        public int* OnCaller;   // per item: how many times the calling thread ran it
        public int* OnWorker;   // per item: how many times a worker ran it
    }

    private static void CountByThread(void* context, long first, long end)
    {
        var job = (ThreadsSeen*)context;
        int* counts = Environment.CurrentManagedThreadId == job->CallerThread ? job->OnCaller : job->OnWorker;
        for (long i = first; i < end; i++)
        {
            Thread.SpinWait(20_000); // long enough items that a running worker gets some
            Interlocked.Increment(ref counts[i]);
        }
    }

    /// <summary>
    /// A worker the machine does not run (held here before it starts on a job, as a descheduled thread on a busy core)
    /// does not hold a job up: the caller takes all its chunks and returns; once the worker runs, it finds the job
    /// done, touches none of it, and later jobs still run every item once, on both threads.
    /// </summary>
    [Test]
    public void AJobEndsWithoutWaitingForAWorkerThatDoesNotRun()
    {
        ComputeSettings.ThreadCount = 2;
        using var held = new ManualResetEventSlim(false);
        var pool = new WorkerPool(held);
        try
        {
            const int items = 16;
            var onCaller = new int[items];
            var onWorker = new int[items];
            Exception? failure = null;
            var caller = new Thread(() =>
            {
                try { RunCounting(pool, onCaller, onWorker, rounds: 3); }
                catch (Exception e) { failure = e; }
            }) { IsBackground = true };
            caller.Start();
            bool ended = caller.Join(TimeSpan.FromSeconds(20));
            held.Set();
            Assert.That(ended, Is.True, "the jobs ended while the worker was held");
            Assert.That(failure, Is.Null);
            Assert.That(onCaller, Is.All.EqualTo(3), "the caller ran every item of every job");
            Assert.That(onWorker, Is.All.EqualTo(0), "the held worker ran nothing");

            Array.Clear(onCaller);
            var workerTook = false;
            for (int round = 0; round < 200 && !workerTook; round++)
            {
                Array.Clear(onWorker);
                RunCounting(pool, onCaller, onWorker, rounds: 1);
                workerTook = onWorker.Any(count => count > 0);
            }
            Assert.That(workerTook, Is.True, "the released worker takes part in later jobs");
        }
        finally
        {
            held.Set();
        }
    }

    private static void StallOnWorker(void* context, long first, long end)
    {
        var job = (SlowCaller*)context;
        bool onCaller = Environment.CurrentManagedThreadId == job->CallerThread;
        // The caller's first chunk waits long enough for the worker to have claimed one of its own.
        Thread.Sleep(onCaller ? (first == 0 ? 50 : 0) : 300);
        for (long i = first; i < end; i++) Interlocked.Exchange(ref job->RanOnCaller[i], onCaller ? 1 : 2);
    }

    /// <summary>
    /// A caller that outlasts its spinning while a worker's chunk runs on blocks, and wakes when that chunk is done
    /// (whatever an earlier job's late signal left set: the chunk count decides).
    /// </summary>
    [Test]
    public void ACallerBlockedOnASlowWorkerChunkWakesWhenItIsDone()
    {
        ComputeSettings.ThreadCount = 2;
        for (int round = 0; round < 3; round++)
        {
            var ranOn = new int[4];
            fixed (int* pointer = ranOn)
            {
                var job = new SlowCaller { CallerThread = Environment.CurrentManagedThreadId, RanOnCaller = pointer };
                WorkerPool.Shared.For(4, 2, &StallOnWorker, &job, chunksPerThread: 2);
            }
            Assert.That(ranOn, Is.All.Not.EqualTo(0), $"round {round}: every item ran before the call returned");
            Assert.That(ranOn, Has.Some.EqualTo(2), $"round {round}: the worker ran a chunk");
        }
    }

    private static void RunCounting(WorkerPool pool, int[] onCaller, int[] onWorker, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            var before = onCaller.Zip(onWorker, (a, b) => a + b).ToArray();
            fixed (int* caller = onCaller)
            fixed (int* worker = onWorker)
            {
                var job = new ThreadsSeen { CallerThread = Environment.CurrentManagedThreadId, OnCaller = caller, OnWorker = worker };
                pool.For(onCaller.Length, 2, &CountByThread, &job);
            }
            var after = onCaller.Zip(onWorker, (a, b) => a + b).ToArray();
            for (int i = 0; i < after.Length; i++)
                if (after[i] != before[i] + 1) throw new InvalidOperationException($"item {i} ran {after[i] - before[i]} times in one job");
        }
    }

    [Test]
    public void ConcurrentCallersEachGetTheirWholeJob()
    {
        ComputeSettings.ThreadCount = 3;
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
}
