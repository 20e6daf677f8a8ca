using System.Runtime.CompilerServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Pairs of output rows for three-by-three filters at unit strides and dilations, any multiplier, at most one
/// padding column on either side (SAME or VALID): output rows r and r + 1 read input rows t .. t + 3, so a pass
/// over both loads each of those four rows once where two single-row passes load six. Blocks are four pixels ×
/// one channel vector (six input columns per row, eight accumulators; DepthwiseNhwcKernel.RowPairsNarrow.cs),
/// or six pixels (eight input columns, twelve accumulators) on 512-bit vectors, whose 32
/// registers hold them (see <see cref="PairBlockPixels{TVector, TRepeat}"/>), seven on rows a multiple of seven wide
/// (<see cref="SevenPairPixels"/>). The three
/// weights of one filter row in registers, the second output row's weights as memory operands of its multiply-adds (they stay in
/// L1). A block's first or last input column may lie in the padding (the row's first and last blocks): that
/// column then reads the zero vector, so the edge pixels run in the blocks too; blocks whose rows and columns all
/// lie inside the image run an instantiation without those tests in the channel loop (<see cref="InsideImage"/>:
/// 7% faster on 112x112x32 and 56x56x144 in a side-by-side harness). A last remainder of one
/// pixel runs one pixel at a time; after four-pixel blocks a remainder of two or three runs as a block of that many
/// pixels, after six-pixel ones a remainder of two as a two-pixel block and a larger one as a block shifted back to
/// end at OW (see <see cref="PairRemainderPixels"/>). Each output adds
/// its nine taps in the reference's order from zero, exactly as the single-row code does, so pairing changes
/// no bit: rows are paired or not depending only on where a thread's range of rows starts and ends. Taller
/// passes (two to six pairs run one chunk of 32-96 channels at a time, so that the rows they share are read
/// again from L1 rather than L2) had the same bits but took 1.10-1.30x the time (56x56x144, 28x28x192,
/// 14x14x576, 60x60x64, 1 thread, 21 alternated rounds). Where the time goes (AVX2, 1 thread, 21 alternated rounds):
/// the same block loop run by a probe on rows kept in L1 (a ring of four zero-padded rows of 16 channels, reused for
/// every pair) took 0.60-0.72x this kernel's time on 56x56x144 (53-66 GFLOP/s), while the probe reading the image
/// rows directly, blocks outer and channels inner as here, took 0.91-1.06x (VALID 58x58x144, 114x114x32, 30x30x192,
/// 16x16x576; channels outer 1.06-1.30x). So the edge code and the instruction mix cost little: the rest is moving
/// four input rows and two output rows between L2 and L1 for every pair, which software prefetching did not hide
/// (see DepthwiseNhwcKernel.RowPairsNarrow.cs).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Output pixels per row of a pair's block.</summary>
    private const int PairPixels = 6;
    /// <summary>
    /// Output pixels per row of a pair's block where six-pixel blocks apply and the row is a multiple of seven wide
    /// (MobileNetV2's 7, 14, 28, 56 and 112; every multiplier, measured on multiplier 1): no remainder, where six-pixel blocks leave one pixel of 7 to
    /// <see cref="EdgePixel"/>, two of 14 and 56, four of 28 and 112. Fourteen sums, three weights and an input vector
    /// in the 32 registers. Against six-pixel blocks (Zen 5, C harness, median of 41 alternated rounds, twice; same
    /// bits): 7x7x960 0.83-0.87x the time, 7x7x160 0.89x, 14x14x576 0.90-0.94x, 14x14x384 0.93-1.01x, 28x28x576 0.94x,
    /// 28x28x192 0.98x, 56x56x144 0.98x, 112x112x32 1.00-1.01x; 2 threads 7x7x960 0.89x, 14x14x576 0.89x, 56x56x144 0.93x.
    /// </summary>
    private const int SevenPairPixels = 7;
    /// <summary>
    /// A last pixel runs one pixel at a time; a larger remainder as a block of its own width (after four-pixel blocks,
    /// and two pixels after six-pixel ones) or as a six-pixel block shifted back (three to five pixels). Four-pixel
    /// blocks: a block of its own width 3-10% faster than a shifted block on 7x7x960, 14x14x384, 14x14x576, 14x14x192
    /// m2 and 14x14x96 m4 at 1 and 2 threads, median of 31 alternated rounds; 56x56, 58x58 and 30x30 alike; two pixels
    /// as a block 2-11% faster than one at a time (14x14x384, 14x14x576, 14x14x96 m4, 30x30x64, 58x58x64, 1 and 2
    /// threads, 41 alternated rounds each). Six-pixel blocks (Zen 5, C harness, 31 alternated rounds, twice): two
    /// pixels as a two-pixel block rather than one at a time 1.08x faster on 14x14x384, 1.20x on 14x14x576, 1.13x on
    /// 8x8x512 and 26x26x96, 1.04x on 20x20x128, 1.03x on 56x56x144; three pixels shifted 9-12% faster than one at a
    /// time on 15x15 rows, and as a three-pixel block no faster; seven-pixel rows as blocks of four and three took
    /// 1.08-1.12x the time of a six-pixel block and one pixel (7x7x960); rows of 6k + 3 as a seven-pixel block, six-pixel
    /// ones and a two-pixel block instead of a last six-pixel block shifted back: no change measured on 15x15x64, 27x27x64,
    /// 0.95x on 9x9x256 (not kept).
    /// </summary>
    private const int PairRemainderPixels = 1;

    /// <summary>
    /// Whether rows of this problem may run in pairs: 3x3, unit strides and dilations, a row of at least six
    /// pixels, and every block's inner input columns inside the image (a left padding of at
    /// most one column, and the last block's last inner column at most the last input column).
    /// </summary>
    private static bool PairsRows<TRepeat>(in Plan p) where TRepeat : struct, IChannelRepeat =>
        p.Kind == SlidingKind.Width3 && p.FilterHeight == 3 && p.StrideHeight == 1 && p.DilationHeight == 1
        && p.OutputWidth >= PairPixels && p.PadLeft <= 1 && p.OutputWidth - p.PadLeft <= p.Width - 1;

    /// <summary>
    /// Work items for a thread pool: pairs of output rows of an image (the last one single when OH is odd) when
    /// rows pair, so that no range of items splits a pair; output rows otherwise. See <see cref="RunItems{TVector, T, TRepeat}"/>.
    /// </summary>
    public static long WorkItems<TVector, T, TRepeat>(in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat =>
        PairsRows<TRepeat>(new Plan(g, Count<TVector, T>())) ? g.Batch * ((g.OutputHeight + 1) / 2) : g.Batch * g.OutputHeight;

    /// <summary>
    /// Computes work items [firstItem, endItem) of <see cref="WorkItems{TVector, T, TRepeat}"/>: a contiguous range of output rows.
    /// <c>splitWeights</c>: see <see cref="RunRows{TVector, T, TRepeat}(ref T, ref T, ref T, in ConvolutionGeometry, long, long, T*, bool, nint)"/>.
    /// </summary>
    public static unsafe void RunItems<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstItem, long endItem,
        T* splitWeights = null)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        long rows = g.Batch * g.OutputHeight;
        if (WorkItems<TVector, T, TRepeat>(g) == rows)
        {
            RunRows<TVector, T, TRepeat>(ref input, ref filter, ref output, g, firstItem, endItem, splitWeights, allowSplit: true);
            return;
        }
        long pairsPerImage = (g.OutputHeight + 1) / 2, height = g.OutputHeight;
        RunRows<TVector, T, TRepeat>(ref input, ref filter, ref output, g,
            Math.Min(rows, firstItem / pairsPerImage * height + 2 * (firstItem % pairsPerImage)),
            Math.Min(rows, endItem / pairsPerImage * height + 2 * (endItem % pairsPerImage)), splitWeights, allowSplit: true);
    }

    /// <summary>Output rows <paramref name="row"/> and <paramref name="row"/> + 1 of the same image, written from <paramref name="y"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPair<TVector, T, TRepeat>(ref T input, ref T filter, ref T y, in Plan p, nint row, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint batch = row / p.OutputHeight, topRow = row % p.OutputHeight - p.PadTop;
        // Input rows [rowsBegin, rowsEnd) of the four the pair reads lie inside the image; the others read padding.
        nint rowsBegin = Math.Clamp(-topRow, 0, 4), rowsEnd = Math.Clamp(p.Height - topRow, rowsBegin, 4);
        ref T image = ref Unsafe.Add(ref input, batch * p.Height * p.Width * p.InputChannels);
        nint nextRow = p.OutputWidth * p.Channels, width = p.OutputWidth;
        nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.Width * p.InputChannels;
        bool interiorRows = rowsBegin == 0 && rowsEnd == 4;
        nint pixels = PairBlockPixels<TVector, TRepeat>();
        if (pixels == PairPixels && width % SevenPairPixels == 0) pixels = SevenPairPixels;
        for (nint ox = 0; ox < width; ox += pixels)
        {
            nint blockPixels = pixels;
            if (ox > width - pixels)
            {
                if (width - ox <= PairRemainderPixels)
                {
                    for (; ox < width; ox++)
                    {
                        EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref y, ox * p.Channels));
                        EdgePixel<TVector, T, TRepeat>(ref image, p, topRow + 1, ox, ref filter, ref Unsafe.Add(ref y, nextRow + ox * p.Channels));
                    }
                    break;
                }
                if (pixels == NarrowPairPixels || width - ox == 2) blockPixels = width - ox;
                else ox = width - pixels;
            }
            // The block reads input columns ox - PadLeft + j, j = 0..blockPixels + 1; column j = 1 is always inside.
            nint second = ox - p.PadLeft + 1;
            bool leftPadding = second == 0, rightPadding = second + blockPixels == p.Width;
            if (interiorRows && !leftPadding && !rightPadding)
                PairBlock<TVector, T, TRepeat, InsideImage>(ref Unsafe.Add(ref image, second * p.InputChannels), rowOffset, rowStep, p.InputChannels,
                    rowsBegin, rowsEnd, false, false, ref zero, ref filter, p, ref Unsafe.Add(ref y, ox * p.Channels), nextRow, blockPixels);
            else
                PairBlock<TVector, T, TRepeat, MayReadPadding>(ref Unsafe.Add(ref image, second * p.InputChannels), rowOffset, rowStep, p.InputChannels,
                    rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref Unsafe.Add(ref y, ox * p.Channels), nextRow, blockPixels);
        }
    }

    /// <summary>
    /// Output pixels per row of a pair's block: six (twelve accumulators) only where the registers hold them, i.e.
    /// on 512-bit vectors (32 registers), every multiplier; four otherwise. With 16 registers the JIT spilled the six-pixel
    /// block's accumulators: four-pixel blocks for multiplier 1 measured 1.02-1.20x faster side by side (AVX2, 31
    /// alternated rounds each, 1 thread: 112x112x32 1.12-1.17, 56x56x144 1.15-1.17, 28x28x192 1.15, 60x60x64
    /// 1.14-1.15, 15x15x64 1.16-1.20, 14x14 and 7x7 layers 1.04-1.07, 30x30x64 0.97-1.02; 2 threads 1.01-1.21),
    /// with the same bits. Multiplier 4 on 512-bit vectors, six- and seven-pixel blocks against four-pixel ones (Zen 5,
    /// C harness, 21 rounds, twice): 28x28x48 0.92-0.96x the time at 1 and 2 threads, 14x14x96 0.86x, 56x56x32 0.92-0.97x;
    /// multiplier 2: see DepthwiseNhwcKernel.SplitMultiplier.cs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe nint PairBlockPixels<TVector, TRepeat>() where TVector : unmanaged where TRepeat : struct, IChannelRepeat =>
        sizeof(TVector) == 64 ? PairPixels : NarrowPairPixels;

    /// <summary>The block kernel of <paramref name="pixels"/>' width (2 to 7); the arguments are those of <see cref="Pair3{TVector, T, TRepeat, TBounds, TPixels}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairBlock<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T filter, in Plan p, ref T y, nint nextRow, nint pixels)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        if (PairBlockPixels<TVector, TRepeat>() == NarrowPairPixels || pixels < NarrowPairPixels)
        {
            if (pixels == 4)
                Pair3Narrow<TVector, T, TRepeat, TBounds, Size4>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref y, nextRow);
            else if (pixels == 3)
                Pair3Narrow<TVector, T, TRepeat, TBounds, Size3>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref y, nextRow);
            else
                Pair3Narrow<TVector, T, TRepeat, TBounds, Size2>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref y, nextRow);
        }
        else if (pixels == SevenPairPixels)
            Pair3<TVector, T, TRepeat, TBounds, Size7>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref y, nextRow);
        else
            Pair3<TVector, T, TRepeat, TBounds, Size6>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref y, nextRow);
    }

    /// <summary>
    /// One block of both rows, every channel vector: input row i (0..3) of the block has its second column at
    /// window + rowOffset + i * rowStep and its columns <paramref name="step"/> apart, or is the zero vector when it
    /// lies in the padding; the first column reads the zero vector when <paramref name="leftPadding"/>, the last
    /// when <paramref name="rightPadding"/>. Row 0 feeds output row r only, rows 1 and 2 both, row 3 row r + 1.
    /// (Written out rather than through helpers taking the accumulators by reference: the JIT kept such
    /// accumulators on the stack.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Pair3<TVector, T, TRepeat, TBounds, TPixels>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T filter, in Plan p, ref T y, nint nextRow)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TPixels : struct, ITileSize
    {
        nint column = p.Channels, c2 = 2 * column, lanes = Count<TVector, T>(), lastChannel = p.LastChannelBlock, filterRow = 3 * column;
        bool seven = TPixels.Value == 7;
        nint pixels = TPixels.Value;
        for (nint c = 0; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, c / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default;
            TVector b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default;
            TVector w0, w1, w2, v;
            nint s;

            // Input row 0: filter row 0 into output row r.
            ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, 0, rowsBegin, rowsEnd, ref zero, step, out s);
            ref T left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
            ref T right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
            w0 = Load<TVector, T>(ref weights, 0); w1 = Load<TVector, T>(ref weights, column); w2 = Load<TVector, T>(ref weights, c2);
            a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref left, 0), w0, a0);
            v = TRepeat.Load<TVector, T>(ref x, 0); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
            v = TRepeat.Load<TVector, T>(ref x, 1 * s); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
            v = TRepeat.Load<TVector, T>(ref x, 2 * s); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
            v = TRepeat.Load<TVector, T>(ref x, 3 * s); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
            v = TRepeat.Load<TVector, T>(ref x, 4 * s); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
            v = TRepeat.Load<TVector, T>(ref x, 5 * s); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5);
            if (seven)
            {
                a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = TRepeat.Load<TVector, T>(ref x, 6 * s); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6);
                a6 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, a6);
            }
            else
                a5 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, a5);

            // Input rows 1 and 2: filter row i into output row r (weights in registers), filter row i - 1 into row r + 1.
            ref T wb = ref weights;
            for (nint i = 1; i <= 2; i++)
            {
                x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, i, rowsBegin, rowsEnd, ref zero, step, out s);
                left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
                right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
                ref T wa = ref Unsafe.Add(ref wb, filterRow);
                w0 = Load<TVector, T>(ref wa, 0); w1 = Load<TVector, T>(ref wa, column); w2 = Load<TVector, T>(ref wa, c2);
                v = TRepeat.Load<TVector, T>(ref left, 0);
                a0 = MultiplyAdd<TVector, T>(v, w0, a0);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b0);
                v = TRepeat.Load<TVector, T>(ref x, 0);
                a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b0); b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b1);
                v = TRepeat.Load<TVector, T>(ref x, 1 * s);
                a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b0); b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b1); b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b2);
                v = TRepeat.Load<TVector, T>(ref x, 2 * s);
                a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b1); b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b2); b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b3);
                v = TRepeat.Load<TVector, T>(ref x, 3 * s);
                a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b2); b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b3); b4 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b4);
                v = TRepeat.Load<TVector, T>(ref x, 4 * s);
                a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b3); b4 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b4); b5 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b5);
                v = TRepeat.Load<TVector, T>(ref x, 5 * s);
                a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5);
                b4 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b4); b5 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b5);
                if (seven)
                {
                    a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                    b6 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b6);
                    v = TRepeat.Load<TVector, T>(ref x, 6 * s);
                    a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6);
                    b5 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b5); b6 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b6);
                    v = TRepeat.Load<TVector, T>(ref right, 0);
                    a6 = MultiplyAdd<TVector, T>(v, w2, a6);
                    b6 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b6);
                }
                else
                {
                    v = TRepeat.Load<TVector, T>(ref right, 0);
                    a5 = MultiplyAdd<TVector, T>(v, w2, a5);
                    b5 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b5);
                }
                wb = ref wa;
            }

            // Input row 3: filter row 2 into output row r + 1.
            x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, 3, rowsBegin, rowsEnd, ref zero, step, out s);
            left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
            right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
            w0 = Load<TVector, T>(ref wb, 0); w1 = Load<TVector, T>(ref wb, column); w2 = Load<TVector, T>(ref wb, c2);
            b0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref left, 0), w0, b0);
            v = TRepeat.Load<TVector, T>(ref x, 0); b0 = MultiplyAdd<TVector, T>(v, w1, b0); b1 = MultiplyAdd<TVector, T>(v, w0, b1);
            v = TRepeat.Load<TVector, T>(ref x, 1 * s); b0 = MultiplyAdd<TVector, T>(v, w2, b0); b1 = MultiplyAdd<TVector, T>(v, w1, b1); b2 = MultiplyAdd<TVector, T>(v, w0, b2);
            v = TRepeat.Load<TVector, T>(ref x, 2 * s); b1 = MultiplyAdd<TVector, T>(v, w2, b1); b2 = MultiplyAdd<TVector, T>(v, w1, b2); b3 = MultiplyAdd<TVector, T>(v, w0, b3);
            v = TRepeat.Load<TVector, T>(ref x, 3 * s); b2 = MultiplyAdd<TVector, T>(v, w2, b2); b3 = MultiplyAdd<TVector, T>(v, w1, b3); b4 = MultiplyAdd<TVector, T>(v, w0, b4);
            v = TRepeat.Load<TVector, T>(ref x, 4 * s); b3 = MultiplyAdd<TVector, T>(v, w2, b3); b4 = MultiplyAdd<TVector, T>(v, w1, b4); b5 = MultiplyAdd<TVector, T>(v, w0, b5);
            v = TRepeat.Load<TVector, T>(ref x, 5 * s); b4 = MultiplyAdd<TVector, T>(v, w2, b4); b5 = MultiplyAdd<TVector, T>(v, w1, b5);
            if (seven)
            {
                b6 = MultiplyAdd<TVector, T>(v, w0, b6);
                v = TRepeat.Load<TVector, T>(ref x, 6 * s); b5 = MultiplyAdd<TVector, T>(v, w2, b5); b6 = MultiplyAdd<TVector, T>(v, w1, b6);
                b6 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, b6);
            }
            else
                b5 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, b5);

            ref T ya = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref ya, 0); Store<TVector, T>(a1, ref ya, column); Store<TVector, T>(a2, ref ya, c2);
            Store<TVector, T>(a3, ref ya, 3 * column); Store<TVector, T>(a4, ref ya, 4 * column); Store<TVector, T>(a5, ref ya, 5 * column);
            if (seven) Store<TVector, T>(a6, ref ya, 6 * column);
            ref T yb = ref Unsafe.Add(ref ya, nextRow);
            Store<TVector, T>(b0, ref yb, 0); Store<TVector, T>(b1, ref yb, column); Store<TVector, T>(b2, ref yb, c2);
            Store<TVector, T>(b3, ref yb, 3 * column); Store<TVector, T>(b4, ref yb, 4 * column); Store<TVector, T>(b5, ref yb, 5 * column);
            if (seven) Store<TVector, T>(b6, ref yb, 6 * column);
            if (c == lastChannel) break;
        }
    }
}

/// <summary>Whether a block's code may assume all its input rows and columns lie inside the image (no padding tests).</summary>
internal interface IBlockBounds
{
    static abstract bool Inside { get; }
}

/// <summary>Every input row and column the block reads lies inside the image.</summary>
internal readonly struct InsideImage : IBlockBounds
{
    public static bool Inside => true;
}

/// <summary>Some of the block's input rows or edge columns may lie in the padding.</summary>
internal readonly struct MayReadPadding : IBlockBounds
{
    public static bool Inside => false;
}
