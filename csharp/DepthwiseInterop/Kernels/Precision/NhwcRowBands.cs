using System.Buffers;
using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Threading;
using DepthwiseInterop.Kernels.Depthwise;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// An NHWC problem (depthwise or conv2d) in 16 bits, band by band: a band is some output rows of one image (sized so that the input
/// rows it reads hold about <see cref="ReducedPrecisionJob.BandInputElements"/> elements, so they stay in the
/// L2 cache; for the depthwise rows kernel an even count at unit row stride, where it pairs 3x3 rows; a conv2d's bands are larger, see
/// <see cref="Run"/>), the work item of the thread pool. A band takes its widened input rows from the thread's
/// <see cref="InputRowWindow"/> (consecutive bands of a chunk share their halo rows, widened once). A depthwise band whose
/// float32 call would run the NHWC rows kernel calls that kernel directly (<see cref="FastDepthwiseConvolution.NhwcRowsKernel{T}"/>, picked once per
/// call) on the band as a problem of its own (<see cref="BandGeometry"/>), <see cref="ReducedPrecisionJob.RowsPerNarrow"/>
/// output rows at a time, each group narrowed as soon as it is written, while it is still in L1; any other band runs the
/// float32 dispatcher and narrows its output rows after it.
/// </summary>
internal static unsafe class NhwcRowBands
{
    /// <summary>Below these many multiply-adds a call stays on the caller's thread (as the float32 kernels do).</summary>
    internal const long DepthwiseParallelThresholdMacs = 1L << 18, Conv2DParallelThresholdMacs = 1L << 20;
    /// <summary>The window holds this many bands' input rows: the shared rows move to the front once every few bands.</summary>
    private const long WindowBands = 4;
    /// <summary>Two row pairs of the depthwise kernel (DepthwiseNhwcKernel.RowPairs.cs) per narrowing (see <see cref="ReducedPrecisionConvolution.DefaultBandInputElements"/>).</summary>
    internal const long DefaultRowsPerNarrow = 4;

    public static void Run<TFormat>(ref ReducedPrecisionJob job) where TFormat : IReducedPrecisionFormat
    {
        ref readonly var g = ref job.Geometry;
        long inputRowElements = Math.Max(1, g.InputWidth * g.InputChannels);
        long inputRowsPerOutputRow = Math.Max(1, g.StrideHeight);
        bool conv2D = g.Kind == ConvolutionKind.Conv2D;
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth * (conv2D ? g.ChannelsPerGroup : 1);
        int threads = macs < (conv2D ? Conv2DParallelThresholdMacs : DepthwiseParallelThresholdMacs) ? 1 : WorkerPool.ThreadCount;
        long bandSize = job.BandInputElements / (inputRowElements * inputRowsPerOutputRow);
        job.DepthwiseRows = FastDepthwiseConvolution.NhwcRowsKernel<float>(g, job.Isa);
        // An odd band at unit stride would leave its last row unpaired (a single row costs more than half a pair).
        if (job.DepthwiseRows != null && g.StrideHeight == 1 && bandSize > 1) bandSize &= ~1L;
        // A conv2d call builds its tap offsets and packs its filter, and does far more arithmetic per element
        // than the conversions: its bands are only as many as the threads need, two each to even out
        // (pointwise 56x56x144->24 at one thread: 1.42x float32's time in 32K-element bands, 1.33x so).
        if (conv2D && job.Conv2DBandsPerThread > 0) bandSize = Conv2DBandRows(g, bandSize, job.Conv2DBandsPerThread, threads);
        job.BandSize = Math.Clamp(bandSize, 1, g.OutputHeight);
        job.BandsPerImage = (g.OutputHeight + job.BandSize - 1) / job.BandSize;
        WorkerPool.Shared.For(g.Batch * job.BandsPerImage, threads, &RunBands<TFormat>, Unsafe.AsPointer(ref job));
    }

