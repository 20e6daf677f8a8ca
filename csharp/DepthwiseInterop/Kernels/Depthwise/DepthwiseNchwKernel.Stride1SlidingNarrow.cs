using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 1 on output rows of 9 to 16 columns (MobileNet's 14x14 and 15x15 planes), float32
/// on 512-bit AVX-512 vectors, reading the input rows in place: one vector a row. An input row is two loads of sixteen
/// columns (masked to the image: zeros outside, memory untouched there) and its +1 and +2 taps are <c>valignd</c> of
/// the two; the second is zeros without a load where it lies wholly past the image, as on rows of up to 15 columns
/// with a padding column (C harness, 1 thread, 31 alternated rounds, twice: 14x14x384 0.84x the time, 14x14x576
/// 0.85-0.88x, 15x15x64 0.80x); two groups of five to eight output rows run interleaved, so that six multiply-add chains are in flight,
/// and the planes of a run (DepthwiseNchwKernel.PlaneRuns.cs) inside each pair of groups. The row pointers of a pair
/// come from a table, and move on by a plane where they are image rows. Each output adds its nine taps in
/// filter-row, then filter-column order from zero with the same fused multiply-adds as the band tiles, padding taps
/// multiplying zeros, so the bits are the band kernel's (and NaN weights over the padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>
    /// A band of output rows at most sixteen wide, one vector a row, in each plane of <paramref name="run"/> (the
    /// band's planes, consecutive channels of one image): two groups of <typeparamref name="TRows"/> rows at a time
    /// (rows [r, r + R) and [r + R, r + 2R), the second storing only the band's rows), interleaved, so that six
    /// multiply-add chains are in flight rather than three, and the planes in one loop so that one plane's last
    /// multiply-adds overlap the next one's first. (One group a step, a call per plane: 14x14x384 and 15x15x64
    /// ran no faster than the 256-bit tiles of DepthwiseNchwKernel.Stride1InPlace.cs, 1.49x and 2.75x NHWC's
    /// time; two groups a step, a call per plane: 1.69x and 2.31x.) A band longer than two groups goes in pairs,
    /// the last moved back to end at the band's end (recomputing rows with the same bits). The rows come from a
    /// table built per pair for the first plane, rows over the padding pointing at the zero row, which stays
    /// where the others move on by a plane. (The plane's row pointers computed once per plane into a second table,
    /// one load per use instead of two loads and an and: 1.12-1.17x the time on 14x14x384, 14x14x576 and 15x15x64.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void SlidingNarrowBandRows<TRows, TVectors>(in WideBand<float> b, in PlaneRun run) where TRows : struct, IGroupRows where TVectors : struct, ITileSize
    {
        nint t = b.TapStride, width = b.Width, outputWidth = b.OutputWidth, next = outputWidth, at = -b.PadLeft;
        Vector512<float> zero = Vector512<float>.Zero;
        // Input columns [at, at + 16) and [at + 16, at + 32) of a row, and the output columns a row stores.
        Vector512<float> first = ColumnsInImage(at, width), second = ColumnsInImage(at + 16, width), stored = ColumnsBelow(outputWidth);
        bool whole = outputWidth == 16;
        nint groupRows = TRows.Count;
        nint* rows = stackalloc nint[2 * 8 + 2];
        nint* rowMasks = stackalloc nint[2 * 8 + 2];
        for (nint r = b.FirstRow; r < b.EndRow; r += 2 * groupRows)
        {
            if (b.EndRow - r < 2 * groupRows && b.EndRow - b.FirstRow >= 2 * groupRows) r = b.EndRow - 2 * groupRows;
            nint countB = Math.Min(groupRows, b.EndRow - r - groupRows);
            for (nint k = 0; k < 2 * groupRows + 2; k++)
            {
                nint iy = r - b.PadTop + k;
                bool inImage = (nuint)iy < (nuint)b.Height;
                rows[k] = (nint)((inImage ? b.Image + iy * width : b.Zero) + at);
                rowMasks[k] = inImage ? -1 : 0;
            }
            for (nint j = 0; j < run.Planes; j++)
            {
                nint shift = run.InputOffset(j) * sizeof(float);
                float* w = b.Weights + j * run.WeightStep;
                BroadcastWeights(w, t, out var w00, out var w01, out var w02, out var w10, out var w11, out var w12, out var w20, out var w21, out var w22);
                float* y = b.Y + j * run.OutputStep + r * outputWidth, yB = y + groupRows * outputWidth;
                Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, a7 = zero, b0, b1, b2, b3, b4, b5 = zero, b6 = zero, b7 = zero;
                Vector512<float> c, n, x1, x2, d, e, z1, z2;
                c = MaskedRow(PlaneRow(rows, rowMasks, 0, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 0, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 0 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 0 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a0 = Fma512(c, w00, zero); b0 = Fma512(d, w00, zero);
                a0 = Fma512(x1, w01, a0); b0 = Fma512(z1, w01, b0);
                a0 = Fma512(x2, w02, a0); b0 = Fma512(z2, w02, b0);
                c = MaskedRow(PlaneRow(rows, rowMasks, 1, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 1, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 1 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 1 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a0 = Fma512(c, w10, a0); b0 = Fma512(d, w10, b0); a1 = Fma512(c, w00, zero); b1 = Fma512(d, w00, zero);
                a0 = Fma512(x1, w11, a0); b0 = Fma512(z1, w11, b0); a1 = Fma512(x1, w01, a1); b1 = Fma512(z1, w01, b1);
                a0 = Fma512(x2, w12, a0); b0 = Fma512(z2, w12, b0); a1 = Fma512(x2, w02, a1); b1 = Fma512(z2, w02, b1);
                c = MaskedRow(PlaneRow(rows, rowMasks, 2, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 2, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 2 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 2 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a0 = Fma512(c, w20, a0); b0 = Fma512(d, w20, b0); a1 = Fma512(c, w10, a1); b1 = Fma512(d, w10, b1); a2 = Fma512(c, w00, zero); b2 = Fma512(d, w00, zero);
                a0 = Fma512(x1, w21, a0); b0 = Fma512(z1, w21, b0); a1 = Fma512(x1, w11, a1); b1 = Fma512(z1, w11, b1); a2 = Fma512(x1, w01, a2); b2 = Fma512(z1, w01, b2);
                a0 = Fma512(x2, w22, a0); b0 = Fma512(z2, w22, b0); a1 = Fma512(x2, w12, a1); b1 = Fma512(z2, w12, b1); a2 = Fma512(x2, w02, a2); b2 = Fma512(z2, w02, b2);
                StoreOutputRow(a0, y, whole, stored); if (0 < countB) StoreOutputRow(b0, yB, whole, stored);
                c = MaskedRow(PlaneRow(rows, rowMasks, 3, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 3, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 3 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 3 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a1 = Fma512(c, w20, a1); b1 = Fma512(d, w20, b1); a2 = Fma512(c, w10, a2); b2 = Fma512(d, w10, b2); a3 = Fma512(c, w00, zero); b3 = Fma512(d, w00, zero);
                a1 = Fma512(x1, w21, a1); b1 = Fma512(z1, w21, b1); a2 = Fma512(x1, w11, a2); b2 = Fma512(z1, w11, b2); a3 = Fma512(x1, w01, a3); b3 = Fma512(z1, w01, b3);
                a1 = Fma512(x2, w22, a1); b1 = Fma512(z2, w22, b1); a2 = Fma512(x2, w12, a2); b2 = Fma512(z2, w12, b2); a3 = Fma512(x2, w02, a3); b3 = Fma512(z2, w02, b3);
                StoreOutputRow(a1, y + next, whole, stored); if (1 < countB) StoreOutputRow(b1, yB + next, whole, stored);
                c = MaskedRow(PlaneRow(rows, rowMasks, 4, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 4, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 4 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 4 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a2 = Fma512(c, w20, a2); b2 = Fma512(d, w20, b2); a3 = Fma512(c, w10, a3); b3 = Fma512(d, w10, b3); a4 = Fma512(c, w00, zero); b4 = Fma512(d, w00, zero);
                a2 = Fma512(x1, w21, a2); b2 = Fma512(z1, w21, b2); a3 = Fma512(x1, w11, a3); b3 = Fma512(z1, w11, b3); a4 = Fma512(x1, w01, a4); b4 = Fma512(z1, w01, b4);
                a2 = Fma512(x2, w22, a2); b2 = Fma512(z2, w22, b2); a3 = Fma512(x2, w12, a3); b3 = Fma512(z2, w12, b3); a4 = Fma512(x2, w02, a4); b4 = Fma512(z2, w02, b4);
                StoreOutputRow(a2, y + 2 * next, whole, stored); if (2 < countB) StoreOutputRow(b2, yB + 2 * next, whole, stored);
                c = MaskedRow(PlaneRow(rows, rowMasks, 5, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 5, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 5 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 5 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a3 = Fma512(c, w20, a3); b3 = Fma512(d, w20, b3); a4 = Fma512(c, w10, a4); b4 = Fma512(d, w10, b4); if (TRows.Count > 5) a5 = Fma512(c, w00, zero); if (TRows.Count > 5) b5 = Fma512(d, w00, zero);
                a3 = Fma512(x1, w21, a3); b3 = Fma512(z1, w21, b3); a4 = Fma512(x1, w11, a4); b4 = Fma512(z1, w11, b4); if (TRows.Count > 5) a5 = Fma512(x1, w01, a5); if (TRows.Count > 5) b5 = Fma512(z1, w01, b5);
                a3 = Fma512(x2, w22, a3); b3 = Fma512(z2, w22, b3); a4 = Fma512(x2, w12, a4); b4 = Fma512(z2, w12, b4); if (TRows.Count > 5) a5 = Fma512(x2, w02, a5); if (TRows.Count > 5) b5 = Fma512(z2, w02, b5);
                StoreOutputRow(a3, y + 3 * next, whole, stored); if (3 < countB) StoreOutputRow(b3, yB + 3 * next, whole, stored);
                c = MaskedRow(PlaneRow(rows, rowMasks, 6, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 6, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                d = MaskedRow(PlaneRow(rows, rowMasks, 6 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 6 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                a4 = Fma512(c, w20, a4); b4 = Fma512(d, w20, b4); if (TRows.Count > 5) a5 = Fma512(c, w10, a5); if (TRows.Count > 5) b5 = Fma512(d, w10, b5); if (TRows.Count > 6) a6 = Fma512(c, w00, zero); if (TRows.Count > 6) b6 = Fma512(d, w00, zero);
                a4 = Fma512(x1, w21, a4); b4 = Fma512(z1, w21, b4); if (TRows.Count > 5) a5 = Fma512(x1, w11, a5); if (TRows.Count > 5) b5 = Fma512(z1, w11, b5); if (TRows.Count > 6) a6 = Fma512(x1, w01, a6); if (TRows.Count > 6) b6 = Fma512(z1, w01, b6);
                a4 = Fma512(x2, w22, a4); b4 = Fma512(z2, w22, b4); if (TRows.Count > 5) a5 = Fma512(x2, w12, a5); if (TRows.Count > 5) b5 = Fma512(z2, w12, b5); if (TRows.Count > 6) a6 = Fma512(x2, w02, a6); if (TRows.Count > 6) b6 = Fma512(z2, w02, b6);
                StoreOutputRow(a4, y + 4 * next, whole, stored); if (4 < countB) StoreOutputRow(b4, yB + 4 * next, whole, stored);
                if (TRows.Count > 5)
                {
                    c = MaskedRow(PlaneRow(rows, rowMasks, 7, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 7, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                    d = MaskedRow(PlaneRow(rows, rowMasks, 7 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 7 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                    a5 = Fma512(c, w20, a5); b5 = Fma512(d, w20, b5); if (TRows.Count > 6) a6 = Fma512(c, w10, a6); if (TRows.Count > 6) b6 = Fma512(d, w10, b6); if (TRows.Count > 7) a7 = Fma512(c, w00, zero); if (TRows.Count > 7) b7 = Fma512(d, w00, zero);
                    a5 = Fma512(x1, w21, a5); b5 = Fma512(z1, w21, b5); if (TRows.Count > 6) a6 = Fma512(x1, w11, a6); if (TRows.Count > 6) b6 = Fma512(z1, w11, b6); if (TRows.Count > 7) a7 = Fma512(x1, w01, a7); if (TRows.Count > 7) b7 = Fma512(z1, w01, b7);
                    a5 = Fma512(x2, w22, a5); b5 = Fma512(z2, w22, b5); if (TRows.Count > 6) a6 = Fma512(x2, w12, a6); if (TRows.Count > 6) b6 = Fma512(z2, w12, b6); if (TRows.Count > 7) a7 = Fma512(x2, w02, a7); if (TRows.Count > 7) b7 = Fma512(z2, w02, b7);
                    StoreOutputRow(a5, y + 5 * next, whole, stored); if (5 < countB) StoreOutputRow(b5, yB + 5 * next, whole, stored);
                }
                if (TRows.Count > 6)
                {
                    c = MaskedRow(PlaneRow(rows, rowMasks, 8, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 8, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                    d = MaskedRow(PlaneRow(rows, rowMasks, 8 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 8 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                    a6 = Fma512(c, w20, a6); b6 = Fma512(d, w20, b6); if (TRows.Count > 7) a7 = Fma512(c, w10, a7); if (TRows.Count > 7) b7 = Fma512(d, w10, b7);
                    a6 = Fma512(x1, w21, a6); b6 = Fma512(z1, w21, b6); if (TRows.Count > 7) a7 = Fma512(x1, w11, a7); if (TRows.Count > 7) b7 = Fma512(z1, w11, b7);
                    a6 = Fma512(x2, w22, a6); b6 = Fma512(z2, w22, b6); if (TRows.Count > 7) a7 = Fma512(x2, w12, a7); if (TRows.Count > 7) b7 = Fma512(z2, w12, b7);
                    StoreOutputRow(a6, y + 6 * next, whole, stored); if (6 < countB) StoreOutputRow(b6, yB + 6 * next, whole, stored);
                }
                if (TRows.Count > 7)
                {
                    c = MaskedRow(PlaneRow(rows, rowMasks, 9, shift), 0, first); n = SecondColumns<TVectors>(rows, rowMasks, 9, shift, second); x1 = Shift(n, c, 1); x2 = Shift(n, c, 2);
                    d = MaskedRow(PlaneRow(rows, rowMasks, 9 + TRows.Count, shift), 0, first); e = SecondColumns<TVectors>(rows, rowMasks, 9 + TRows.Count, shift, second); z1 = Shift(e, d, 1); z2 = Shift(e, d, 2);
                    a7 = Fma512(c, w20, a7); b7 = Fma512(d, w20, b7);
                    a7 = Fma512(x1, w21, a7); b7 = Fma512(z1, w21, b7);
                    a7 = Fma512(x2, w22, a7); b7 = Fma512(z2, w22, b7);
                    StoreOutputRow(a7, y + 7 * next, whole, stored); if (7 < countB) StoreOutputRow(b7, yB + 7 * next, whole, stored);
                }
            }
        }
    }

    /// <summary>
    /// Input columns [at + 16, at + 32) of row <paramref name="k"/>: zeros without a load where a row's columns from
    /// at + 16 on all lie past the image (<typeparamref name="TVectors"/> 1: rows of up to 15 columns with a padding column, up to
    /// 16 without), which then cost one load a row instead of two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> SecondColumns<TVectors>(nint* rows, nint* rowMasks, nint k, nint shift, Vector512<float> second) where TVectors : struct, ITileSize =>
        TVectors.Value == 1 ? Vector512<float>.Zero : MaskedRow(PlaneRow(rows, rowMasks, k, shift), 16, second);

    /// <summary>Row <paramref name="k"/> of the table, <paramref name="shift"/> bytes on where it is an image row (the zero row stays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* PlaneRow(nint* rows, nint* rowMasks, nint k, nint shift) => (float*)(rows[k] + (shift & rowMasks[k]));
}
