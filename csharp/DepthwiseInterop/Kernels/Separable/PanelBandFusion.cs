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
/// blocking: the output pixels (batch × OH × OW, flattened) are cut into bands of whole pointwise panels
/// (<see cref="Conv2DNhwcKernel.PanelPixels"/> pixels each, as many as make about <see cref="BandIntermediateElements"/>
/// intermediate elements); a band is a work item of the pool. For a band, the depthwise kernel writes the
/// intermediate rows its pixels lie in to a per-chunk buffer, an even count of them so that the kernel runs them
/// as row pairs (rows computed ahead, and the row a band ends inside, move to the buffer's start for the next band
/// rather than being computed again), and the pointwise stage,
/// a 1x1 conv over the band's pixels, runs as a flat GEMM on them while they are in L2: every panel full except
/// the problem's last, as in the unfused call. The pointwise filter is packed and the offset table built once
/// per call, shared by all bands and threads. The kernels sum each output in the same order whatever rows or
/// panels they are given, so the result has the bits of the two ops called one after the other.
/// </summary>
internal static unsafe class PanelBandFusion
{
    /// <summary>Intermediate elements a band aims at (rounded to whole panels, at least one).</summary>
    internal const long BandIntermediateElements = 1 << 15;
    /// <summary>Below this many intermediate elements the two stages run unfused.</summary>
    internal const long FusionThresholdElements = 1 << 17;

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
        var depthwiseRows = DepthwiseRows<T>(d, isa);
        var pointwise = PointwiseStage<T>.Select(p, isa);
        if (depthwiseRows == null || pointwise.Items == null) return false;

        long pixels = d.Batch * d.OutputHeight * d.OutputWidth;
        long panelsPerBand = Math.Max(1, bandIntermediateElements / (Conv2DNhwcKernel.PanelPixels * d.OutputChannels));
        long bandPixels = panelsPerBand * Conv2DNhwcKernel.PanelPixels;
        // The rows a band's pixels lie in (one more than its whole rows when it starts inside a row), and one
        // computed ahead to complete a pair.
        long bandRows = (bandPixels - 1) / d.OutputWidth + 3;
        var fullPlan = new Conv2DNhwcKernel.Plan(FlatGemm(p, Math.Min(bandPixels, pixels)), pointwise.Lanes, pointwise.VectorBytes, threads: 1);

        T[]? packed = null, zero = null;
        int[]? offsets = null;
        try
        {
            offsets = ArrayPool<int>.Shared.Rent(checked((int)(2 * fullPlan.Taps)));
            Conv2DNhwcKernel.BuildOffsets(offsets, fullPlan);
            if (fullPlan.Packed) packed = ArrayPool<T>.Shared.Rent(checked((int)fullPlan.PackedLength + Conv2DNhwcKernel.AlignmentElements<T>()));
            zero = ArrayPool<T>.Shared.Rent(checked((int)p.ChannelsPerGroup));
            zero.AsSpan(0, (int)p.ChannelsPerGroup).Clear();
            fixed (T* inputPointer = input)
            fixed (T* depthwisePointer = depthwiseFilter)
            fixed (T* pointwisePointer = pointwiseFilter)
            fixed (T* packedBase = packed)
            fixed (T* zeroPointer = zero)
            fixed (int* offsetsPointer = offsets)
            fixed (T* outputPointer = output)
            {
                T* packedPointer = Conv2DNhwcKernel.Align(packedBase);
                if (fullPlan.Packed) pointwise.Pack(pointwiseFilter, new Span<T>(packedPointer, (int)fullPlan.PackedLength), fullPlan);
                var job = new Job<T>
                {
                    Input = inputPointer, DepthwiseFilter = depthwisePointer, PointwiseFilter = pointwisePointer, Packed = packedPointer,
                    Zero = zeroPointer, Offsets = offsetsPointer, Output = outputPointer, Depthwise = d, Pointwise = p,
                    DepthwiseRows = depthwiseRows, PointwiseItems = pointwise.Items, Lanes = pointwise.Lanes, VectorBytes = pointwise.VectorBytes,
                    Pixels = pixels, BandPixels = bandPixels, BufferElements = bandRows * d.OutputWidth * d.OutputChannels,
                };
                long macs = d.OutputElementCount * (d.FilterHeight * d.FilterWidth + p.OutputChannelsPerGroup);
                int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
                WorkerPool.Shared.For((pixels + bandPixels - 1) / bandPixels, threads, &RunBands<T>, &job);
            }
        }
        finally
        {
            if (packed is not null) ArrayPool<T>.Shared.Return(packed);
            if (zero is not null) ArrayPool<T>.Shared.Return(zero);
            if (offsets is not null) ArrayPool<int>.Shared.Return(offsets);
        }
        return true;
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

