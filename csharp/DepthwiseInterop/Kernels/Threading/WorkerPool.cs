using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DepthwiseInterop.Kernels.Threading;

/// <summary>
/// A persistent pool of worker threads for the kernels: no thread is created per call. A job is a range of
/// work items (output rows), split into chunks; each taking part thread owns a contiguous run of them, takes its
/// own from the front, and when done takes what is left of the others' from the back. Owning contiguous runs
/// keeps consecutive calls on the same threads' caches: the rows one call writes on a thread are the rows the
/// next call (the next layer) reads there, where claiming chunks from one shared counter scattered them over the
/// cores (a depthwise call then a 1x1 conv2d on 2 threads took 1.6x their two times alone, the intermediate
/// crossing between the cores); taking from the others' ends keeps a slowed thread from holding the job up.
/// Which thread computes a chunk never changes its values, so results are the same for every thread count.
/// Workers spin briefly after a job (waking a blocked thread costs 10-25 µs on this kind of machine) and then
/// block. A job ends when its last chunk is done, not when every worker has checked in: a worker the machine does
/// not schedule (its core busy with another process) only has its chunks taken by the others, and finds nothing
/// left when it runs; so does the pool of a process forked after it started, which has no threads. (Waiting for
/// each worker to report made a 2-thread call wait for the scheduler: 14x14x384 NHWC beside a `dotnet build`,
/// median of 31 rounds alternating 1 and 2 threads, three runs: 2 threads took 2.6-100x the 1-thread time, up to
/// 2.9 ms a call, and 1.01-1.17x since; beside one spinning process 1.51x, now 1.24x; a forked child hung.)
/// One job runs at a time: a caller that finds the pool busy computes its job alone rather than wait, and so does
/// a job's body that asks for a nested job (it already runs on one of the pool's threads).
/// </summary>
internal sealed unsafe class WorkerPool
{
    private const string ThreadsVariable = "DEPTHWISE_INTEROP_NUM_THREADS";
    private const int SpinIterations = 20_000;
    /// <summary>
    /// How long a waiting thread first spins on <c>pause</c> alone before <see cref="SpinWait"/>'s rounds, which
    /// soon yield the processor at every other round: a yield is a system call (about a microsecond in this VM), so a
    /// job or a job's end was noticed a microsecond or more late, a cost every parallel call paid twice.
    /// </summary>
    private static readonly long PauseSpinTicks = Stopwatch.Frequency / 5_000;
    private const int ChunksPerThread = 4;
    private const int MaxThreads = (int)ParticipantSlots / 2;

    public static WorkerPool Shared { get; } = new(workersHeld: null);

    /// <param name="workersHeld">Tests only: while unset, workers do not start on a job (as if not scheduled).</param>
    internal WorkerPool(ManualResetEventSlim? workersHeld) => _workersHeld = workersHeld;

    private static int s_threadCount = DefaultThreadCount();

    // True while this thread computes chunks of a job: a nested For then runs inline (the gate is re-entrant
    // for the caller, so taking it again would overwrite the running job).
    [ThreadStatic] private static bool t_inJob;

    private readonly Lock _gate = new();
    private readonly List<Worker> _workers = [];
    private readonly ManualResetEventSlim _finished = new(false);
    /// <summary>Tests only: workers wait for it before each job (a worker the machine does not run); null in use.</summary>
    private readonly ManualResetEventSlim? _workersHeld;

    // The current job; written by the caller under _gate before the generation is bumped.
    private delegate*<void*, long, long, void> _body;
    private void* _context;
    private long _items;
    // Items the job's positions are rotated by (see For's rotation): position q is item (q - _rotation) mod _items.
    private long _rotation;
    private long _chunkCount;
    private int _participants;
    // Participant p's unclaimed chunks [next, end), packed next << 32 | end at _ranges[p * RangeStride] (a cache
    // line pair each, so that the owner's claims and another thread's do not share a line).
    private long[] _ranges = new long[RangeStride];
    private const int RangeStride = 16;
    // Chunks of the current job done so far: the job ends when it reaches _chunkCount. Each thread adds its chunks
    // once, when it has no more to take (one atomic per thread and job: adding per chunk moved the line between the
    // cores at every chunk, about half a microsecond each on this VM).
    private long _done;
    // 1 while the caller blocks on _finished: only then does the thread that ends the job set it.
    private int _callerBlocked;
    // The first exception a chunk function of the current job threw, rethrown by the caller once the job has ended.
    private ExceptionDispatchInfo? _failure;
    // Job number × ParticipantSlots + workers taking part: one atomic read tells a worker both, so a worker
    // that looks late never mistakes a newer job's participant count for its own.
    private long _state;
    private const long ParticipantSlots = 2048;

    /// <summary>Threads a job may use (the caller included); at least 1.</summary>
    public static int ThreadCount
    {
        get => Volatile.Read(ref s_threadCount);
        set => Volatile.Write(ref s_threadCount, value <= 0 ? DefaultThreadCount() : Math.Min(value, MaxThreads));
    }

