using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The stride-1 tiles of DepthwiseNchwKernel.Stride1Sliding.cs without a branch per load, for rows of 17 or more
/// outputs whose taps reach at most one column left of the image and the output no wider than the input plus the left
/// padding (SAME and VALID). Along a row, a step computes two vectors of sixteen outputs, A and B, from the sixteen
/// columns each starts at and the sixteen after (the taps at +1 and +2 by <c>valignd</c>); B follows A, and the last step
/// moves back to end at the row's end (recomputing columns with the same bits), or, where sixteen or fewer columns remain
/// after the whole steps, one vector moved back ends the row; a row of 17 to 31 outputs is one step with B overlapping A
/// (<see cref="OverlappingB"/>). bfloat16 rows (sixteen columns a load, widened) run here too. So every load lies in the image but A's first (left of it at the first
/// step where the left padding is a column), B's next (of which only the first two columns are used: past the image at the
/// last step) and, with B overlapping, A's next: those are masked loads with masks set per step, the others plain.
/// The sliding tiles test each load's columns against the image (three instructions and a branch a load, a second test
/// for the columns past the image); against them, side by side in one process, these took 0.86-1.0x the time at 1 thread
/// (56x56x144 0.86-1.0, 60x60x64 0.89-0.96, 28x28x192 0.92-0.98, 30x30x64 0.97-0.98, 112x112x32 0.99-1.05; the larger
/// ratios in the VM's faster hours) and 0.93-1.0x at 2. A's taps at +1 and +2 loaded unaligned (always in the image)
/// instead of made with <c>valignd</c>: 1.10-1.15x the time on 28x28x48 M = 4, 30x30x64, 56x56x144 and 28x28x192 at
/// 1 thread (the loads split across cache lines). Builds changed for timing only, beside the real one in one process at 1
/// thread (14x14x576, 30x30x64, 28x28x48 M = 4, 28x28x192): no <c>valignd</c> (the unshifted vector used instead) 0.95-1.0x
/// the time; adds in place of the multiply-adds (half the latency) 0.95-1.02x; so on rows this short a group's setup
/// (row pointers, masks, one step per group on 17 to 31 columns) weighs more than the shuffles or the chains' latency.
/// So a group whose rows all lie in the image takes its row pointers one row apart without a test each, and rows of one
/// step make their masks once per call: 0.92-0.93x the time on 112x112x32, 0.94-0.96 on 56x56x144, 0.94-0.99 on 30x30x64 (1
/// thread, both builds in one process, each order twice; the same code in a helper with <c>out</c> pointers gave back
/// up to 9%). Taps, order and bits are the sliding tiles'.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="Stride1PairRows{TRows, TElement, TLayout}"/> serves a band of the sliding stride-1 path.</summary>
    private static bool PairsStride1(long outputWidth, long padLeft, long width) => outputWidth >= 17 && padLeft <= 1 && outputWidth - padLeft <= width;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes these tiles for the problem (rows of 17 or more outputs).</summary>
    internal static bool TakesStride1Pairs<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        TakesStride1Sliding<TVector, T>(g) && PairsStride1(g.OutputWidth, g.PadLeft, g.InputWidth);

    /// <summary>Where a step's B starts: sixteen columns after A, or overlapping it (rows of 17 to 31 outputs).</summary>
    private interface IPairLayout
    {
        static abstract bool Overlapping { get; }
    }

    private struct FollowingB : IPairLayout { public static bool Overlapping => false; }

    private struct OverlappingB : IPairLayout { public static bool Overlapping => true; }

    /// <summary>A band's rows of outputs on these tiles, in groups of five to seven rows as the sliding tiles'.</summary>
    private static void Stride1Pairs<TElement>(in WideBand<TElement> band, in PlaneRun run, nint groupRows) where TElement : unmanaged
    {
        if (band.OutputWidth >= 32) Stride1Pairs<TElement, FollowingB>(band, run, groupRows);
        else Stride1Pairs<TElement, OverlappingB>(band, run, groupRows);
    }

    private static void Stride1Pairs<TElement, TLayout>(in WideBand<TElement> band, in PlaneRun run, nint groupRows) where TElement : unmanaged where TLayout : struct, IPairLayout
    {
        if (groupRows == 5) Stride1PairRows<FiveRows, TElement, TLayout>(band, run);
        else if (groupRows == 6) Stride1PairRows<SixRows, TElement, TLayout>(band, run);
        else Stride1PairRows<SevenRows, TElement, TLayout>(band, run);
    }

    /// <summary>A band's output rows in groups of <typeparamref name="TRows"/>, in each plane of <paramref name="run"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Stride1PairRows<TRows, TElement, TLayout>(in WideBand<TElement> b, in PlaneRun run)
        where TRows : struct, IGroupRows where TElement : unmanaged where TLayout : struct, IPairLayout
    {
        nint t = b.TapStride, width = b.Width, padLeft = b.PadLeft, outputWidth = b.OutputWidth, next = outputWidth;
        Vector512<float> zero = Vector512<float>.Zero;
        nint groupRows = TRows.Count;
        // B overlapping A, a row is one step: its masks are the same for every group and plane.
        Vector512<float> lowMaskOnce = default, nextMaskOnce = default, lastMaskOnce = default;
        if (TLayout.Overlapping)
        {
            lowMaskOnce = ColumnsInImage(-padLeft, width);
            nextMaskOnce = ColumnsInImage(16 - padLeft, width);
            lastMaskOnce = ColumnsInImage(outputWidth - padLeft, width);
        }
        for (nint j = 0; j < run.Planes; j++)
        {
            TElement* image = b.Image + run.InputOffset(j), outputPlane = b.Y + j * run.OutputStep;
            float* w = b.Weights + j * run.WeightStep;
            BroadcastWeights(w, t, out var w00, out var w01, out var w02, out var w10, out var w11, out var w12, out var w20, out var w21, out var w22);
            for (nint r = b.FirstRow; r < b.EndRow; r += groupRows)
            {
                if (b.EndRow - r < groupRows && b.EndRow - b.FirstRow >= groupRows) r = b.EndRow - groupRows;
                nint count = Math.Min(groupRows, b.EndRow - r);
                TElement* r0, r1, r2, r3, r4, r5, r6, r7, r8;
                nint top = r - b.PadTop;
                if (top >= 0 && top + TRows.Count + 2 <= b.Height)
                {
                    // Every row in the image: one row apart, no test each.
                    r0 = image + top * width; r1 = r0 + width; r2 = r1 + width; r3 = r2 + width; r4 = r3 + width; r5 = r4 + width; r6 = r5 + width;
                    r7 = TRows.Count > 5 ? r6 + width : r6; r8 = TRows.Count > 6 ? r7 + width : r6;
                }
                else
                {
                    r0 = RowOrZero(b, image, r, 0); r1 = RowOrZero(b, image, r, 1); r2 = RowOrZero(b, image, r, 2); r3 = RowOrZero(b, image, r, 3);
                    r4 = RowOrZero(b, image, r, 4); r5 = RowOrZero(b, image, r, 5); r6 = RowOrZero(b, image, r, 6);
                    r7 = TRows.Count > 5 ? RowOrZero(b, image, r, 7) : r6; r8 = TRows.Count > 6 ? RowOrZero(b, image, r, 8) : r6;
                }
                TElement* y = outputPlane + r * outputWidth;
                // Pairs while a pair fits, and one more moved back if more than sixteen columns remain; sixteen or fewer
                // remaining take one vector moved back (a pair moved back recomputed sixteen columns of 112: 1.12x the time).
                nint pairsEnd = TLayout.Overlapping || outputWidth % 32 > 16 ? outputWidth : outputWidth - outputWidth % 32;
                for (nint ox = 0; ox < pairsEnd; ox += 32)
                {
                    nint oxA = Math.Max(0, Math.Min(ox, outputWidth - 32)), oxB = Math.Min(oxA + 16, outputWidth - 16);
                    nint atA = oxA - padLeft, atB = oxB - padLeft;
                    Vector512<float> lowMask = TLayout.Overlapping ? lowMaskOnce : ColumnsInImage(atA, width);
                    Vector512<float> nextMask = TLayout.Overlapping ? nextMaskOnce : ColumnsInImage(atA + 16, width);
                    Vector512<float> lastMask = TLayout.Overlapping ? lastMaskOnce : ColumnsInImage(atB + 16, width);
                    TElement* yA = y + oxA, yB = y + oxB;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, b0, b1, b2, b3, b4, b5 = zero, b6 = zero, cA, x1A, x2A, cB, x1B, x2B;
                    Stride1PairTaps<TElement, TLayout>(r0, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a0 = Fma512(cA, w00, zero); b0 = Fma512(cB, w00, zero);
                    a0 = Fma512(x1A, w01, a0); b0 = Fma512(x1B, w01, b0);
                    a0 = Fma512(x2A, w02, a0); b0 = Fma512(x2B, w02, b0);
                    Stride1PairTaps<TElement, TLayout>(r1, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a0 = Fma512(cA, w10, a0); b0 = Fma512(cB, w10, b0); a1 = Fma512(cA, w00, zero); b1 = Fma512(cB, w00, zero);
                    a0 = Fma512(x1A, w11, a0); b0 = Fma512(x1B, w11, b0); a1 = Fma512(x1A, w01, a1); b1 = Fma512(x1B, w01, b1);
                    a0 = Fma512(x2A, w12, a0); b0 = Fma512(x2B, w12, b0); a1 = Fma512(x2A, w02, a1); b1 = Fma512(x2B, w02, b1);
                    Stride1PairTaps<TElement, TLayout>(r2, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a0 = Fma512(cA, w20, a0); b0 = Fma512(cB, w20, b0); a1 = Fma512(cA, w10, a1); b1 = Fma512(cB, w10, b1); a2 = Fma512(cA, w00, zero); b2 = Fma512(cB, w00, zero);
                    a0 = Fma512(x1A, w21, a0); b0 = Fma512(x1B, w21, b0); a1 = Fma512(x1A, w11, a1); b1 = Fma512(x1B, w11, b1); a2 = Fma512(x1A, w01, a2); b2 = Fma512(x1B, w01, b2);
                    a0 = Fma512(x2A, w22, a0); b0 = Fma512(x2B, w22, b0); a1 = Fma512(x2A, w12, a1); b1 = Fma512(x2B, w12, b1); a2 = Fma512(x2A, w02, a2); b2 = Fma512(x2B, w02, b2);
                    { StoreOutputRow(a0, yA, true, zero); StoreOutputRow(b0, yB, true, zero); }
                    Stride1PairTaps<TElement, TLayout>(r3, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a1 = Fma512(cA, w20, a1); b1 = Fma512(cB, w20, b1); a2 = Fma512(cA, w10, a2); b2 = Fma512(cB, w10, b2); a3 = Fma512(cA, w00, zero); b3 = Fma512(cB, w00, zero);
                    a1 = Fma512(x1A, w21, a1); b1 = Fma512(x1B, w21, b1); a2 = Fma512(x1A, w11, a2); b2 = Fma512(x1B, w11, b2); a3 = Fma512(x1A, w01, a3); b3 = Fma512(x1B, w01, b3);
                    a1 = Fma512(x2A, w22, a1); b1 = Fma512(x2B, w22, b1); a2 = Fma512(x2A, w12, a2); b2 = Fma512(x2B, w12, b2); a3 = Fma512(x2A, w02, a3); b3 = Fma512(x2B, w02, b3);
                    if (count > 1) { StoreOutputRow(a1, yA + 1 * next, true, zero); StoreOutputRow(b1, yB + 1 * next, true, zero); }
                    Stride1PairTaps<TElement, TLayout>(r4, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a2 = Fma512(cA, w20, a2); b2 = Fma512(cB, w20, b2); a3 = Fma512(cA, w10, a3); b3 = Fma512(cB, w10, b3); a4 = Fma512(cA, w00, zero); b4 = Fma512(cB, w00, zero);
                    a2 = Fma512(x1A, w21, a2); b2 = Fma512(x1B, w21, b2); a3 = Fma512(x1A, w11, a3); b3 = Fma512(x1B, w11, b3); a4 = Fma512(x1A, w01, a4); b4 = Fma512(x1B, w01, b4);
                    a2 = Fma512(x2A, w22, a2); b2 = Fma512(x2B, w22, b2); a3 = Fma512(x2A, w12, a3); b3 = Fma512(x2B, w12, b3); a4 = Fma512(x2A, w02, a4); b4 = Fma512(x2B, w02, b4);
                    if (count > 2) { StoreOutputRow(a2, yA + 2 * next, true, zero); StoreOutputRow(b2, yB + 2 * next, true, zero); }
                    Stride1PairTaps<TElement, TLayout>(r5, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a3 = Fma512(cA, w20, a3); b3 = Fma512(cB, w20, b3); a4 = Fma512(cA, w10, a4); b4 = Fma512(cB, w10, b4); if (TRows.Count > 5) a5 = Fma512(cA, w00, zero); if (TRows.Count > 5) b5 = Fma512(cB, w00, zero);
                    a3 = Fma512(x1A, w21, a3); b3 = Fma512(x1B, w21, b3); a4 = Fma512(x1A, w11, a4); b4 = Fma512(x1B, w11, b4); if (TRows.Count > 5) a5 = Fma512(x1A, w01, a5); if (TRows.Count > 5) b5 = Fma512(x1B, w01, b5);
                    a3 = Fma512(x2A, w22, a3); b3 = Fma512(x2B, w22, b3); a4 = Fma512(x2A, w12, a4); b4 = Fma512(x2B, w12, b4); if (TRows.Count > 5) a5 = Fma512(x2A, w02, a5); if (TRows.Count > 5) b5 = Fma512(x2B, w02, b5);
                    if (count > 3) { StoreOutputRow(a3, yA + 3 * next, true, zero); StoreOutputRow(b3, yB + 3 * next, true, zero); }
                    Stride1PairTaps<TElement, TLayout>(r6, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                    a4 = Fma512(cA, w20, a4); b4 = Fma512(cB, w20, b4); if (TRows.Count > 5) a5 = Fma512(cA, w10, a5); if (TRows.Count > 5) b5 = Fma512(cB, w10, b5); if (TRows.Count > 6) a6 = Fma512(cA, w00, zero); if (TRows.Count > 6) b6 = Fma512(cB, w00, zero);
                    a4 = Fma512(x1A, w21, a4); b4 = Fma512(x1B, w21, b4); if (TRows.Count > 5) a5 = Fma512(x1A, w11, a5); if (TRows.Count > 5) b5 = Fma512(x1B, w11, b5); if (TRows.Count > 6) a6 = Fma512(x1A, w01, a6); if (TRows.Count > 6) b6 = Fma512(x1B, w01, b6);
                    a4 = Fma512(x2A, w22, a4); b4 = Fma512(x2B, w22, b4); if (TRows.Count > 5) a5 = Fma512(x2A, w12, a5); if (TRows.Count > 5) b5 = Fma512(x2B, w12, b5); if (TRows.Count > 6) a6 = Fma512(x2A, w02, a6); if (TRows.Count > 6) b6 = Fma512(x2B, w02, b6);
                    if (count > 4) { StoreOutputRow(a4, yA + 4 * next, true, zero); StoreOutputRow(b4, yB + 4 * next, true, zero); }
                    if (TRows.Count > 5)
                    {
                        Stride1PairTaps<TElement, TLayout>(r7, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                        a5 = Fma512(cA, w20, a5); b5 = Fma512(cB, w20, b5); if (TRows.Count > 6) a6 = Fma512(cA, w10, a6); if (TRows.Count > 6) b6 = Fma512(cB, w10, b6);
                        a5 = Fma512(x1A, w21, a5); b5 = Fma512(x1B, w21, b5); if (TRows.Count > 6) a6 = Fma512(x1A, w11, a6); if (TRows.Count > 6) b6 = Fma512(x1B, w11, b6);
                        a5 = Fma512(x2A, w22, a5); b5 = Fma512(x2B, w22, b5); if (TRows.Count > 6) a6 = Fma512(x2A, w12, a6); if (TRows.Count > 6) b6 = Fma512(x2B, w12, b6);
                        if (count > 5) { StoreOutputRow(a5, yA + 5 * next, true, zero); StoreOutputRow(b5, yB + 5 * next, true, zero); }
                    }
                    if (TRows.Count > 6)
                    {
                        Stride1PairTaps<TElement, TLayout>(r8, atA, atB, lowMask, nextMask, lastMask, out cA, out x1A, out x2A, out cB, out x1B, out x2B);
                        a6 = Fma512(cA, w20, a6); b6 = Fma512(cB, w20, b6);
                        a6 = Fma512(x1A, w21, a6); b6 = Fma512(x1B, w21, b6);
                        a6 = Fma512(x2A, w22, a6); b6 = Fma512(x2B, w22, b6);
                        if (count > 6) { StoreOutputRow(a6, yA + 6 * next, true, zero); StoreOutputRow(b6, yB + 6 * next, true, zero); }
                    }
                }
                if (pairsEnd < outputWidth)
                {
                    nint atA = outputWidth - 16 - padLeft;
                    Vector512<float> nextMask = ColumnsInImage(atA + 16, width);
                    TElement* yA = y + outputWidth - 16;
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, cA, x1A, x2A;
                    Stride1SingleTaps(r0, atA, nextMask, out cA, out x1A, out x2A);
                    a0 = Fma512(cA, w00, zero);
                    a0 = Fma512(x1A, w01, a0);
                    a0 = Fma512(x2A, w02, a0);
                    Stride1SingleTaps(r1, atA, nextMask, out cA, out x1A, out x2A);
                    a0 = Fma512(cA, w10, a0); a1 = Fma512(cA, w00, zero);
                    a0 = Fma512(x1A, w11, a0); a1 = Fma512(x1A, w01, a1);
                    a0 = Fma512(x2A, w12, a0); a1 = Fma512(x2A, w02, a1);
                    Stride1SingleTaps(r2, atA, nextMask, out cA, out x1A, out x2A);
                    a0 = Fma512(cA, w20, a0); a1 = Fma512(cA, w10, a1); a2 = Fma512(cA, w00, zero);
                    a0 = Fma512(x1A, w21, a0); a1 = Fma512(x1A, w11, a1); a2 = Fma512(x1A, w01, a2);
                    a0 = Fma512(x2A, w22, a0); a1 = Fma512(x2A, w12, a1); a2 = Fma512(x2A, w02, a2);
                    StoreOutputRow(a0, yA, true, zero);
                    Stride1SingleTaps(r3, atA, nextMask, out cA, out x1A, out x2A);
                    a1 = Fma512(cA, w20, a1); a2 = Fma512(cA, w10, a2); a3 = Fma512(cA, w00, zero);
                    a1 = Fma512(x1A, w21, a1); a2 = Fma512(x1A, w11, a2); a3 = Fma512(x1A, w01, a3);
                    a1 = Fma512(x2A, w22, a1); a2 = Fma512(x2A, w12, a2); a3 = Fma512(x2A, w02, a3);
                    if (count > 1) StoreOutputRow(a1, yA + 1 * next, true, zero);
                    Stride1SingleTaps(r4, atA, nextMask, out cA, out x1A, out x2A);
                    a2 = Fma512(cA, w20, a2); a3 = Fma512(cA, w10, a3); a4 = Fma512(cA, w00, zero);
                    a2 = Fma512(x1A, w21, a2); a3 = Fma512(x1A, w11, a3); a4 = Fma512(x1A, w01, a4);
                    a2 = Fma512(x2A, w22, a2); a3 = Fma512(x2A, w12, a3); a4 = Fma512(x2A, w02, a4);
                    if (count > 2) StoreOutputRow(a2, yA + 2 * next, true, zero);
                    Stride1SingleTaps(r5, atA, nextMask, out cA, out x1A, out x2A);
                    a3 = Fma512(cA, w20, a3); a4 = Fma512(cA, w10, a4); if (TRows.Count > 5) a5 = Fma512(cA, w00, zero);
                    a3 = Fma512(x1A, w21, a3); a4 = Fma512(x1A, w11, a4); if (TRows.Count > 5) a5 = Fma512(x1A, w01, a5);
                    a3 = Fma512(x2A, w22, a3); a4 = Fma512(x2A, w12, a4); if (TRows.Count > 5) a5 = Fma512(x2A, w02, a5);
                    if (count > 3) StoreOutputRow(a3, yA + 3 * next, true, zero);
                    Stride1SingleTaps(r6, atA, nextMask, out cA, out x1A, out x2A);
                    a4 = Fma512(cA, w20, a4); if (TRows.Count > 5) a5 = Fma512(cA, w10, a5); if (TRows.Count > 6) a6 = Fma512(cA, w00, zero);
                    a4 = Fma512(x1A, w21, a4); if (TRows.Count > 5) a5 = Fma512(x1A, w11, a5); if (TRows.Count > 6) a6 = Fma512(x1A, w01, a6);
                    a4 = Fma512(x2A, w22, a4); if (TRows.Count > 5) a5 = Fma512(x2A, w12, a5); if (TRows.Count > 6) a6 = Fma512(x2A, w02, a6);
                    if (count > 4) StoreOutputRow(a4, yA + 4 * next, true, zero);
                    if (TRows.Count > 5)
                    {
                        Stride1SingleTaps(r7, atA, nextMask, out cA, out x1A, out x2A);
                        a5 = Fma512(cA, w20, a5); if (TRows.Count > 6) a6 = Fma512(cA, w10, a6);
                        a5 = Fma512(x1A, w21, a5); if (TRows.Count > 6) a6 = Fma512(x1A, w11, a6);
                        a5 = Fma512(x2A, w22, a5); if (TRows.Count > 6) a6 = Fma512(x2A, w12, a6);
                        if (count > 5) StoreOutputRow(a5, yA + 5 * next, true, zero);
                    }
                    if (TRows.Count > 6)
                    {
                        Stride1SingleTaps(r8, atA, nextMask, out cA, out x1A, out x2A);
                        a6 = Fma512(cA, w20, a6);
                        a6 = Fma512(x1A, w21, a6);
                        a6 = Fma512(x2A, w22, a6);
                        if (count > 6) StoreOutputRow(a6, yA + 6 * next, true, zero);
                    }
                }
            }
        }
    }

    /// <summary>The three tap vectors of one vector of sixteen outputs at the row's end (columns from <paramref name="atA"/>, in the image; the next sixteen masked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Stride1SingleTaps<TElement>(TElement* row, nint atA, Vector512<float> nextMask,
        out Vector512<float> cA, out Vector512<float> x1A, out Vector512<float> x2A) where TElement : unmanaged
    {
        cA = NextColumns(row, atA, nextMask, inside: true);
        Vector512<float> nextA = MaskedRow(row, atA + 16, nextMask);
        x1A = Shift(nextA, cA, 1); x2A = Shift(nextA, cA, 2);
    }

    /// <summary>
    /// The three tap vectors of A's and B's sixteen outputs from one input row (columns from <paramref name="atA"/> and
    /// <paramref name="atB"/>): the sixteen columns at the start, and those moved on by one and two with the next sixteen.
    /// A's first load, B's next and (B overlapping) A's next are masked; B's first is plain and, B following A, is A's next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Stride1PairTaps<TElement, TLayout>(TElement* row, nint atA, nint atB, Vector512<float> lowMask, Vector512<float> nextMask,
        Vector512<float> lastMask, out Vector512<float> cA, out Vector512<float> x1A, out Vector512<float> x2A,
        out Vector512<float> cB, out Vector512<float> x1B, out Vector512<float> x2B) where TElement : unmanaged where TLayout : struct, IPairLayout
    {
        cA = MaskedRow(row, atA, lowMask);
        cB = NextColumns(row, atB, lowMask, inside: true);
        Vector512<float> nextA = TLayout.Overlapping ? MaskedRow(row, atA + 16, nextMask) : cB;
        Vector512<float> nextB = MaskedRow(row, atB + 16, lastMask);
        x1A = Shift(nextA, cA, 1); x2A = Shift(nextA, cA, 2);
        x1B = Shift(nextB, cB, 1); x2B = Shift(nextB, cB, 2);
    }
}