    /// <summary>
    /// The NHWC depthwise kernel the unfused call would run (see FastDepthwiseConvolution: the widest vector that
    /// the channels fill, multiplier 1 or one the kernel repeats in registers), or null where it would take another.
    /// </summary>
    private static delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> DepthwiseRows<T>(in ConvolutionGeometry d, VectorIsa isa)
        where T : unmanaged
    {
        long channels = d.OutputChannels, multiplier = d.OutputChannelsPerGroup;
        long windowColumns = 7 * d.StrideWidth + (d.FilterWidth - 1) * d.DilationWidth + 1;
        if (windowColumns > 1 << 20 || d.FilterHeight * windowColumns > (1 << 24) / Math.Max(channels, 1)) return null;
        if (isa >= VectorIsa.Avx512 && channels >= Vector512<T>.Count && Vector512.IsHardwareAccelerated)
            return DepthwiseRows<Vector512<T>, T>(multiplier);
        if (isa >= VectorIsa.Avx2 && channels >= Vector256<T>.Count && Vector256.IsHardwareAccelerated)
            return DepthwiseRows<Vector256<T>, T>(multiplier);
        if (isa >= VectorIsa.Sse2 && channels >= Vector128<T>.Count && Vector128.IsHardwareAccelerated)
            return DepthwiseRows<Vector128<T>, T>(multiplier);
        return null;
    }

    private static delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> DepthwiseRows<TVector, T>(long multiplier)
        where TVector : unmanaged where T : unmanaged
    {
        if (multiplier == 1) return &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatNone>;
        if (!ChannelRepeat.Supports(multiplier, RawVector.Count<TVector, T>())) return null;
        return multiplier == 2 ? &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatTwo> : &DepthwiseNhwcKernel.RunRows<TVector, T, RepeatFour>;
    }

    private struct Job<T> where T : unmanaged
    {
        public T* Input, DepthwiseFilter, PointwiseFilter, Packed, Zero, Output;
        public int* Offsets;
        public ConvolutionGeometry Depthwise, Pointwise;
        public delegate*<ref T, ref T, ref T, in ConvolutionGeometry, long, long, void> DepthwiseRows;
        public delegate*<ref T, ref T, ref T, ref T, ref int, ref T, in Conv2DNhwcKernel.Plan, long, long, void> PointwiseItems;
        public int Lanes, VectorBytes;
        public long Pixels, BandPixels, BufferElements;
    }

