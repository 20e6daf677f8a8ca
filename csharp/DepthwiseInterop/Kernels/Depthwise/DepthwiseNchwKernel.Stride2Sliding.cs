using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 2 (no dilation, any padding), float32 on 512-bit AVX-512 vectors, reading the
/// input rows in place. Work items are the planar plan's (input plane × band); where a plane is one band, a run
/// of up to 16 planes of one image per call. A band's output rows go in groups of five to seven (as in
/// DepthwiseNchwKernel.Stride1Sliding.cs), each reading its 2R + 1 input rows through a table of row pointers
/// built per group, rows over the padding pointing at the zero row; a last, shorter group moves back to end at
/// the band's end (recomputing rows with the same bits). Along a row, sixteen output columns a step read 33
/// input columns from <c>at = 2 ox - PadLeft</c>: three loads of sixteen (<c>low</c>, <c>high</c>,
/// <c>after</c>), tap 0 the even columns of the first two and tap 1 the odd ones (<c>vpermt2ps</c>), tap 2
/// the even ones moved on by one lane with <c>after</c>'s first column in the last (<c>valignd</c>): three loads
/// and three shuffles a row, where loading each tap at its own column split nearly every load across two cache
/// lines. While more than sixteen output columns remain, a step computes two vectors (five loads a row), so that
/// four multiply-add chains are in flight rather than two. Each load of sixteen columns is plain where they all lie in the image, else masked to <c>[0, W)</c>
/// (masking a step's loads all alike when any left the image: 56x56x144 1.32x NHWC's time against 1.2x); the last step of
/// a row not a multiple of sixteen wide stores only its columns. Each output adds its nine taps in filter-row,
/// then filter-column order from zero with the same fused multiply-adds as the band tiles, padding taps
/// multiplying zeros, so the bits are the band kernel's (and NaN weights over the padding give NaN). Rows of 24 or
/// more outputs with at most one padding column a side go to the branch-free steps of DepthwiseNchwKernel.Stride2Pairs.cs.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="RunItemsStride2Sliding"/> serves the problem.</summary>
    private static bool SlidesStride2InPlace<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 2 && p.StrideWidth == 2
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= MinSlidingOutputWidth;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the sliding 512-bit stride-2 path for the problem.</summary>
    internal static bool TakesStride2Sliding<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        SlidesStride2InPlace<TVector, T>(new Plan(g, Simd.RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Computes work items [firstItem, endItem) of a problem <see cref="SlidesStride2InPlace"/> accepts.</summary>
    private static void RunItemsStride2Sliding(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem) =>
        RunPlaneRuns<float, Stride2Tiles>(ref input, ref filter, ref output, p, firstItem, endItem);

    private readonly struct Stride2Tiles : IPlaneRunTiles<float>
    {
        public static void Run(in WideBand<float> band, in PlaneRun run, nint bandRows)
        {
            nint groupRows = GroupRowsOf(bandRows);
            if (PairsStride2(band.OutputWidth, band.PadLeft, band.Width))
            {
                if (groupRows == 5) Stride2PairRows<FiveRows>(band, run);
                else if (groupRows == 6) Stride2PairRows<SixRows>(band, run);
                else Stride2PairRows<SevenRows>(band, run);
            }
            else if (groupRows == 5) Stride2BandRows<FiveRows>(band, run);
            else if (groupRows == 6) Stride2BandRows<SixRows>(band, run);
            else Stride2BandRows<SevenRows>(band, run);
        }
    }

    /// <summary>A band's output rows in groups of <typeparamref name="TRows"/>, in each plane of <paramref name="run"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Stride2BandRows<TRows>(in WideBand<float> b, in PlaneRun run) where TRows : struct, IGroupRows
    {
        nint t = b.TapStride, width = b.Width, padLeft = b.PadLeft, outputWidth = b.OutputWidth, next = outputWidth;
        Vector512<float> zero = Vector512<float>.Zero;
        Vector512<int> evenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> oddLanes = evenLanes + Vector512<int>.One;
        nint groupRows = TRows.Count;
        nint* rows = stackalloc nint[2 * 7 + 1];
        for (nint j = 0; j < run.Planes; j++)
        {
            float* image = b.Image + run.InputOffset(j), w = b.Weights + j * run.WeightStep, outputPlane = b.Y + j * run.OutputStep;
            BroadcastWeights(w, t, out var w00, out var w01, out var w02, out var w10, out var w11, out var w12, out var w20, out var w21, out var w22);
            for (nint r = b.FirstRow; r < b.EndRow; r += groupRows)
            {
                if (b.EndRow - r < groupRows && b.EndRow - b.FirstRow >= groupRows) r = b.EndRow - groupRows;
                nint count = Math.Min(groupRows, b.EndRow - r);
                for (nint k = 0; k < 2 * groupRows + 1; k++)
                {
                    nint iy = 2 * r - b.PadTop + k;
                    rows[k] = (nint)((nuint)iy < (nuint)b.Height ? image + iy * width : b.Zero);
                }
                float* y = outputPlane + r * outputWidth;
                // Two vectors a step while more than sixteen columns remain: four multiply-add chains in flight, not two.
                nint ox = 0;
                for (; ox + 16 < outputWidth; ox += 32)
                {
                    nint at = 2 * ox - padLeft;
                    Vector512<float> lowMask = ColumnsInImage(at, width), highMask = ColumnsInImage(at + 16, width), middleMask = ColumnsInImage(at + 32, width);
                    Vector512<float> topMask = ColumnsInImage(at + 48, width), afterMask = ColumnsInImage(at + 64, width);
                    bool lowInside = Inside(at, width), highInside = Inside(at + 16, width), middleInside = Inside(at + 32, width);
                    bool topInside = Inside(at + 48, width), afterInside = Inside(at + 64, width);
                    Vector512<float> stored = ColumnsBelow(outputWidth - ox - 16);
                    bool whole = ox + 32 <= outputWidth;
                    float* yo = y + ox;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, b0, b1, b2, b3, b4, b5 = zero, b6 = zero, low, high, middle, top, after, even, odd, third, evenB, oddB, thirdB;
                    float* row;
                    row = (float*)rows[0] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a0 = Fma512(even, w00, zero); b0 = Fma512(evenB, w00, zero);
                    a0 = Fma512(odd, w01, a0); b0 = Fma512(oddB, w01, b0);
                    a0 = Fma512(third, w02, a0); b0 = Fma512(thirdB, w02, b0);
                    row = (float*)rows[1] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a0 = Fma512(even, w10, a0); b0 = Fma512(evenB, w10, b0);
                    a0 = Fma512(odd, w11, a0); b0 = Fma512(oddB, w11, b0);
                    a0 = Fma512(third, w12, a0); b0 = Fma512(thirdB, w12, b0);
                    row = (float*)rows[2] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a0 = Fma512(even, w20, a0); b0 = Fma512(evenB, w20, b0); a1 = Fma512(even, w00, zero); b1 = Fma512(evenB, w00, zero);
                    a0 = Fma512(odd, w21, a0); b0 = Fma512(oddB, w21, b0); a1 = Fma512(odd, w01, a1); b1 = Fma512(oddB, w01, b1);
                    a0 = Fma512(third, w22, a0); b0 = Fma512(thirdB, w22, b0); a1 = Fma512(third, w02, a1); b1 = Fma512(thirdB, w02, b1);
                    { StoreOutputRow(a0, yo, true, stored); StoreOutputRow(b0, yo + 16, whole, stored); }
                    row = (float*)rows[3] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a1 = Fma512(even, w10, a1); b1 = Fma512(evenB, w10, b1);
                    a1 = Fma512(odd, w11, a1); b1 = Fma512(oddB, w11, b1);
                    a1 = Fma512(third, w12, a1); b1 = Fma512(thirdB, w12, b1);
                    row = (float*)rows[4] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a1 = Fma512(even, w20, a1); b1 = Fma512(evenB, w20, b1); a2 = Fma512(even, w00, zero); b2 = Fma512(evenB, w00, zero);
                    a1 = Fma512(odd, w21, a1); b1 = Fma512(oddB, w21, b1); a2 = Fma512(odd, w01, a2); b2 = Fma512(oddB, w01, b2);
                    a1 = Fma512(third, w22, a1); b1 = Fma512(thirdB, w22, b1); a2 = Fma512(third, w02, a2); b2 = Fma512(thirdB, w02, b2);
                    if (count > 1) { StoreOutputRow(a1, yo + next, true, stored); StoreOutputRow(b1, yo + 16 + next, whole, stored); }
                    row = (float*)rows[5] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a2 = Fma512(even, w10, a2); b2 = Fma512(evenB, w10, b2);
                    a2 = Fma512(odd, w11, a2); b2 = Fma512(oddB, w11, b2);
                    a2 = Fma512(third, w12, a2); b2 = Fma512(thirdB, w12, b2);
                    row = (float*)rows[6] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a2 = Fma512(even, w20, a2); b2 = Fma512(evenB, w20, b2); a3 = Fma512(even, w00, zero); b3 = Fma512(evenB, w00, zero);
                    a2 = Fma512(odd, w21, a2); b2 = Fma512(oddB, w21, b2); a3 = Fma512(odd, w01, a3); b3 = Fma512(oddB, w01, b3);
                    a2 = Fma512(third, w22, a2); b2 = Fma512(thirdB, w22, b2); a3 = Fma512(third, w02, a3); b3 = Fma512(thirdB, w02, b3);
                    if (count > 2) { StoreOutputRow(a2, yo + 2 * next, true, stored); StoreOutputRow(b2, yo + 16 + 2 * next, whole, stored); }
                    row = (float*)rows[7] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a3 = Fma512(even, w10, a3); b3 = Fma512(evenB, w10, b3);
                    a3 = Fma512(odd, w11, a3); b3 = Fma512(oddB, w11, b3);
                    a3 = Fma512(third, w12, a3); b3 = Fma512(thirdB, w12, b3);
                    row = (float*)rows[8] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a3 = Fma512(even, w20, a3); b3 = Fma512(evenB, w20, b3); a4 = Fma512(even, w00, zero); b4 = Fma512(evenB, w00, zero);
                    a3 = Fma512(odd, w21, a3); b3 = Fma512(oddB, w21, b3); a4 = Fma512(odd, w01, a4); b4 = Fma512(oddB, w01, b4);
                    a3 = Fma512(third, w22, a3); b3 = Fma512(thirdB, w22, b3); a4 = Fma512(third, w02, a4); b4 = Fma512(thirdB, w02, b4);
                    if (count > 3) { StoreOutputRow(a3, yo + 3 * next, true, stored); StoreOutputRow(b3, yo + 16 + 3 * next, whole, stored); }
                    row = (float*)rows[9] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a4 = Fma512(even, w10, a4); b4 = Fma512(evenB, w10, b4);
                    a4 = Fma512(odd, w11, a4); b4 = Fma512(oddB, w11, b4);
                    a4 = Fma512(third, w12, a4); b4 = Fma512(thirdB, w12, b4);
                    row = (float*)rows[10] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                    top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                    evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                    a4 = Fma512(even, w20, a4); b4 = Fma512(evenB, w20, b4); if (TRows.Count > 5) a5 = Fma512(even, w00, zero); if (TRows.Count > 5) b5 = Fma512(evenB, w00, zero);
                    a4 = Fma512(odd, w21, a4); b4 = Fma512(oddB, w21, b4); if (TRows.Count > 5) a5 = Fma512(odd, w01, a5); if (TRows.Count > 5) b5 = Fma512(oddB, w01, b5);
                    a4 = Fma512(third, w22, a4); b4 = Fma512(thirdB, w22, b4); if (TRows.Count > 5) a5 = Fma512(third, w02, a5); if (TRows.Count > 5) b5 = Fma512(thirdB, w02, b5);
                    if (count > 4) { StoreOutputRow(a4, yo + 4 * next, true, stored); StoreOutputRow(b4, yo + 16 + 4 * next, whole, stored); }
                    if (TRows.Count > 5)
                    {
                        row = (float*)rows[11] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                        top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                        evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                        a5 = Fma512(even, w10, a5); b5 = Fma512(evenB, w10, b5);
                        a5 = Fma512(odd, w11, a5); b5 = Fma512(oddB, w11, b5);
                        a5 = Fma512(third, w12, a5); b5 = Fma512(thirdB, w12, b5);
                    }
                    if (TRows.Count > 5)
                    {
                        row = (float*)rows[12] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                        top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                        evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                        a5 = Fma512(even, w20, a5); b5 = Fma512(evenB, w20, b5); if (TRows.Count > 6) a6 = Fma512(even, w00, zero); if (TRows.Count > 6) b6 = Fma512(evenB, w00, zero);
                        a5 = Fma512(odd, w21, a5); b5 = Fma512(oddB, w21, b5); if (TRows.Count > 6) a6 = Fma512(odd, w01, a6); if (TRows.Count > 6) b6 = Fma512(oddB, w01, b6);
                        a5 = Fma512(third, w22, a5); b5 = Fma512(thirdB, w22, b5); if (TRows.Count > 6) a6 = Fma512(third, w02, a6); if (TRows.Count > 6) b6 = Fma512(thirdB, w02, b6);
                        if (count > 5) { StoreOutputRow(a5, yo + 5 * next, true, stored); StoreOutputRow(b5, yo + 16 + 5 * next, whole, stored); }
                    }
                    if (TRows.Count > 6)
                    {
                        row = (float*)rows[13] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                        top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                        evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                        a6 = Fma512(even, w10, a6); b6 = Fma512(evenB, w10, b6);
                        a6 = Fma512(odd, w11, a6); b6 = Fma512(oddB, w11, b6);
                        a6 = Fma512(third, w12, a6); b6 = Fma512(thirdB, w12, b6);
                    }
                    if (TRows.Count > 6)
                    {
                        row = (float*)rows[14] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); middle = NextColumns(row, 32, middleMask, middleInside);
                        top = NextColumns(row, 48, topMask, topInside); after = NextColumns(row, 64, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(middle, even, 1);
                        evenB = Avx512F.PermuteVar16x32x2(middle, evenLanes, top); oddB = Avx512F.PermuteVar16x32x2(middle, oddLanes, top); thirdB = Shift(after, evenB, 1);
                        a6 = Fma512(even, w20, a6); b6 = Fma512(evenB, w20, b6);
                        a6 = Fma512(odd, w21, a6); b6 = Fma512(oddB, w21, b6);
                        a6 = Fma512(third, w22, a6); b6 = Fma512(thirdB, w22, b6);
                        if (count > 6) { StoreOutputRow(a6, yo + 6 * next, true, stored); StoreOutputRow(b6, yo + 16 + 6 * next, whole, stored); }
                    }
                }
                if (ox < outputWidth)
                {
                    nint at = 2 * ox - padLeft;
                    Vector512<float> lowMask = ColumnsInImage(at, width), highMask = ColumnsInImage(at + 16, width), afterMask = ColumnsInImage(at + 32, width);
                    bool lowInside = Inside(at, width), highInside = Inside(at + 16, width), afterInside = Inside(at + 32, width);
                    Vector512<float> stored = ColumnsBelow(outputWidth - ox);
                    bool whole = ox + 16 <= outputWidth;
                    float* yo = y + ox;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, low, high, after, even, odd, third;
                    float* row;
                    row = (float*)rows[0] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a0 = Fma512(even, w00, zero);
                    a0 = Fma512(odd, w01, a0);
                    a0 = Fma512(third, w02, a0);
                    row = (float*)rows[1] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a0 = Fma512(even, w10, a0);
                    a0 = Fma512(odd, w11, a0);
                    a0 = Fma512(third, w12, a0);
                    row = (float*)rows[2] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a0 = Fma512(even, w20, a0); a1 = Fma512(even, w00, zero);
                    a0 = Fma512(odd, w21, a0); a1 = Fma512(odd, w01, a1);
                    a0 = Fma512(third, w22, a0); a1 = Fma512(third, w02, a1);
                    StoreOutputRow(a0, yo, whole, stored);
                    row = (float*)rows[3] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a1 = Fma512(even, w10, a1);
                    a1 = Fma512(odd, w11, a1);
                    a1 = Fma512(third, w12, a1);
                    row = (float*)rows[4] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a1 = Fma512(even, w20, a1); a2 = Fma512(even, w00, zero);
                    a1 = Fma512(odd, w21, a1); a2 = Fma512(odd, w01, a2);
                    a1 = Fma512(third, w22, a1); a2 = Fma512(third, w02, a2);
                    if (count > 1) StoreOutputRow(a1, yo + next, whole, stored);
                    row = (float*)rows[5] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a2 = Fma512(even, w10, a2);
                    a2 = Fma512(odd, w11, a2);
                    a2 = Fma512(third, w12, a2);
                    row = (float*)rows[6] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a2 = Fma512(even, w20, a2); a3 = Fma512(even, w00, zero);
                    a2 = Fma512(odd, w21, a2); a3 = Fma512(odd, w01, a3);
                    a2 = Fma512(third, w22, a2); a3 = Fma512(third, w02, a3);
                    if (count > 2) StoreOutputRow(a2, yo + 2 * next, whole, stored);
                    row = (float*)rows[7] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a3 = Fma512(even, w10, a3);
                    a3 = Fma512(odd, w11, a3);
                    a3 = Fma512(third, w12, a3);
                    row = (float*)rows[8] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a3 = Fma512(even, w20, a3); a4 = Fma512(even, w00, zero);
                    a3 = Fma512(odd, w21, a3); a4 = Fma512(odd, w01, a4);
                    a3 = Fma512(third, w22, a3); a4 = Fma512(third, w02, a4);
                    if (count > 3) StoreOutputRow(a3, yo + 3 * next, whole, stored);
                    row = (float*)rows[9] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a4 = Fma512(even, w10, a4);
                    a4 = Fma512(odd, w11, a4);
                    a4 = Fma512(third, w12, a4);
                    row = (float*)rows[10] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                    even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                    a4 = Fma512(even, w20, a4); if (TRows.Count > 5) a5 = Fma512(even, w00, zero);
                    a4 = Fma512(odd, w21, a4); if (TRows.Count > 5) a5 = Fma512(odd, w01, a5);
                    a4 = Fma512(third, w22, a4); if (TRows.Count > 5) a5 = Fma512(third, w02, a5);
                    if (count > 4) StoreOutputRow(a4, yo + 4 * next, whole, stored);
                    if (TRows.Count > 5)
                    {
                        row = (float*)rows[11] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                        a5 = Fma512(even, w10, a5);
                        a5 = Fma512(odd, w11, a5);
                        a5 = Fma512(third, w12, a5);
                    }
                    if (TRows.Count > 5)
                    {
                        row = (float*)rows[12] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                        a5 = Fma512(even, w20, a5); if (TRows.Count > 6) a6 = Fma512(even, w00, zero);
                        a5 = Fma512(odd, w21, a5); if (TRows.Count > 6) a6 = Fma512(odd, w01, a6);
                        a5 = Fma512(third, w22, a5); if (TRows.Count > 6) a6 = Fma512(third, w02, a6);
                        if (count > 5) StoreOutputRow(a5, yo + 5 * next, whole, stored);
                    }
                    if (TRows.Count > 6)
                    {
                        row = (float*)rows[13] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                        a6 = Fma512(even, w10, a6);
                        a6 = Fma512(odd, w11, a6);
                        a6 = Fma512(third, w12, a6);
                    }
                    if (TRows.Count > 6)
                    {
                        row = (float*)rows[14] + at; low = NextColumns(row, 0, lowMask, lowInside); high = NextColumns(row, 16, highMask, highInside); after = NextColumns(row, 32, afterMask, afterInside);
                        even = Avx512F.PermuteVar16x32x2(low, evenLanes, high); odd = Avx512F.PermuteVar16x32x2(low, oddLanes, high); third = Shift(after, even, 1);
                        a6 = Fma512(even, w20, a6);
                        a6 = Fma512(odd, w21, a6);
                        a6 = Fma512(third, w22, a6);
                        if (count > 6) StoreOutputRow(a6, yo + 6 * next, whole, stored);
                    }
                }
            }
        }
    }

    /// <summary>Whether input columns [at, at + 16) all lie in the image (a plain load), or not (a masked one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Inside(nint at, nint width) => at >= 0 && at + 16 <= width;
}
