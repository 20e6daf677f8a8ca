using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The flat tiles' problems (DepthwiseNchwKernel.FlatPlanes.cs: 3x3, stride 1, SAME-like padding) on planes of 7 rows
/// and 5 to 7 columns (MobileNet's 7x7), two planes side by side: a 512-bit vector holds one row of two planes, the
/// first's in lanes 0 to W - 1 and the second's in lanes 8 to 7 + W, the lanes after each row zero (two masked loads a
/// row, two masked stores). The taps at columns c - 1 and c + 1 are the row moved by one lane with <c>valignd</c>, the
/// zero lanes standing for the padding columns: two shifts a row. The seven rows and their shifts stay in registers and
/// the taps go one at a time over the seven output rows, so that seven multiply-add chains are in flight; the two
/// planes' weights are put side by side per tap (a broadcast of each and an insert; written through a buffer and read
/// back as memory operands they took 1.25x the time, the JIT's <c>Vector512.Create</c> of two halves kept its value on
/// the stack: 2.1-2.7x). On a 7x7 plane the flat tiles spend 36 multiply-adds and 28 <c>valignd</c> (every vertical tap
/// a shift of the flat run, 49 of 64 lanes used); these 31.5 and 7. 7x7x960 at 1 thread, C harness, 31 alternated
/// rounds, three runs: 0.90-0.91x the flat tiles' time (NCHW ÷ NHWC 1.27 against 1.40); at 2 threads the same time
/// (0.99-1.0x). A run's odd last plane goes to the flat tiles. Each output adds its nine taps in filter-row, then
/// filter-column order from zero with the same fused multiply-adds as the band tiles, padding taps multiplying zeros,
/// so the bits are theirs (and NaN weights over the padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Planes the pair tiles take: 7 rows (all in registers) of 5 to 7 columns (a row and its zero column fit in eight lanes, ten or more of sixteen lanes used).</summary>
    private static bool TakesPlanePairs(nint height, nint width) => height == 7 && width >= 5 && width <= 7;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the pair tiles for the problem.</summary>
    internal static bool TakesPlanePairs<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        TakesFlatPlanes<TVector, T>(g) && TakesPlanePairs((nint)g.InputHeight, (nint)g.InputWidth);

    /// <summary>The planes of <paramref name="run"/> two at a time, the odd last one on the flat tiles.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PlanePairTaps(in FlatPlane f, in PlaneRun run, float* x0, float* y0)
    {
        nint t = f.TapStride, width = f.Width;
        Vector512<float> zero = Vector512<float>.Zero;
        Vector512<float> low = ColumnsBelow(width), high = ColumnsInImage(-8, width);
        for (nint j = 0; j + 1 < run.Planes; j += 2)
        {
            // The second plane's rows are addressed eight lanes back, so that lane 8 + c reads and writes its column c.
            float* xA = x0 + run.InputOffset(j), xB = x0 + run.InputOffset(j + 1) - 8;
            float* yA = y0 + j * run.OutputStep, yB = yA + run.OutputStep - 8;
            float* wA = run.Weights + j * run.WeightStep, wB = wA + run.WeightStep;
            Vector512<float> c0 = PairRow(xA, xB, low, high);
            Vector512<float> c1 = PairRow(xA + width, xB + width, low, high);
            Vector512<float> c2 = PairRow(xA + 2 * width, xB + 2 * width, low, high);
            Vector512<float> c3 = PairRow(xA + 3 * width, xB + 3 * width, low, high);
            Vector512<float> c4 = PairRow(xA + 4 * width, xB + 4 * width, low, high);
            Vector512<float> c5 = PairRow(xA + 5 * width, xB + 5 * width, low, high);
            Vector512<float> c6 = PairRow(xA + 6 * width, xB + 6 * width, low, high);
            // Columns c - 1 (a zero into each plane's first) and c + 1 (the zero lane after each row into its last).
            Vector512<float> l0 = ColumnBefore(c0), l1 = ColumnBefore(c1), l2 = ColumnBefore(c2), l3 = ColumnBefore(c3), l4 = ColumnBefore(c4), l5 = ColumnBefore(c5), l6 = ColumnBefore(c6);
            Vector512<float> r0 = Shift(zero, c0, 1), r1 = Shift(zero, c1, 1), r2 = Shift(zero, c2, 1), r3 = Shift(zero, c3, 1), r4 = Shift(zero, c4, 1), r5 = Shift(zero, c5, 1), r6 = Shift(zero, c6, 1);
            Vector512<float> a0, a1, a2, a3, a4, a5, a6, wk;
            // Tap by tap over the seven output rows (rows above and below the image are zeros): seven chains in flight.
            wk = PairWeight(wA, wB, 0);
            a0 = Fma512(zero, wk, zero); a1 = Fma512(l0, wk, zero); a2 = Fma512(l1, wk, zero); a3 = Fma512(l2, wk, zero); a4 = Fma512(l3, wk, zero); a5 = Fma512(l4, wk, zero); a6 = Fma512(l5, wk, zero);
            wk = PairWeight(wA, wB, t);
            a0 = Fma512(zero, wk, a0); a1 = Fma512(c0, wk, a1); a2 = Fma512(c1, wk, a2); a3 = Fma512(c2, wk, a3); a4 = Fma512(c3, wk, a4); a5 = Fma512(c4, wk, a5); a6 = Fma512(c5, wk, a6);
            wk = PairWeight(wA, wB, 2 * t);
            a0 = Fma512(zero, wk, a0); a1 = Fma512(r0, wk, a1); a2 = Fma512(r1, wk, a2); a3 = Fma512(r2, wk, a3); a4 = Fma512(r3, wk, a4); a5 = Fma512(r4, wk, a5); a6 = Fma512(r5, wk, a6);
            wk = PairWeight(wA, wB, 3 * t);
            a0 = Fma512(l0, wk, a0); a1 = Fma512(l1, wk, a1); a2 = Fma512(l2, wk, a2); a3 = Fma512(l3, wk, a3); a4 = Fma512(l4, wk, a4); a5 = Fma512(l5, wk, a5); a6 = Fma512(l6, wk, a6);
            wk = PairWeight(wA, wB, 4 * t);
            a0 = Fma512(c0, wk, a0); a1 = Fma512(c1, wk, a1); a2 = Fma512(c2, wk, a2); a3 = Fma512(c3, wk, a3); a4 = Fma512(c4, wk, a4); a5 = Fma512(c5, wk, a5); a6 = Fma512(c6, wk, a6);
            wk = PairWeight(wA, wB, 5 * t);
            a0 = Fma512(r0, wk, a0); a1 = Fma512(r1, wk, a1); a2 = Fma512(r2, wk, a2); a3 = Fma512(r3, wk, a3); a4 = Fma512(r4, wk, a4); a5 = Fma512(r5, wk, a5); a6 = Fma512(r6, wk, a6);
            wk = PairWeight(wA, wB, 6 * t);
            a0 = Fma512(l1, wk, a0); a1 = Fma512(l2, wk, a1); a2 = Fma512(l3, wk, a2); a3 = Fma512(l4, wk, a3); a4 = Fma512(l5, wk, a4); a5 = Fma512(l6, wk, a5); a6 = Fma512(zero, wk, a6);
            wk = PairWeight(wA, wB, 7 * t);
            a0 = Fma512(c1, wk, a0); a1 = Fma512(c2, wk, a1); a2 = Fma512(c3, wk, a2); a3 = Fma512(c4, wk, a3); a4 = Fma512(c5, wk, a4); a5 = Fma512(c6, wk, a5); a6 = Fma512(zero, wk, a6);
            wk = PairWeight(wA, wB, 8 * t);
            a0 = Fma512(r1, wk, a0); a1 = Fma512(r2, wk, a1); a2 = Fma512(r3, wk, a2); a3 = Fma512(r4, wk, a3); a4 = Fma512(r5, wk, a4); a5 = Fma512(r6, wk, a5); a6 = Fma512(zero, wk, a6);
            StorePairRow(a0, yA, yB, low, high);
            StorePairRow(a1, yA + width, yB + width, low, high);
            StorePairRow(a2, yA + 2 * width, yB + 2 * width, low, high);
            StorePairRow(a3, yA + 3 * width, yB + 3 * width, low, high);
            StorePairRow(a4, yA + 4 * width, yB + 4 * width, low, high);
            StorePairRow(a5, yA + 5 * width, yB + 5 * width, low, high);
            StorePairRow(a6, yA + 6 * width, yB + 6 * width, low, high);
        }
        if ((run.Planes & 1) != 0)
        {
            nint j = run.Planes - 1;
            var last = new PlaneRun(run.PlaneIn, run.Weights + j * run.WeightStep, run.TapStride, run.WeightStep, run.OutputStep, 1);
            FlatPlaneRun(f, last, x0 + run.InputOffset(j), y0 + j * run.OutputStep);
        }
    }

    /// <summary>Each lane's previous lane, zero into lane 0 (lane 8 takes lane 7, the zero after the first plane's row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnBefore(Vector512<float> row) =>
        Avx512F.AlignRight32(row.AsInt32(), Vector512<int>.Zero, 15).AsSingle();

    /// <summary>A tap's weight of the first plane in lanes 0 to 7, of the second in lanes 8 to 15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> PairWeight(float* first, float* second, nint tap) =>
        Avx512F.InsertVector256(Vector512.Create(first[tap]), Vector256.Create(second[tap]), 1);

    /// <summary>A row of each plane: the first's in lanes 0 to W - 1, the second's (addressed eight lanes back) in 8 to 7 + W, zeros elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> PairRow(float* first, float* second, Vector512<float> low, Vector512<float> high) =>
        Avx512F.MaskLoad(second, high, Avx512F.MaskLoad(first, low, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StorePairRow(Vector512<float> value, float* first, float* second, Vector512<float> low, Vector512<float> high)
    {
        Avx512F.MaskStore(first, low, value);
        Avx512F.MaskStore(second, high, value);
    }
}