    private static int DefaultThreadCount() =>
        int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int fromEnvironment) && fromEnvironment > 0
            ? Math.Min(fromEnvironment, MaxThreads)
            : Environment.ProcessorCount;

    /// <summary>
    /// Runs <paramref name="body"/>(context, first, end) over [0, items) on up to <paramref name="threads"/>
    /// threads and returns when every item is done. <paramref name="context"/> must stay valid until then.
    /// If a chunk function throws, the other chunks still run and the first exception is rethrown once all have returned.
    /// The items are cut into at most <paramref name="chunksPerThread"/> chunks per thread: a job whose items are
    /// already coarse (a panel of a dense conv) asks for more, so that the last chunk leaves no thread idle long.
    /// <paramref name="rotation"/> (0 to items) moves the runs along the items, wrapping around: the calling thread's run
    /// then starts <paramref name="rotation"/> items before the end and goes on from item 0 (a chunk across the wrap
    /// is two calls of the body), so that the first and the last items are the same thread's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void For(long items, int threads, delegate*<void*, long, long, void> body, void* context, int chunksPerThread = ChunksPerThread,
        long rotation = 0)
    {
        threads = (int)Math.Min(Math.Min(threads, ThreadCount), items);
        if (threads <= 1 || t_inJob || !_gate.TryEnter())
        {
            body(context, 0, items);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            _body = body;
            _context = context;
            _items = items;
            _rotation = Math.Clamp(rotation, 0, items);
            // Chunks of as even sizes as the items allow (28 items in 8 chunks: 3 or 4 each, not 7 chunks of 4, which left one
            // thread 16 items and the other 12), so that the threads' runs share them out evenly.
            // At most 2^31 - 1: a thread's run is packed as two 32-bit chunk indices (see _ranges).
            _chunkCount = Math.Min(Math.Min(items, (long)threads * Math.Max(chunksPerThread, 1)), int.MaxValue);
            _done = 0;
            _failure = null;
            _finished.Reset();
            // A worker still in an earlier job's RunChunks may claim these chunks as soon as they are written: the
            // writes above come first (release writes), and the array only grows, before the participant count
            // that bounds a worker's reads of it.
            if (_ranges.Length < threads * RangeStride) Volatile.Write(ref _ranges, new long[threads * RangeStride]);
            for (int p = 0; p < threads; p++)
            {
                var (begin, end) = OwnedChunks(_chunkCount, threads, p);
                Volatile.Write(ref _ranges[p * RangeStride], begin << 32 | end);
            }
            Volatile.Write(ref _participants, threads);
            Volatile.Write(ref _state, (_state / ParticipantSlots + 1) * ParticipantSlots + (threads - 1));
            for (int i = 0; i < threads - 1; i++) _workers[i].Wake();

            RunChunks(participant: 0);
            if (!SpinUntil(new JobEnded(this))) BlockUntilEnded();
            // Only now, every chunk function returned, may a chunk's exception leave For (see RunChunk).
            var failure = _failure;
            _failure = null;
            failure?.Throw();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Blocks the caller until the job's last chunk is done. The flag and the count are each written before the other
    /// is read (both by interlocked operations), so either the caller sees the job ended or the thread that ends it
    /// sees the flag and sets the event. A set left over from an earlier job only wakes the caller to test again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlockUntilEnded()
    {
        Interlocked.Exchange(ref _callerBlocked, 1);
        while (!new JobEnded(this).Met())
        {
            _finished.Wait();
            _finished.Reset();
        }
        Volatile.Write(ref _callerBlocked, 0);
    }

    /// <summary>The first item of <paramref name="chunk"/> (the job's item count for the chunk past the last).</summary>
    private long ChunkStart(long chunk) => chunk * _items / _chunkCount;

    /// <summary>The contiguous run of chunks <paramref name="participant"/> owns: the runs tile [0, chunkCount) in participant order.</summary>
    internal static (long Begin, long End) OwnedChunks(long chunkCount, int threads, int participant) =>
        (chunkCount * participant / threads, chunkCount * (participant + 1) / threads);

    /// <summary>The chunks of <paramref name="participant"/> (0 the caller, worker i is i + 1) in order, then the others' from their ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunChunks(int participant)
    {
        t_inJob = true;
        try
        {
            int participants = Volatile.Read(ref _participants);
            long[] ranges = Volatile.Read(ref _ranges);
            long chunk, ran = 0;
            for (; (chunk = Claim(ranges, participant, fromFront: true)) >= 0; ran++) RunChunk(chunk);
            for (int i = 1; i < participants; i++)
            {
                int other = (participant + i) % participants;
                for (; (chunk = Claim(ranges, other, fromFront: false)) >= 0; ran++) RunChunk(chunk);
            }
            if (ran > 0) ReportDone(ran);
        }
        finally
        {
            t_inJob = false;
        }
    }

    /// <summary>
    /// Runs a chunk this thread claimed. The job's fields are read after a claim and before the thread reports its
    /// chunks (<see cref="ReportDone"/>): in between the job cannot end, so they are the claimed chunk's job's, even on
    /// a worker late from an earlier job (whose chunks were all taken: a thread's claims in one
    /// <see cref="RunChunks"/> are therefore all of one job).
    /// A chunk function's exception is caught and the chunk still counted as done: left to propagate, on the caller it
    /// left For (freeing the context in its frame, releasing the gate) while workers still ran chunks with that context,
    /// and the job never ended (a late worker's count then went to the next job's, ending it early or never); on a
    /// worker it killed the process. The caller rethrows the first one once the job has ended.
    /// </summary>
    private void RunChunk(long chunk)
    {
        try
        {
            long start = ChunkStart(chunk) - _rotation, end = ChunkStart(chunk + 1) - _rotation;
            if (start >= 0) _body(_context, start, end);
            else
            {
                _body(_context, start + _items, Math.Min(end, 0) + _items);
                if (end > 0) _body(_context, 0, end);
            }
        }
        catch (Exception exception)
        {
            // Read by the caller after the job's end, which this thread's ReportDone (an interlocked add) comes before.
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
        }
    }

    /// <summary>Counts this thread's chunks of the job done; wakes a blocked caller if they were the last.</summary>
    private void ReportDone(long chunks)
    {
        long total = _chunkCount;
        if (Interlocked.Add(ref _done, chunks) == total && Volatile.Read(ref _callerBlocked) == 1) _finished.Set();
    }

    /// <summary>The first (or last) unclaimed chunk of <paramref name="participant"/>'s run, or -1 if none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Claim(long[] ranges, int participant, bool fromFront)
    {
        ref long range = ref ranges[participant * RangeStride];
        while (true)
        {
            long packed = Volatile.Read(ref range);
            long next = packed >>> 32, end = packed & uint.MaxValue;
            if (next >= end) return -1;
            long claimed = fromFront ? packed + (1L << 32) : packed - 1;
            if (Interlocked.CompareExchange(ref range, claimed, packed) == packed) return fromFront ? next : end - 1;
        }
    }

    /// <summary>Something a waiting thread waits for: tested in a spin loop, so a struct (no allocation, the test inlined).</summary>
    private interface IWaitCondition
    {
        bool Met();
    }

    /// <summary>Every chunk of the caller's job is done.</summary>
    private readonly struct JobEnded(WorkerPool pool) : IWaitCondition
    {
        public bool Met() => Volatile.Read(ref pool._done) == pool._chunkCount;
    }

    /// <summary>
    /// Spins until <paramref name="condition"/> is met: on <c>pause</c> alone for at most <see cref="PauseSpinTicks"/>, then
    /// through <see cref="SpinWait"/>'s rounds (which yield the processor) for <see cref="SpinIterations"/>; false if it
    /// is still not met, and the thread should block. The caller waiting for a job's end and a worker waiting for the
    /// next job wait alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SpinUntil<TCondition>(TCondition condition) where TCondition : struct, IWaitCondition
    {
        long deadline = Stopwatch.GetTimestamp() + PauseSpinTicks;
        for (int i = 1; !condition.Met(); i++)
        {
            Thread.SpinWait(1);
            if ((i & 63) != 0 || Stopwatch.GetTimestamp() <= deadline) continue;
            SpinWait spin = default;
            for (int round = 0; round < SpinIterations; round++)
            {
                if (condition.Met()) return true;
                spin.SpinOnce(sleep1Threshold: -1);
            }
            return condition.Met();
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureWorkers(int count)
    {
        while (_workers.Count < count) _workers.Add(new Worker(this, _workers.Count));
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly int _index;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;
        private long _seenState;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
            _index = index;
            _seenState = Volatile.Read(ref pool._state);
            new Thread(Loop) { IsBackground = true, Name = $"depthwise_interop worker {index}" }.Start();
        }

        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop()
        {
            while (true)
            {
                WaitForNextJob();
                if (_index < _seenState % ParticipantSlots)
                {
                    _pool._workersHeld?.Wait();
                    _pool.RunChunks(participant: _index + 1);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WaitForNextJob()
        {
            if (SpinUntil(new JobArrived(this))) return;
            while (true)
            {
                // A full fence between announcing sleep and looking for a job (a plain store could still sit in the
                // store buffer when the job's state is read): either the caller's Wake sees the flag, or this read
                // sees the job.
                Interlocked.Exchange(ref _sleeping, 1);
                if (TryTakeJob())
                {
                    // A caller that saw us asleep has released the semaphore: consume it to stay balanced.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();
                    return;
                }
                _wake.Wait();
                if (TryTakeJob()) return;
            }
        }

        /// <summary>A new job has started (taking it: see <see cref="TryTakeJob"/>).</summary>
        private readonly struct JobArrived(Worker worker) : IWaitCondition
        {
            public bool Met() => worker.TryTakeJob();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool TryTakeJob()
        {
            long state = Volatile.Read(ref _pool._state);
            if (state == _seenState) return false;
            _seenState = state;
            return true;
        }
    }
}