    /// <summary>
    /// Output rows of a conv2d's bands: at least <paramref name="sizeRows"/>, and at least as many as make
    /// <paramref name="perThread"/> bands per thread; then as many bands as fill whole rounds of the threads, so
    /// that none waits for another's extra band (56 rows in bands of 18, 18, 18 and 2 kept one of two threads busy
    /// for 36 rows to the other's 20: 3x3 56x56x64->64 in float16 took 1.2x float32's time).
    /// </summary>
    internal static long Conv2DBandRows(in ConvolutionGeometry g, long sizeRows, long perThread, int threads)
    {
        long rows = Math.Max(sizeRows, (g.Batch * g.OutputHeight + perThread * threads - 1) / (perThread * threads));
        long round = threads / GreatestCommonDivisor(g.Batch, threads);
        long bandsPerImage = ((g.OutputHeight + rows - 1) / rows + round - 1) / round * round;
        return Math.Max(1, (g.OutputHeight + bandsPerImage - 1) / bandsPerImage);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBands<TFormat>(void* context, long firstBand, long endBand) where TFormat : IReducedPrecisionFormat
    {
        ref ReducedPrecisionJob job = ref Unsafe.AsRef<ReducedPrecisionJob>(context);
        ref readonly var g = ref job.Geometry;
        long inputRowElements = g.InputWidth * g.InputChannels;
        long outputRowElements = g.OutputWidth * g.OutputChannels;
        // The largest band reads BandSize output rows' worth of input rows, at most the whole image.
        long maxInputRows = Math.Max(1, Math.Min(g.InputHeight, (job.BandSize - 1) * g.StrideHeight + (g.FilterHeight - 1) * g.DilationHeight + 1));
        long windowRows = Math.Max(maxInputRows, Math.Min(g.InputHeight, WindowBands * maxInputRows));
        float[] windowBuffer = ArrayPool<float>.Shared.Rent(checked((int)(windowRows * inputRowElements)));
        float[] outputBand = ArrayPool<float>.Shared.Rent(checked((int)(job.BandSize * outputRowElements)));
        try
        {
            // Pinned for the rows kernel, whose channel-repeating loads take pointers.
            fixed (float* windowPointer = windowBuffer)
            {
                var window = new InputRowWindow(windowBuffer, inputRowElements, windowRows);
                for (long item = firstBand; item < endBand; item++)
                {
                    long image = item / job.BandsPerImage;
                    long firstRow = item % job.BandsPerImage * job.BandSize;
                    long rows = Math.Min(job.BandSize, g.OutputHeight - firstRow);
                    var band = BandGeometry.ForOutputRows(g, firstRow, rows, out long firstInputRow, out long inputRows);

                    var bandInput = inputRows == 0
                        ? window.ZeroRow()
                        : window.Rows<TFormat>(job.Input + image * g.InputHeight * inputRowElements, image, firstInputRow, inputRows);
                    var bandOutput = outputBand.AsSpan(0, (int)band.OutputElementCount);
                    ushort* imageOutput = job.Output + image * g.OutputHeight * outputRowElements;
                    var output = new Span<ushort>(imageOutput + firstRow * outputRowElements, (int)band.OutputElementCount);
                    if (job.DepthwiseRows != null)
                    {
                        RunRowsAndNarrow<TFormat>(ref job, bandInput, bandOutput, output, band);
                        continue;
                    }
                    ConvolutionDispatcher.Run<float>(bandInput, new ReadOnlySpan<float>(job.Filter, (int)g.FilterElementCount), bandOutput, band, job.Isa);
                    TFormat.FromSingle(bandOutput, output);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(windowBuffer);
            ArrayPool<float>.Shared.Return(outputBand);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRowsAndNarrow<TFormat>(ref ReducedPrecisionJob job, Span<float> bandInput, Span<float> bandOutput, Span<ushort> output,
        in ConvolutionGeometry band) where TFormat : IReducedPrecisionFormat
    {
        int rowElements = (int)(band.OutputWidth * band.OutputChannels);
        for (long row = 0; row < band.OutputHeight; row += job.RowsPerNarrow)
        {
            long endRow = Math.Min(band.OutputHeight, row + job.RowsPerNarrow);
            job.DepthwiseRows(ref bandInput[0], ref *job.Filter, ref bandOutput[0], band, row, endRow);
            int start = (int)row * rowElements, length = (int)(endRow - row) * rowElements;
            TFormat.FromSingle(bandOutput.Slice(start, length), output.Slice(start, length));
        }
    }
}
