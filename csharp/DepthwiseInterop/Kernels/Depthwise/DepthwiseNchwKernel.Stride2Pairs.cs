using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The stride-2 tiles of DepthwiseNchwKernel.Stride2Sliding.cs without a branch per load, for rows of 24 or more
/// outputs whose taps reach at most one column past the image on the right and one on the left (SAME and VALID
/// padding). Along a row, a step computes two vectors of sixteen outputs, A and B: B follows A, and the last step
/// moves back to end at the row's end (recomputing columns with the same bits; a row of 24 to 31 outputs is one step
/// with B overlapping A), so that every load but two lies in the image whatever the step: A's first sixteen
/// columns (left of the image at the first step where the left padding is one column) and B's last (of which only the
/// first column is used: the tap past the last output's, over the right padding at the last step). Those two are masked
/// loads with masks set per step, the others plain, six loads a row. The sliding tiles test every load's columns
/// against the image (three instructions and a branch each) and measured 1.27-1.42x
/// NHWC's time on 112x112x96 and 56x56x144 where these take 1.08-1.16x and 1.10x at 1 thread, 1.08x and 0.92x at 2
/// (side by side, C harness). Taps, order and bits are those of the sliding tiles.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="Stride2PairRows{TRows}"/> serves a band of the sliding stride-2 path.</summary>
    private static bool PairsStride2(long outputWidth, long padLeft, long width) =>
        outputWidth >= 24 && padLeft <= 1 && 2 * outputWidth - padLeft <= width && width >= 48 - padLeft;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes these tiles for the problem.</summary>
    internal static bool TakesStride2Pairs<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        TakesStride2Sliding<TVector, T>(g) && PairsStride2(g.OutputWidth, g.PadLeft, g.InputWidth);

    /// <summary>A band's output rows in groups of <typeparamref name="TRows"/>, in each plane of <paramref name="run"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Stride2PairRows<TRows>(in WideBand<float> b, in PlaneRun run) where TRows : struct, IGroupRows
    {
        nint t = b.TapStride, width = b.Width, padLeft = b.PadLeft, outputWidth = b.OutputWidth, next = outputWidth;
        Vector512<float> zero = Vector512<float>.Zero;
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
                for (nint ox = 0; ox < outputWidth; ox += 32)
                {
                    nint oxA = Math.Max(0, Math.Min(ox, outputWidth - 32)), oxB = Math.Min(oxA + 16, outputWidth - 16);
                    nint atA = 2 * oxA - padLeft, atB = 2 * oxB - padLeft;
                    Vector512<float> firstMask = ColumnsInImage(atA, width), afterMask = ColumnsInImage(atB + 32, width);
                    float* yA = y + oxA, yB = y + oxB;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, b0, b1, b2, b3, b4, b5 = zero, b6 = zero, evenA, oddA, thirdA, evenB, oddB, thirdB;
                    Stride2PairTaps((float*)rows[0], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a0 = Fma512(evenA, w00, zero); b0 = Fma512(evenB, w00, zero);
                    a0 = Fma512(oddA, w01, a0); b0 = Fma512(oddB, w01, b0);
                    a0 = Fma512(thirdA, w02, a0); b0 = Fma512(thirdB, w02, b0);
                    Stride2PairTaps((float*)rows[1], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a0 = Fma512(evenA, w10, a0); b0 = Fma512(evenB, w10, b0);
                    a0 = Fma512(oddA, w11, a0); b0 = Fma512(oddB, w11, b0);
                    a0 = Fma512(thirdA, w12, a0); b0 = Fma512(thirdB, w12, b0);
                    Stride2PairTaps((float*)rows[2], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a0 = Fma512(evenA, w20, a0); b0 = Fma512(evenB, w20, b0); a1 = Fma512(evenA, w00, zero); b1 = Fma512(evenB, w00, zero);
                    a0 = Fma512(oddA, w21, a0); b0 = Fma512(oddB, w21, b0); a1 = Fma512(oddA, w01, a1); b1 = Fma512(oddB, w01, b1);
                    a0 = Fma512(thirdA, w22, a0); b0 = Fma512(thirdB, w22, b0); a1 = Fma512(thirdA, w02, a1); b1 = Fma512(thirdB, w02, b1);
                    { a0.Store(yA); b0.Store(yB); }
                    Stride2PairTaps((float*)rows[3], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a1 = Fma512(evenA, w10, a1); b1 = Fma512(evenB, w10, b1);
                    a1 = Fma512(oddA, w11, a1); b1 = Fma512(oddB, w11, b1);
                    a1 = Fma512(thirdA, w12, a1); b1 = Fma512(thirdB, w12, b1);
                    Stride2PairTaps((float*)rows[4], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a1 = Fma512(evenA, w20, a1); b1 = Fma512(evenB, w20, b1); a2 = Fma512(evenA, w00, zero); b2 = Fma512(evenB, w00, zero);
                    a1 = Fma512(oddA, w21, a1); b1 = Fma512(oddB, w21, b1); a2 = Fma512(oddA, w01, a2); b2 = Fma512(oddB, w01, b2);
                    a1 = Fma512(thirdA, w22, a1); b1 = Fma512(thirdB, w22, b1); a2 = Fma512(thirdA, w02, a2); b2 = Fma512(thirdB, w02, b2);
                    if (count > 1) { a1.Store(yA + 1 * next); b1.Store(yB + 1 * next); }
                    Stride2PairTaps((float*)rows[5], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a2 = Fma512(evenA, w10, a2); b2 = Fma512(evenB, w10, b2);
                    a2 = Fma512(oddA, w11, a2); b2 = Fma512(oddB, w11, b2);
                    a2 = Fma512(thirdA, w12, a2); b2 = Fma512(thirdB, w12, b2);
                    Stride2PairTaps((float*)rows[6], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a2 = Fma512(evenA, w20, a2); b2 = Fma512(evenB, w20, b2); a3 = Fma512(evenA, w00, zero); b3 = Fma512(evenB, w00, zero);
                    a2 = Fma512(oddA, w21, a2); b2 = Fma512(oddB, w21, b2); a3 = Fma512(oddA, w01, a3); b3 = Fma512(oddB, w01, b3);
                    a2 = Fma512(thirdA, w22, a2); b2 = Fma512(thirdB, w22, b2); a3 = Fma512(thirdA, w02, a3); b3 = Fma512(thirdB, w02, b3);
                    if (count > 2) { a2.Store(yA + 2 * next); b2.Store(yB + 2 * next); }
                    Stride2PairTaps((float*)rows[7], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a3 = Fma512(evenA, w10, a3); b3 = Fma512(evenB, w10, b3);
                    a3 = Fma512(oddA, w11, a3); b3 = Fma512(oddB, w11, b3);
                    a3 = Fma512(thirdA, w12, a3); b3 = Fma512(thirdB, w12, b3);
                    Stride2PairTaps((float*)rows[8], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a3 = Fma512(evenA, w20, a3); b3 = Fma512(evenB, w20, b3); a4 = Fma512(evenA, w00, zero); b4 = Fma512(evenB, w00, zero);
                    a3 = Fma512(oddA, w21, a3); b3 = Fma512(oddB, w21, b3); a4 = Fma512(oddA, w01, a4); b4 = Fma512(oddB, w01, b4);
                    a3 = Fma512(thirdA, w22, a3); b3 = Fma512(thirdB, w22, b3); a4 = Fma512(thirdA, w02, a4); b4 = Fma512(thirdB, w02, b4);
                    if (count > 3) { a3.Store(yA + 3 * next); b3.Store(yB + 3 * next); }
                    Stride2PairTaps((float*)rows[9], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a4 = Fma512(evenA, w10, a4); b4 = Fma512(evenB, w10, b4);
                    a4 = Fma512(oddA, w11, a4); b4 = Fma512(oddB, w11, b4);
                    a4 = Fma512(thirdA, w12, a4); b4 = Fma512(thirdB, w12, b4);
                    Stride2PairTaps((float*)rows[10], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                    a4 = Fma512(evenA, w20, a4); b4 = Fma512(evenB, w20, b4); if (TRows.Count > 5) a5 = Fma512(evenA, w00, zero); if (TRows.Count > 5) b5 = Fma512(evenB, w00, zero);
                    a4 = Fma512(oddA, w21, a4); b4 = Fma512(oddB, w21, b4); if (TRows.Count > 5) a5 = Fma512(oddA, w01, a5); if (TRows.Count > 5) b5 = Fma512(oddB, w01, b5);
                    a4 = Fma512(thirdA, w22, a4); b4 = Fma512(thirdB, w22, b4); if (TRows.Count > 5) a5 = Fma512(thirdA, w02, a5); if (TRows.Count > 5) b5 = Fma512(thirdB, w02, b5);
                    if (count > 4) { a4.Store(yA + 4 * next); b4.Store(yB + 4 * next); }
                    if (TRows.Count > 5)
                    {
                        Stride2PairTaps((float*)rows[11], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                        a5 = Fma512(evenA, w10, a5); b5 = Fma512(evenB, w10, b5);
                        a5 = Fma512(oddA, w11, a5); b5 = Fma512(oddB, w11, b5);
                        a5 = Fma512(thirdA, w12, a5); b5 = Fma512(thirdB, w12, b5);
                    }
                    if (TRows.Count > 5)
                    {
                        Stride2PairTaps((float*)rows[12], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                        a5 = Fma512(evenA, w20, a5); b5 = Fma512(evenB, w20, b5); if (TRows.Count > 6) a6 = Fma512(evenA, w00, zero); if (TRows.Count > 6) b6 = Fma512(evenB, w00, zero);
                        a5 = Fma512(oddA, w21, a5); b5 = Fma512(oddB, w21, b5); if (TRows.Count > 6) a6 = Fma512(oddA, w01, a6); if (TRows.Count > 6) b6 = Fma512(oddB, w01, b6);
                        a5 = Fma512(thirdA, w22, a5); b5 = Fma512(thirdB, w22, b5); if (TRows.Count > 6) a6 = Fma512(thirdA, w02, a6); if (TRows.Count > 6) b6 = Fma512(thirdB, w02, b6);
                        if (count > 5) { a5.Store(yA + 5 * next); b5.Store(yB + 5 * next); }
                    }
                    if (TRows.Count > 6)
                    {
                        Stride2PairTaps((float*)rows[13], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                        a6 = Fma512(evenA, w10, a6); b6 = Fma512(evenB, w10, b6);
                        a6 = Fma512(oddA, w11, a6); b6 = Fma512(oddB, w11, b6);
                        a6 = Fma512(thirdA, w12, a6); b6 = Fma512(thirdB, w12, b6);
                    }
                    if (TRows.Count > 6)
                    {
                        Stride2PairTaps((float*)rows[14], atA, atB, firstMask, afterMask, out evenA, out oddA, out thirdA, out evenB, out oddB, out thirdB);
                        a6 = Fma512(evenA, w20, a6); b6 = Fma512(evenB, w20, b6);
                        a6 = Fma512(oddA, w21, a6); b6 = Fma512(oddB, w21, b6);
                        a6 = Fma512(thirdA, w22, a6); b6 = Fma512(thirdB, w22, b6);
                        if (count > 6) { a6.Store(yA + 6 * next); b6.Store(yB + 6 * next); }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The three tap vectors of A's and B's sixteen outputs from one input row: columns from <paramref name="atA"/> and
    /// <paramref name="atB"/>, even columns and odd ones of the first thirty-two (<c>vpermt2ps</c>), and the even ones moved
    /// on by one lane with the next column (<c>valignd</c>); A's first load and B's last masked, the others plain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Stride2PairTaps(float* row, nint atA, nint atB, Vector512<float> firstMask, Vector512<float> afterMask,
        out Vector512<float> evenA, out Vector512<float> oddA, out Vector512<float> thirdA, out Vector512<float> evenB, out Vector512<float> oddB, out Vector512<float> thirdB)
    {
        Vector512<int> evenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> oddLanes = evenLanes + Vector512<int>.One;
        Vector512<float> lowA = Avx512F.MaskLoad(row + atA, firstMask, Vector512<float>.Zero), highA = Vector512.Load(row + atA + 16), afterA = Vector512.Load(row + atA + 32);
        Vector512<float> lowB = Vector512.Load(row + atB), highB = Vector512.Load(row + atB + 16), afterB = Avx512F.MaskLoad(row + atB + 32, afterMask, Vector512<float>.Zero);
        evenA = Avx512F.PermuteVar16x32x2(lowA, evenLanes, highA); oddA = Avx512F.PermuteVar16x32x2(lowA, oddLanes, highA); thirdA = Shift(afterA, evenA, 1);
        evenB = Avx512F.PermuteVar16x32x2(lowB, evenLanes, highB); oddB = Avx512F.PermuteVar16x32x2(lowB, oddLanes, highB); thirdB = Shift(afterB, evenB, 1);
    }
}
