using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Runs a depthwise convolution on the SIMD kernels. NHWC with channel multiplier 1, 2 or 4 (2 and 4 where the
/// vector width is a multiple of M) goes straight to <see cref="DepthwiseNhwcKernel"/>, which repeats input
/// lanes in registers for M &gt; 1 (<see cref="ChannelRepeat"/>). NCHW goes to the planar
/// <see cref="DepthwiseNchwKernel"/>, except multiplier 1 on small planes, which is transposed to NHWC, run on
/// the NHWC kernel and transposed back, block of channels by block of channels
/// (<see cref="ChannelBlockTransposes"/>; see <see cref="UsePlanar"/> for the measurements). Other multipliers
/// bring the input to NHWC with each channel repeated M times (the filter <c>[KH, KW, C, M]</c> then reads as
/// <c>[KH, KW, C*M]</c>) and run the multiplier-1 kernel. NHWC with fewer output channels than a 128-bit vector
/// holds goes through the planar kernel (<see cref="NarrowNhwcThroughPlanes"/>). Scratch buffers come from the shared
/// array pool.
/// </summary>
internal static class FastDepthwiseConvolution
{
    /// <summary>Computes the problem if a vector width of the selected tier fits it; false otherwise.</summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (NarrowNhwcThroughPlanes.Applies<T>(g) && NarrowNhwcThroughPlanes.TryRun(input, filter, output, g, isa)) return true;
        // The planar kernel vectorises along W, so any channel count suits it.
        // (The in-place stride-1 tiles for rows up to 8 wide are 256-bit; wider rows take 512-bit vectors on the
        // AVX-512 tier: DepthwiseNchwKernel.Stride1Sliding.cs, and at stride 2 DepthwiseNchwKernel.Stride2Sliding.cs.)
        bool slides512 = isa >= VectorIsa.Avx512 && Vector512.IsHardwareAccelerated
            && UsePlanar<T>(g, Vector512<T>.Count) && ReadsInPlaceAtStride1<T>(g, Vector512<T>.Count);
        long channels = slides512 ? long.MaxValue
            : !UsePlanar<T>(g, Vector256<T>.Count) ? g.OutputChannels // C * M
            : ReadsInPlaceAtStride1<T>(g, Vector256<T>.Count) ? Vector256<T>.Count : long.MaxValue;
        if (channels != long.MaxValue && !BlockColumnsFit(g, channels)) return false;
        // The kernels run on raw Vector128/256/512 (see RawVector for why not wrapper structs).
        switch (RawVector.WidestVectorBytes<T>(isa, channels))
        {
            case 64: Run<Vector512<T>, T>(input, filter, output, g); return true;
            case 32: Run<Vector256<T>, T>(input, filter, output, g); return true;
            case 16: Run<Vector128<T>, T>(input, filter, output, g); return true;
            default: return false;
        }
    }

    /// <summary>
    /// Blocks past an edge keep a column offset per filter row and block column (DepthwiseNhwcKernel.RowBlocks.cs):
    /// geometries whose blocks span that many columns (huge dilations or strides) are left to the reference, by the
    /// bound that held when such blocks copied their windows (filter rows × block columns × channels) to scratch.
    /// </summary>
    private static bool BlockColumnsFit(in ConvolutionGeometry g, long channels)
    {
        long windowColumns = 7 * g.StrideWidth + (g.FilterWidth - 1) * g.DilationWidth + 1;
        return windowColumns <= 1 << 20 && g.FilterHeight * windowColumns <= (1 << 24) / Math.Max(channels, 1);
    }

    /// <summary>
    /// The NHWC rows kernel (<see cref="DepthwiseNhwcKernel.RunRows{TVector, T, TRepeat}(ref T, ref T, ref T, in ConvolutionGeometry, long, long)"/>) that <see cref="TryRun"/>
    /// would run on an NHWC depthwise problem: the widest vector of the tier that the channels fill, multiplier 1 or
    /// one the kernel repeats in registers. Null where the call would take another path. For callers that run the
    /// kernel on pieces of a problem themselves (the fused separable and 16-bit paths), picked once per call; the
    /// kernel sums each output in the same order whatever rows it is given, so their bits are this call's.
    /// </summary>
    public static unsafe delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> NhwcRowsKernel<T>(in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged
    {
        long channels = g.OutputChannels;
        if (g.Kind != ConvolutionKind.DepthwiseConv2D || g.DataFormat != DataFormat.NHWC || !BlockColumnsFit(g, channels)) return null;
        return RawVector.WidestVectorBytes<T>(isa, channels) switch
        {
            64 => NhwcRowsKernel<Vector512<T>, T>(g.OutputChannelsPerGroup),
            32 => NhwcRowsKernel<Vector256<T>, T>(g.OutputChannelsPerGroup),
            16 => NhwcRowsKernel<Vector128<T>, T>(g.OutputChannelsPerGroup),
            _ => null,
        };
    }

    private static unsafe delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> NhwcRowsKernel<TVector, T>(long multiplier)
        where TVector : unmanaged where T : unmanaged
    {
        if (multiplier == 1) return &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatNone>;
        if (!ChannelRepeat.Supports(multiplier, RawVector.Count<TVector, T>())) return null;
        return multiplier == 2 ? &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatTwo> : &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatFour>;
    }

    /// <summary>Whether an NCHW problem with fewer output channels than a 128-bit vector holds takes the planar kernel.</summary>
    internal static bool TakesPlanar<T>(in ConvolutionGeometry g) where T : unmanaged => UsePlanar<T>(g, Vector128<T>.Count);

    /// <summary>
    /// Whether an NCHW problem runs on the planar kernel rather than on transposes around the NHWC kernel.
    /// Multipliers above 1 always do (56x56x72 M=2 and 28x28x96 M=4: 132 and 101 µs planar against 642 and 417
    /// through the expanding copies). For multiplier 1 the planar kernel loses on small planes (its per-plane
    /// costs: the band copy, rounding rows and columns up to its tiles), so it takes planes of at least
    /// <see cref="PlanarMinimumOutputs"/> outputs, or fewer channels than a vector (the NHWC kernel needs one),
    /// except where it reads the planes in place at stride 1 (<see cref="ReadsInPlaceAtStride1"/>), which beats
    /// the transposes on every plane size it takes (256-bit 3x3, 1 thread, µs, in place / transposes: 7x7x960 27 / 37,
    /// 14x14x384 38 / 48, 14x14x576 57 / 73, 15x15x64 8.6 / 9.5, 5x5x512 10 / 24, more in
    /// DepthwiseNchwKernel.Stride1InPlace.cs; 512-bit 5x5 on 14x14x672: 0.96x the NHWC kernel's time, where the
    /// transposes took 1.9x).
    /// </summary>
    private static bool UsePlanar<T>(in ConvolutionGeometry g, int lanes) =>
        g.DataFormat == DataFormat.NCHW && PlanarFits(g)
        && (g.OutputChannelsPerGroup > 1 || ReadsInPlaceAtStride1<T>(g, lanes) || g.OutputHeight * g.OutputWidth >= PlanarMinimumOutputs(g)
            || g.OutputChannels < lanes);

    /// <summary>
    /// Whether the planar kernel at this vector width reads the input in place at stride 1 (float32; 3x3: rows of
    /// 4 to 16 at 256 bits, rows of 9 or more at 512 bits; 5x5: rows of 9 to 16 at 512 bits).
    /// </summary>
    private static bool ReadsInPlaceAtStride1<T>(in ConvolutionGeometry g, int lanes) =>
        typeof(T) == typeof(float)
        && (lanes == Vector256<float>.Count && DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g)
            || lanes == Vector512<float>.Count && (DepthwiseNchwKernel.TakesStride1Sliding<Vector512<float>, float>(g)
                || DepthwiseNchwKernel.TakesFiveByFiveNarrow<Vector512<float>, float>(g) || DepthwiseNchwKernel.TakesFlatPlanes<Vector512<float>, float>(g)));

    /// <summary>
    /// Output pixels per plane from which the planar kernel beats the transposes, multiplier 1. Measured at one
    /// thread, float, AVX2, on the 2-vCPU machine (thread CPU time, best of 25 interleaved rounds; planar /
    /// transposes µs). 3x3 stride 1 (the seven-row tiles; NHWC kernel with row pairs): 12x12x128 15.0 / 14.0,
    /// 12x12x384 47.4 / 43.0, 12x12x576 71.3-95.8 / 69.3-70.3, 12x12x960 111 / 93.1; 13x13x128 15.1 / 16.7-18.1,
    /// 13x13x384 46.4 / 53.0, 13x13x576 71.1-75.3 / 72.3-75.9, 13x13x960 114 / 122; 14x14x384 47.5 / 56.5,
    /// 14x14x576 70.2 / 83.3, 14x14x960 117 / 151. With fewer channels the transposes stay in L2 and cost
    /// little: 14x14x64 7.7-7.9 / 7.9-8.1, 15x15x64 11.5 / 10.6, 15x15x96 16.0 / 13.5, but 16x16x64 11.2 / 14.4,
    /// 16x16x96 17.8 / 21.8. 3x3 stride 2: 28x28x480 (196 outputs) 155 / 147, 32x32x480 (256) 317 / 336,
    /// 56x56x144 125 / 286. 5x5 stride 1: 20x20x672 570 / 418, 24x24x672 710 / 621, 24x24x240 317 / 285,
    /// 28x28x672 1064 / 979 and 797 / 852, 28x28x240 284 / 291. Since the NHWC kernel runs five- and seven-wide rows
    /// in blocks that read zeros past the edges (DepthwiseNhwcKernel.RowBlocks.cs), those filters at unit column stride
    /// moved to <see cref="RowBlocksPlanarMinimumOutputs"/>; other filters keep 784.
    /// </summary>
    private static long PlanarMinimumOutputs(in ConvolutionGeometry g) =>
        g.FilterWidth is 5 or 7 && g.StrideWidth == 1 && g.DilationWidth == 1 ? RowBlocksPlanarMinimumOutputs
        : !DepthwiseNchwKernel.SlidesThreeByThree(g) ? 784
        : g.StrideHeight == 1 && g.OutputChannels >= 128 ? 169
        : 256;

    /// <summary>
    /// Five- and seven-wide filters at unit column stride, multiplier 1: the planar kernel from about 50x50 outputs per
    /// plane. Side by side (median of per-round ratios planar ÷ transposes, 15-21 alternated rounds, float, AVX2, SAME,
    /// 1 thread): 5x5 14x14x672 1.58, 28x28x240 1.25, 28x28x672 1.15-1.23, 40x40x96 1.24, 48x48x96 1.06, 56x56x72
    /// 0.91-0.94, 64x64x32 0.91; 7x7 14x14x384 1.39, 20x20x192 1.65, 28x28x192 1.05, 40x40x96 1.42, 48x48x96 1.21,
    /// 56x56x96 0.93, 64x64x64 0.91. 2 threads: 5x5 14x14x672 1.50, 40x40x96 1.19, 56x56x72 0.93; 7x7 28x28x192 1.03,
    /// 40x40x96 1.31, 56x56x96 1.22.
    /// </summary>
    private const long RowBlocksPlanarMinimumOutputs = 2500;

    /// <summary>Whether the planar kernel's band scratch stays reasonable (huge dilations are left to the other paths).</summary>
    private static bool PlanarFits(in ConvolutionGeometry g)
    {
        long rowPitch = g.StrideWidth * (g.OutputWidth + 64) + (g.FilterWidth - 1) * g.DilationWidth;
        long rows = 63 * g.StrideHeight + (g.FilterHeight - 1) * g.DilationHeight + 1;
        return g.FilterHeight * g.FilterWidth <= 1 << 16 && rowPitch < 1 << 24 && rows * rowPitch <= 1 << 24;
    }

    /// <summary>
    /// Runs the problem on vector width <typeparamref name="TVector"/> (also where that width is not hardware
    /// accelerated: tests run the 512-bit kernels in software). Outside the planar path, needs C * M lanes at least.
    /// </summary>
    internal static void Run<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        long multiplier = g.OutputChannelsPerGroup;
        int lanes = RawVector.Count<TVector, T>();
        if (UsePlanar<T>(g, lanes))
            RunPlanesInParallel<TVector, T>(input, filter, output, g);
        else if (ChannelBlockTransposes.Supports<T>(g, lanes))
            ChannelBlockTransposes.Run<TVector, T>(input, filter, output, g);
        else if (g.DataFormat == DataFormat.NHWC && multiplier == 1)
            RunRowsInParallel<TVector, T, RepeatNone>(input, filter, output, g);
        else if (g.DataFormat == DataFormat.NHWC && ChannelRepeat.Supports(multiplier, lanes))
        {
            if (multiplier == 2) RunRowsInParallel<TVector, T, RepeatTwo>(input, filter, output, g);
            else RunRowsInParallel<TVector, T, RepeatFour>(input, filter, output, g);
        }
        else
            RunOnCopies<TVector, T>(input, filter, output, g);
    }

    /// <summary>Brings the input to NHWC with each channel repeated M times, runs the multiplier-1 kernel, and transposes the output back for NCHW.</summary>
    private static void RunOnCopies<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        long multiplier = g.OutputChannelsPerGroup;
        bool nchw = g.DataFormat == DataFormat.NCHW;
        var kernelGeometry = g with { InputChannels = g.OutputChannels, DataFormat = DataFormat.NHWC };

        T[]? inputScratch = null, outputScratch = null;
        try
        {
            ReadOnlySpan<T> nhwcInput = input;
            if (nchw || multiplier != 1)
            {
                inputScratch = ArrayPool<T>.Shared.Rent(checked((int)(g.Batch * g.InputHeight * g.InputWidth * g.OutputChannels)));
                LayoutConversion.ToInterleavedRepeated(ref MemoryMarshal.GetReference(input), ref inputScratch[0], (nint)g.Batch,
                    (nint)(g.InputHeight * g.InputWidth), (nint)g.InputChannels, (nint)multiplier, nchw);
                nhwcInput = inputScratch;
            }
            Span<T> nhwcOutput = output;
            if (nchw)
            {
                outputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.OutputElementCount));
                nhwcOutput = outputScratch.AsSpan(0, (int)g.OutputElementCount);
            }

            RunRowsInParallel<TVector, T, RepeatNone>(nhwcInput, filter, nhwcOutput, kernelGeometry);

            if (nchw)
            {
                LayoutConversion.ToPlanar(ref MemoryMarshal.GetReference(nhwcOutput), ref MemoryMarshal.GetReference(output), (nint)g.Batch,
                    (nint)(g.OutputHeight * g.OutputWidth), (nint)g.OutputChannels);
            }
        }
        finally
        {
            if (inputScratch is not null) ArrayPool<T>.Shared.Return(inputScratch);
            if (outputScratch is not null) ArrayPool<T>.Shared.Return(outputScratch);
        }
    }

    /// <summary>Below this many multiply-adds a call stays on the caller's thread: waking a worker costs more.</summary>
    private const long ParallelThresholdMacs = 1L << 18;

    /// <summary>The least work (multiply-adds, ~1-2 µs) a chunk of items holds where the pool's default four per thread would cut finer.</summary>
    private const long MinimumChunkMacs = 1L << 17;

    /// <summary>
    /// Chunks per thread, of NHWC row pairs and of NCHW planes alike: the pool's default four, fewer on small problems,
    /// where each chunk's own setup (a plan, a kernel call for one row pair) and its hand-off between the cores showed:
    /// 14x14x576 at 2 threads ran its 7 row pairs as 7 chunks. Measured alternated in one process, 2 threads, NHWC:
    /// 14x14x576 0.79x the time, 14x14x384 0.79x, 30x30x64 0.81x, 7x7x960 0.91x, 28x28x144 0.98x. The planar kernel
    /// kept four while a job ended on every worker's report (14x14x384 1.08x, 14x14x576 1.05x with fewer); since jobs
    /// end on their last chunk, fewer help it too (C harness, 31 alternated rounds, NCHW 2 threads, one chunk a thread
    /// against four: 7x7x960 0.90x, 30x30x64 0.94x, 14x14x384 0.97x, 14x14x576 0.97x, 28x28x192 0.95x, 56x56x144
    /// 0.97x, 112x112x32 1.01x; two against four 0.97-1.00x).
    /// </summary>
    private static int ChunksPerThread(long macs, int threads) => (int)Math.Clamp(macs / MinimumChunkMacs / Math.Max(threads, 1), 1, 4);

    /// <summary>Bytes between the input and the output under which they count as neighbours (see <see cref="Adjacent{T}"/>).</summary>
    private const long NeighbourBytes = 64 * 1024;

    /// <summary>
    /// Whether the output starts or ends within <see cref="NeighbourBytes"/> of the input's other end, as two buffers
    /// allocated one after the other often do. Split by rows, the thread that reads the input's last rows then works
    /// next to the one that writes the output's first rows (or the other way round), and lines move between their
    /// cores (most likely fetched ahead by the hardware prefetchers: the effect is gone with a 64 KiB gap): 2 threads,
    /// NHWC 28x28x192, C harness, 21 alternated rounds, the output right after the input 1.22-1.27x the time of an output
    /// 8 MiB away, right before it 1.28-1.30x. Such calls run their rows rotated (WorkerPool.For's rotation) so that both
    /// ends of the tensors are one thread's: then 1.02x and 1.05x. Not for every call: two boundaries between the
    /// threads' rows instead of one cost 1.05x where the buffers lie apart. (NCHW: no such effect measured on
    /// 28x28x192, 56x56x144, 14x14x576, 112x112x32; NHWC 7x7x960 adjacent took 1.15x with or without the rotation.)
    /// </summary>
    internal static unsafe bool Adjacent<T>(T* input, int inputLength, T* output, int outputLength) where T : unmanaged
    {
        long inputStart = (long)input, inputEnd = inputStart + (long)inputLength * sizeof(T);
        long outputStart = (long)output, outputEnd = outputStart + (long)outputLength * sizeof(T);
        return Math.Abs(outputStart - inputEnd) < NeighbourBytes || Math.Abs(inputStart - outputEnd) < NeighbourBytes;
    }

    private unsafe struct RowJob<T> where T : unmanaged
    {
        public T* Input;
        public T* Filter;
        /// <summary>Multiplier 2's de-interleaved weights, or null (see <see cref="DepthwiseNhwcKernel.PrepareSplitWeights{TVector, T, TRepeat}"/>).</summary>
        public T* SplitWeights;
        public T* Output;
        public ConvolutionGeometry Geometry;
    }

    private static unsafe void RunRowsInParallel<TVector, T, TRepeat>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        long items = DepthwiseNhwcKernel.WorkItems<TVector, T, TRepeat>(g);
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        // Multiplier 2's de-interleaved weights, prepared once here rather than by every range of rows.
        int splitElements = DepthwiseNhwcKernel.SplitWeightElements<TVector, T, TRepeat>(g);
        T[]? split = splitElements > 0 ? ArrayPool<T>.Shared.Rent(splitElements) : null;
        try
        {
            if (split is not null) DepthwiseNhwcKernel.PrepareSplitWeights<TVector, T, TRepeat>(filter, g, split);
            fixed (T* inputPointer = input)
            fixed (T* filterPointer = filter)
            fixed (T* splitPointer = split)
            fixed (T* outputPointer = output)
            {
                var job = new RowJob<T> { Input = inputPointer, Filter = filterPointer, SplitWeights = splitPointer, Output = outputPointer, Geometry = g };
                long rotation = threads > 1 && Adjacent(inputPointer, input.Length, outputPointer, output.Length) ? items / (2 * threads) : 0;
                WorkerPool.Shared.For(items, threads, &RunItems<TVector, T, TRepeat>, &job, ChunksPerThread(macs, threads), rotation);
            }
        }
        finally
        {
            if (split is not null) ArrayPool<T>.Shared.Return(split);
        }
    }

    private static unsafe void RunItems<TVector, T, TRepeat>(void* context, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        ref RowJob<T> job = ref Unsafe.AsRef<RowJob<T>>(context);
        DepthwiseNhwcKernel.RunItems<TVector, T, TRepeat>(ref *job.Input, ref *job.Filter, ref *job.Output, job.Geometry, firstItem, endItem, job.SplitWeights);
    }

    /// <summary>The planar kernel over its work items (input plane × band of output rows).</summary>
    private static unsafe void RunPlanesInParallel<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged
    {
        long items = DepthwiseNchwKernel.WorkItems(g, RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>());
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        fixed (T* inputPointer = input)
        fixed (T* filterPointer = filter)
        fixed (T* outputPointer = output)
        {
            var job = new RowJob<T> { Input = inputPointer, Filter = filterPointer, Output = outputPointer, Geometry = g };
            WorkerPool.Shared.For(items, threads, &RunPlanarItems<TVector, T>, &job, ChunksPerThread(macs, threads));
        }
    }

    private static unsafe void RunPlanarItems<TVector, T>(void* context, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        ref RowJob<T> job = ref Unsafe.AsRef<RowJob<T>>(context);
        DepthwiseNchwKernel.RunItems<TVector, T>(ref *job.Input, ref *job.Filter, ref *job.Output, job.Geometry, firstItem, endItem);
    }
}
