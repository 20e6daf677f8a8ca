using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Separable;

/// <summary>
/// separable_conv2d without the whole intermediate tensor: NHWC output rows are computed in bands, each
/// band's depthwise rows written to a small buffer that stays in cache and consumed at once by the pointwise
/// stage, so the intermediate never travels through memory. Bands are the thread pool's work items; each
/// band runs both stages on its own thread with the same kernels as the unfused path, so the result has the
/// same bits as the two ops. Small problems, whose intermediate fits in cache anyway, and NCHW (a band of
/// rows is not contiguous there) take the unfused path. Float and double problems whose stages run on the NHWC
/// SIMD kernels go to <see cref="KernelBandFusion"/> first, which calls those kernels without this path's
/// per-band dispatch; this one keeps float16, bfloat16 and the problems that one declines.
/// </summary>
internal static unsafe class FusedSeparableConvolution
{
    // Measured on MobileNetV2 blocks (Zen 3, 512 KiB L2, 1 thread, a noisy shared machine): bands of 8K
    // intermediate elements lose up to 3x (the pointwise GEMM gets too few pixels per call), 32K-64K win
    // 5-15% where the intermediate is 150K-450K elements and lose 5-10% at 113K and below, where the
    // unfused intermediate stays in cache anyway.

    /// <summary>Intermediate elements a band aims at: 128 KiB of float32, in L2 together with the band's input rows.</summary>
    internal const long BandIntermediateElements = 1 << 15;
    /// <summary>Below this many intermediate elements (512 KiB of float32) the unfused path is as fast.</summary>
    internal const long FusionThresholdElements = 1 << 17;
    private const long ParallelThresholdMacs = 1L << 18;

    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<T> pointwiseFilter, Span<T> output,
        in SeparableConvolutionGeometry g, Simd.VectorIsa isa, long bandIntermediateElements = BandIntermediateElements,
        long fusionThreshold = FusionThresholdElements) where T : unmanaged
    {
        var d = g.Depthwise;
        if (d.DataFormat != DataFormat.NHWC || d.InputElementCount == 0 || g.IntermediateElementCount < fusionThreshold) return false;
        long rowElements = d.OutputWidth * d.OutputChannels;
        long rowsPerBand = Math.Clamp(bandIntermediateElements / Math.Max(rowElements, 1), 1, d.OutputHeight);
        fixed (T* inputPointer = input)
        fixed (T* depthwisePointer = depthwiseFilter)
        fixed (T* pointwisePointer = pointwiseFilter)
        fixed (T* outputPointer = output)
        {
            var job = new Job
            {
                Input = inputPointer, DepthwiseFilter = depthwisePointer, PointwiseFilter = pointwisePointer, Output = outputPointer,
                Geometry = g, Isa = isa, RowsPerBand = rowsPerBand, BandsPerImage = (d.OutputHeight + rowsPerBand - 1) / rowsPerBand,
            };
            long macs = d.OutputElementCount * (d.FilterHeight * d.FilterWidth + g.Pointwise.OutputChannels);
            int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
            WorkerPool.Shared.For(d.Batch * job.BandsPerImage, threads, &RunBands<T>, &job);
        }
        return true;
    }

    private struct Job
    {
        public void* Input;
        public void* DepthwiseFilter;
        public void* PointwiseFilter;
        public void* Output;
        public SeparableConvolutionGeometry Geometry;
        public Simd.VectorIsa Isa;
        public long RowsPerBand;
        public long BandsPerImage;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBands<T>(void* context, long firstBand, long endBand) where T : unmanaged
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        var d = job.Geometry.Depthwise;
        var p = job.Geometry.Pointwise;
        long rowElements = d.OutputWidth * d.OutputChannels;
        long inputRowElements = d.InputWidth * d.InputChannels;
        T[] intermediate = ArrayPool<T>.Shared.Rent(checked((int)(job.RowsPerBand * rowElements)));
        T[]? zeroRow = null;
        try
        {
            var depthwiseFilter = new ReadOnlySpan<T>(job.DepthwiseFilter, (int)d.FilterElementCount);
            var pointwiseFilter = new ReadOnlySpan<T>(job.PointwiseFilter, (int)p.FilterElementCount);
            for (long item = firstBand; item < endBand; item++)
            {
                long image = item / job.BandsPerImage;
                long firstRow = item % job.BandsPerImage * job.RowsPerBand;
                long rows = Math.Min(job.RowsPerBand, d.OutputHeight - firstRow);
                var band = BandGeometry.ForOutputRows(d, firstRow, rows, out long firstInputRow, out long inputRows);
                ReadOnlySpan<T> bandInput;
                if (inputRows == 0)
                {
                    // A band in the padding only: one row of zeros stands for it (see BandGeometry).
                    zeroRow ??= ArrayPool<T>.Shared.Rent(checked((int)inputRowElements));
                    zeroRow.AsSpan(0, (int)inputRowElements).Clear();
                    bandInput = zeroRow.AsSpan(0, (int)inputRowElements);
                }
                else
                {
                    T* imageInput = (T*)job.Input + image * d.InputHeight * inputRowElements;
                    bandInput = new ReadOnlySpan<T>(imageInput + firstInputRow * inputRowElements, (int)(inputRows * inputRowElements));
                }
                var bandIntermediate = intermediate.AsSpan(0, (int)(rows * rowElements));
                ConvolutionDispatcher.Run(bandInput, depthwiseFilter, bandIntermediate, band, job.Isa);

                var pointwiseBand = p with
                {
                    Batch = 1, InputHeight = rows, OutputHeight = rows,
                    InputElementCount = rows * rowElements, OutputElementCount = rows * p.OutputWidth * p.OutputChannels,
                };
                T* imageOutput = (T*)job.Output + image * p.OutputHeight * p.OutputWidth * p.OutputChannels;
                var bandOutput = new Span<T>(imageOutput + firstRow * p.OutputWidth * p.OutputChannels, (int)pointwiseBand.OutputElementCount);
                ConvolutionDispatcher.Run<T>(bandIntermediate, pointwiseFilter, bandOutput, pointwiseBand, job.Isa);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(intermediate);
            if (zeroRow is not null) ArrayPool<T>.Shared.Return(zeroRow);
        }
    }
}
