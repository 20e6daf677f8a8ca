using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 1 (no dilation, any padding) on output rows up to 16 wide (MobileNet's 7x7
/// to 15x15 planes), float32 on 256-bit AVX2 vectors: the tiles read the input rows where they are instead of
/// a band copied to the scratch between zero columns; that copy and the per-plane costs around it made the
/// planar kernel slower than transposing to NHWC and back on these planes. Work items are the planar plan's
/// (input plane × band; these planes are one band unless taller than 56 rows). A band's output rows go in
/// groups of five to seven, as even as they go (15 rows as 5 + 5 + 5: as 7 + 7 + 7, the last group moved
/// back for one row, 15x15x96 took 13.1 µs against 10.2), each group reading its rows and two more through a
/// table of row pointers: rows over the top or bottom padding, and rows below the image that only outputs
/// past a short band's end read, point at a zero row. A last, shorter group moves back to end at the band's
/// end (recomputing rows with the same bits); a band shorter than five rows computes five and stores its
/// own. Along a row, one or two vectors of eight output columns, the second shifted back to end at OW; rows
/// narrower than eight compute one vector, and a group's last row stores only its columns. Every load is masked
/// (<c>vmaskmovps</c>): columns left or right of the image read zeros and touch no memory. Where the left
/// padding is one column and the output no wider than the input (SAME), the groups of
/// <see cref="RowGroupStride1Edges{TRows, TTop, TBottom}"/> take over: masks only at the
/// image's edges, rows addressed from the group's first, and on planes at least eight wide with at most one
/// padding row above and below, groups of five to eight rows (15 rows as 8 + 7). One call computes a
/// group for a run of up to 16 consecutive planes of an image (their rows stay in L1 from one group to the
/// next): at one call per plane, a 7x7 plane's tile waited on its nine-deep multiply-add chains and on the
/// per-plane bookkeeping around the call (7x7x960: 50 µs, against 27 in runs). Each output adds its nine taps
/// in filter-row, then filter-column order from zero with the same fused multiply-adds as the band tiles,
/// padding taps multiplying zeros, so the bits are the band kernel's (and NaN weights over the padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="RunItemsStride1InPlace"/> serves the problem.</summary>
    private static bool ReadsStride1InPlace<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector256<float>) && Avx2.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= 4 && p.OutputWidth <= MaxInPlaceOutputWidth;

    /// <summary>
    /// Widest output rows the in-place tiles take: two vectors (28 and 30 wide rows ran faster on the band
    /// kernel). Up to there they beat the previous path (the transposes below 169 or 256 outputs a plane,
    /// else the band kernel) on every plane measured (1 thread, µs, in place / previous): 4x4x512 9.6 / 16.7,
    /// 5x5x512 10.1 / 23.7, 10x4x256 9.7 / 20.4, 7x7x64 1.8 / 2.6, 9x9x32 2.1 / 2.7, 9x9x128 8.3 / 10.2,
    /// 10x10x32 2.2 / 2.2, 10x10x64 4.2-4.4 / 4.3-4.4, 10x10x256 17.0 / 23.7, 11x11x64 4.9 / 5.2, 12x12x128
    /// 10.4 / 13.4, 13x13x960 96 / 113, 15x15x96 10.2 / 15.6, 16x16x64 7.5 / 10.5. Rows narrower than four
    /// columns stay on the other paths (the stores of a group's last row assume four).
    /// </summary>
    private const int MaxInPlaceOutputWidth = 16;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the stride-1 in-place path for the problem.</summary>
    internal static bool TakesStride1InPlace<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        ReadsStride1InPlace<TVector, T>(new Plan(g, Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Planes a run of work items computes together (one row group of all of them, then the next): their rows stay in L1.</summary>
    private const int PlanesPerRun = 16;

    /// <summary>Computes work items [firstItem, endItem) of a problem <see cref="ReadsStride1InPlace"/> accepts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunItemsStride1InPlace(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem)
    {
        nint width = p.Width, outputWidth = p.OutputWidth, padLeft = p.PadLeft;
        // The zero row covers every column a vector's taps can address: from -PadLeft to past OW + 9.
        int zeroLength = checked((int)(padLeft + width + outputWidth + 16));
        float[] zeros = ArrayPool<float>.Shared.Rent(zeroLength);
        Array.Clear(zeros, 0, zeroLength);
        nint* rows = stackalloc nint[9];
        nint* rowMasks = stackalloc nint[9];
        // Rows narrower than a vector (four columns at least): a row's whole store also writes the start of the
        // next row, which that row's store then overwrites; a group's last row stores only its columns.
        nint spilledRows = outputWidth >= 8 ? 0 : 1;
        // Pinned: the masked loads take addresses, and the row table holds them.
        fixed (float* pinnedInput = &input, pinnedOutput = &output, pinnedFilter = &filter, zeroRow = zeros)
        try
        {
            float* zero = zeroRow + padLeft;
            nint planeIn = p.Height * width, planeOut = p.OutputHeight * outputWidth, outputChannels = p.Channels * p.Multiplier;
            bool edgeMasks = MasksOnlyAtEdges(p), edgeGroupsOfFiveToEight = edgeMasks && EdgeGroupsFitEveryBand(p);
            for (long item = firstItem; item < endItem;)
            {
                // A run of planes of one image (their weights are consecutive), or the one band of a plane.
                nint plane = (nint)(item / p.Bands), bandIndex = (nint)(item % p.Bands);
                nint batch = plane / p.Channels, channel = plane % p.Channels;
                nint planes = p.Bands != 1 ? 1 : (nint)Math.Min(Math.Min(endItem - item, p.Channels - channel), PlanesPerRun);
                item += planes;
                nint firstRow = bandIndex * p.BandRows, endRow = Math.Min(firstRow + p.BandRows, p.OutputHeight);
                float* image = pinnedInput + plane * planeIn;
                // Groups of five to seven rows, as even as they go: 15 rows as 5 + 5 + 5 rather than 7 + 7 + 7
                // (the last moved back for one row).
                nint bandRows = endRow - firstRow, groupRows = GroupRowsOf(bandRows);
                bool evenEdgeGroups = edgeGroupsOfFiveToEight && bandRows >= 5;
                for (nint r = firstRow; r < endRow; r += groupRows)
                {
                    if (evenEdgeGroups) groupRows = EdgeGroupRows(endRow - r);
                    if (endRow - r < groupRows && bandRows >= groupRows) r = endRow - groupRows;
                    nint count = Math.Min(groupRows, endRow - r);
                    for (nint i = 0; i < 9; i++)
                    {
                        nint iy = r - p.PadTop + i;
                        bool inImage = (nuint)iy < (nuint)p.Height;
                        rows[i] = inImage ? (nint)(image + iy * width) : (nint)zero;
                        rowMasks[i] = inImage ? -1 : 0;
                    }
                    for (nint m = 0; m < p.Multiplier; m++)
                    {
                        nint o = channel * p.Multiplier + m;
                        float* y = pinnedOutput + (batch * outputChannels + o) * planeOut + r * outputWidth;
                        var planesOf = new PlaneRun(planeIn, pinnedFilter + o, outputChannels, p.Multiplier, p.Multiplier * planeOut, planes);
                        nint columns = Math.Max(outputWidth, 8), plainRows = count - spilledRows;
                        nint firstInputRow = r - p.PadTop;
                        if (edgeMasks && MiddleColumnStaysInTensor(p, channel + planes, firstInputRow, groupRows) && ReadsAtMostOneZeroRowEachSide(p, firstInputRow, groupRows))
                        {
                            RowGroupStride1Edges(groupRows, firstInputRow < 0, firstInputRow + groupRows + 2 > p.Height,
                                new EdgeGroup(image + firstInputRow * width, zero, width, y, outputWidth, count, plainRows), planesOf);
                            continue;
                        }
                        Debug.Assert(groupRows <= 7, "eight-row groups only come where every group takes the edge-masked path");
                        if (groupRows == 5)
                            RowGroupStride1<FiveRows>(rows, rowMasks, planesOf, -padLeft, width, columns, y, outputWidth, count, plainRows);
                        else if (groupRows == 6)
                            RowGroupStride1<SixRows>(rows, rowMasks, planesOf, -padLeft, width, columns, y, outputWidth, count, plainRows);
                        else
                            RowGroupStride1<SevenRows>(rows, rowMasks, planesOf, -padLeft, width, columns, y, outputWidth, count, plainRows);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(zeros);
        }
    }

    /// <summary>
    /// Planes computed one after another: consecutive input planes of one image and, for each, the output plane and
    /// weights of one multiplier index; or, with <c>outputsPerInput</c> M, consecutive output planes, M of them (every
    /// multiplier index) per input plane.
    /// </summary>
    private readonly unsafe struct PlaneRun(nint planeIn, float* weights, nint tapStride, nint weightStep, nint outputStep, nint planes, nint outputsPerInput = 1)
    {
        /// <summary>Elements from one input plane to the next.</summary>
        public readonly nint PlaneIn = planeIn;
        /// <summary>Planes of the run that read the same input plane.</summary>
        public readonly nint OutputsPerInput = outputsPerInput;

        /// <summary>Elements from the run's first input plane to plane <paramref name="j"/>'s.</summary>
        public nint InputOffset(nint j) => (OutputsPerInput == 1 ? j : j / OutputsPerInput) * PlaneIn;
        /// <summary>Tap 0's weight of the first plane; tap k is <see cref="TapStride"/> × k further, the next plane's <see cref="WeightStep"/>.</summary>
        public readonly float* Weights = weights;
        public readonly nint TapStride = tapStride, WeightStep = weightStep;
        /// <summary>Elements from one output plane to the next.</summary>
        public readonly nint OutputStep = outputStep;
        public readonly nint Planes = planes;
    }

    /// <summary>
    /// <typeparamref name="TRows"/> (five to seven) output rows × eight columns at a time along
    /// <paramref name="vectorColumns"/> output columns (at least eight; the last vector shifted back to end
    /// there), for each plane of <paramref name="run"/>: output
    /// column ox of row i of plane j reads input row <paramref name="rows"/>[i + ky] (moved on by j planes where
    /// <paramref name="rowMasks"/> is all ones; the zero row stays), column <paramref name="column"/> + ox + kx,
    /// through masks that read zeros outside <c>[0, W)</c>. The first <paramref name="count"/> rows are stored,
    /// <paramref name="next"/> apart, the first <paramref name="plainRows"/> of them whole and the others
    /// only their columns. Same accumulation as <see cref="Rows7Taps3x3{TVector, T}"/>. The
    /// planes run in one loop so that one plane's last multiply-adds overlap the next one's first: a call per
    /// 7x7 plane waited on its nine-deep chains.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowGroupStride1<TRows>(nint* rows, nint* rowMasks, in PlaneRun run, nint column, nint width, nint vectorColumns, float* y,
        nint next, nint count, nint plainRows)
        where TRows : struct, IGroupRows
    {
        Vector256<int> lastFour = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((int)Math.Max(next - 4, 0));
        nint tapStride = run.TapStride;
        // The column masks of the (at most two) vectors along the row, the same for every plane.
        Vector256<float>* masks = stackalloc Vector256<float>[3 * ((MaxInPlaceOutputWidth + 7) / 8)];
        Vector256<int> last = Vector256.Create((int)width - 1);
        for (nint ox = 0, i = 0; ; ox += 8, i += 3)
        {
            if (ox > vectorColumns - 8) ox = vectorColumns - 8;
            Vector256<int> columns = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((int)(column + ox));
            masks[i] = InImage(columns, last);
            masks[i + 1] = InImage(columns + Vector256<int>.One, last);
            masks[i + 2] = InImage(columns + Vector256.Create(2), last);
            if (ox == vectorColumns - 8) break;
        }
        for (nint j = 0; j < run.Planes; j++)
        {
            float* w = run.Weights + j * run.WeightStep;
            nint shift = run.InputOffset(j) * sizeof(float);
            Vector256<float> w00 = Vector256.Create(w[0]), w01 = Vector256.Create(w[tapStride]), w02 = Vector256.Create(w[2 * tapStride]);
            Vector256<float> w10 = Vector256.Create(w[3 * tapStride]), w11 = Vector256.Create(w[4 * tapStride]), w12 = Vector256.Create(w[5 * tapStride]);
            Vector256<float> w20 = Vector256.Create(w[6 * tapStride]), w21 = Vector256.Create(w[7 * tapStride]), w22 = Vector256.Create(w[8 * tapStride]);
            float* yPlane = y + j * run.OutputStep;
            for (nint ox = 0, i = 0; ; ox += 8, i += 3)
            {
                if (ox > vectorColumns - 8) ox = vectorColumns - 8;
                nint at = column + ox;
                Vector256<float> m0 = masks[i], m1 = masks[i + 1], m2 = masks[i + 2];
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default;
                Vector256<float> v;
                float* row;
                row = RowAt(rows, rowMasks, 0, shift) + at;
                v = Avx.MaskLoad(row, m0); a0 = Fma(v, w00, a0);
                v = Avx.MaskLoad(row + 1, m1); a0 = Fma(v, w01, a0);
                v = Avx.MaskLoad(row + 2, m2); a0 = Fma(v, w02, a0);
                row = RowAt(rows, rowMasks, 1, shift) + at;
                v = Avx.MaskLoad(row, m0); a0 = Fma(v, w10, a0); a1 = Fma(v, w00, a1);
                v = Avx.MaskLoad(row + 1, m1); a0 = Fma(v, w11, a0); a1 = Fma(v, w01, a1);
                v = Avx.MaskLoad(row + 2, m2); a0 = Fma(v, w12, a0); a1 = Fma(v, w02, a1);
                row = RowAt(rows, rowMasks, 2, shift) + at;
                v = Avx.MaskLoad(row, m0); a0 = Fma(v, w20, a0); a1 = Fma(v, w10, a1); a2 = Fma(v, w00, a2);
                v = Avx.MaskLoad(row + 1, m1); a0 = Fma(v, w21, a0); a1 = Fma(v, w11, a1); a2 = Fma(v, w01, a2);
                v = Avx.MaskLoad(row + 2, m2); a0 = Fma(v, w22, a0); a1 = Fma(v, w12, a1); a2 = Fma(v, w02, a2);
                row = RowAt(rows, rowMasks, 3, shift) + at;
                v = Avx.MaskLoad(row, m0); a1 = Fma(v, w20, a1); a2 = Fma(v, w10, a2); a3 = Fma(v, w00, a3);
                v = Avx.MaskLoad(row + 1, m1); a1 = Fma(v, w21, a1); a2 = Fma(v, w11, a2); a3 = Fma(v, w01, a3);
                v = Avx.MaskLoad(row + 2, m2); a1 = Fma(v, w22, a1); a2 = Fma(v, w12, a2); a3 = Fma(v, w02, a3);
                row = RowAt(rows, rowMasks, 4, shift) + at;
                v = Avx.MaskLoad(row, m0); a2 = Fma(v, w20, a2); a3 = Fma(v, w10, a3); a4 = Fma(v, w00, a4);
                v = Avx.MaskLoad(row + 1, m1); a2 = Fma(v, w21, a2); a3 = Fma(v, w11, a3); a4 = Fma(v, w01, a4);
                v = Avx.MaskLoad(row + 2, m2); a2 = Fma(v, w22, a2); a3 = Fma(v, w12, a3); a4 = Fma(v, w02, a4);
                row = RowAt(rows, rowMasks, 5, shift) + at;
                v = Avx.MaskLoad(row, m0); a3 = Fma(v, w20, a3); a4 = Fma(v, w10, a4); if (TRows.Count > 5) a5 = Fma(v, w00, a5);
                v = Avx.MaskLoad(row + 1, m1); a3 = Fma(v, w21, a3); a4 = Fma(v, w11, a4); if (TRows.Count > 5) a5 = Fma(v, w01, a5);
                v = Avx.MaskLoad(row + 2, m2); a3 = Fma(v, w22, a3); a4 = Fma(v, w12, a4); if (TRows.Count > 5) a5 = Fma(v, w02, a5);
                row = RowAt(rows, rowMasks, 6, shift) + at;
                v = Avx.MaskLoad(row, m0); a4 = Fma(v, w20, a4); if (TRows.Count > 5) a5 = Fma(v, w10, a5); if (TRows.Count > 6) a6 = Fma(v, w00, a6);
                v = Avx.MaskLoad(row + 1, m1); a4 = Fma(v, w21, a4); if (TRows.Count > 5) a5 = Fma(v, w11, a5); if (TRows.Count > 6) a6 = Fma(v, w01, a6);
                v = Avx.MaskLoad(row + 2, m2); a4 = Fma(v, w22, a4); if (TRows.Count > 5) a5 = Fma(v, w12, a5); if (TRows.Count > 6) a6 = Fma(v, w02, a6);
                if (TRows.Count > 5)
                {
                    row = RowAt(rows, rowMasks, 7, shift) + at;
                    v = Avx.MaskLoad(row, m0); if (TRows.Count > 5) a5 = Fma(v, w20, a5); if (TRows.Count > 6) a6 = Fma(v, w10, a6);
                    v = Avx.MaskLoad(row + 1, m1); if (TRows.Count > 5) a5 = Fma(v, w21, a5); if (TRows.Count > 6) a6 = Fma(v, w11, a6);
                    v = Avx.MaskLoad(row + 2, m2); if (TRows.Count > 5) a5 = Fma(v, w22, a5); if (TRows.Count > 6) a6 = Fma(v, w12, a6);
                }
                if (TRows.Count > 6)
                {
                    row = RowAt(rows, rowMasks, 8, shift) + at;
                    v = Avx.MaskLoad(row, m0); if (TRows.Count > 6) a6 = Fma(v, w20, a6);
                    v = Avx.MaskLoad(row + 1, m1); if (TRows.Count > 6) a6 = Fma(v, w21, a6);
                    v = Avx.MaskLoad(row + 2, m2); if (TRows.Count > 6) a6 = Fma(v, w22, a6);
                }
                float* yo = yPlane + ox;
                StoreRow(a0, yo, 0, plainRows, next, lastFour);
                if (count > 1) StoreRow(a1, yo + next, 1, plainRows, next, lastFour);
                if (count > 2) StoreRow(a2, yo + 2 * next, 2, plainRows, next, lastFour);
                if (count > 3) StoreRow(a3, yo + 3 * next, 3, plainRows, next, lastFour);
                if (count > 4) StoreRow(a4, yo + 4 * next, 4, plainRows, next, lastFour);
                if (TRows.Count > 5 && count > 5) StoreRow(a5, yo + 5 * next, 5, plainRows, next, lastFour);
                if (TRows.Count > 6 && count > 6) StoreRow(a6, yo + 6 * next, 6, plainRows, next, lastFour);
                if (ox == vectorColumns - 8) break;
            }
        }
    }

    /// <summary>Output rows a tile computes (five to seven): the compiler drops the other rows' work.</summary>
    private interface IGroupRows
    {
        static abstract int Count { get; }
    }

    private struct FiveRows : IGroupRows { public static int Count => 5; }

    private struct SixRows : IGroupRows { public static int Count => 6; }

    private struct SevenRows : IGroupRows { public static int Count => 7; }

    /// <summary>Input row <paramref name="i"/> of a group, <paramref name="shift"/> bytes on where it is an image row (the zero row stays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* RowAt(nint* rows, nint* rowMasks, nint i, nint shift) => (float*)(rows[i] + (shift & rowMasks[i]));

    /// <summary>Lanes whose column is inside <c>[0, last]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> InImage(Vector256<int> columns, Vector256<int> last) =>
        (Vector256.GreaterThanOrEqual(columns, Vector256<int>.Zero) & Vector256.LessThanOrEqual(columns, last)).AsSingle();

    /// <summary>
    /// Stores row <paramref name="index"/> of a group whole, or only its <paramref name="columns"/> (four to
    /// seven) once it is past <paramref name="plainRows"/>: as two overlapping 128-bit stores, the second of the
    /// last four columns (<paramref name="lastFour"/> picks them). (The masked store, <c>vmaskmovps</c> to
    /// memory, took a fifth of the time of 7x7 planes.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(Vector256<float> value, float* at, nint index, nint plainRows, nint columns, Vector256<int> lastFour)
    {
        if (index < plainRows) value.Store(at);
        else
        {
            value.GetLower().Store(at);
            Avx2.PermuteVar8x32(value, lastFour).GetLower().Store(at + columns - 4);
        }
    }
}
