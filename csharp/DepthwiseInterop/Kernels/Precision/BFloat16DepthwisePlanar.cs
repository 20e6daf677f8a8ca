using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 NCHW depthwise 3x3 at unit strides and dilations, any multiplier, at most one padding column a side, rows of
/// sixteen output columns or more, on 256-bit vectors, reading and writing bfloat16 where it lies instead of widening
/// blocks of planes into float32 (<see cref="NchwChannelBlocks"/>). Layout and blocking: a work item is a band of output
/// rows of one input plane, for every output plane of its channel (multiplier). Sixteen output columns x..x + 15 take two
/// loads per input row, at padded columns x and x + 2, each split into even and odd columns
/// (<see cref="BFloat16Lanes.Split"/>): the even outputs x + 2i read even(x), odd(x), even(x + 2) at lane i, the odd ones
/// odd(x), even(x + 2), odd(x + 2), so no value crosses lanes. Two such strips walk down the band side by side: each input
/// row is loaded and split once per strip and added into the three output rows that read it (filter rows 2, 1 and 0),
/// and an output row is rounded and stored after its last tap: twelve independent sums, the weights as memory operands.
/// The last pair of strips is shifted back to end at OW (recomputing columns with the same bits). Rows above or below the
/// image read a zero row. A padding column falls inside a 32-bit lane (its other half is image), which a masked load
/// cannot separate, so the left strip's load at column −1 is rebuilt from two loads that stay inside the row: its even
/// columns are the odd ones of a load at −2 whose first lane is masked off, its odd columns the even ones of a load at 0;
/// the right strip's load ending at column W likewise (the odd ones of a load at W − 16, the even ones of a load at W − 14
/// whose last lane is masked off). Each output adds its nine taps from zero in the reference's order (padding taps
/// multiply zeros, so a NaN weight over the padding gives NaN), as the float32 kernels do, and is rounded once: the bits
/// of the float32 path rounded, for every thread count. On the AVX2 and AVX-512 tiers, on 256-bit vectors on both.
/// </summary>
/// <remarks>
/// Measured side by side against float32 (SAME, 21 alternated rounds, median of per-round ratios): 1 thread 56x56x144
/// 1.18x float32's time, 112x112x32 1.16x, 60x60x64 1.13x; 2 threads 56x56x144 1.13x, 112x112x32 1.22x, 28x28x192 1.04x;
/// where the widened blocks took 1.67-1.76x. Why not less: float32's planar kernels do not wait on their data the way
/// the NHWC ones do, and here each sixteen outputs cost four splitting and eleven rounding and packing operations beside
/// their eighteen multiply-adds; with the rounding left out (wrong bits, timing only) the kernel took 0.93-0.95x
/// float32's time. Tried and not kept: the rows copied into a zero-padded scratch instead of read in place (the copy did
/// not overlap the arithmetic: 1.55x), one strip instead of two (six sums could not hide the nine-deep multiply-add
/// chains: 1.25x with the rows in L1), and a rounding through 16-bit blends, saturating adds and a comparison (nine
/// operations instead of eleven, no faster). Rows narrower than sixteen (14x14x576, 15x15x64) through the same strips on
/// a scratch holding two planes side by side (rows copied in while the previous pair computed, outputs copied out of a
/// stack tile): 1.65-1.85x float32's time, no better than the widened blocks; the strips alone took 0.74x, the copies in
/// and out the rest. On the AVX-512 tier of a Zen 5 (full-width FMA pipes), against float32's kernels there (C ABI
/// harness, 41 alternated rounds), 1 / 2 threads: 56x56x144 1.29x / 0.99x (the benchmark's run: 1.16x / 0.95x),
/// 112x112x32 1.61x / 1.19x, 28x28x192 1.05x / 0.86x, where the widened blocks took 1.60 / 1.38, 1.81 / 1.51 and
/// 1.54 / 1.31; a 512-bit version is not written.
/// </remarks>
internal static unsafe class BFloat16DepthwisePlanar
{
    /// <summary>Output columns per strip: one 32-byte load of bfloat16, two float32 vectors.</summary>
    private const int StripColumns = BFloat16Lanes.GroupChannels;
    /// <summary>float32 lanes of a weight vector; an output plane's nine weights are nine such broadcasts.</summary>
    private const int Lanes = 8;
    private const int Taps = 9;
    /// <summary>Work items a call aims for per thread (few planes: their rows are cut into bands).</summary>
    private const long ItemsPerThread = 8;

