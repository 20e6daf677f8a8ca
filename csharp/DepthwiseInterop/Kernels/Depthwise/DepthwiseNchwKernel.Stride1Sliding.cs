using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 1 (no dilation, any padding) on output rows wider than
/// <see cref="MaxInPlaceOutputWidth"/>, float32 on 512-bit AVX-512 vectors, reading the input rows in place.
/// Work items and row groups are those of DepthwiseNchwKernel.Stride1Wide.cs (a band's output rows in groups of
/// five to seven, each reading its rows and two more, a zero row over the top and bottom padding; the nine row
/// pointers are locals: read from a table in memory at each load, 56x56x144 took 1.36x NHWC's time against
/// 1.23x). Along the rows, a group slides one vector of sixteen output columns at a time, carrying
/// one vector per input row from step to step: each step loads the next sixteen columns of each of its nine
/// rows once (<c>next</c>), and makes the taps at columns +1 and +2 from the carried vector and that one with
/// <c>valignd</c>. The tiles of DepthwiseNchwKernel.Stride1Wide.cs load all three taps, two of them unaligned
/// by one or two columns: at 512 bits nearly every such load splits across two cache lines, and the tile ran
/// no faster than at 256 bits (28x28x16 in L1: 3.3 µs against 3.5; a C probe of the same tile with aligned
/// loads took half the time). A step whose next columns all lie in the image loads them plainly (56x56x144:
/// 1.09x NHWC's time against 1.20x with masked loads throughout); the other loads are masked to the image's
/// columns <c>[0, W)</c> (zeros outside, memory untouched there), so padding on either side and the columns past
/// OW of the last step read zeros; the last step of a row not a multiple of sixteen wide stores only its columns
/// (a masked store). Rows of 9 to 16 columns: DepthwiseNchwKernel.Stride1SlidingNarrow.cs; rows of 17 or more with at most
/// one padding column left, the branch-free steps of DepthwiseNchwKernel.Stride1Pairs.cs. The zero row
/// is read only at image columns. Each output adds its nine taps in filter-row, then filter-column order from
/// zero with the same fused multiply-adds as the band tiles, padding taps multiplying zeros, so the bits are
/// the band kernel's (and NaN weights over the padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="RunItemsStride1Sliding"/> serves the problem.</summary>
    private static bool SlidesStride1InPlace<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= MinSlidingOutputWidth;

    /// <summary>
    /// Narrowest output rows the sliding path takes: a vector of sixteen columns computes at most eight of
    /// them below that, and the 256-bit tiles of DepthwiseNchwKernel.Stride1InPlace.cs keep those rows.
    /// </summary>
    internal const int MinSlidingOutputWidth = 9;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the sliding 512-bit stride-1 path for the problem.</summary>
    internal static bool TakesStride1Sliding<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        SlidesStride1InPlace<TVector, T>(new Plan(g, Simd.RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>
    /// Work items [firstItem, endItem) of a bfloat16 problem (rows wider than 16, which <see cref="SlidesStride1InPlace"/>
    /// accepts for float32) on these tiles: bfloat16 input and output, the filter widened to float32; the work items
    /// are float32's (<see cref="WorkItems"/> with 16 lanes of 4 bytes).
    /// </summary>
    internal static unsafe void RunBFloat16SlidingItems(ushort* input, float* filter, ushort* output, in ConvolutionGeometry g, long firstItem, long endItem) =>
        RunItemsStride1Sliding(ref *input, ref *filter, ref *output, new Plan(g, Vector512<float>.Count, sizeof(float)), firstItem, endItem);

    /// <summary>Computes work items [firstItem, endItem) of a problem <see cref="SlidesStride1InPlace"/> accepts.</summary>
    private static void RunItemsStride1Sliding<TElement>(ref TElement input, ref float filter, ref TElement output, in Plan p, long firstItem, long endItem)
        where TElement : unmanaged =>
        RunPlaneRuns<TElement, Stride1Tiles<TElement>>(ref input, ref filter, ref output, p, firstItem, endItem);

    private readonly struct Stride1Tiles<TElement> : IPlaneRunTiles<TElement> where TElement : unmanaged
    {
        private static void SlidingNarrow<TVectors>(in WideBand<float> band, in PlaneRun run, nint pairRows) where TVectors : struct, ITileSize
        {
            if (pairRows == 5) SlidingNarrowBandRows<FiveRows, TVectors>(band, run);
            else if (pairRows == 6) SlidingNarrowBandRows<SixRows, TVectors>(band, run);
            else if (pairRows == 7) SlidingNarrowBandRows<SevenRows, TVectors>(band, run);
            else SlidingNarrowBandRows<EightRows, TVectors>(band, run);
        }

        public static void Run(in WideBand<TElement> band, in PlaneRun run, nint bandRows)
        {
            if (typeof(TElement) == typeof(float) && band.OutputWidth <= 16 && bandRows > 5)
            {
                // Rows up to 16 wide: two groups of five to eight rows cover bands up to 16 rows; longer ones go in pairs of sevens.
                ref readonly WideBand<float> floats = ref Unsafe.As<WideBand<TElement>, WideBand<float>>(ref Unsafe.AsRef(in band));
                nint pairRows = bandRows > 16 ? 7 : Math.Max(5, (bandRows + 1) / 2);
                if (16 - floats.PadLeft < floats.Width) SlidingNarrow<Size2>(floats, run, pairRows);
                else SlidingNarrow<Size1>(floats, run, pairRows);
                return;
            }
            nint groupRows = GroupRowsOf(bandRows);
            if (PairsStride1(band.OutputWidth, band.PadLeft, band.Width)) Stride1Pairs(band, run, groupRows);
            else if (groupRows == 5) SlidingBandRows<FiveRows, TElement>(band, run);
            else if (groupRows == 6) SlidingBandRows<SixRows, TElement>(band, run);
            else SlidingBandRows<SevenRows, TElement>(band, run);
        }
    }

    /// <summary>
    /// A band's output rows in groups of <typeparamref name="TRows"/>, in each plane of <paramref name="run"/> in
    /// turn, the weights in registers for the whole band; each group slides along its rows sixteen output columns
    /// a step, carrying a vector per input row. (A call per plane: 28x28x192 1.24x NHWC's time, 30x30x64 1.48x,
    /// against 1.18x and 1.38x; the planes inside each group instead of each plane's groups in turn, as the
    /// narrow rows below do: 1.40-1.43x and 1.50-1.53x. Rows of 17-32 columns streamed down the band two planes at a
    /// time, without carried vectors (twelve chains, the weights broadcast from memory, accumulators rotating from row
    /// to row): 1.3-1.45x the time of these groups, about 120 instructions per 36 multiply-adds.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void SlidingBandRows<TRows, TElement>(in WideBand<TElement> b, in PlaneRun run) where TRows : struct, IGroupRows where TElement : unmanaged
    {
        nint t = b.TapStride, width = b.Width, padLeft = b.PadLeft, outputWidth = b.OutputWidth, next = outputWidth;
        for (nint j = 0; j < run.Planes; j++)
        {
            TElement* image = b.Image + run.InputOffset(j), outputPlane = b.Y + j * run.OutputStep;
            float* w = b.Weights + j * run.WeightStep;
            BroadcastWeights(w, t, out var w00, out var w01, out var w02, out var w10, out var w11, out var w12, out var w20, out var w21, out var w22);
            Vector512<float> zero = Vector512<float>.Zero;
            nint groupRows = TRows.Count;
            for (nint r = b.FirstRow; r < b.EndRow; r += groupRows)
            {
                if (b.EndRow - r < groupRows && b.EndRow - b.FirstRow >= groupRows) r = b.EndRow - groupRows;
                nint count = Math.Min(groupRows, b.EndRow - r);
                TElement* r0 = RowOrZero(b, image, r, 0), r1 = RowOrZero(b, image, r, 1), r2 = RowOrZero(b, image, r, 2), r3 = RowOrZero(b, image, r, 3);
                TElement* r4 = RowOrZero(b, image, r, 4), r5 = RowOrZero(b, image, r, 5), r6 = RowOrZero(b, image, r, 6);
                TElement* r7 = TRows.Count > 5 ? RowOrZero(b, image, r, 7) : r6, r8 = TRows.Count > 6 ? RowOrZero(b, image, r, 8) : r6;
                // The carried vectors: input columns [at, at + 16) of each row, at = ox - PadLeft.
                nint at = -padLeft;
                Vector512<float> mask = ColumnsInImage(at, width);
                Vector512<float> c0 = MaskedRow(r0, at, mask), c1 = MaskedRow(r1, at, mask), c2 = MaskedRow(r2, at, mask);
                Vector512<float> c3 = MaskedRow(r3, at, mask), c4 = MaskedRow(r4, at, mask), c5 = MaskedRow(r5, at, mask), c6 = MaskedRow(r6, at, mask);
                Vector512<float> c7 = TRows.Count > 5 ? MaskedRow(r7, at, mask) : zero, c8 = TRows.Count > 6 ? MaskedRow(r8, at, mask) : zero;
                TElement* y = outputPlane + r * outputWidth;
                // Two vectors a step while more than sixteen columns remain: six accumulators in flight rather than
                // three, since each output's nine multiply-adds form one dependent chain.
                nint ox = 0;
                for (; ox + 16 < outputWidth; ox += 32, at += 32)
                {
                    mask = ColumnsInImage(at + 16, width);
                    Vector512<float> secondMask = ColumnsInImage(at + 32, width);
                    bool inside = at + 16 >= 0 && at + 32 <= width, secondInside = at + 32 >= 0 && at + 48 <= width;
                    // The second vector's next columns all past the image (the last step of most rows): zeros, no loads.
                    bool secondOutside = at + 32 >= width;
                    Vector512<float> stored = ColumnsBelow(outputWidth - ox - 16);
                    bool whole = ox + 32 <= outputWidth;
                    TElement* yo = y + ox;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, b0, b1, b2, b3, b4, b5 = zero, b6 = zero, n, m, x1, x2, z1, z2;
                    n = NextColumns(r0, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r0, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c0, 1); x2 = Shift(n, c0, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a0 = Fma512(c0, w00, zero); b0 = Fma512(n, w00, zero);
                    a0 = Fma512(x1, w01, a0); b0 = Fma512(z1, w01, b0);
                    a0 = Fma512(x2, w02, a0); b0 = Fma512(z2, w02, b0);
                    c0 = m;
                    n = NextColumns(r1, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r1, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c1, 1); x2 = Shift(n, c1, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a0 = Fma512(c1, w10, a0); b0 = Fma512(n, w10, b0); a1 = Fma512(c1, w00, zero); b1 = Fma512(n, w00, zero);
                    a0 = Fma512(x1, w11, a0); b0 = Fma512(z1, w11, b0); a1 = Fma512(x1, w01, a1); b1 = Fma512(z1, w01, b1);
                    a0 = Fma512(x2, w12, a0); b0 = Fma512(z2, w12, b0); a1 = Fma512(x2, w02, a1); b1 = Fma512(z2, w02, b1);
                    c1 = m;
                    n = NextColumns(r2, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r2, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c2, 1); x2 = Shift(n, c2, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a0 = Fma512(c2, w20, a0); b0 = Fma512(n, w20, b0); a1 = Fma512(c2, w10, a1); b1 = Fma512(n, w10, b1); a2 = Fma512(c2, w00, zero); b2 = Fma512(n, w00, zero);
                    a0 = Fma512(x1, w21, a0); b0 = Fma512(z1, w21, b0); a1 = Fma512(x1, w11, a1); b1 = Fma512(z1, w11, b1); a2 = Fma512(x1, w01, a2); b2 = Fma512(z1, w01, b2);
                    a0 = Fma512(x2, w22, a0); b0 = Fma512(z2, w22, b0); a1 = Fma512(x2, w12, a1); b1 = Fma512(z2, w12, b1); a2 = Fma512(x2, w02, a2); b2 = Fma512(z2, w02, b2);
                    c2 = m;
                    StoreOutputRow(a0, yo, true, stored); StoreOutputRow(b0, yo + 16, whole, stored);
                    n = NextColumns(r3, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r3, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c3, 1); x2 = Shift(n, c3, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a1 = Fma512(c3, w20, a1); b1 = Fma512(n, w20, b1); a2 = Fma512(c3, w10, a2); b2 = Fma512(n, w10, b2); a3 = Fma512(c3, w00, zero); b3 = Fma512(n, w00, zero);
                    a1 = Fma512(x1, w21, a1); b1 = Fma512(z1, w21, b1); a2 = Fma512(x1, w11, a2); b2 = Fma512(z1, w11, b2); a3 = Fma512(x1, w01, a3); b3 = Fma512(z1, w01, b3);
                    a1 = Fma512(x2, w22, a1); b1 = Fma512(z2, w22, b1); a2 = Fma512(x2, w12, a2); b2 = Fma512(z2, w12, b2); a3 = Fma512(x2, w02, a3); b3 = Fma512(z2, w02, b3);
                    c3 = m;
                    if (count > 1) { StoreOutputRow(a1, yo + next, true, stored); StoreOutputRow(b1, yo + 16 + next, whole, stored); }
                    n = NextColumns(r4, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r4, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c4, 1); x2 = Shift(n, c4, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a2 = Fma512(c4, w20, a2); b2 = Fma512(n, w20, b2); a3 = Fma512(c4, w10, a3); b3 = Fma512(n, w10, b3); a4 = Fma512(c4, w00, zero); b4 = Fma512(n, w00, zero);
                    a2 = Fma512(x1, w21, a2); b2 = Fma512(z1, w21, b2); a3 = Fma512(x1, w11, a3); b3 = Fma512(z1, w11, b3); a4 = Fma512(x1, w01, a4); b4 = Fma512(z1, w01, b4);
                    a2 = Fma512(x2, w22, a2); b2 = Fma512(z2, w22, b2); a3 = Fma512(x2, w12, a3); b3 = Fma512(z2, w12, b3); a4 = Fma512(x2, w02, a4); b4 = Fma512(z2, w02, b4);
                    c4 = m;
                    if (count > 2) { StoreOutputRow(a2, yo + 2 * next, true, stored); StoreOutputRow(b2, yo + 16 + 2 * next, whole, stored); }
                    n = NextColumns(r5, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r5, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c5, 1); x2 = Shift(n, c5, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a3 = Fma512(c5, w20, a3); b3 = Fma512(n, w20, b3); a4 = Fma512(c5, w10, a4); b4 = Fma512(n, w10, b4); if (TRows.Count > 5) a5 = Fma512(c5, w00, zero); if (TRows.Count > 5) b5 = Fma512(n, w00, zero);
                    a3 = Fma512(x1, w21, a3); b3 = Fma512(z1, w21, b3); a4 = Fma512(x1, w11, a4); b4 = Fma512(z1, w11, b4); if (TRows.Count > 5) a5 = Fma512(x1, w01, a5); if (TRows.Count > 5) b5 = Fma512(z1, w01, b5);
                    a3 = Fma512(x2, w22, a3); b3 = Fma512(z2, w22, b3); a4 = Fma512(x2, w12, a4); b4 = Fma512(z2, w12, b4); if (TRows.Count > 5) a5 = Fma512(x2, w02, a5); if (TRows.Count > 5) b5 = Fma512(z2, w02, b5);
                    c5 = m;
                    if (count > 3) { StoreOutputRow(a3, yo + 3 * next, true, stored); StoreOutputRow(b3, yo + 16 + 3 * next, whole, stored); }
                    n = NextColumns(r6, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r6, at + 32, secondMask, secondInside);
                    x1 = Shift(n, c6, 1); x2 = Shift(n, c6, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                    a4 = Fma512(c6, w20, a4); b4 = Fma512(n, w20, b4); if (TRows.Count > 5) a5 = Fma512(c6, w10, a5); if (TRows.Count > 5) b5 = Fma512(n, w10, b5); if (TRows.Count > 6) a6 = Fma512(c6, w00, zero); if (TRows.Count > 6) b6 = Fma512(n, w00, zero);
                    a4 = Fma512(x1, w21, a4); b4 = Fma512(z1, w21, b4); if (TRows.Count > 5) a5 = Fma512(x1, w11, a5); if (TRows.Count > 5) b5 = Fma512(z1, w11, b5); if (TRows.Count > 6) a6 = Fma512(x1, w01, a6); if (TRows.Count > 6) b6 = Fma512(z1, w01, b6);
                    a4 = Fma512(x2, w22, a4); b4 = Fma512(z2, w22, b4); if (TRows.Count > 5) a5 = Fma512(x2, w12, a5); if (TRows.Count > 5) b5 = Fma512(z2, w12, b5); if (TRows.Count > 6) a6 = Fma512(x2, w02, a6); if (TRows.Count > 6) b6 = Fma512(z2, w02, b6);
                    c6 = m;
                    if (count > 4) { StoreOutputRow(a4, yo + 4 * next, true, stored); StoreOutputRow(b4, yo + 16 + 4 * next, whole, stored); }
                    if (TRows.Count > 5)
                    {
                        n = NextColumns(r7, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r7, at + 32, secondMask, secondInside);
                        x1 = Shift(n, c7, 1); x2 = Shift(n, c7, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                        a5 = Fma512(c7, w20, a5); b5 = Fma512(n, w20, b5); if (TRows.Count > 6) a6 = Fma512(c7, w10, a6); if (TRows.Count > 6) b6 = Fma512(n, w10, b6);
                        a5 = Fma512(x1, w21, a5); b5 = Fma512(z1, w21, b5); if (TRows.Count > 6) a6 = Fma512(x1, w11, a6); if (TRows.Count > 6) b6 = Fma512(z1, w11, b6);
                        a5 = Fma512(x2, w22, a5); b5 = Fma512(z2, w22, b5); if (TRows.Count > 6) a6 = Fma512(x2, w12, a6); if (TRows.Count > 6) b6 = Fma512(z2, w12, b6);
                        c7 = m;
                        if (count > 5) { StoreOutputRow(a5, yo + 5 * next, true, stored); StoreOutputRow(b5, yo + 16 + 5 * next, whole, stored); }
                    }
                    if (TRows.Count > 6)
                    {
                        n = NextColumns(r8, at + 16, mask, inside); m = secondOutside ? zero : NextColumns(r8, at + 32, secondMask, secondInside);
                        x1 = Shift(n, c8, 1); x2 = Shift(n, c8, 2); z1 = Shift(m, n, 1); z2 = Shift(m, n, 2);
                        a6 = Fma512(c8, w20, a6); b6 = Fma512(n, w20, b6);
                        a6 = Fma512(x1, w21, a6); b6 = Fma512(z1, w21, b6);
                        a6 = Fma512(x2, w22, a6); b6 = Fma512(z2, w22, b6);
                        c8 = m;
                        if (count > 6) { StoreOutputRow(a6, yo + 6 * next, true, stored); StoreOutputRow(b6, yo + 16 + 6 * next, whole, stored); }
                    }
                }
                if (ox < outputWidth)
                {
                    mask = ColumnsInImage(at + 16, width);
                    bool inside = at + 16 >= 0 && at + 32 <= width;
                    Vector512<float> stored = ColumnsBelow(outputWidth - ox);
                    bool whole = ox + 16 <= outputWidth;
                    TElement* yo = y + ox;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, n, v1, v2;
                    n = NextColumns(r0, at + 16, mask, inside); v1 = Shift(n, c0, 1); v2 = Shift(n, c0, 2);
                    a0 = Fma512(c0, w00, zero); a0 = Fma512(v1, w01, a0); a0 = Fma512(v2, w02, a0);
                    c0 = n;
                    n = NextColumns(r1, at + 16, mask, inside); v1 = Shift(n, c1, 1); v2 = Shift(n, c1, 2);
                    a0 = Fma512(c1, w10, a0); a1 = Fma512(c1, w00, zero);
                    a0 = Fma512(v1, w11, a0); a1 = Fma512(v1, w01, a1);
                    a0 = Fma512(v2, w12, a0); a1 = Fma512(v2, w02, a1);
                    c1 = n;
                    n = NextColumns(r2, at + 16, mask, inside); v1 = Shift(n, c2, 1); v2 = Shift(n, c2, 2);
                    a0 = Fma512(c2, w20, a0); a1 = Fma512(c2, w10, a1); a2 = Fma512(c2, w00, zero);
                    a0 = Fma512(v1, w21, a0); a1 = Fma512(v1, w11, a1); a2 = Fma512(v1, w01, a2);
                    a0 = Fma512(v2, w22, a0); a1 = Fma512(v2, w12, a1); a2 = Fma512(v2, w02, a2);
                    c2 = n;
                    StoreOutputRow(a0, yo, whole, stored);
                    n = NextColumns(r3, at + 16, mask, inside); v1 = Shift(n, c3, 1); v2 = Shift(n, c3, 2);
                    a1 = Fma512(c3, w20, a1); a2 = Fma512(c3, w10, a2); a3 = Fma512(c3, w00, zero);
                    a1 = Fma512(v1, w21, a1); a2 = Fma512(v1, w11, a2); a3 = Fma512(v1, w01, a3);
                    a1 = Fma512(v2, w22, a1); a2 = Fma512(v2, w12, a2); a3 = Fma512(v2, w02, a3);
                    c3 = n;
                    if (count > 1) StoreOutputRow(a1, yo + next, whole, stored);
                    n = NextColumns(r4, at + 16, mask, inside); v1 = Shift(n, c4, 1); v2 = Shift(n, c4, 2);
                    a2 = Fma512(c4, w20, a2); a3 = Fma512(c4, w10, a3); a4 = Fma512(c4, w00, zero);
                    a2 = Fma512(v1, w21, a2); a3 = Fma512(v1, w11, a3); a4 = Fma512(v1, w01, a4);
                    a2 = Fma512(v2, w22, a2); a3 = Fma512(v2, w12, a3); a4 = Fma512(v2, w02, a4);
                    c4 = n;
                    if (count > 2) StoreOutputRow(a2, yo + 2 * next, whole, stored);
                    n = NextColumns(r5, at + 16, mask, inside); v1 = Shift(n, c5, 1); v2 = Shift(n, c5, 2);
                    a3 = Fma512(c5, w20, a3); a4 = Fma512(c5, w10, a4); if (TRows.Count > 5) a5 = Fma512(c5, w00, zero);
                    a3 = Fma512(v1, w21, a3); a4 = Fma512(v1, w11, a4); if (TRows.Count > 5) a5 = Fma512(v1, w01, a5);
                    a3 = Fma512(v2, w22, a3); a4 = Fma512(v2, w12, a4); if (TRows.Count > 5) a5 = Fma512(v2, w02, a5);
                    c5 = n;
                    if (count > 3) StoreOutputRow(a3, yo + 3 * next, whole, stored);
                    n = NextColumns(r6, at + 16, mask, inside); v1 = Shift(n, c6, 1); v2 = Shift(n, c6, 2);
                    a4 = Fma512(c6, w20, a4); if (TRows.Count > 5) a5 = Fma512(c6, w10, a5); if (TRows.Count > 6) a6 = Fma512(c6, w00, zero);
                    a4 = Fma512(v1, w21, a4); if (TRows.Count > 5) a5 = Fma512(v1, w11, a5); if (TRows.Count > 6) a6 = Fma512(v1, w01, a6);
                    a4 = Fma512(v2, w22, a4); if (TRows.Count > 5) a5 = Fma512(v2, w12, a5); if (TRows.Count > 6) a6 = Fma512(v2, w02, a6);
                    c6 = n;
                    if (count > 4) StoreOutputRow(a4, yo + 4 * next, whole, stored);
                    if (TRows.Count > 5)
                    {
                        n = NextColumns(r7, at + 16, mask, inside); v1 = Shift(n, c7, 1); v2 = Shift(n, c7, 2);
                        a5 = Fma512(c7, w20, a5); if (TRows.Count > 6) a6 = Fma512(c7, w10, a6);
                        a5 = Fma512(v1, w21, a5); if (TRows.Count > 6) a6 = Fma512(v1, w11, a6);
                        a5 = Fma512(v2, w22, a5); if (TRows.Count > 6) a6 = Fma512(v2, w12, a6);
                        c7 = n;
                        if (count > 5) StoreOutputRow(a5, yo + 5 * next, whole, stored);
                    }
                    if (TRows.Count > 6)
                    {
                        n = NextColumns(r8, at + 16, mask, inside); v1 = Shift(n, c8, 1); v2 = Shift(n, c8, 2);
                        a6 = Fma512(c8, w20, a6);
                        a6 = Fma512(v1, w21, a6);
                        a6 = Fma512(v2, w22, a6);
                        c8 = n;
                        if (count > 6) StoreOutputRow(a6, yo + 6 * next, whole, stored);
                    }
                }
            }
        }
    }
}