    private static void RunBands<T>(void* context, long firstBand, long endBand) where T : unmanaged
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
        var d = job.Depthwise;
        long width = d.OutputWidth, rowElements = width * d.OutputChannels, totalRows = d.Batch * d.OutputHeight;
        T[] rented = ArrayPool<T>.Shared.Rent(checked((int)job.BufferElements));
        try
        {
            fixed (T* buffer = rented)
            {
                // The buffer holds depthwise rows [bufferRow, computedEnd) of the flattened (batch, row) space.
                long bufferRow = 0, computedEnd = 0;
                for (long band = firstBand; band < endBand; band++)
                {
                    long firstPixel = band * job.BandPixels, endPixel = Math.Min(job.Pixels, firstPixel + job.BandPixels);
                    long firstRow = firstPixel / width, endRow = (endPixel - 1) / width + 1;
                    // Rows the previous band computed beyond its own (the row it ended inside, or the extra row of
                    // a pair) move to the buffer's start rather than being computed again.
                    long computeFrom = firstRow;
                    if (computedEnd > firstRow && bufferRow <= firstRow)
                    {
                        long carried = (computedEnd - firstRow) * rowElements;
                        new Span<T>(buffer + (firstRow - bufferRow) * rowElements, (int)carried).CopyTo(new Span<T>(buffer, (int)carried));
                        computeFrom = computedEnd;
                    }
                    // An even count of rows, so that the kernel runs them all as pairs (a lone row is slower); the
                    // extra row, if any, is carried to the next band.
                    long computeEnd = Math.Max(endRow, computeFrom);
                    if ((computeEnd - computeFrom) % 2 == 1 && computeEnd < totalRows && computeEnd % d.OutputHeight != 0) computeEnd++;
                    DepthwiseRows(ref job, computeFrom, computeEnd, buffer + (computeFrom - firstRow) * rowElements);
                    bufferRow = firstRow;
                    computedEnd = computeEnd;

                    var plan = new Conv2DNhwcKernel.Plan(FlatGemm(job.Pointwise, endPixel - firstPixel), job.Lanes, job.VectorBytes, threads: 1);
                    T* bandInput = buffer + (firstPixel - firstRow * width) * d.OutputChannels;
                    T* bandOutput = job.Output + firstPixel * job.Pointwise.OutputChannels;
                    job.PointwiseItems(ref *bandInput, ref *job.PointwiseFilter, ref *job.Packed, ref *job.Zero, ref *job.Offsets, ref *bandOutput,
                        plan, 0, plan.Items);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Depthwise rows [firstRow, endRow) of the flattened (batch, output row) space into <paramref name="target"/>, image by image.</summary>
    private static void DepthwiseRows<T>(ref Job<T> job, long firstRow, long endRow, T* target) where T : unmanaged
    {
        var d = job.Depthwise;
        long rowElements = d.OutputWidth * d.OutputChannels, inputRowElements = d.InputWidth * d.InputChannels;
        for (long row = firstRow; row < endRow;)
        {
            long image = row / d.OutputHeight, imageRow = row % d.OutputHeight;
            long rows = Math.Min(endRow - row, d.OutputHeight - imageRow);
            // The band as a problem of its own (its input rows only), as the banded path runs it.
            var band = BandGeometry.ForOutputRows(d, imageRow, rows, out long firstInputRow, out _);
            T* bandInput = job.Input + (image * d.InputHeight + firstInputRow) * inputRowElements;
            job.DepthwiseRows(ref *bandInput, ref *job.DepthwiseFilter, ref *target, band, 0, rows);
            target += rows * rowElements;
            row += rows;
        }
    }

    /// <summary>The pointwise kernel at the vector width the unfused call would pick (see FastConv2D), as function pointers.</summary>
    private readonly struct PointwiseStage<T> where T : unmanaged
    {
        public delegate*<ref T, ref T, ref T, ref T, ref int, ref T, in Conv2DNhwcKernel.Plan, long, long, void> Items { get; init; }
        public delegate*<ReadOnlySpan<T>, Span<T>, in Conv2DNhwcKernel.Plan, void> Pack { get; init; }
        public int Lanes { get; init; }
        public int VectorBytes { get; init; }

        public static PointwiseStage<T> Select(in ConvolutionGeometry p, VectorIsa isa)
        {
            long outputs = p.OutputChannelsPerGroup;
            if (p.ChannelsPerGroup > int.MaxValue / 2) return default;
            if (isa >= VectorIsa.Avx512 && outputs >= Vector512<T>.Count && Vector512.IsHardwareAccelerated) return Of<Vector512<T>>();
            if (isa >= VectorIsa.Avx2 && outputs >= Vector256<T>.Count && Vector256.IsHardwareAccelerated) return Of<Vector256<T>>();
            if (isa >= VectorIsa.Sse2 && outputs >= Vector128<T>.Count && Vector128.IsHardwareAccelerated) return Of<Vector128<T>>();
            return default;
        }

        private static PointwiseStage<T> Of<TVector>() where TVector : unmanaged => new()
        {
            Items = &Conv2DNhwcKernel.RunItems<TVector, T>,
            Pack = &Conv2DNhwcKernel.PackFilter<TVector, T>,
            Lanes = RawVector.Count<TVector, T>(),
            VectorBytes = sizeof(TVector),
        };
    }
}
