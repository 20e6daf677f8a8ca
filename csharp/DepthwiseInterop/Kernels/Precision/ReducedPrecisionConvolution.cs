using System.Buffers;
using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// Runs a float16 or bfloat16 problem on the float32 kernels: values are widened exactly, accumulated in
/// float32, and rounded once to the 16-bit format on store. The filter is widened once per call. NHWC
/// depthwise problems (a few multiply-adds per element, so conversion traffic matters) run in bands of output
/// rows: each band widens just the input rows it reads into a small float32 buffer that stays in cache, runs
/// the float32 kernel on that band alone, and narrows its output rows; bands are the work items of the thread
/// pool. A conv2d does hundreds of multiply-adds per element and packs its filter per call, and the NCHW
/// depthwise kernel works plane by plane (a band of rows would cost it a band copy per plane: float16 took 3.7x
/// float32's time on dw3x3 56x56x144 in bands, 2.4x whole), so those widen whole tensors instead, in parallel chunks, and run once.
/// Either way every output element gets the same bits for every thread count.
/// </summary>
internal static unsafe class ReducedPrecisionConvolution
{
    /// <summary>Input elements a band aims at: 128 KiB of float32, well inside the L2 cache.</summary>
    internal const long DefaultBandInputElements = 1 << 15;
    /// <summary>Below this many multiply-adds a call stays on the caller's thread (as the float32 kernels do).</summary>
    private const long ParallelThresholdMacs = 1L << 18;
    private const long ConversionChunk = 1 << 16;

    /// <summary>Runs a validated problem with a non-empty input; <paramref name="bandInputElements"/> sizes the depthwise bands (tests make them tiny).</summary>
    public static void Run<TFormat>(ReadOnlySpan<ushort> input, ReadOnlySpan<ushort> filter, Span<ushort> output, in ConvolutionGeometry g, VectorIsa isa,
        long bandInputElements = DefaultBandInputElements) where TFormat : IReducedPrecisionFormat
    {
        float[] filterSingle = ArrayPool<float>.Shared.Rent(filter.Length);
        try
        {
            TFormat.ToSingle(filter, filterSingle);
            fixed (ushort* inputPointer = input)
            fixed (float* filterPointer = filterSingle)
            fixed (ushort* outputPointer = output)
            {
                var job = new Job { Input = inputPointer, Filter = filterPointer, Output = outputPointer, Geometry = g, Isa = isa, BandInputElements = bandInputElements };
                if (g.Kind == ConvolutionKind.DepthwiseConv2D && g.DataFormat == DataFormat.NHWC) RunInRowBands<TFormat>(ref job);
                else RunWhole<TFormat>(ref job);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(filterSingle);
        }
    }

    private struct Job
    {
        public ushort* Input;
        public float* Filter;
        public ushort* Output;
        public ConvolutionGeometry Geometry;
        public VectorIsa Isa;
        public long BandInputElements;
        public long RowsPerBand;
        public long BandsPerImage;
    }

    private static void RunWhole<TFormat>(ref Job job) where TFormat : IReducedPrecisionFormat
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

    private static void RunInRowBands<TFormat>(ref Job job) where TFormat : IReducedPrecisionFormat
    {
        ref readonly var g = ref job.Geometry;
        long inputRowElements = Math.Max(1, g.InputWidth * g.InputChannels);
        long inputRowsPerOutputRow = Math.Max(1, g.StrideHeight);
        job.RowsPerBand = Math.Clamp(job.BandInputElements / (inputRowElements * inputRowsPerOutputRow), 1, g.OutputHeight);
        job.BandsPerImage = (g.OutputHeight + job.RowsPerBand - 1) / job.RowsPerBand;
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        WorkerPool.Shared.For(g.Batch * job.BandsPerImage, threads, &RunBands<TFormat>, Unsafe.AsPointer(ref job));
    }

    private static void RunBands<TFormat>(void* context, long firstBand, long endBand) where TFormat : IReducedPrecisionFormat
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        ref readonly var g = ref job.Geometry;
        // The largest band reads RowsPerBand output rows' worth of input rows, at most the whole image.
        long maxInputRows = Math.Max(1, Math.Min(g.InputHeight, (job.RowsPerBand - 1) * g.StrideHeight + (g.FilterHeight - 1) * g.DilationHeight + 1));
        float[] inputBand = ArrayPool<float>.Shared.Rent(checked((int)(maxInputRows * g.InputWidth * g.InputChannels)));
        float[] outputBand = ArrayPool<float>.Shared.Rent(checked((int)(job.RowsPerBand * g.OutputWidth * g.OutputChannels)));
        try
        {
            for (long item = firstBand; item < endBand; item++)
            {
                long image = item / job.BandsPerImage;
                long firstRow = item % job.BandsPerImage * job.RowsPerBand;
                long rows = Math.Min(job.RowsPerBand, g.OutputHeight - firstRow);
                var band = BandGeometry.ForOutputRows(g, firstRow, rows, out long firstInputRow, out long inputRows);

                long inputRowElements = g.InputWidth * g.InputChannels;
                ushort* imageInput = job.Input + image * g.InputHeight * inputRowElements;
                if (inputRows == 0)
                    inputBand.AsSpan(0, (int)band.InputElementCount).Clear();
                else
                    Widen<TFormat>(imageInput + firstInputRow * inputRowElements, inputBand, 0, inputRows * inputRowElements);

                var outputSpan = outputBand.AsSpan(0, (int)band.OutputElementCount);
                ConvolutionDispatcher.Run(inputBand.AsSpan(0, (int)band.InputElementCount),
                    new ReadOnlySpan<float>(job.Filter, (int)g.FilterElementCount), outputSpan, band, job.Isa);

                long outputRowElements = g.OutputWidth * g.OutputChannels;
                ushort* imageOutput = job.Output + image * g.OutputHeight * outputRowElements;
                Narrow<TFormat>(outputBand, 0, imageOutput + firstRow * outputRowElements, rows * outputRowElements);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputBand);
            ArrayPool<float>.Shared.Return(outputBand);
        }
    }

    private static void Widen<TFormat>(ushort* source, float[] destination, long offset, long count) where TFormat : IReducedPrecisionFormat =>
        TFormat.ToSingle(new ReadOnlySpan<ushort>(source, (int)count), destination.AsSpan((int)offset, (int)count));

    private static void Narrow<TFormat>(float[] source, long offset, ushort* destination, long count) where TFormat : IReducedPrecisionFormat =>
        TFormat.FromSingle(source.AsSpan((int)offset, (int)count), new Span<ushort>(destination, (int)count));

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
