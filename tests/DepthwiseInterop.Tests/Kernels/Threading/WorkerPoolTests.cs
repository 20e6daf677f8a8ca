using System.Diagnostics;
using System.Runtime.InteropServices;
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

    /// <summary>A rotated job runs every item once too, whatever the rotation, chunking and thread count (a chunk across the wrap is two calls).</summary>
    [TestCase(7, 2, 1, 1)]
    [TestCase(7, 2, 3, 2)]
    [TestCase(14, 2, 4, 3)]
    [TestCase(1000, 3, 4, 166)]
    [TestCase(33, 8, 1, 2)]
    [TestCase(10, 2, 4, 10)]
    [TestCase(10, 2, 4, 0)]
    public void EveryItemOfARotatedJobRunsExactlyOnce(int items, int threads, int chunksPerThread, long rotation)
    {
        ComputeSettings.ThreadCount = threads;
        for (int round = 0; round < 50; round++)
        {
            var perItem = new int[items];
            fixed (int* pointer = perItem)
            {
                var counts = new Counts { PerItem = pointer };
                WorkerPool.Shared.For(items, threads, &Mark, &counts, chunksPerThread, rotation);
            }
            Assert.That(perItem, Is.All.EqualTo(1), $"round {round}");
        }
    }

    private static void RecordThread(void* context, long first, long end)
    {
        var job = (SlowCaller*)context;
        bool onCaller = Environment.CurrentManagedThreadId == job->CallerThread;
        // Slow enough that the worker wakes and keeps its own run rather than the caller taking it all.
        Thread.Sleep(20);
        for (long i = first; i < end; i++) Interlocked.Exchange(ref job->RanOnCaller[i], onCaller ? 1 : 2);
    }

    /// <summary>
    /// Rotated by a quarter of 8 items on 2 threads, the caller's run is items 6, 7, 0, 1: it starts on the last two
    /// (the worker could take only the run's end, items 1 and 0, and only after its own four 20 ms chunks).
    /// </summary>
    [Test]
    public void ARotatedRunGivesTheLastItemsToTheCaller()
    {
        ComputeSettings.ThreadCount = 2;
        var ranOnCaller = new int[8];
        fixed (int* pointer = ranOnCaller)
        {
            var job = new SlowCaller { CallerThread = Environment.CurrentManagedThreadId, RanOnCaller = pointer };
            WorkerPool.Shared.For(8, 2, &RecordThread, &job, chunksPerThread: 4, rotation: 2);
        }
        Assert.That(ranOnCaller, Is.All.Not.EqualTo(0));
        Assert.That(new[] { ranOnCaller[6], ranOnCaller[7] }, Is.All.EqualTo(1));
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
        // Not disposed: the pool's workers outlive the test, and one that took the last job late still waits on it
        // (disposed, the wait threw ObjectDisposedException on the worker thread and crashed the test host).
        var held = new ManualResetEventSlim(false);
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

    private struct StressJob
    {
        public long* Stamps;          // per item: the job that processed it, 0 before (the caller clears it)
        public long* NestedStamps;    // the same for the nested job a chunk runs over its items
        public long Job;              // this job's stamp, unique over the test
        public int CallerThread;
        public int SpinPerItem;       // some work per item, so that the workers get chunks
        public int SlowWorkerChunkMs; // the first chunk another thread runs sleeps this long (the caller outlasts its spin and blocks)
        public int SlowedOne;
        public int Nested;            // each chunk calls For again over its items (it runs inline)
        public StressCounts* Counts;
    }

    private struct StressCounts
    {
        public int Running;           // chunk functions of this caller's jobs running now
        public int RanTwice;          // an item stamped when it already was (run twice, or by a chunk of an ended job)
        public int Missed;            // an item without this job's stamp when For returned
        public int RunningAtReturn;   // chunk functions running when For returned
        public int OnOtherThreads;    // chunks another thread than the caller ran
        public int Jobs;
    }

    private struct NestedStressJob
    {
        public long* Stamps;
        public long Job;
        public int* RanTwice;
    }

    private static void StampNested(void* context, long first, long end)
    {
        var job = (NestedStressJob*)context;
        for (long i = first; i < end; i++)
            if (Interlocked.CompareExchange(ref job->Stamps[i], job->Job, 0) != 0) Interlocked.Increment(ref *job->RanTwice);
    }

    private static void StampItems(void* context, long first, long end)
    {
        var job = (StressJob*)context;
        var counts = job->Counts;
        Interlocked.Increment(ref counts->Running);
        if (Environment.CurrentManagedThreadId != job->CallerThread)
        {
            Interlocked.Increment(ref counts->OnOtherThreads);
            if (job->SlowWorkerChunkMs > 0 && Interlocked.Exchange(ref job->SlowedOne, 1) == 0) Thread.Sleep(job->SlowWorkerChunkMs);
        }
        for (long i = first; i < end; i++)
        {
            Thread.SpinWait(job->SpinPerItem);
            if (Interlocked.CompareExchange(ref job->Stamps[i], job->Job, 0) != 0) Interlocked.Increment(ref counts->RanTwice);
        }
        if (job->Nested != 0)
        {
            var nested = new NestedStressJob { Stamps = job->NestedStamps + first, Job = job->Job, RanTwice = &counts->RanTwice };
            WorkerPool.Shared.For(end - first, 4, &StampNested, &nested);
        }
        Interlocked.Decrement(ref counts->Running);
    }

    /// <summary>
    /// One stress caller: jobs of random item, thread and chunk counts on <paramref name="pool"/> until
    /// <paramref name="until"/> (and at least <paramref name="minJobs"/>), each job's context in this frame; some chunks
    /// call For again, some jobs have a slow worker chunk (the caller blocks), and with <paramref name="pauses"/> the
    /// callers pause for the last 200 ms of every second (the workers block). Counts into <paramref name="counts"/>.
    /// </summary>
    private static void StressCaller(WorkerPool pool, int caller, Stopwatch clock, TimeSpan until, int minJobs, int spinPerItem,
        bool pauses, StressCounts* counts)
    {
        const int MaxItems = 300;
        var random = new Random(100 + caller);
        var stamps = (long*)NativeMemory.AllocZeroed(MaxItems, sizeof(long));
        var nestedStamps = (long*)NativeMemory.AllocZeroed(MaxItems, sizeof(long));
        try
        {
            for (int round = 1; round <= minJobs || clock.Elapsed < until; round++)
            {
                int items = random.Next(1, MaxItems + 1), threads = random.Next(1, 6), chunksPerThread = random.Next(0, 9);
                new Span<long>(stamps, items).Clear();
                new Span<long>(nestedStamps, items).Clear();
                var job = new StressJob
                {
                    Stamps = stamps, NestedStamps = nestedStamps, Job = (long)(caller + 1) << 32 | (uint)round,
                    CallerThread = Environment.CurrentManagedThreadId, SpinPerItem = spinPerItem,
                    SlowWorkerChunkMs = round % 64 == 0 ? 150 : 0, Nested = round % 3 == 0 ? 1 : 0, Counts = counts,
                };
                pool.For(items, threads, &StampItems, &job, chunksPerThread);
                if (Volatile.Read(ref counts->Running) != 0) Interlocked.Increment(ref counts->RunningAtReturn);
                for (int i = 0; i < items; i++)
                    if (Volatile.Read(ref stamps[i]) != job.Job || (job.Nested != 0 && Volatile.Read(ref nestedStamps[i]) != job.Job))
                        Interlocked.Increment(ref counts->Missed);
                Interlocked.Increment(ref counts->Jobs);
                int intoSecond = (int)(clock.ElapsedMilliseconds % 1000);
                if (pauses && intoSecond >= 800) Thread.Sleep(1000 - intoSecond);
            }
            // A chunk of the last job run late would stamp an item again or still be running.
            Thread.Sleep(100);
            if (Volatile.Read(ref counts->Running) != 0) Interlocked.Increment(ref counts->RunningAtReturn);
        }
        finally
        {
            NativeMemory.Free(stamps);
            NativeMemory.Free(nestedStamps);
        }
    }

    /// <summary>Runs <paramref name="callers"/> stress callers (and <paramref name="alongside"/> until they end); asserts on their counts.</summary>
    private static void RunStress(WorkerPool pool, int callers, TimeSpan budget, int minJobs, int spinPerItem, bool pauses, Action<Func<bool>>? alongside)
    {
        var counts = (StressCounts*)NativeMemory.AllocZeroed((nuint)callers, (nuint)sizeof(StressCounts));
        var stop = 0;
        try
        {
            var other = alongside is null ? null : new Thread(() => alongside(() => Volatile.Read(ref stop) != 0)) { IsBackground = true };
            var clock = Stopwatch.StartNew();
            var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
                StressCaller(pool, c, clock, budget, minJobs, spinPerItem, pauses, counts + c)) { IsBackground = true }).ToList();
            other?.Start();
            threads.ForEach(thread => thread.Start());
            bool ended = threads.All(thread => thread.Join(TimeSpan.FromSeconds(60)));
            Volatile.Write(ref stop, 1);
            other?.Join();
            Assert.That(ended, Is.True, "every caller finished (no job hung)");
            var total = new StressCounts();
            for (int c = 0; c < callers; c++)
            {
                total.Jobs += counts[c].Jobs;
                total.RanTwice += counts[c].RanTwice;
                total.Missed += counts[c].Missed;
                total.RunningAtReturn += counts[c].RunningAtReturn;
                total.OnOtherThreads += counts[c].OnOtherThreads;
            }
            TestContext.Out.WriteLine($"{total.Jobs} jobs, {total.OnOtherThreads} chunks run by another thread than their caller");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(total.Jobs, Is.GreaterThanOrEqualTo(callers * minJobs));
                Assert.That(total.Missed, Is.Zero, "items not done (or done by another job) when For returned");
                Assert.That(total.RanTwice, Is.Zero, "items done twice, or by a chunk of a job that had ended");
                Assert.That(total.RunningAtReturn, Is.Zero, "chunk functions running after For returned");
                Assert.That(total.OnOtherThreads, Is.Positive, "workers took part");
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            NativeMemory.Free(counts);
        }
    }

    /// <summary>
    /// Stress: three callers at once on the shared pool (a job runs on the pool, or inline when the pool is busy), while
    /// another thread keeps changing the thread count. Every item of every job is done exactly once, by the time For
    /// returns, and no chunk function is running or runs after For returned.
    /// </summary>
    [Test]
    public void StressConcurrentCallersWhileTheThreadCountChanges() =>
        RunStress(WorkerPool.Shared, callers: 3, TimeSpan.FromSeconds(6), minJobs: 200, spinPerItem: 10, pauses: true, alongside: stopped =>
        {
            var random = new Random(1);
            while (!stopped())
            {
                ComputeSettings.ThreadCount = random.Next(1, 5);
                Thread.SpinWait(random.Next(1, 20_000));
            }
        });

    /// <summary>
    /// Stress: workers made late at random (held between taking a job and starting on it, as a descheduled thread), so
    /// that they come to a later job than the one they took, with fewer or more participants, while one caller runs
    /// jobs back to back: they may take only the current job's chunks, each once, and nothing after For returned.
    /// </summary>
    [Test]
    public void StressLateWorkersTakeOnlyChunksOfTheCurrentJob()
    {
        ComputeSettings.ThreadCount = 4;
        var held = new ManualResetEventSlim(true); // not disposed: see AJobEndsWithoutWaitingForAWorkerThatDoesNotRun
        var pool = new WorkerPool(held);
        try
        {
            RunStress(pool, callers: 1, TimeSpan.FromSeconds(4), minJobs: 500, spinPerItem: 10, pauses: false, alongside: stopped =>
            {
                var random = new Random(2);
                while (!stopped())
                {
                    held.Reset();
                    Thread.SpinWait(random.Next(1, 50_000));
                    held.Set();
                    Thread.SpinWait(random.Next(1, 50_000));
                }
            });
        }
        finally
        {
            held.Set();
        }
    }

    private struct WakeProbe
    {
        public int CallerThread;
        public int WorkerStarted;
        public int WorkerRan;
    }

    private static void WaitForAWorker(void* context, long first, long end)
    {
        var probe = (WakeProbe*)context;
        if (Environment.CurrentManagedThreadId != probe->CallerThread)
        {
            Volatile.Write(ref probe->WorkerStarted, 1);
            Interlocked.Increment(ref probe->WorkerRan);
            return;
        }
        // The caller's first chunk waits (20 s at most) for the worker: a worker whose wake-up was lost never comes.
        var clock = Stopwatch.StartNew();
        while (first == 0 && Volatile.Read(ref probe->WorkerStarted) == 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(1);
    }

    /// <summary>
    /// Workers that have blocked (the pool idle for longer than their spin) wake for the next job, every time: the
    /// caller's first chunk waits until a worker has run one, which a lost wake-up would make never happen.
    /// </summary>
    [Test]
    public void BlockedWorkersWakeForEveryJob()
    {
        ComputeSettings.ThreadCount = 3;
        var pool = new WorkerPool(workersHeld: null);
        for (int round = 0; round < 15; round++)
        {
            Thread.Sleep(round % 3 == 0 ? 150 : round % 3); // blocked, about to block, or still spinning
            var probe = new WakeProbe { CallerThread = Environment.CurrentManagedThreadId };
            pool.For(12, 3, &WaitForAWorker, &probe, chunksPerThread: 4);
            Assert.That(probe.WorkerRan, Is.Positive, $"round {round}: a worker ran a chunk");
        }
    }

    private struct FailingJob
    {
        public int CallerThread;
        public int FailOnCaller;      // 1: the caller's first chunk throws; 0: the first chunk a worker runs throws
        public int WorkerStarted;
        public int Thrown;
        public int Running;           // chunk functions running now
        public int Returned;          // set by the test once For has returned (thrown)
        public int TouchedAfterReturn;
    }

    private static void FailOnce(void* context, long first, long end)
    {
        var job = (FailingJob*)context;
        Interlocked.Increment(ref job->Running);
        try
        {
            bool onCaller = Environment.CurrentManagedThreadId == job->CallerThread;
            if (onCaller)
            {
                // The caller's first chunk waits (20 s at most) until the worker is inside a chunk of its own.
                var clock = Stopwatch.StartNew();
                while (first == 0 && Volatile.Read(ref job->WorkerStarted) == 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(1);
            }
            else
            {
                Volatile.Write(ref job->WorkerStarted, 1);
            }
            if (onCaller == (job->FailOnCaller != 0) && Interlocked.Exchange(ref job->Thrown, 1) == 0)
                throw new InvalidOperationException(onCaller ? "caller chunk failed" : "worker chunk failed");
            if (!onCaller) Thread.Sleep(100);
            if (Volatile.Read(ref job->Returned) != 0) Interlocked.Increment(ref job->TouchedAfterReturn);
        }
        finally
        {
            Interlocked.Decrement(ref job->Running);
        }
    }

    /// <summary>
    /// A chunk function that throws (on the caller's thread or on a worker's) fails the call with its exception, but
    /// only once every chunk function has returned (the context lives in the caller's frame), and the pool then runs
    /// the next job whole.
    /// </summary>
    [TestCase(true, TestName = "AChunkThatThrowsOnTheCallerFailsTheCallAfterEveryChunkReturned")]
    [TestCase(false, TestName = "AChunkThatThrowsOnAWorkerFailsTheCallAfterEveryChunkReturned")]
    public void AChunkThatThrowsFailsTheCallAfterEveryChunkReturned(bool onCaller)
    {
        ComputeSettings.ThreadCount = 2;
        var pool = new WorkerPool(workersHeld: null);
        // On the native heap, not in this frame: a chunk that ran after For returned would otherwise write a dead frame.
        var job = (FailingJob*)NativeMemory.AllocZeroed((nuint)sizeof(FailingJob));
        bool settled = false;
        try
        {
            job->CallerThread = Environment.CurrentManagedThreadId;
            job->FailOnCaller = onCaller ? 1 : 0;
            var thrown = Assert.Throws<InvalidOperationException>(() => pool.For(8, 2, &FailOnce, job, chunksPerThread: 4));
            int runningAtReturn = Volatile.Read(ref job->Running);
            Volatile.Write(ref job->Returned, 1);
            // The pool is whole: the next jobs run every item once (on a thread, in case one hangs). The first one at
            // once and slow, so that a chunk of the failed job still running would meet it.
            Exception? failure = null;
            var next = new Thread(() =>
            {
                try
                {
                    EveryItemOnce(pool, 16, 2, rounds: 1, &MarkSlowly);
                    EveryItemOnce(pool, 1000, 2, rounds: 20, &Mark);
                }
                catch (Exception e) { failure = e; }
            }) { IsBackground = true };
            next.Start();
            bool nextEnded = next.Join(TimeSpan.FromSeconds(20));
            settled = Volatile.Read(ref job->Running) == 0;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(thrown!.Message, Is.EqualTo(onCaller ? "caller chunk failed" : "worker chunk failed"));
                Assert.That(runningAtReturn, Is.Zero, "chunk functions running when For threw");
                Assert.That(job->TouchedAfterReturn, Is.Zero, "chunk functions that ran on after For threw");
                Assert.That(nextEnded, Is.True, "the next jobs ended");
                Assert.That(failure, Is.Null, "the next jobs ran every item once");
            }
        }
        finally
        {
            // A chunk that is still running would write freed memory: leak it then (the test has failed anyway).
            if (settled) NativeMemory.Free(job);
        }
    }

    private static void MarkSlowly(void* context, long first, long end)
    {
        Thread.Sleep(40);
        Mark(context, first, end);
    }

    private static void EveryItemOnce(WorkerPool pool, int items, int threads, int rounds, delegate*<void*, long, long, void> body)
    {
        for (int round = 0; round < rounds; round++)
        {
            var perItem = new int[items];
            fixed (int* pointer = perItem)
            {
                var counts = new Counts { PerItem = pointer };
                pool.For(items, threads, body, &counts, chunksPerThread: 8);
            }
            if (perItem.Any(count => count != 1)) throw new InvalidOperationException($"round {round}: items ran {string.Join(",", perItem)} times");
        }
    }
}
