using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Separable;

/// <summary>
/// Fused separable_conv2d for float and double, NHWC, calling the two stages' SIMD kernels directly. Layout and
/// blocking: each image's output rows are cut into bands of an even number of rows at stride 1 (so that the
/// depthwise kernel runs them all as row pairs) holding about <see cref="BandIntermediateElements"/> intermediate
/// elements, or fewer so that they share out evenly between threads (see <see cref="RowsPerBand"/>); a band is a
/// work item of the pool. For a band, the depthwise kernel writes the band's intermediate rows to a per-chunk
/// buffer that stays in L2, and the pointwise stage, a 1x1 conv, runs on them at once as a flat GEMM over the band's
/// pixels (bands start on row boundaries, so no row is shared or computed twice). The pointwise filter is packed
/// (for bands of three panels or more) and its offset table built once per call, shared by all bands and threads;
/// no per-band dispatch, planning or scratch beyond a cheap plan struct. The kernels sum each output in the same order whatever rows or
/// pixels they are given, so the result has the bits of the two ops called one after the other.
/// </summary>
internal static unsafe class KernelBandFusion
{
    /// <summary>
    /// Intermediate elements a band aims at (rounded up to an even number of rows). On the 56x56x144->32 stride-2 block at
    /// one thread (452 KB of intermediate, inside the 1 MiB L2 of the Zen 5 VM), bands of 8K to 128K elements, and even
    /// bands of 7 rows, all took the same time within 2%, tied with the two calls (C harness, alternated rounds).
    /// </summary>
    internal const long BandIntermediateElements = 1 << 15;
    /// <summary>
    /// Below this many intermediate elements the two stages run unfused. Measured at one thread (thread CPU time,
    /// 21 alternated rounds): 14x14x576->96 (113K elements) fused 1.04-1.07x faster than the two calls.
    /// </summary>
    internal const long FusionThresholdElements = 1 << 16;

    private const long ParallelThresholdMacs = 1L << 18;

