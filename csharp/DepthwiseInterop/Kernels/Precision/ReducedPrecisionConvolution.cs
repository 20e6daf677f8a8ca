using System.Buffers;
using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// Runs a float16 or bfloat16 problem on the float32 kernels: values are widened exactly, accumulated in
/// float32, and rounded once to the 16-bit format on store. The filter is widened once per call. The work is
/// cut into pieces that are problems of their own and the work items of the thread pool, so that each thread
/// widens the inputs it computes on and narrows what it produced while they are in its cache (converting whole
/// tensors on the pool and then running the kernel on the pool moved every cache line between cores): NHWC
/// problems, depthwise and conv2d, in bands of output rows (<see cref="NhwcRowBands"/>), NCHW depthwise in
/// blocks of channels (<see cref="NchwChannelBlocks"/>). An NCHW conv2d, whose float32 path transposes whole
/// tensors anyway, widens whole tensors in parallel chunks and runs once. bfloat16 NHWC depthwise 3x3 at stride 1 or 2
/// and 5x5 at stride 1 (multiplier 1, 16 channels or more), and NCHW depthwise 3x3 at stride 1 (rows of 16 or more), on
/// the AVX2 and AVX-512 tiers skip the float32 buffers: their kernels read and write bfloat16 directly
/// (<see cref="BFloat16DepthwisePairs"/>, <see cref="BFloat16DepthwiseStride2"/>, <see cref="BFloat16DepthwiseFiveWide"/>,
/// <see cref="BFloat16DepthwisePlanar"/>), and so does an NHWC pointwise conv2d of enough pixels
/// (<see cref="BFloat16Pointwise"/>). Every output element gets the same bits whatever the path, the pieces and the
/// thread count.
/// </summary>
/// <remarks>
/// Measured and not kept: NHWC 3x3 stride-1 depthwise through an L1 pipeline, a band's rows widened one channel chunk
/// at a time (16 or 32 channels) into a ring of four zero-padded float32 rows, a row pair computed from L1 with no edge
/// code, its outputs narrowed from an L1 buffer. Same bits; against float32's time, 1 thread, 21 alternated rounds:
/// bfloat16 1.47-1.90x, float16 2.1-2.4x, where these bands measured 1.53-1.86x and 1.9-2.4x in the same rounds.
/// The compute alone, from L1, took 0.60-0.95x float32's time (14x14x576 0.82-1.09x), but the widening alone 0.28-0.49x
/// and the narrowing 0.45-0.84x: with the conversions in separate phases, what the format costs is their sum whatever the
/// blocking. bfloat16's kernels above convert in registers instead, as they load and store.
/// </remarks>
internal static unsafe class ReducedPrecisionConvolution
{
    /// <summary>
    /// Input elements a band or block aims at: 256 KiB of float32, inside the 512 KiB L2 cache. Against 128 KiB (with
    /// <see cref="NhwcRowBands.DefaultRowsPerNarrow"/> 4 against 2; median of 31 alternated rounds, both formats), NHWC
    /// depthwise 1 thread: 56x56x144 1.06-1.07, 112x112x32 1.05-1.08, 56x56x144 stride 2 1.04-1.07, 14x14x576 0.97-0.99,
    /// 5x5 14x14x672 1.00-1.02; 2 threads: 0.98-1.09 (14x14 and 5x5 1.06-1.09); NCHW blocks 0.96-1.02.
    /// </summary>
    internal const long DefaultBandInputElements = 1 << 16;
    /// <summary>An NHWC conv2d runs in two bands per thread (see <see cref="NhwcRowBands.Run"/>).</summary>
    internal const long DefaultConv2DBandsPerThread = 2;
    private const long ConversionChunk = 1 << 16;

