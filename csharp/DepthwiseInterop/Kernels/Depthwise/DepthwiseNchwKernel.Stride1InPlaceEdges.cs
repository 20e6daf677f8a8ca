using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The in-place stride-1 row groups of <see cref="RowGroupStride1{TRows}"/> (output rows × one vector of eight
/// columns, for each plane of a run) where the left padding is one column and the output is no wider than the
/// input (SAME, or no right padding): there only the image's edges need masked loads. Output column ox reads
/// input columns ox - 1 to ox + 1, so the middle filter column never reads left of the image, and right of it
/// only for lanes past the output's width (not stored, or overwritten by the next row's store); the left column
/// reads left of the image only in the vector at column 0, the right column right of it only in the vector
/// ending at the last column. A row takes one vector (left and right columns masked) or two, the first at
/// column 0 (left masked), the second ending at the last column (right masked), both in one pass over the
/// run's planes (the weights broadcast once a plane, the two tiles' chains overlapping). With two masks live
/// instead of three, the accumulators, the loaded vector and the masks leave registers for most of the nine
/// weights (three masks left seven, and every masked load reloaded its mask from the stack). A group's input
/// rows are consecutive image rows, but for at most one zero row above and one below, known when compiled: a
/// row's address is the group's first row plus a multiple of the width (the row table took two loads and three
/// adds a row); a group reading two zero rows on a side, or the middle column past the input's end, takes the
/// all-masked groups. Groups are five to seven rows as there,
/// or five to eight where every group of the bands comes here (planes at least eight wide, at most one padding
/// row above and below): 15 rows as 8 + 7 rather than 5 + 5 + 5, 16 as 8 + 8 rather than 6 + 6 + 6 (fewer
/// tiles, fewer rows read twice; 15x15 1.06-1.08x, 16x16 1.17x). Same accumulation order, and the same zeros
/// under padding taps, as <see cref="RowGroupStride1{TRows}"/>, so the same bits.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether the left, middle and right filter columns' loads need masks only at the image's edges (see the file's summary).</summary>
    private static bool MasksOnlyAtEdges(in Plan p) => p.PadLeft == 1 && p.OutputWidth <= p.Width;

    /// <summary>Whether the stride-1 in-place path runs the problem on the edge-masked groups.</summary>
    internal static bool TakesStride1InPlaceEdges<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged
    {
        var p = new Plan(g, Count<TVector, T>(), Unsafe.SizeOf<T>());
        return ReadsStride1InPlace<TVector, T>(p) && MasksOnlyAtEdges(p);
    }

    /// <summary>
    /// Whether every band of the problem can go in groups of five to eight rows, all on the edge-masked path:
    /// rows at least eight wide (the middle column stays in the row) and at most one padding row above and below
    /// (no group reads two zero rows on a side). The all-masked groups, where the others go, stop at seven rows.
    /// </summary>
    private static bool EdgeGroupsFitEveryBand(in Plan p) =>
        p.Width >= 8 && p.PadTop <= 1 && p.OutputHeight + 2 - p.Height - p.PadTop <= 1;

    /// <summary>
    /// Rows of the next group where <paramref name="remainingRows"/> of a band are left (at least five in the
    /// band): as even as they go in groups of at most eight (15 rows as 8 + 7, where groups of at most seven
    /// went 5 + 5 + 5: fewer, taller tiles), at least five (a last group of four moves back).
    /// </summary>
    private static nint EdgeGroupRows(nint remainingRows)
    {
        nint groups = (remainingRows + 7) / 8;
        return Math.Max((remainingRows + groups - 1) / groups, 5);
    }

    /// <summary>
    /// Whether a group of an edge-masked run may read its middle filter column unmasked: rows narrower than
    /// eight columns read up to column seven, past the row's end, which is past the tensor's end on the last
    /// image row of the last plane. The kernel does not see the batch, so a run ending at an image's last
    /// channel counts as the tensor's end (a group of <paramref name="groupRows"/> reads two rows more).
    /// </summary>
    private static bool MiddleColumnStaysInTensor(in Plan p, nint endChannelOfRun, nint firstInputRow, nint groupRows) =>
        p.Width >= 8 || endChannelOfRun < p.Channels || firstInputRow + groupRows + 1 < p.Height - 1;

    /// <summary>
    /// Whether a group whose input rows start at image row <paramref name="firstInputRow"/> reads at most one
    /// zero row above the image and one below (the rows <see cref="GroupRow"/> addresses).
    /// </summary>
    private static bool ReadsAtMostOneZeroRowEachSide(in Plan p, nint firstInputRow, nint groupRows) =>
        firstInputRow >= -1 && firstInputRow + groupRows + 2 <= p.Height + 1;

    /// <summary>A row group of an edge-masked run: where its rows are, and where its outputs go.</summary>
    private readonly unsafe struct EdgeGroup(float* firstRow, float* zero, nint width, float* output, nint outputWidth, nint count, nint plainRows)
    {
        /// <summary>Where the group's first input row is in the run's first plane (one row above the image when that row is padding).</summary>
        public readonly float* FirstRow = firstRow;
        /// <summary>The zero row the padding rows read.</summary>
        public readonly float* Zero = zero;
        public readonly nint Width = width;
        /// <summary>The group's first output row in the run's first plane.</summary>
        public readonly float* Output = output;
        public readonly nint OutputWidth = outputWidth, Count = count, PlainRows = plainRows;
    }

    /// <summary>
    /// Runs <see cref="RowGroupStride1Edges{TRows, TTop, TBottom}"/> on a group of
    /// <paramref name="groupRows"/> rows reading a zero row above the image or not (<paramref name="topZero"/>),
    /// and below it or not (<paramref name="bottomZero"/>).
    /// </summary>
    private static void RowGroupStride1Edges(nint groupRows, bool topZero, bool bottomZero, in EdgeGroup group, in PlaneRun run)
    {
        if (groupRows == 5) RowGroupStride1Edges<FiveRows>(topZero, bottomZero, group, run);
        else if (groupRows == 6) RowGroupStride1Edges<SixRows>(topZero, bottomZero, group, run);
        else if (groupRows == 7) RowGroupStride1Edges<SevenRows>(topZero, bottomZero, group, run);
        else RowGroupStride1Edges<EightRows>(topZero, bottomZero, group, run);
    }

    private static void RowGroupStride1Edges<TRows>(bool topZero, bool bottomZero, in EdgeGroup group, in PlaneRun run) where TRows : struct, IGroupRows
    {
        if (topZero && bottomZero) RowGroupStride1Edges<TRows, ZeroRow, ZeroRow>(group, run);
        else if (topZero) RowGroupStride1Edges<TRows, ZeroRow, ImageRow>(group, run);
        else if (bottomZero) RowGroupStride1Edges<TRows, ImageRow, ZeroRow>(group, run);
        else RowGroupStride1Edges<TRows, ImageRow, ImageRow>(group, run);
    }

    /// <summary>The group's one vector (rows up to eight wide) or two.</summary>
    private static void RowGroupStride1Edges<TRows, TTop, TBottom>(in EdgeGroup group, in PlaneRun run)
        where TRows : struct, IGroupRows where TTop : struct, IZeroRow where TBottom : struct, IZeroRow
    {
        Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), last = Vector256.Create((int)group.Width - 1);
        Vector256<float> leftMask = InImage(lanes - Vector256<int>.One, last);
        if (group.OutputWidth <= 8)
        {
            RowGroupStride1EdgesOne<TRows, TTop, TBottom>(group, run, leftMask, InImage(lanes + Vector256<int>.One, last));
            return;
        }
        nint second = group.OutputWidth - 8;
        RowGroupStride1EdgesPair<TRows, TTop, TBottom>(group, run, second, leftMask, InImage(lanes + Vector256.Create((int)second + 1), last));
    }

    /// <summary>
    /// Input row <paramref name="i"/> of a group of <typeparamref name="TRows"/> rows: the zero row for the
    /// first row (<typeparamref name="TTop"/>) or the last (<typeparamref name="TBottom"/>), else the image row
    /// <paramref name="i"/> rows below <paramref name="first"/>, <paramref name="shift"/> bytes on. With the
    /// row known when compiled, this is an address computation where the row table took two loads and three adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* GroupRow<TRows, TTop, TBottom>(nint i, float* first, nint shift, nint width, float* zero)
        where TRows : struct, IGroupRows where TTop : struct, IZeroRow where TBottom : struct, IZeroRow =>
        (TTop.Zero && i == 0) || (TBottom.Zero && i == TRows.Count + 1) ? zero : (float*)((byte*)first + shift) + i * width;

    /// <summary>Whether a group's first (or last) input row is the zero row.</summary>
    private interface IZeroRow
    {
        static abstract bool Zero { get; }
    }

    private struct EightRows : IGroupRows { public static int Count => 8; }

    private struct ZeroRow : IZeroRow { public static bool Zero => true; }

    private struct ImageRow : IZeroRow { public static bool Zero => false; }

    /// <summary>
    /// The group of <see cref="RowGroupStride1{TRows}"/> for rows up to eight wide that <see cref="MasksOnlyAtEdges"/>
    /// accepts: one vector at column 0, its left and right filter columns loaded through <paramref name="leftMask"/>
    /// and <paramref name="rightMask"/> (the lanes whose input column is inside the image).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowGroupStride1EdgesOne<TRows, TTop, TBottom>(in EdgeGroup group, in PlaneRun run,
        Vector256<float> leftMask, Vector256<float> rightMask)
        where TRows : struct, IGroupRows where TTop : struct, IZeroRow where TBottom : struct, IZeroRow
    {
        Vector256<int> lastFour = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((int)Math.Max(group.OutputWidth - 4, 0));
        for (nint j = 0; j < run.Planes; j++)
        {
            var weights = new Weights3x3(run.Weights + j * run.WeightStep, run.TapStride);
            nint shift = run.InputOffset(j) * sizeof(float);
            EdgeTile<TRows, MaskedColumn, MaskedColumn, TTop, TBottom>(weights, group, shift, 0, leftMask, rightMask, group.Output + j * run.OutputStep, lastFour);
        }
    }

    /// <summary>
    /// The two vectors of rows wider than eight in one pass over the run's planes: the first at column 0 (left
    /// column masked), the second at <paramref name="second"/>, ending at the last column (right column masked).
    /// One pass rather than one a vector: the weights broadcast once a plane, and the two tiles' independent
    /// multiply-add chains overlap (14x14 and 15x15 1.08-1.15x).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowGroupStride1EdgesPair<TRows, TTop, TBottom>(in EdgeGroup group, in PlaneRun run, nint second,
        Vector256<float> leftMask, Vector256<float> rightMask)
        where TRows : struct, IGroupRows where TTop : struct, IZeroRow where TBottom : struct, IZeroRow
    {
        nint next = group.OutputWidth;
        Vector256<int> lastFour = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((int)Math.Max(next - 4, 0));
        for (nint j = 0; j < run.Planes; j++)
        {
            var weights = new Weights3x3(run.Weights + j * run.WeightStep, run.TapStride);
            nint shift = run.InputOffset(j) * sizeof(float);
            float* y = group.Output + j * run.OutputStep;
            EdgeTile<TRows, MaskedColumn, PlainColumn, TTop, TBottom>(weights, group, shift, 0, leftMask, default, y, lastFour);
            EdgeTile<TRows, PlainColumn, MaskedColumn, TTop, TBottom>(weights, group, shift, second, default, rightMask, y, lastFour);
        }
    }

    /// <summary>The nine weights of a plane, each in all lanes.</summary>
    private readonly struct Weights3x3
    {
        public readonly Vector256<float> W00, W01, W02, W10, W11, W12, W20, W21, W22;

        /// <param name="w">Tap 0's weight.</param>
        /// <param name="tapStride">Elements from one tap's weight to the next.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Weights3x3(float* w, nint tapStride)
        {
            W00 = Vector256.Create(w[0]); W01 = Vector256.Create(w[tapStride]); W02 = Vector256.Create(w[2 * tapStride]);
            W10 = Vector256.Create(w[3 * tapStride]); W11 = Vector256.Create(w[4 * tapStride]); W12 = Vector256.Create(w[5 * tapStride]);
            W20 = Vector256.Create(w[6 * tapStride]); W21 = Vector256.Create(w[7 * tapStride]); W22 = Vector256.Create(w[8 * tapStride]);
        }
    }

    /// <summary>One plane's group of one vector at <paramref name="vectorColumn"/>, stored from <paramref name="y"/> (the group's first output row of the plane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void EdgeTile<TRows, TLeft, TRight, TTop, TBottom>(in Weights3x3 weights, in EdgeGroup group, nint shift, nint vectorColumn,
        Vector256<float> leftMask, Vector256<float> rightMask, float* y, Vector256<int> lastFour)
        where TRows : struct, IGroupRows where TLeft : struct, IColumnLoad where TRight : struct, IColumnLoad
        where TTop : struct, IZeroRow where TBottom : struct, IZeroRow
    {
        float* zero = group.Zero, first = group.FirstRow;
        nint next = group.OutputWidth, count = group.Count, plainRows = group.PlainRows, stride = group.Width, at = vectorColumn - 1;
        Vector256<float> w00 = weights.W00, w01 = weights.W01, w02 = weights.W02, w10 = weights.W10, w11 = weights.W11, w12 = weights.W12;
        Vector256<float> w20 = weights.W20, w21 = weights.W21, w22 = weights.W22;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<float> v;
        float* row;
        row = GroupRow<TRows, TTop, TBottom>(0, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a0 = Fma(v, w00, a0);
        v = Avx.LoadVector256(row + 1); a0 = Fma(v, w01, a0);
        v = LoadColumn<TRight>(row + 2, rightMask); a0 = Fma(v, w02, a0);
        row = GroupRow<TRows, TTop, TBottom>(1, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a0 = Fma(v, w10, a0); a1 = Fma(v, w00, a1);
        v = Avx.LoadVector256(row + 1); a0 = Fma(v, w11, a0); a1 = Fma(v, w01, a1);
        v = LoadColumn<TRight>(row + 2, rightMask); a0 = Fma(v, w12, a0); a1 = Fma(v, w02, a1);
        row = GroupRow<TRows, TTop, TBottom>(2, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a0 = Fma(v, w20, a0); a1 = Fma(v, w10, a1); a2 = Fma(v, w00, a2);
        v = Avx.LoadVector256(row + 1); a0 = Fma(v, w21, a0); a1 = Fma(v, w11, a1); a2 = Fma(v, w01, a2);
        v = LoadColumn<TRight>(row + 2, rightMask); a0 = Fma(v, w22, a0); a1 = Fma(v, w12, a1); a2 = Fma(v, w02, a2);
        row = GroupRow<TRows, TTop, TBottom>(3, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a1 = Fma(v, w20, a1); a2 = Fma(v, w10, a2); a3 = Fma(v, w00, a3);
        v = Avx.LoadVector256(row + 1); a1 = Fma(v, w21, a1); a2 = Fma(v, w11, a2); a3 = Fma(v, w01, a3);
        v = LoadColumn<TRight>(row + 2, rightMask); a1 = Fma(v, w22, a1); a2 = Fma(v, w12, a2); a3 = Fma(v, w02, a3);
        row = GroupRow<TRows, TTop, TBottom>(4, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a2 = Fma(v, w20, a2); a3 = Fma(v, w10, a3); a4 = Fma(v, w00, a4);
        v = Avx.LoadVector256(row + 1); a2 = Fma(v, w21, a2); a3 = Fma(v, w11, a3); a4 = Fma(v, w01, a4);
        v = LoadColumn<TRight>(row + 2, rightMask); a2 = Fma(v, w22, a2); a3 = Fma(v, w12, a3); a4 = Fma(v, w02, a4);
        row = GroupRow<TRows, TTop, TBottom>(5, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a3 = Fma(v, w20, a3); a4 = Fma(v, w10, a4); if (TRows.Count > 5) a5 = Fma(v, w00, a5);
        v = Avx.LoadVector256(row + 1); a3 = Fma(v, w21, a3); a4 = Fma(v, w11, a4); if (TRows.Count > 5) a5 = Fma(v, w01, a5);
        v = LoadColumn<TRight>(row + 2, rightMask); a3 = Fma(v, w22, a3); a4 = Fma(v, w12, a4); if (TRows.Count > 5) a5 = Fma(v, w02, a5);
        row = GroupRow<TRows, TTop, TBottom>(6, first, shift, stride, zero) + at;
        v = LoadColumn<TLeft>(row, leftMask); a4 = Fma(v, w20, a4); if (TRows.Count > 5) a5 = Fma(v, w10, a5); if (TRows.Count > 6) a6 = Fma(v, w00, a6);
        v = Avx.LoadVector256(row + 1); a4 = Fma(v, w21, a4); if (TRows.Count > 5) a5 = Fma(v, w11, a5); if (TRows.Count > 6) a6 = Fma(v, w01, a6);
        v = LoadColumn<TRight>(row + 2, rightMask); a4 = Fma(v, w22, a4); if (TRows.Count > 5) a5 = Fma(v, w12, a5); if (TRows.Count > 6) a6 = Fma(v, w02, a6);
        if (TRows.Count > 5)
        {
            row = GroupRow<TRows, TTop, TBottom>(7, first, shift, stride, zero) + at;
            v = LoadColumn<TLeft>(row, leftMask); a5 = Fma(v, w20, a5); if (TRows.Count > 6) a6 = Fma(v, w10, a6); if (TRows.Count > 7) a7 = Fma(v, w00, a7);
            v = Avx.LoadVector256(row + 1); a5 = Fma(v, w21, a5); if (TRows.Count > 6) a6 = Fma(v, w11, a6); if (TRows.Count > 7) a7 = Fma(v, w01, a7);
            v = LoadColumn<TRight>(row + 2, rightMask); a5 = Fma(v, w22, a5); if (TRows.Count > 6) a6 = Fma(v, w12, a6); if (TRows.Count > 7) a7 = Fma(v, w02, a7);
        }
        if (TRows.Count > 6)
        {
            row = GroupRow<TRows, TTop, TBottom>(8, first, shift, stride, zero) + at;
            v = LoadColumn<TLeft>(row, leftMask); a6 = Fma(v, w20, a6); if (TRows.Count > 7) a7 = Fma(v, w10, a7);
            v = Avx.LoadVector256(row + 1); a6 = Fma(v, w21, a6); if (TRows.Count > 7) a7 = Fma(v, w11, a7);
            v = LoadColumn<TRight>(row + 2, rightMask); a6 = Fma(v, w22, a6); if (TRows.Count > 7) a7 = Fma(v, w12, a7);
        }
        if (TRows.Count > 7)
        {
            row = GroupRow<TRows, TTop, TBottom>(9, first, shift, stride, zero) + at;
            v = LoadColumn<TLeft>(row, leftMask); a7 = Fma(v, w20, a7);
            v = Avx.LoadVector256(row + 1); a7 = Fma(v, w21, a7);
            v = LoadColumn<TRight>(row + 2, rightMask); a7 = Fma(v, w22, a7);
        }
        float* yo = y + vectorColumn;
                StoreRow(a0, yo, 0, plainRows, next, lastFour);
        if (count > 1) StoreRow(a1, yo + next, 1, plainRows, next, lastFour);
        if (count > 2) StoreRow(a2, yo + 2 * next, 2, plainRows, next, lastFour);
        if (count > 3) StoreRow(a3, yo + 3 * next, 3, plainRows, next, lastFour);
        if (count > 4) StoreRow(a4, yo + 4 * next, 4, plainRows, next, lastFour);
        if (TRows.Count > 5 && count > 5) StoreRow(a5, yo + 5 * next, 5, plainRows, next, lastFour);
        if (TRows.Count > 6 && count > 6) StoreRow(a6, yo + 6 * next, 6, plainRows, next, lastFour);
        if (TRows.Count > 7 && count > 7) StoreRow(a7, yo + 7 * next, 7, plainRows, next, lastFour);
    }

    /// <summary>A filter column's loads: through a mask (zeros outside the image, no memory touched there) or plain.</summary>
    private interface IColumnLoad
    {
        static abstract bool Masked { get; }
    }

    private struct MaskedColumn : IColumnLoad { public static bool Masked => true; }

    private struct PlainColumn : IColumnLoad { public static bool Masked => false; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadColumn<TLoad>(float* at, Vector256<float> mask) where TLoad : struct, IColumnLoad =>
        TLoad.Masked ? Avx.MaskLoad(at, mask) : Avx.LoadVector256(at);
}
