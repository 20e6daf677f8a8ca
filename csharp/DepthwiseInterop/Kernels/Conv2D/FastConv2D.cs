using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// Runs a conv2d (dense, pointwise or grouped) on the SIMD kernel <see cref="Conv2DNhwcKernel"/>: builds the
/// offset table and packs the filter for the chosen vector width (its rows shared out over the threads where it is
/// large: see <see cref="ParallelPackElements"/>; or leaves the packing to the work items, see
/// <see cref="Conv2DNhwcKernel.Plan.Packed"/>), brings an NCHW input to NHWC (and the output back) through
/// scratch buffers (<see cref="LayoutConversion"/>), and runs the kernel's work items (pixel panels × ranges of channel blocks) on the worker
/// pool, claimed one by one unless they are tiny (see <see cref="ChunksPerThread"/>). Scratch buffers come from the shared array pool;
/// nothing else is allocated per call.
/// </summary>
internal static class FastConv2D
{
    /// <summary>
    /// Computes the problem if a vector width of the selected tier fits the output channels of a group (the
    /// widest that does); false otherwise, for the reference to take it.
    /// </summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (VectorBytes<T>(g, isa))
        {
            case 64: Run<Vector512<T>, T>(input, filter, output, g); return true;
            case 32: Run<Vector256<T>, T>(input, filter, output, g); return true;
            case 16: Run<Vector128<T>, T>(input, filter, output, g); return true;
            default: return PaddedOutputChannels.Applies<T>(g) && PaddedOutputChannels.TryRun(input, filter, output, g, isa);
        }
    }

    /// <summary>
    /// The vector width in bytes that <see cref="TryRun"/> runs the problem at: the widest of the tier that fits the
    /// output channels of a group, or 0 when the reference must take it. (Callers that run the kernel on pieces of
    /// a problem themselves, such as the fused separable path, pick their width here too.)
    /// </summary>
    internal static int VectorBytes<T>(in ConvolutionGeometry g, VectorIsa isa) where T : unmanaged
    {
        // The kernel keeps tap offsets in 32 bits; geometries beyond that (huge dilations) go to the reference.
        // (In double: the product of four 31-bit values can overflow 64 bits.)
        double lastTapOffset = ((double)(g.FilterHeight - 1) * g.DilationHeight * g.InputWidth + (double)(g.FilterWidth - 1) * g.DilationWidth + 1) * g.InputChannels;
        if (lastTapOffset > int.MaxValue || (double)g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup > int.MaxValue / 2) return 0;
        return RawVector.WidestVectorBytes<T>(isa, g.OutputChannelsPerGroup);
    }

    /// <summary>Below this many multiply-adds a call stays on the caller's thread: waking a worker costs more.</summary>
    private const long ParallelThresholdMacs = 1L << 20;

    /// <summary>
    /// From this many packed weights a multi-threaded call packs them on every thread (rows of the filter shared out),
    /// where the caller packed them alone while the workers waited: 2 threads, C harness, 21 alternated rounds: pointwise
    /// 14x14x576->96 (55 K weights) 0.87x the time, 14x14x384->64 0.83-0.90x, 3x3 56x56x64->64 0.98x; below it (28x28x192->32,
    /// 6 K) the extra round trip of the pool ate the gain (1.00-1.02x).
    /// </summary>
    private const long ParallelPackElements = 1 << 14;

    /// <summary>The least work (multiply-adds, ~5 µs) a chunk of items holds: below it the claim and the per-item table would show.</summary>
    private const long MinimumChunkMacs = 1L << 18;

    /// <summary>
    /// Chunks per thread for the pool: one item per chunk when items are large enough (a thread then ends at most
    /// one item after the other, whereas the pool's default 4 chunks per thread left a 56x56 image's 33 panels in
    /// 7 chunks, 18 panels against 15), fewer when the items are tiny (a 3-channel first layer's panels).
    /// </summary>
    private static int ChunksPerThread(long macs, int threads) => (int)Math.Clamp(macs / MinimumChunkMacs / threads, 1, int.MaxValue);

    /// <summary>Runs the problem at vector width <typeparamref name="TVector"/> (<c>Vector128/256/512&lt;T&gt;</c>), which must fit the output channels of a
    /// group; it need not be hardware accelerated (tests run the 512-bit kernel this way on machines without it).</summary>
    internal static unsafe void Run<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        var plan = new Conv2DNhwcKernel.Plan(g, RawVector.Count<TVector, T>(), sizeof(TVector), threads);
        bool nchw = g.DataFormat == DataFormat.NCHW;

        var scratch = new Conv2DScratch<T>(plan);
        T[]? inputScratch = null, outputScratch = null;
        try
        {
            ReadOnlySpan<T> nhwcInput = input;
            Span<T> nhwcOutput = output;
            if (nchw)
            {
                inputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.InputElementCount));
                LayoutConversion.ToInterleavedRepeated(ref MemoryMarshal.GetReference(input), ref inputScratch[0], (nint)g.Batch,
                    (nint)(g.InputHeight * g.InputWidth), (nint)g.InputChannels, repeat: 1, sourcePlanar: true);
                nhwcInput = inputScratch;
                outputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.OutputElementCount));
                nhwcOutput = outputScratch.AsSpan(0, (int)g.OutputElementCount);
            }

            fixed (T* inputPointer = nhwcInput)
            fixed (T* filterPointer = filter)
            fixed (T* packedBase = scratch.Packed)
            fixed (T* zeroPointer = scratch.Zero)
            fixed (int* offsetsPointer = scratch.Offsets)
            fixed (T* outputPointer = nhwcOutput)
            {
                T* packedPointer = Conv2DNhwcKernel.Align(packedBase);
                var job = new Job<T> { Input = inputPointer, Filter = filterPointer, Packed = packedPointer, Zero = zeroPointer, Offsets = offsetsPointer, Output = outputPointer, Plan = plan };
                if (plan.Packed && threads > 1 && plan.PackedLength >= ParallelPackElements) WorkerPool.Shared.For(plan.Taps, threads, &PackRows<TVector, T>, &job, 1);
                else if (plan.Packed) PackRows<TVector, T>(&job, 0, plan.Taps);
                WorkerPool.Shared.For(plan.Items, threads, &RunItems<TVector, T>, &job, ChunksPerThread(macs, threads));
            }

            if (nchw)
                LayoutConversion.ToPlanar(ref MemoryMarshal.GetReference(nhwcOutput), ref MemoryMarshal.GetReference(output), (nint)g.Batch,
                    (nint)(g.OutputHeight * g.OutputWidth), (nint)g.OutputChannels);
        }
        finally
        {
            scratch.Return();
            if (inputScratch is not null) ArrayPool<T>.Shared.Return(inputScratch);
            if (outputScratch is not null) ArrayPool<T>.Shared.Return(outputScratch);
        }
    }

    private unsafe struct Job<T> where T : unmanaged
    {
        public T* Input;
        public T* Filter;
        public T* Packed;
        public T* Zero;
        public int* Offsets;
        public T* Output;
        public Conv2DNhwcKernel.Plan Plan;
    }

    /// <summary>Packs weight rows [firstRow, endRow) of the job's filter (see <see cref="Conv2DNhwcKernel.PackFilterRows{TVector, T}"/>).</summary>
    private static unsafe void PackRows<TVector, T>(void* context, long firstRow, long endRow)
        where TVector : unmanaged where T : unmanaged
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
        ref readonly Conv2DNhwcKernel.Plan p = ref job.Plan;
        Conv2DNhwcKernel.PackFilterRows<TVector, T>(new ReadOnlySpan<T>(job.Filter, checked((int)(p.Taps * p.OutputChannels))),
            new Span<T>(job.Packed, checked((int)p.PackedLength)), p, (nint)firstRow, (nint)endRow);
    }

    private static unsafe void RunItems<TVector, T>(void* context, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
        Conv2DNhwcKernel.RunItems<TVector, T>(ref *job.Input, ref *job.Filter, ref *job.Packed, ref *job.Zero, ref *job.Offsets, ref *job.Output, job.Plan, firstItem, endItem);
    }
}