    /// <summary>Whether this kernel computes the problem on the tier <paramref name="isa"/>.</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        isa >= VectorIsa.Avx2 && Avx2.IsSupported && Fma.IsSupported
        && g.Kind == ConvolutionKind.DepthwiseConv2D && g.DataFormat == DataFormat.NCHW
        && g.FilterHeight == 3 && g.FilterWidth == 3 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.DilationHeight == 1 && g.DilationWidth == 1
        && g.PadLeft <= 1 && g.PadRight <= 1 && g.OutputWidth >= StripColumns
        && g.InputHeight > 0 && g.OutputHeight > 0 && g.InputChannels > 0;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g)
    {
        long planes = g.Batch * g.InputChannels;
        int threads = g.OutputElementCount * Taps < NhwcRowBands.DepthwiseParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        long bands = threads == 1 ? 1 : Math.Clamp((ItemsPerThread * threads + planes - 1) / planes, 1, g.OutputHeight);
        // Zeros for the rows above and below the image, with room for the loads either side of a row.
        int zeroLength = checked((int)g.InputWidth + 4 * StripColumns);
        ushort[] zeros = ArrayPool<ushort>.Shared.Rent(zeroLength);
        try
        {
            Array.Clear(zeros, 0, zeroLength);
            fixed (ushort* zeroPointer = zeros)
            {
                var job = new PlanarJob(input, filter, output, zeroPointer + 2 * StripColumns, bands, g);
                WorkerPool.Shared.For(planes * job.Bands, threads, &RunItems, &job);
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(zeros);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems(void* context, long firstItem, long endItem)
    {
        ref PlanarJob job = ref Unsafe.AsRef<PlanarJob>(context);
        float* weights = stackalloc float[Taps * Lanes];
        for (long item = firstItem; item < endItem; item++)
        {
            nint plane = (nint)(item / job.Bands), firstRow = (nint)(item % job.Bands) * job.BandRows;
            var band = new Band
            {
                Input = job.Input + plane * job.Height * job.Width, Zero = job.Zero, Weights = weights,
                Height = job.Height, Width = job.Width, FirstInputRow = firstRow - job.PadTop, PadLeft = job.PadLeft,
                Rows = Math.Min(job.BandRows, job.OutputHeight - firstRow), OutputPitch = job.OutputWidth,
            };
            for (nint m = 0; m < job.Multiplier; m++)
            {
                job.BroadcastWeights(plane % job.Channels, m, weights);
                band.Output = job.Output + ((plane * job.Multiplier + m) * job.OutputHeight + firstRow) * job.OutputWidth;
                Pairs(band, job.OutputWidth, job.PadLeft == 1, job.PadRight == 1);
            }
        }
    }

    /// <summary>
    /// A band's strip pairs: pair k at columns min(32k, OW − 32) and 16 to its right; with OW under 32, one pair at 0 and
    /// OW − 16. The first pair's left strip reads the left padding column, the last pair's right strip the right one.
    /// </summary>
    private static void Pairs(in Band band, nint width, bool padLeft, bool padRight)
    {
        if (width == StripColumns)
        {
            // One strip, both of whose loads may reach the padding: the pair computes it twice.
            if (padLeft && padRight) StripPair<ColumnPadding, ColumnPadding, ColumnPadding, ColumnPadding>(band, 0, 0);
            else if (padLeft) StripPair<ColumnPadding, ColumnInside, ColumnPadding, ColumnInside>(band, 0, 0);
            else if (padRight) StripPair<ColumnInside, ColumnPadding, ColumnInside, ColumnPadding>(band, 0, 0);
            else StripPair<ColumnInside, ColumnInside, ColumnInside, ColumnInside>(band, 0, 0);
            return;
        }
        EdgeBlocks.Run<PairBlocks, Band>(band, (width + 2 * StripColumns - 1) / (2 * StripColumns), padLeft, padRight);
    }

    private readonly struct PairBlocks : IEdgeBlocks<Band>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Blocks<TLeft, TRight>(in Band band, nint firstBlock, nint endBlock) where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
        {
            nint width = band.OutputPitch;
            for (nint block = firstBlock; block < endBlock; block++)
            {
                nint x = Math.Max(0, Math.Min(block * 2 * StripColumns, width - 2 * StripColumns));
                StripPair<TLeft, ColumnInside, ColumnInside, TRight>(band, x, Math.Min(x + StripColumns, width - StripColumns));
            }
        }
    }

    /// <summary>
    /// Sixteen columns at <paramref name="a"/> and sixteen at <paramref name="b"/> of a band's output rows: input row t is
    /// split once per strip and goes into output rows t − 2 (filter row 2, its last; then stored), t − 1 (filter row 1)
    /// and t (filter row 0, from zero). Two strips give twelve independent sums, where one strip's six left the
    /// multiply-adds waiting on their nine-deep chains. The type arguments say which of a strip's loads reach the padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StripPair<TLeftA, TRightA, TLeftB, TRightB>(in Band band, nint a, nint b)
        where TLeftA : struct, IColumnPadding where TRightA : struct, IColumnPadding where TLeftB : struct, IColumnPadding where TRightB : struct, IColumnPadding
    {
        Vector256<float> upperEvenA = default, upperOddA = default, middleEvenA = default, middleOddA = default;
        Vector256<float> upperEvenB = default, upperOddB = default, middleEvenB = default, middleOddB = default;
        nint rows = band.Rows;
        // The first two and last two input rows skip the output rows that do not exist; the rows between feed all three.
        for (nint t = 0; t < 2; t++)
            PairStep<TLeftA, TRightA, TLeftB, TRightB>(band, a, b, t, false, t == 1, t < rows, ref upperEvenA, ref upperOddA, ref middleEvenA, ref middleOddA,
                ref upperEvenB, ref upperOddB, ref middleEvenB, ref middleOddB);
        for (nint t = 2; t < rows; t++)
            PairStep<TLeftA, TRightA, TLeftB, TRightB>(band, a, b, t, true, true, true, ref upperEvenA, ref upperOddA, ref middleEvenA, ref middleOddA,
                ref upperEvenB, ref upperOddB, ref middleEvenB, ref middleOddB);
        for (nint t = Math.Max(2, rows); t < rows + 2; t++)
            PairStep<TLeftA, TRightA, TLeftB, TRightB>(band, a, b, t, true, t == rows, false, ref upperEvenA, ref upperOddA, ref middleEvenA, ref middleOddA,
                ref upperEvenB, ref upperOddB, ref middleEvenB, ref middleOddB);
    }

    /// <summary>Input row t of both strips; <paramref name="upper"/>, <paramref name="middle"/>, <paramref name="lower"/> say which of output rows t − 2, t − 1, t it feeds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairStep<TLeftA, TRightA, TLeftB, TRightB>(in Band band, nint a, nint b, nint t, bool upper, bool middle, bool lower,
        ref Vector256<float> upperEvenA, ref Vector256<float> upperOddA, ref Vector256<float> middleEvenA, ref Vector256<float> middleOddA,
        ref Vector256<float> upperEvenB, ref Vector256<float> upperOddB, ref Vector256<float> middleEvenB, ref Vector256<float> middleOddB)
        where TLeftA : struct, IColumnPadding where TRightA : struct, IColumnPadding where TLeftB : struct, IColumnPadding where TRightB : struct, IColumnPadding
    {
        nint inputRow = band.FirstInputRow + t, left = band.PadLeft;
        // Column x of the padded row is at row + x.
        ushort* row = ((nuint)inputRow < (nuint)band.Height ? band.Input + inputRow * band.Width : band.Zero) - left;
        ushort* y = band.Output + (t - 2) * band.OutputPitch;
        Step<TLeftA, TRightA>(row, band.Width + left, a, upper, middle, lower, band.Weights, y, ref upperEvenA, ref upperOddA, ref middleEvenA, ref middleOddA);
        Step<TLeftB, TRightB>(row, band.Width + left, b, upper, middle, lower, band.Weights, y, ref upperEvenB, ref upperOddB, ref middleEvenB, ref middleOddB);
    }

    /// <summary>
    /// Input row t of the strip at column <paramref name="x"/> into the output rows that read it; the sums move up a row
    /// after it. <paramref name="end"/> is the padded column where the right padding starts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TLeft, TRight>(ushort* row, nint end, nint x, bool upper, bool middle, bool lower, float* w, ushort* y,
        ref Vector256<float> upperEven, ref Vector256<float> upperOdd, ref Vector256<float> middleEven, ref Vector256<float> middleOdd)
        where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        Vector256<float> even0, odd0, even2, odd2;
        if (TLeft.IsPadding)
        {
            // Columns -1 .. 14 of the image: -1 and the odd columns from a load at -2 without its first lane, the even ones from a load at 0.
            even0 = Avx2.And(Avx2.MaskLoad((int*)(row - 1), FirstLaneOff).AsUInt32(), Vector256.Create(0xFFFF_0000u)).AsSingle();
            odd0 = Avx2.ShiftLeftLogical(Avx.LoadVector256((uint*)(row + 1)), 16).AsSingle();
        }
        else BFloat16Lanes.Split(row + x, out even0, out odd0);
        if (TRight.IsPadding)
        {
            // Columns W - 15 .. W of the image: W and the even columns from a load at W - 14 without its last lane, the odd ones from a load at W - 16.
            even2 = Avx2.And(Avx.LoadVector256((uint*)(row + end - 16)), Vector256.Create(0xFFFF_0000u)).AsSingle();
            odd2 = Avx2.ShiftLeftLogical(Avx2.MaskLoad((int*)(row + end - 14), LastLaneOff).AsUInt32(), 16).AsSingle();
        }
        else BFloat16Lanes.Split(row + x + 2, out even2, out odd2);
        if (upper)
        {
            FilterRow(even0, odd0, even2, odd2, w + 6 * Lanes, ref upperEven, ref upperOdd);
            BFloat16Lanes.Store(y + x, upperEven, upperOdd);
        }
        if (middle) FilterRow(even0, odd0, even2, odd2, w + 3 * Lanes, ref middleEven, ref middleOdd);
        Vector256<float> lowerEven = default, lowerOdd = default;
        if (lower) FilterRow(even0, odd0, even2, odd2, w, ref lowerEven, ref lowerOdd);
        upperEven = middleEven; upperOdd = middleOdd;
        middleEven = lowerEven; middleOdd = lowerOdd;
    }

    private static Vector256<int> FirstLaneOff => Vector256.Create(0, -1, -1, -1, -1, -1, -1, -1);
    private static Vector256<int> LastLaneOff => Vector256.Create(-1, -1, -1, -1, -1, -1, -1, 0);

    /// <summary>
    /// One filter row's three taps into sixteen outputs: the even ones from columns even(x), odd(x), even(x + 2), the odd
    /// ones from odd(x), even(x + 2), odd(x + 2), in filter-column order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterRow(Vector256<float> even0, Vector256<float> odd0, Vector256<float> even2, Vector256<float> odd2, float* w,
        ref Vector256<float> even, ref Vector256<float> odd)
    {
        even = Fma.MultiplyAdd(even0, Avx.LoadVector256(w), even);
        odd = Fma.MultiplyAdd(odd0, Avx.LoadVector256(w), odd);
        even = Fma.MultiplyAdd(odd0, Avx.LoadVector256(w + Lanes), even);
        odd = Fma.MultiplyAdd(even2, Avx.LoadVector256(w + Lanes), odd);
        even = Fma.MultiplyAdd(even2, Avx.LoadVector256(w + 2 * Lanes), even);
        odd = Fma.MultiplyAdd(odd2, Avx.LoadVector256(w + 2 * Lanes), odd);
    }

    /// <summary>One work item's plane, rows and output plane as its strips read them.</summary>
    private struct Band
    {
        public ushort* Input, Zero, Output;
        public float* Weights;
        public nint Height, Width, FirstInputRow, PadLeft, Rows, OutputPitch;
    }

    /// <summary>A call's tensors and geometry, and its split into bands of output rows.</summary>
    private readonly struct PlanarJob
    {
        public readonly ushort* Input, Filter, Output, Zero;
        public readonly nint Height, Width, Channels, Multiplier, OutputHeight, OutputWidth, PadTop, PadLeft, PadRight;
        /// <summary>Output rows per band, and bands per plane.</summary>
        public readonly nint BandRows, Bands;

        public PlanarJob(ushort* input, ushort* filter, ushort* output, ushort* zero, long bands, in ConvolutionGeometry g)
        {
            Input = input; Filter = filter; Output = output; Zero = zero;
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.InputChannels; Multiplier = (nint)g.OutputChannelsPerGroup;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft; PadRight = (nint)g.PadRight;
            BandRows = (nint)((g.OutputHeight + bands - 1) / bands);
            Bands = (OutputHeight + BandRows - 1) / BandRows;
        }

        /// <summary>The nine weights of output channel c × M + m (filter [3, 3, C, M]), each widened and broadcast to a vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void BroadcastWeights(nint channel, nint m, float* weights)
        {
            for (nint tap = 0; tap < Taps; tap++)
                Avx.Store(weights + tap * Lanes, Vector256.Create(BitConverter.UInt32BitsToSingle((uint)Filter[(tap * Channels + channel) * Multiplier + m] << 16)));
        }
    }
}