    /// <summary>
    /// Runs a validated problem with a non-empty input; <paramref name="bandInputElements"/> sizes the bands and blocks,
    /// <paramref name="conv2DBandsPerThread"/> (0: by size alone) a conv2d's bands, and <paramref name="rowsPerNarrow"/> how many
    /// output rows an NHWC depthwise band computes before narrowing them (tests vary all three).
    /// </summary>
    public static void Run<TFormat>(ReadOnlySpan<ushort> input, ReadOnlySpan<ushort> filter, Span<ushort> output, in ConvolutionGeometry g, VectorIsa isa,
        long bandInputElements = DefaultBandInputElements, long conv2DBandsPerThread = DefaultConv2DBandsPerThread,
        long rowsPerNarrow = NhwcRowBands.DefaultRowsPerNarrow) where TFormat : IReducedPrecisionFormat
    {
        if (typeof(TFormat) == typeof(BFloat16Format) && TryBFloat16Kernel(input, filter, output, g, isa)) return;
        float[] filterSingle = ArrayPool<float>.Shared.Rent(filter.Length);
        try
        {
            TFormat.ToSingle(filter, filterSingle);
            fixed (ushort* inputPointer = input)
            fixed (float* filterPointer = filterSingle)
            fixed (ushort* outputPointer = output)
            {
                var job = new ReducedPrecisionJob { Input = inputPointer, Filter = filterPointer, Output = outputPointer, Geometry = g, Isa = isa,
                    BandInputElements = bandInputElements, Conv2DBandsPerThread = conv2DBandsPerThread, RowsPerNarrow = rowsPerNarrow };
                if (g.DataFormat == DataFormat.NHWC) NhwcRowBands.Run<TFormat>(ref job);
                else if (g.Kind == ConvolutionKind.DepthwiseConv2D) NchwChannelBlocks.Run<TFormat>(ref job);
                else RunWhole<TFormat>(ref job);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(filterSingle);
        }
    }

    /// <summary>Runs a bfloat16 problem on a kernel that reads and writes bfloat16 directly (its filter too), if one takes it.</summary>
    private static bool TryBFloat16Kernel(ReadOnlySpan<ushort> input, ReadOnlySpan<ushort> filter, Span<ushort> output, in ConvolutionGeometry g, VectorIsa isa)
    {
        fixed (ushort* inputPointer = input)
        fixed (ushort* filterPointer = filter)
        fixed (ushort* outputPointer = output)
        {
            if (BFloat16DepthwisePairs.Supports(g, isa)) BFloat16DepthwisePairs.Run(inputPointer, filterPointer, outputPointer, g, isa);
            else if (BFloat16DepthwiseStride2.Supports(g, isa)) BFloat16DepthwiseStride2.Run(inputPointer, filterPointer, outputPointer, g, isa);
            else if (BFloat16DepthwiseFiveWide.Supports(g, isa)) BFloat16DepthwiseFiveWide.Run(inputPointer, filterPointer, outputPointer, g, isa);
            else if (BFloat16DepthwiseSliding.Supports(g, isa)) BFloat16DepthwiseSliding.Run(inputPointer, filterPointer, outputPointer, g);
            else if (BFloat16DepthwisePlanar.Supports(g, isa)) BFloat16DepthwisePlanar.Run(inputPointer, filterPointer, outputPointer, g);
            else if (BFloat16Pointwise.Supports(g, isa)) BFloat16Pointwise.Run(inputPointer, filterPointer, outputPointer, g, isa);
            else return false;
        }
        return true;
    }

    private static void RunWhole<TFormat>(ref ReducedPrecisionJob job) where TFormat : IReducedPrecisionFormat
    {
        ref readonly var g = ref job.Geometry;
        float[] inputSingle = ArrayPool<float>.Shared.Rent(checked((int)g.InputElementCount));
        float[] outputSingle = ArrayPool<float>.Shared.Rent(checked((int)g.OutputElementCount));
        try
        {
            fixed (float* inputPointer = inputSingle)
            fixed (float* outputPointer = outputSingle)
            {
                ConvertInParallel<TFormat>(job.Input, inputPointer, g.InputElementCount, widen: true);
                ConvolutionDispatcher.Run(new ReadOnlySpan<float>(inputPointer, (int)g.InputElementCount),
                    new ReadOnlySpan<float>(job.Filter, (int)g.FilterElementCount),
                    new Span<float>(outputPointer, (int)g.OutputElementCount), g, job.Isa);
                ConvertInParallel<TFormat>(job.Output, outputPointer, g.OutputElementCount, widen: false);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputSingle);
            ArrayPool<float>.Shared.Return(outputSingle);
        }
    }

    private struct ConversionJob
    {
        public ushort* Packed;
        public float* Single;
        public long Count;
    }

    private static void ConvertInParallel<TFormat>(ushort* packed, float* single, long count, bool widen) where TFormat : IReducedPrecisionFormat
    {
        var job = new ConversionJob { Packed = packed, Single = single, Count = count };
        long chunks = (count + ConversionChunk - 1) / ConversionChunk;
        int threads = count < 4 * ConversionChunk ? 1 : WorkerPool.ThreadCount;
        if (widen) WorkerPool.Shared.For(chunks, threads, &WidenChunks<TFormat>, &job);
        else WorkerPool.Shared.For(chunks, threads, &NarrowChunks<TFormat>, &job);
    }

    private static void WidenChunks<TFormat>(void* context, long first, long end) where TFormat : IReducedPrecisionFormat
    {
        ref ConversionJob job = ref Unsafe.AsRef<ConversionJob>(context);
        var (start, length) = ChunkRange(job.Count, first, end);
        TFormat.ToSingle(new ReadOnlySpan<ushort>(job.Packed + start, length), new Span<float>(job.Single + start, length));
    }

    private static void NarrowChunks<TFormat>(void* context, long first, long end) where TFormat : IReducedPrecisionFormat
    {
        ref ConversionJob job = ref Unsafe.AsRef<ConversionJob>(context);
        var (start, length) = ChunkRange(job.Count, first, end);
        TFormat.FromSingle(new ReadOnlySpan<float>(job.Single + start, length), new Span<ushort>(job.Packed + start, length));
    }

    private static (long Start, int Length) ChunkRange(long count, long firstChunk, long endChunk)
    {
        long start = firstChunk * ConversionChunk;
        return (start, (int)(Math.Min(endChunk * ConversionChunk, count) - start));
    }
}
