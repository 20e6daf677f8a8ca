using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Five-by-five filter at stride 1 (no dilation, any padding) on output rows of 9 to 16 columns (MobileNet's
/// 14x14 planes), float32 on 512-bit AVX-512 vectors, reading the input rows in place: one vector a row. Work
/// items are the planar plan's (input plane × band), a run of up to 16 planes of one image per call where a
/// plane is one band. A band's output rows go in groups of five to seven (a last, shorter group moved back to
/// end at the band's end, recomputing rows with the same bits), each reading its rows and four more through a
/// table of row pointers built per group for the first plane, rows over the padding pointing at the zero row
/// (which stays where the others move on by a plane); the planes run inside the group, so that one plane's
/// last multiply-adds overlap the next one's first. An input row is two loads of sixteen columns (masked to
/// the image's columns <c>[0, W)</c>: zeros outside, memory untouched there) and the taps at columns +1 to +4
/// are <c>valignd</c> of the two; it feeds the five output rows that read it, five multiply-add chains in
/// flight. (The planes went to transposes around the NHWC kernel before: 14x14x672 took 1.9x the NHWC
/// kernel's time.) Each output adds its 25 taps in filter-row, then filter-column order from zero with the same
/// fused multiply-adds as the band tiles, padding taps multiplying zeros, so the bits are the band kernel's
/// (and NaN weights over the padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="RunItemsFiveByFiveNarrow"/> serves the problem.</summary>
    private static bool SlidesFiveByFiveNarrow<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported
        && p.FilterHeight == 5 && p.FilterWidth == 5 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= MinSlidingOutputWidth && p.OutputWidth <= 16;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the 512-bit 5x5 path for rows of 9 to 16 columns.</summary>
    internal static bool TakesFiveByFiveNarrow<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        SlidesFiveByFiveNarrow<TVector, T>(new Plan(g, Simd.RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Computes work items [firstItem, endItem) of a problem <see cref="SlidesFiveByFiveNarrow"/> accepts.</summary>
    private static void RunItemsFiveByFiveNarrow(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem) =>
        RunPlaneRuns<float, FiveByFiveNarrowTiles>(ref input, ref filter, ref output, p, firstItem, endItem);

    private readonly struct FiveByFiveNarrowTiles : IPlaneRunTiles<float>
    {
        public static void Run(in WideBand<float> band, in PlaneRun run, nint bandRows)
        {
            nint groupRows = GroupRowsOf(bandRows);
            if (groupRows == 5) FiveByFiveNarrowRows<FiveRows>(band, run);
            else if (groupRows == 6) FiveByFiveNarrowRows<SixRows>(band, run);
            else FiveByFiveNarrowRows<SevenRows>(band, run);
        }
    }

    /// <summary>A band's output rows in groups of <typeparamref name="TRows"/>, each group in every plane of <paramref name="run"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void FiveByFiveNarrowRows<TRows>(in WideBand<float> b, in PlaneRun run) where TRows : struct, IGroupRows
    {
        nint t = b.TapStride, width = b.Width, outputWidth = b.OutputWidth, next = outputWidth, at = -b.PadLeft;
        Vector512<float> zero = Vector512<float>.Zero;
        // Input columns [at, at + 16) and [at + 16, at + 32) of a row, and the output columns a row stores.
        Vector512<float> first = ColumnsInImage(at, width), second = ColumnsInImage(at + 16, width), stored = ColumnsBelow(outputWidth);
        bool whole = outputWidth == 16;
        nint groupRows = TRows.Count;
        nint* rows = stackalloc nint[7 + 4];
        nint* rowMasks = stackalloc nint[7 + 4];
        for (nint r = b.FirstRow; r < b.EndRow; r += groupRows)
        {
            if (b.EndRow - r < groupRows && b.EndRow - b.FirstRow >= groupRows) r = b.EndRow - groupRows;
            nint count = Math.Min(groupRows, b.EndRow - r);
            for (nint k = 0; k < groupRows + 4; k++)
            {
                nint iy = r - b.PadTop + k;
                bool inImage = (nuint)iy < (nuint)b.Height;
                rows[k] = (nint)((inImage ? b.Image + iy * width : b.Zero) + at);
                rowMasks[k] = inImage ? -1 : 0;
            }
            for (nint j = 0; j < run.Planes; j++)
            {
                nint shift = run.InputOffset(j) * sizeof(float);
                float* w = b.Weights + j * run.WeightStep, y = b.Y + j * run.OutputStep + r * outputWidth;
                Vector512<float> w00 = Vector512.Create(w[0 * t]), w01 = Vector512.Create(w[1 * t]), w02 = Vector512.Create(w[2 * t]), w03 = Vector512.Create(w[3 * t]), w04 = Vector512.Create(w[4 * t]);
                Vector512<float> w10 = Vector512.Create(w[5 * t]), w11 = Vector512.Create(w[6 * t]), w12 = Vector512.Create(w[7 * t]), w13 = Vector512.Create(w[8 * t]), w14 = Vector512.Create(w[9 * t]);
                Vector512<float> w20 = Vector512.Create(w[10 * t]), w21 = Vector512.Create(w[11 * t]), w22 = Vector512.Create(w[12 * t]), w23 = Vector512.Create(w[13 * t]), w24 = Vector512.Create(w[14 * t]);
                Vector512<float> w30 = Vector512.Create(w[15 * t]), w31 = Vector512.Create(w[16 * t]), w32 = Vector512.Create(w[17 * t]), w33 = Vector512.Create(w[18 * t]), w34 = Vector512.Create(w[19 * t]);
                Vector512<float> w40 = Vector512.Create(w[20 * t]), w41 = Vector512.Create(w[21 * t]), w42 = Vector512.Create(w[22 * t]), w43 = Vector512.Create(w[23 * t]), w44 = Vector512.Create(w[24 * t]);
                    Vector512<float> a0, a1, a2, a3, a4, a5 = zero, a6 = zero, c, n, t1, t2, t3, t4;
                    c = MaskedRow(PlaneRow(rows, rowMasks, 0, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 0, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a0 = Fma512(c, w00, zero);
                    a0 = Fma512(t1, w01, a0);
                    a0 = Fma512(t2, w02, a0);
                    a0 = Fma512(t3, w03, a0);
                    a0 = Fma512(t4, w04, a0);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 1, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 1, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a0 = Fma512(c, w10, a0); a1 = Fma512(c, w00, zero);
                    a0 = Fma512(t1, w11, a0); a1 = Fma512(t1, w01, a1);
                    a0 = Fma512(t2, w12, a0); a1 = Fma512(t2, w02, a1);
                    a0 = Fma512(t3, w13, a0); a1 = Fma512(t3, w03, a1);
                    a0 = Fma512(t4, w14, a0); a1 = Fma512(t4, w04, a1);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 2, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 2, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a0 = Fma512(c, w20, a0); a1 = Fma512(c, w10, a1); a2 = Fma512(c, w00, zero);
                    a0 = Fma512(t1, w21, a0); a1 = Fma512(t1, w11, a1); a2 = Fma512(t1, w01, a2);
                    a0 = Fma512(t2, w22, a0); a1 = Fma512(t2, w12, a1); a2 = Fma512(t2, w02, a2);
                    a0 = Fma512(t3, w23, a0); a1 = Fma512(t3, w13, a1); a2 = Fma512(t3, w03, a2);
                    a0 = Fma512(t4, w24, a0); a1 = Fma512(t4, w14, a1); a2 = Fma512(t4, w04, a2);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 3, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 3, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a0 = Fma512(c, w30, a0); a1 = Fma512(c, w20, a1); a2 = Fma512(c, w10, a2); a3 = Fma512(c, w00, zero);
                    a0 = Fma512(t1, w31, a0); a1 = Fma512(t1, w21, a1); a2 = Fma512(t1, w11, a2); a3 = Fma512(t1, w01, a3);
                    a0 = Fma512(t2, w32, a0); a1 = Fma512(t2, w22, a1); a2 = Fma512(t2, w12, a2); a3 = Fma512(t2, w02, a3);
                    a0 = Fma512(t3, w33, a0); a1 = Fma512(t3, w23, a1); a2 = Fma512(t3, w13, a2); a3 = Fma512(t3, w03, a3);
                    a0 = Fma512(t4, w34, a0); a1 = Fma512(t4, w24, a1); a2 = Fma512(t4, w14, a2); a3 = Fma512(t4, w04, a3);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 4, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 4, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a0 = Fma512(c, w40, a0); a1 = Fma512(c, w30, a1); a2 = Fma512(c, w20, a2); a3 = Fma512(c, w10, a3); a4 = Fma512(c, w00, zero);
                    a0 = Fma512(t1, w41, a0); a1 = Fma512(t1, w31, a1); a2 = Fma512(t1, w21, a2); a3 = Fma512(t1, w11, a3); a4 = Fma512(t1, w01, a4);
                    a0 = Fma512(t2, w42, a0); a1 = Fma512(t2, w32, a1); a2 = Fma512(t2, w22, a2); a3 = Fma512(t2, w12, a3); a4 = Fma512(t2, w02, a4);
                    a0 = Fma512(t3, w43, a0); a1 = Fma512(t3, w33, a1); a2 = Fma512(t3, w23, a2); a3 = Fma512(t3, w13, a3); a4 = Fma512(t3, w03, a4);
                    a0 = Fma512(t4, w44, a0); a1 = Fma512(t4, w34, a1); a2 = Fma512(t4, w24, a2); a3 = Fma512(t4, w14, a3); a4 = Fma512(t4, w04, a4);
                    StoreOutputRow(a0, y, whole, stored);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 5, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 5, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a1 = Fma512(c, w40, a1); a2 = Fma512(c, w30, a2); a3 = Fma512(c, w20, a3); a4 = Fma512(c, w10, a4); if (TRows.Count > 5) a5 = Fma512(c, w00, zero);
                    a1 = Fma512(t1, w41, a1); a2 = Fma512(t1, w31, a2); a3 = Fma512(t1, w21, a3); a4 = Fma512(t1, w11, a4); if (TRows.Count > 5) a5 = Fma512(t1, w01, a5);
                    a1 = Fma512(t2, w42, a1); a2 = Fma512(t2, w32, a2); a3 = Fma512(t2, w22, a3); a4 = Fma512(t2, w12, a4); if (TRows.Count > 5) a5 = Fma512(t2, w02, a5);
                    a1 = Fma512(t3, w43, a1); a2 = Fma512(t3, w33, a2); a3 = Fma512(t3, w23, a3); a4 = Fma512(t3, w13, a4); if (TRows.Count > 5) a5 = Fma512(t3, w03, a5);
                    a1 = Fma512(t4, w44, a1); a2 = Fma512(t4, w34, a2); a3 = Fma512(t4, w24, a3); a4 = Fma512(t4, w14, a4); if (TRows.Count > 5) a5 = Fma512(t4, w04, a5);
                    if (count > 1) StoreOutputRow(a1, y + next, whole, stored);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 6, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 6, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a2 = Fma512(c, w40, a2); a3 = Fma512(c, w30, a3); a4 = Fma512(c, w20, a4); if (TRows.Count > 5) a5 = Fma512(c, w10, a5); if (TRows.Count > 6) a6 = Fma512(c, w00, zero);
                    a2 = Fma512(t1, w41, a2); a3 = Fma512(t1, w31, a3); a4 = Fma512(t1, w21, a4); if (TRows.Count > 5) a5 = Fma512(t1, w11, a5); if (TRows.Count > 6) a6 = Fma512(t1, w01, a6);
                    a2 = Fma512(t2, w42, a2); a3 = Fma512(t2, w32, a3); a4 = Fma512(t2, w22, a4); if (TRows.Count > 5) a5 = Fma512(t2, w12, a5); if (TRows.Count > 6) a6 = Fma512(t2, w02, a6);
                    a2 = Fma512(t3, w43, a2); a3 = Fma512(t3, w33, a3); a4 = Fma512(t3, w23, a4); if (TRows.Count > 5) a5 = Fma512(t3, w13, a5); if (TRows.Count > 6) a6 = Fma512(t3, w03, a6);
                    a2 = Fma512(t4, w44, a2); a3 = Fma512(t4, w34, a3); a4 = Fma512(t4, w24, a4); if (TRows.Count > 5) a5 = Fma512(t4, w14, a5); if (TRows.Count > 6) a6 = Fma512(t4, w04, a6);
                    if (count > 2) StoreOutputRow(a2, y + 2 * next, whole, stored);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 7, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 7, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a3 = Fma512(c, w40, a3); a4 = Fma512(c, w30, a4); if (TRows.Count > 5) a5 = Fma512(c, w20, a5); if (TRows.Count > 6) a6 = Fma512(c, w10, a6);
                    a3 = Fma512(t1, w41, a3); a4 = Fma512(t1, w31, a4); if (TRows.Count > 5) a5 = Fma512(t1, w21, a5); if (TRows.Count > 6) a6 = Fma512(t1, w11, a6);
                    a3 = Fma512(t2, w42, a3); a4 = Fma512(t2, w32, a4); if (TRows.Count > 5) a5 = Fma512(t2, w22, a5); if (TRows.Count > 6) a6 = Fma512(t2, w12, a6);
                    a3 = Fma512(t3, w43, a3); a4 = Fma512(t3, w33, a4); if (TRows.Count > 5) a5 = Fma512(t3, w23, a5); if (TRows.Count > 6) a6 = Fma512(t3, w13, a6);
                    a3 = Fma512(t4, w44, a3); a4 = Fma512(t4, w34, a4); if (TRows.Count > 5) a5 = Fma512(t4, w24, a5); if (TRows.Count > 6) a6 = Fma512(t4, w14, a6);
                    if (count > 3) StoreOutputRow(a3, y + 3 * next, whole, stored);
                    c = MaskedRow(PlaneRow(rows, rowMasks, 8, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 8, shift), 16, second);
                    t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                    a4 = Fma512(c, w40, a4); if (TRows.Count > 5) a5 = Fma512(c, w30, a5); if (TRows.Count > 6) a6 = Fma512(c, w20, a6);
                    a4 = Fma512(t1, w41, a4); if (TRows.Count > 5) a5 = Fma512(t1, w31, a5); if (TRows.Count > 6) a6 = Fma512(t1, w21, a6);
                    a4 = Fma512(t2, w42, a4); if (TRows.Count > 5) a5 = Fma512(t2, w32, a5); if (TRows.Count > 6) a6 = Fma512(t2, w22, a6);
                    a4 = Fma512(t3, w43, a4); if (TRows.Count > 5) a5 = Fma512(t3, w33, a5); if (TRows.Count > 6) a6 = Fma512(t3, w23, a6);
                    a4 = Fma512(t4, w44, a4); if (TRows.Count > 5) a5 = Fma512(t4, w34, a5); if (TRows.Count > 6) a6 = Fma512(t4, w24, a6);
                    if (count > 4) StoreOutputRow(a4, y + 4 * next, whole, stored);
                    if (TRows.Count > 5)
                    {
                        c = MaskedRow(PlaneRow(rows, rowMasks, 9, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 9, shift), 16, second);
                        t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                        a5 = Fma512(c, w40, a5); if (TRows.Count > 6) a6 = Fma512(c, w30, a6);
                        a5 = Fma512(t1, w41, a5); if (TRows.Count > 6) a6 = Fma512(t1, w31, a6);
                        a5 = Fma512(t2, w42, a5); if (TRows.Count > 6) a6 = Fma512(t2, w32, a6);
                        a5 = Fma512(t3, w43, a5); if (TRows.Count > 6) a6 = Fma512(t3, w33, a6);
                        a5 = Fma512(t4, w44, a5); if (TRows.Count > 6) a6 = Fma512(t4, w34, a6);
                        if (count > 5) StoreOutputRow(a5, y + 5 * next, whole, stored);
                    }
                    if (TRows.Count > 6)
                    {
                        c = MaskedRow(PlaneRow(rows, rowMasks, 10, shift), 0, first); n = MaskedRow(PlaneRow(rows, rowMasks, 10, shift), 16, second);
                        t1 = Shift(n, c, 1); t2 = Shift(n, c, 2); t3 = Shift(n, c, 3); t4 = Shift(n, c, 4);
                        a6 = Fma512(c, w40, a6);
                        a6 = Fma512(t1, w41, a6);
                        a6 = Fma512(t2, w42, a6);
                        a6 = Fma512(t3, w43, a6);
                        a6 = Fma512(t4, w44, a6);
                        if (count > 6) StoreOutputRow(a6, y + 6 * next, whole, stored);
                    }
            }
        }
    }
}
