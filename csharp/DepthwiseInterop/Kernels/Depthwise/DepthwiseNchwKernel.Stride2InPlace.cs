using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 2 (no dilation), no left or top padding (SAME on even sizes, VALID),
/// float32 on 256-bit AVX2 vectors: the tiles read the input rows where they are instead of a band copied to
/// the scratch and split into column phases (that copy was two thirds of the time on 56x56 planes). A work
/// item's output rows (the bands of the planar plan) go in groups of seven, each reading 15 input rows: in
/// place, the 15th from a zero row when it is the one row below the image, or else from a copy of the
/// group's rows with zero rows for the padding. A band's last one to four rows go through the band scratch
/// and its four-row tiles, as before; a last group of five or six rows moves back to end at the band's end.
/// Eight output columns read 17 input columns: taps 0 and 1 are the even and the odd picks (<c>vshufps</c>)
/// of the two 8-column loads at column 0, tap 2 the even picks of the two at column 2 (18 columns, the last
/// unused; four loads a row, where a pair for each tap made six and ran no faster), which leaves the lanes in
/// the order 0 1 4 5 2 3 6 7 for all three taps alike; each accumulator is put back in order (<c>vpermpd</c>)
/// once, before the store. Each accumulator starts from zero at its first tap and is stored after its last,
/// so at most two are live (all seven zeroed up front spilled). Vectors whose columns leave the image on the
/// right (the padding column) use masked loads, which read zeros there: only the second load of each pair
/// where the first stays in the image (SAME's last vector; two masks, where six spilled the weights: 56x56
/// planes 1.2x), else both. Each output adds its nine taps in the same order, from zero, with the same fused
/// multiply-adds as the band tiles, so the bits are theirs. (With left padding, the copies of the left edge
/// columns and of the top rows made 33x33 planes 1.4x slower than the band kernel: those keep to it.)
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Input rows a group of seven output rows reads at row stride 2.</summary>
    private const int GroupInputRows = 15;

    /// <summary>Whether <see cref="RunItemsStride2InPlace"/> serves the problem (it needs one full in-place vector a row).</summary>
    private static bool ReadsStride2InPlace<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector256<float>) && Avx2.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 2 && p.StrideWidth == 2
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= 8
        && p.PadLeft == 0 && p.PadTop == 0 && LastInPlaceColumn(p) >= 0;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes this path for the problem (for the tests that must reach it).</summary>
    internal static bool TakesStride2InPlace<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        ReadsStride2InPlace<TVector, T>(new Plan(g, Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Last output column a vector can start at and read no right padding: 2 ox + 17 ≤ W - 1.</summary>
    private static nint LastInPlaceColumn(in Plan p)
    {
        nint room = p.Width - 18;
        return room < 0 ? -1 : Math.Min(room / 2, p.OutputWidth - 8);
    }

    /// <summary>
    /// Computes work items [firstItem, endItem) of a problem <see cref="ReadsStride2InPlace"/> accepts; a band's
    /// last one to four rows go through the band scratch (<paramref name="band"/>, zeroed, with the tap
    /// <paramref name="offsets"/> of <see cref="RunItems{TVector, T}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunItemsStride2InPlace(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem,
        ref float band, ref nint offsets)
    {
        nint width = p.Width, outputWidth = p.OutputWidth;
        // In-place vectors at 0, 8, ... up to the last in-place column, then edge vectors on to OW (with masked
        // loads), the last shifted back to end there. (Ending the in-place ones exactly at the last in-place
        // column cost a shifted-back vector more: five vectors for the 28 columns of 56x56 planes, not four.)
        nint wholeEnd = LastInPlaceColumn(p) / 8 * 8 + 8, edges = (outputWidth - wholeEnd + 7) / 8;
        // Rows + 1: a zero row past the copied ones, the 15th row of a group whose only row below the image is that one.
        float[] padded = ArrayPool<float>.Shared.Rent(checked((int)((GroupInputRows + 1) * width)));
        ZeroElements(ref padded[0], GroupInputRows * width, (GroupInputRows + 1) * width);
        Span<float> weightSpan = stackalloc float[9];
        ref float weights = ref MemoryMarshal.GetReference(weightSpan);
        // Pinned: the masked loads of the right edge vectors take addresses.
        fixed (float* pinnedInput = &input, pinnedPadded = padded)
        try
        {
            nint planeIn = p.Height * width, planeOut = p.OutputHeight * outputWidth, outputChannels = p.Channels * p.Multiplier;
            for (long item = firstItem; item < endItem; item++)
            {
                nint plane = (nint)(item / p.Bands), bandIndex = (nint)(item % p.Bands);
                nint batch = plane / p.Channels, channel = plane % p.Channels;
                nint firstRow = bandIndex * p.BandRows, endRow = Math.Min(firstRow + p.BandRows, p.OutputHeight);
                ref float image = ref Unsafe.Add(ref input, plane * planeIn);
                for (nint r = firstRow; r < endRow; r += 7)
                {
                    // The tile computes seven rows, whatever it stores. A last group of five or six rows moves
                    // back to end at the band's end (recomputing rows with the same bits); one to four rows of a
                    // wider band cost less as the band kernel's four-row tiles (those 21x16 rows for 16 measured
                    // 10-15% slower than the band kernel on 32x32 planes).
                    if (endRow - r <= 4)
                    {
                        RowsThroughBand(ref image, p, r, endRow, ref band, ref offsets, ref filter, ref weights, channel,
                            ref Unsafe.Add(ref output, batch * outputChannels * planeOut + r * outputWidth));
                        break;
                    }
                    if (endRow - r < 7 && endRow - firstRow >= 7) r = endRow - 7;
                    nint rows = Math.Min(7, endRow - r), top = 2 * r - p.PadTop;
                    // The 15 rows in place when they are in the image, or all but the last, which then reads
                    // the zero row (SAME padding of an even height); else copied, zero rows for the padding.
                    bool inImage = top >= 0 && top + GroupInputRows - 1 <= p.Height;
                    ref float source = ref inImage ? ref Unsafe.Add(ref image, top * width) : ref padded[0];
                    ref float lastRow = ref top + GroupInputRows <= p.Height ? ref Unsafe.Add(ref source, (GroupInputRows - 1) * width)
                        : ref padded[GroupInputRows * width];
                    if (!inImage)
                    {
                        lastRow = ref Unsafe.Add(ref source, (GroupInputRows - 1) * width);
                        for (nint i = 0; i < GroupInputRows; i++)
                        {
                            nint iy = top + i;
                            ref float row = ref Unsafe.Add(ref source, i * width);
                            if ((nuint)iy < (nuint)p.Height) CopyElements(ref Unsafe.Add(ref image, iy * width), ref row, width);
                            else ZeroElements(ref row, 0, width);
                        }
                    }
                    for (nint m = 0; m < p.Multiplier; m++)
                    {
                        nint o = channel * p.Multiplier + m;
                        for (nint k = 0; k < 9; k++) Unsafe.Add(ref weights, k) = Unsafe.Add(ref filter, k * outputChannels + o);
                        ref float y = ref Unsafe.Add(ref output, (batch * outputChannels + o) * planeOut + r * outputWidth);
                        Rows7Stride2(ref source, width, ref lastRow, ref weights, ref y, outputWidth, rows, wholeEnd, new WholeTaps());
                        for (nint e = 0; e < edges; e++)
                        {
                            // Past the last in-place vector, 8 columns at a time, the last shifted back to end at OW.
                            nint ox = Math.Min(wholeEnd + 8 * e, outputWidth - 8);
                            ref float first = ref Unsafe.Add(ref source, 2 * ox);
                            ref float last = ref Unsafe.Add(ref lastRow, 2 * ox);
                            ref float yo = ref Unsafe.Add(ref y, ox);
                            // Only the second load of a pair leaves the image when the first at column 2 stays in it.
                            if (2 * ox + 2 + 8 <= width)
                                Rows7Stride2(ref first, width, ref last, ref weights, ref yo, outputWidth, rows, 8, new RightEdgeTaps(width - 2 * ox));
                            else
                                Rows7Stride2(ref first, width, ref last, ref weights, ref yo, outputWidth, rows, 8, new MaskedTaps(width - 2 * ox));
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>
    /// Output rows [r, endRow) of one input plane's output planes through the band scratch, as
    /// <see cref="RunItems{TVector, T}"/> would compute them; <paramref name="y"/> is row r of output channel 0
    /// of the batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsThroughBand(ref float image, in Plan p, nint r, nint endRow, ref float band, ref nint offsets, ref float filter,
        ref float weights, nint channel, ref float y)
    {
        nint rows = endRow - r, outputChannels = p.Channels * p.Multiplier, planeOut = p.OutputHeight * p.OutputWidth;
        FillBand(ref image, p, r * p.StrideHeight - p.PadTop, (rows - 1) * p.StrideHeight + 3, ref band);
        for (nint m = 0; m < p.Multiplier; m++)
        {
            nint o = channel * p.Multiplier + m;
            for (nint k = 0; k < 9; k++) Unsafe.Add(ref weights, k) = Unsafe.Add(ref filter, k * outputChannels + o);
            ComputeBand<Vector256<float>, float>(ref band, p, rows, ref weights, ref offsets, 9, ref Unsafe.Add(ref y, o * planeOut));
        }
    }

    /// <summary>
    /// Seven output rows × eight columns at a time along <paramref name="width"/> output columns (at least
    /// eight; the last vector shifted back to end there): output column ox of row i reads input row 2i + ky,
    /// column 2 ox + kx of <paramref name="x"/> (rows <paramref name="pitch"/> apart, but the last, row 14, at
    /// <paramref name="lastRow"/>), loaded as <typeparamref name="TTaps"/> says. The first <paramref name="rows"/>
    /// rows are stored, <paramref name="next"/> apart. Same accumulation as
    /// <see cref="Rows7Taps3x3Stride2{TVector, T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows7Stride2<TTaps>(ref float x, nint pitch, ref float lastRow, ref float weights, ref float y, nint next, nint rows, nint width, TTaps taps)
        where TTaps : struct, IColumnPairs
    {
        Vector256<float> w00 = Vector256.Create(Unsafe.Add(ref weights, 0)), w01 = Vector256.Create(Unsafe.Add(ref weights, 1)), w02 = Vector256.Create(Unsafe.Add(ref weights, 2));
        Vector256<float> w10 = Vector256.Create(Unsafe.Add(ref weights, 3)), w11 = Vector256.Create(Unsafe.Add(ref weights, 4)), w12 = Vector256.Create(Unsafe.Add(ref weights, 5));
        Vector256<float> w20 = Vector256.Create(Unsafe.Add(ref weights, 6)), w21 = Vector256.Create(Unsafe.Add(ref weights, 7)), w22 = Vector256.Create(Unsafe.Add(ref weights, 8));
        for (nint ox = 0; ; ox += 8)
        {
            if (ox > width - 8) ox = width - 8;
            // Each accumulator starts from zero at its first tap and is stored after its last: at most two live,
            // which leaves registers for the nine weights, the two loads taps 0 and 1 share and an edge
            // vector's masks (zeroed and kept all seven at once, the tiles spilled).
            Vector256<float> a0, a1, a2, a3, a4, a5, a6, low, high, v, zero = Vector256<float>.Zero;
            ref float yo = ref Unsafe.Add(ref y, ox);
            ref float row = ref Unsafe.Add(ref x, 2 * ox);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a0 = Fma(v, w00, zero);
            v = OddColumns(low, high); a0 = Fma(v, w01, a0);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a0 = Fma(v, w02, a0);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a0 = Fma(v, w10, a0);
            v = OddColumns(low, high); a0 = Fma(v, w11, a0);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a0 = Fma(v, w12, a0);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a0 = Fma(v, w20, a0); a1 = Fma(v, w00, zero);
            v = OddColumns(low, high); a0 = Fma(v, w21, a0); a1 = Fma(v, w01, a1);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a0 = Fma(v, w22, a0); a1 = Fma(v, w02, a1);
            InOrder(a0).StoreUnsafe(ref yo);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a1 = Fma(v, w10, a1);
            v = OddColumns(low, high); a1 = Fma(v, w11, a1);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a1 = Fma(v, w12, a1);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a1 = Fma(v, w20, a1); a2 = Fma(v, w00, zero);
            v = OddColumns(low, high); a1 = Fma(v, w21, a1); a2 = Fma(v, w01, a2);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a1 = Fma(v, w22, a1); a2 = Fma(v, w02, a2);
            if (rows > 1) InOrder(a1).StoreUnsafe(ref yo, (nuint)(1 * next));
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a2 = Fma(v, w10, a2);
            v = OddColumns(low, high); a2 = Fma(v, w11, a2);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a2 = Fma(v, w12, a2);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a2 = Fma(v, w20, a2); a3 = Fma(v, w00, zero);
            v = OddColumns(low, high); a2 = Fma(v, w21, a2); a3 = Fma(v, w01, a3);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a2 = Fma(v, w22, a2); a3 = Fma(v, w02, a3);
            if (rows > 2) InOrder(a2).StoreUnsafe(ref yo, (nuint)(2 * next));
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a3 = Fma(v, w10, a3);
            v = OddColumns(low, high); a3 = Fma(v, w11, a3);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a3 = Fma(v, w12, a3);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a3 = Fma(v, w20, a3); a4 = Fma(v, w00, zero);
            v = OddColumns(low, high); a3 = Fma(v, w21, a3); a4 = Fma(v, w01, a4);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a3 = Fma(v, w22, a3); a4 = Fma(v, w02, a4);
            if (rows > 3) InOrder(a3).StoreUnsafe(ref yo, (nuint)(3 * next));
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a4 = Fma(v, w10, a4);
            v = OddColumns(low, high); a4 = Fma(v, w11, a4);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a4 = Fma(v, w12, a4);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a4 = Fma(v, w20, a4); a5 = Fma(v, w00, zero);
            v = OddColumns(low, high); a4 = Fma(v, w21, a4); a5 = Fma(v, w01, a5);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a4 = Fma(v, w22, a4); a5 = Fma(v, w02, a5);
            if (rows > 4) InOrder(a4).StoreUnsafe(ref yo, (nuint)(4 * next));
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a5 = Fma(v, w10, a5);
            v = OddColumns(low, high); a5 = Fma(v, w11, a5);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a5 = Fma(v, w12, a5);
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a5 = Fma(v, w20, a5); a6 = Fma(v, w00, zero);
            v = OddColumns(low, high); a5 = Fma(v, w21, a5); a6 = Fma(v, w01, a6);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a5 = Fma(v, w22, a5); a6 = Fma(v, w02, a6);
            if (rows > 5) InOrder(a5).StoreUnsafe(ref yo, (nuint)(5 * next));
            row = ref Unsafe.Add(ref row, pitch);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a6 = Fma(v, w10, a6);
            v = OddColumns(low, high); a6 = Fma(v, w11, a6);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a6 = Fma(v, w12, a6);
            row = ref Unsafe.Add(ref lastRow, 2 * ox);
            (low, high) = taps.Columns(ref row, 0); v = EvenColumns(low, high); a6 = Fma(v, w20, a6);
            v = OddColumns(low, high); a6 = Fma(v, w21, a6);
            (low, high) = taps.Columns(ref row, 2); v = EvenColumns(low, high); a6 = Fma(v, w22, a6);
            if (rows > 6) InOrder(a6).StoreUnsafe(ref yo, (nuint)(6 * next));
            if (ox == width - 8) break;
        }
    }

    /// <summary>
    /// The 16 input columns of one row from column <c>at</c> (0 or 2) of eight outputs, in two loads: tap 0's
    /// and tap 1's columns are the even and the odd picks of the pair at 0 (<see cref="EvenColumns"/>,
    /// <see cref="OddColumns"/>), tap 2's the even picks of the pair at 2.
    /// </summary>
    private interface IColumnPairs
    {
        (Vector256<float> Low, Vector256<float> High) Columns(ref float row, nint at);
    }

    /// <summary>Columns of eight outputs all in the image (or in a zero-padded copy): plain loads.</summary>
    private readonly struct WholeTaps : IColumnPairs
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector256<float> Low, Vector256<float> High) Columns(ref float row, nint at) =>
            (Vector256.LoadUnsafe(ref row, (nuint)at), Vector256.LoadUnsafe(ref row, (nuint)at + 8));
    }

    /// <summary>
    /// Columns of eight outputs where only the second load of each pair may leave the image on the right (the
    /// shifted-back last vector of SAME planes): the first load plain, the second masked, reading zeros past the
    /// image and touching no memory there. Two masks stay in registers; the four of <see cref="MaskedTaps"/> (six
    /// before the pairs were shared) spilled the weights: 56x56 planes at stride 2 1.24x.
    /// </summary>
    private readonly unsafe struct RightEdgeTaps : IColumnPairs
    {
        private readonly Vector256<float> high0, high2;

        /// <param name="columns">Image columns from the first one the taps read (at least 10: the first load at 2 in the image).</param>
        public RightEdgeTaps(nint columns)
        {
            Vector256<int> lanes = Vector256.Create(8, 9, 10, 11, 12, 13, 14, 15), n = Vector256.Create((int)Math.Min(columns, 64));
            high0 = Vector256.LessThan(lanes, n).AsSingle();
            high2 = Vector256.LessThan(lanes + Vector256.Create(2), n).AsSingle();
        }

        // The rows are pinned (see RunItemsStride2InPlace), so their addresses hold during the loads.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector256<float> Low, Vector256<float> High) Columns(ref float row, nint at)
        {
            float* first = (float*)Unsafe.AsPointer(ref row) + at;
            return (Vector256.Load(first), Avx.MaskLoad(first + 8, at == 0 ? high0 : high2));
        }
    }

    /// <summary>
    /// Columns of eight outputs where both loads may leave the image on the right (large explicit right
    /// padding): both masked, reading zeros past the image and touching no memory there.
    /// </summary>
    private readonly unsafe struct MaskedTaps : IColumnPairs
    {
        private readonly Vector256<float> low0, high0, low2, high2;

        /// <param name="columns">Image columns from the first one the taps read (at least 1).</param>
        public MaskedTaps(nint columns)
        {
            Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), n = Vector256.Create((int)Math.Min(columns, 64));
            low0 = Vector256.LessThan(lanes, n).AsSingle(); high0 = Vector256.LessThan(lanes + Vector256.Create(8), n).AsSingle();
            low2 = Vector256.LessThan(lanes + Vector256.Create(2), n).AsSingle(); high2 = Vector256.LessThan(lanes + Vector256.Create(10), n).AsSingle();
        }

        // The rows are pinned (see RunItemsStride2InPlace), so their addresses hold during the loads.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector256<float> Low, Vector256<float> High) Columns(ref float row, nint at)
        {
            float* first = (float*)Unsafe.AsPointer(ref row) + at;
            return at == 0 ? (Avx.MaskLoad(first, low0), Avx.MaskLoad(first + 8, high0)) : (Avx.MaskLoad(first, low2), Avx.MaskLoad(first + 8, high2));
        }
    }

    /// <summary>Columns 0 2 8 10 4 6 12 14 of a pair: eight outputs' tap at the pair's first column, in the lane order 0 1 4 5 2 3 6 7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> EvenColumns(Vector256<float> low, Vector256<float> high) => Avx.Shuffle(low, high, 0b10_00_10_00);

    /// <summary>Columns 1 3 9 11 5 7 13 15 of a pair: the tap one column further, in the same lane order (the even picks of the pair at column 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> OddColumns(Vector256<float> low, Vector256<float> high) => Avx.Shuffle(low, high, 0b11_01_11_01);

    /// <summary>Lanes 0 1 4 5 2 3 6 7 back to 0-7: the middle pairs swapped (<c>vpermpd 0xD8</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> InOrder(Vector256<float> permuted) => Avx2.Permute4x64(permuted.AsDouble(), 0b11_01_10_00).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => MultiplyAdd<Vector256<float>, float>(a, b, c);
}