    /// <summary>Computes the problem if both stages run on the NHWC SIMD kernels; false otherwise (another path must).</summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<T> pointwiseFilter, Span<T> output,
        in SeparableConvolutionGeometry g, VectorIsa isa, long bandIntermediateElements = BandIntermediateElements,
        long fusionThreshold = FusionThresholdElements) where T : unmanaged
    {
        // Half and bfloat16 round the intermediate through float32 kernels: the banded path keeps their bits.
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) return false;
        var d = g.Depthwise;
        var p = g.Pointwise;
        if (d.DataFormat != DataFormat.NHWC || d.InputElementCount == 0 || g.IntermediateElementCount < fusionThreshold || HasRowsInPaddingOnly(d) || !IsFlatGemm(p)) return false;
        var depthwiseRows = FastDepthwiseConvolution.NhwcRowsKernel<T>(d, isa);
        var pointwise = PointwiseStage<T>.Select(p, isa);
        if (depthwiseRows == null || pointwise.Items == null) return false;

        long macs = d.OutputElementCount * (d.FilterHeight * d.FilterWidth + p.OutputChannelsPerGroup);
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        long rowsPerBand = RowsPerBand(d, bandIntermediateElements, threads);
        long bandsPerImage = (d.OutputHeight + rowsPerBand - 1) / rowsPerBand, bands = d.Batch * bandsPerImage;
        var fullPlan = new Conv2DNhwcKernel.Plan(FlatGemm(p, rowsPerBand * d.OutputWidth), pointwise.Lanes, pointwise.VectorBytes, threads: 1);

        var scratch = new Conv2DScratch<T>(fullPlan);
        try
        {
            fixed (T* inputPointer = input)
            fixed (T* depthwisePointer = depthwiseFilter)
            fixed (T* pointwisePointer = pointwiseFilter)
            fixed (T* packedBase = scratch.Packed)
            fixed (T* zeroPointer = scratch.Zero)
            fixed (int* offsetsPointer = scratch.Offsets)
            fixed (T* outputPointer = output)
            {
                T* packedPointer = Conv2DNhwcKernel.Align(packedBase);
                if (fullPlan.Packed) pointwise.Pack(pointwiseFilter, new Span<T>(packedPointer, (int)fullPlan.PackedLength), fullPlan);
                var job = new Job<T>
                {
                    Input = inputPointer, DepthwiseFilter = depthwisePointer, PointwiseFilter = pointwisePointer, Packed = packedPointer,
                    Zero = zeroPointer, Offsets = offsetsPointer, Output = outputPointer, Depthwise = d, Pointwise = p,
                    DepthwiseRows = depthwiseRows, PointwiseItems = pointwise.Items, Lanes = pointwise.Lanes, VectorBytes = pointwise.VectorBytes,
                    RowsPerBand = rowsPerBand, BandsPerImage = bandsPerImage, FullBandPlan = fullPlan,
                };
                // Bands are claimed one by one: a thread that ends early (or that the machine preempts) leaves at most one band to the other.
                WorkerPool.Shared.For(bands, threads, &RunBands<T>, &job, chunksPerThread: (int)Math.Min(int.MaxValue, (bands + threads - 1) / threads));
            }
        }
        finally
        {
            scratch.Return();
        }
        return true;
    }

    /// <summary>
    /// Output rows per band: enough for <paramref name="bandIntermediateElements"/>, rounded up to an even count at
    /// row stride 1 (where the depthwise kernel runs rows in pairs), at most the image's. On several threads, the
    /// size from there down to a quarter of it whose bands share out best (fewest rows on the busiest thread): 28
    /// rows on 2 threads go as 4 bands of 7, not 7 bands of 4 (4 against 3), 56 rows as 14 bands of 4, not 10 of 6.
    /// Bands of fewer than three pointwise panels pack the pointwise filter as they go rather than read the copy
    /// packed once (Conv2DNhwcKernel.Plan.Packed): measured at one thread, 14x14x576->96 in bands of 6 rows ran
    /// 1.07x the two calls, in one band of the whole image (packed once, but the intermediate and the input no
    /// longer in L2 together) 1.01x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long RowsPerBand(in ConvolutionGeometry d, long bandIntermediateElements, int threads)
    {
        long rowElements = d.OutputWidth * d.OutputChannels, step = d.StrideHeight == 1 ? 2 : 1;
        long rows = (bandIntermediateElements + rowElements - 1) / rowElements;
        long limit = Math.Min(rows + (step - rows % step) % step, d.OutputHeight);
        if (threads <= 1) return limit;
        long best = limit, bestCost = long.MaxValue;
        for (long candidate = limit; candidate >= Math.Max(1, limit / 4); candidate -= candidate % step == 0 ? step : candidate % step)
        {
            long bands = d.Batch * ((d.OutputHeight + candidate - 1) / candidate);
            long cost = (bands + threads - 1) / threads * candidate;
            if (cost < bestCost) (best, bestCost) = (candidate, cost);
        }
        return best;
    }

    /// <summary>Whether some output row's window lies wholly in the padding (a band of it would read no input row: the banded path handles that).</summary>
    internal static bool HasRowsInPaddingOnly(in ConvolutionGeometry d) =>
        (d.FilterHeight - 1) * d.DilationHeight + 1 <= d.PadTop || (d.OutputHeight - 1) * d.StrideHeight - d.PadTop >= d.InputHeight;

    /// <summary>A 1x1 stride-1 unpadded conv: each output pixel reads the intermediate pixel at its own index, whatever the image's shape.</summary>
    private static bool IsFlatGemm(in ConvolutionGeometry p) =>
        p.DataFormat == DataFormat.NHWC && p.FilterHeight == 1 && p.FilterWidth == 1 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0;

    /// <summary>The pointwise stage over <paramref name="pixels"/> consecutive pixels as one row of an image.</summary>
    private static ConvolutionGeometry FlatGemm(in ConvolutionGeometry p, long pixels) => p with
    {
        Batch = 1, InputHeight = 1, InputWidth = pixels, OutputHeight = 1, OutputWidth = pixels,
        InputElementCount = pixels * p.InputChannels, OutputElementCount = pixels * p.OutputChannels,
    };

    private struct Job<T> where T : unmanaged
    {
        public T* Input, DepthwiseFilter, PointwiseFilter, Packed, Zero, Output;
        public int* Offsets;
        public ConvolutionGeometry Depthwise, Pointwise;
        public delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> DepthwiseRows;
        public delegate*<ref T, ref T, ref T, ref T, ref int, ref T, in Conv2DNhwcKernel.Plan, long, long, void> PointwiseItems;
        public int Lanes, VectorBytes;
        public long RowsPerBand, BandsPerImage;
        /// <summary>The pointwise plan of a whole band; only an image's last, shorter band needs its own.</summary>
        public Conv2DNhwcKernel.Plan FullBandPlan;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBands<T>(void* context, long firstBand, long endBand) where T : unmanaged
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
        var d = job.Depthwise;
        long rowElements = d.OutputWidth * d.OutputChannels, inputRowElements = d.InputWidth * d.InputChannels;
        long outputRowElements = d.OutputWidth * job.Pointwise.OutputChannels;
        T[] intermediate = ArrayPool<T>.Shared.Rent(checked((int)(job.RowsPerBand * rowElements)));
        try
        {
            fixed (T* buffer = intermediate)
            {
                for (long band = firstBand; band < endBand; band++)
                {
                    long image = band / job.BandsPerImage;
                    long firstRow = band % job.BandsPerImage * job.RowsPerBand, rows = Math.Min(job.RowsPerBand, d.OutputHeight - firstRow);
                    // The band as a problem of its own (its input rows only), as the banded path runs it.
                    var depthwiseBand = BandGeometry.ForOutputRows(d, firstRow, rows, out long firstInputRow, out _);
                    T* bandInput = job.Input + (image * d.InputHeight + firstInputRow) * inputRowElements;
                    job.DepthwiseRows(ref *bandInput, ref *job.DepthwiseFilter, ref *buffer, depthwiseBand, 0, rows);

                    var plan = rows == job.RowsPerBand ? job.FullBandPlan
                        : new Conv2DNhwcKernel.Plan(FlatGemm(job.Pointwise, rows * d.OutputWidth), job.Lanes, job.VectorBytes, threads: 1);
                    T* bandOutput = job.Output + (image * d.OutputHeight + firstRow) * outputRowElements;
                    job.PointwiseItems(ref *buffer, ref *job.PointwiseFilter, ref *job.Packed, ref *job.Zero, ref *job.Offsets, ref *bandOutput,
                        plan, 0, plan.Items);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(intermediate);
        }
    }

    /// <summary>The pointwise kernel at the vector width the unfused call would pick (see FastConv2D), as function pointers.</summary>
    private readonly struct PointwiseStage<T> where T : unmanaged
    {
        public delegate*<ref T, ref T, ref T, ref T, ref int, ref T, in Conv2DNhwcKernel.Plan, long, long, void> Items { get; init; }
        public delegate*<ReadOnlySpan<T>, Span<T>, in Conv2DNhwcKernel.Plan, void> Pack { get; init; }
        public int Lanes { get; init; }
        public int VectorBytes { get; init; }

        public static PointwiseStage<T> Select(in ConvolutionGeometry p, VectorIsa isa) => FastConv2D.VectorBytes<T>(p, isa) switch
        {
            64 => Of<Vector512<T>>(),
            32 => Of<Vector256<T>>(),
            16 => Of<Vector128<T>>(),
            _ => default,
        };

        private static PointwiseStage<T> Of<TVector>() where TVector : unmanaged => new()
        {
            Items = &Conv2DNhwcKernel.RunItems<TVector, T>,
            Pack = &Conv2DNhwcKernel.PackFilter<TVector, T>,
            Lanes = RawVector.Count<TVector, T>(),
            VectorBytes = sizeof(TVector),
        };
    }
}
