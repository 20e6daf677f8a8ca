using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The 512-bit blocks of <see cref="BFloat16DepthwiseFiveWide"/>: four output pixels × two output rows (a row pair) × one
/// load of thirty-two channels, sixteen accumulators in the 32 registers of AVX-512 (one row's blocks kept eight chains of
/// twenty-five multiply-adds in flight). The pair reads six input rows; the four middle ones feed both output rows, each
/// column split once for up to eight sums. Edge blocks, the zero row over the padding and the order of the taps are those
/// of the one-row blocks, so the bits are theirs; a pair whose second row lies past the image computes it and stores only
/// the first.
/// </summary>
internal static unsafe partial class BFloat16DepthwiseFiveWide
{
    private readonly struct PairKernel : IBFloat16DepthwiseKernel
    {
        public static int Taps => 25;
        public static int RowsPerItem => 2;
        public static long ZeroRowPixels(in ConvolutionGeometry g) => g.OutputWidth + BlockColumns;
        public static void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) => RowPair(job, image, row, firstGroup, endGroup);
    }

    /// <summary>Output rows <paramref name="row"/> and <paramref name="row"/> + 1 (if below the height), channel groups [first, end): the blocks of <see cref="Row{TVector}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPair(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup)
    {
        var (blocks, interiorBegin, interiorEnd) = InteriorBlocks(job);
        var rows = new PairRows
        {
            Row0 = job.InputRow(image, row, 0), Row1 = job.InputRow(image, row, 1), Row2 = job.InputRow(image, row, 2),
            Row3 = job.InputRow(image, row, 3), Row4 = job.InputRow(image, row, 4), Row5 = job.InputRow(image, row, 5),
            Zero = job.ZeroRow, Weights = job.Weights, Last = job.OutputWidth - BlockPixels, PadLeft = job.PadLeft, Width = job.Width,
            Groups = job.Groups, FirstGroup = firstGroup, EndGroup = endGroup, Output = job.OutputRow(image, row),
            NextOutputRow = job.OutputWidth * job.Channels, Second = row + 1 < job.OutputHeight,
        };
        if (interiorBegin > 0) PairBlocks<ColumnPadding>(rows, 0, interiorBegin);
        if (interiorBegin < interiorEnd) PairBlocks<ColumnInside>(rows, interiorBegin, interiorEnd);
        if (interiorEnd < blocks) PairBlocks<ColumnPadding>(rows, interiorEnd, blocks);
    }

    /// <summary>A row pair's input rows (Row<i>i</i>: input row i of the pair's window, column x − PadLeft at Row<i>i</i> + x × C) and channel groups.</summary>
    private struct PairRows
    {
        public ushort* Row0, Row1, Row2, Row3, Row4, Row5, Zero, Output;
        public float* Weights;
        public ChannelGroups Groups;
        public nint Last, PadLeft, Width, FirstGroup, EndGroup, NextOutputRow;
        public bool Second;
    }

    /// <summary>Blocks [firstBlock, endBlock) of a row pair (block k starts at pixel min(4k, OW − 4)), the item's channel groups each.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PairBlocks<TEdge>(in PairRows rows, nint firstBlock, nint endBlock) where TEdge : struct, IColumnPadding
    {
        nint s = rows.Groups.Channels, ws = rows.Groups.TapStride, nextRow = rows.NextOutputRow;
        ushort* zero = rows.Zero;
        float* weights = rows.Weights;
        bool second = rows.Second;
        for (nint block = firstBlock; block < endBlock; block++)
        {
            nint q = Math.Min(block * BlockPixels, rows.Last), at = q * s;
            var columns = new BlockColumnsBounds { First = q - rows.PadLeft, Width = rows.Width };
            ushort* r0 = rows.Row0 + at, r1 = rows.Row1 + at, r2 = rows.Row2 + at, r3 = rows.Row3 + at, r4 = rows.Row4 + at, r5 = rows.Row5 + at;
            ushort* y = rows.Output + at;
            for (nint group = rows.FirstGroup; group < rows.EndGroup; group++)
            {
                nint c = rows.Groups.Start(group);
                float* w = weights + group * rows.Groups.Width;
                Vector512<float> ae0 = default, ao0 = default, ae1 = default, ao1 = default, ae2 = default, ao2 = default, ae3 = default, ao3 = default;
                Vector512<float> be0 = default, bo0 = default, be1 = default, bo1 = default, be2 = default, bo2 = default, be3 = default, bo3 = default;
                // Input row i feeds filter row i of the first output row and filter row i − 1 of the second.
                OneRow<Vector512<float>, TEdge>(r0 + c, s, zero, columns, w, ws, ref ae0, ref ao0, ref ae1, ref ao1, ref ae2, ref ao2, ref ae3, ref ao3);
                // One call site for the four middle rows: four inlined copies of the helper exceeded the JIT's inlining budget,
                // and the accumulators then went through memory (4-5x the time).
                for (nint i = 1; i <= 4; i++)
                {
                    ushort* r = i == 1 ? r1 : i == 2 ? r2 : i == 3 ? r3 : r4;
                    BothRows<TEdge>(r + c, s, zero, columns, w + 5 * i * ws, w + 5 * (i - 1) * ws, ws,
                        ref ae0, ref ao0, ref ae1, ref ao1, ref ae2, ref ao2, ref ae3, ref ao3, ref be0, ref bo0, ref be1, ref bo1, ref be2, ref bo2, ref be3, ref bo3);
                }
                OneRow<Vector512<float>, TEdge>(r5 + c, s, zero, columns, w + 20 * ws, ws, ref be0, ref bo0, ref be1, ref bo1, ref be2, ref bo2, ref be3, ref bo3);
                ushort* yc = y + c;
                BFloat16Lanes.StoreFourPixels(yc, s, ae0, ao0, ae1, ao1, ae2, ao2, ae3, ao3);
                if (second) BFloat16Lanes.StoreFourPixels(yc + nextRow, s, be0, bo0, be1, bo1, be2, bo2, be3, bo3);
            }
        }
    }

    /// <summary>
    /// One input row into both output rows' four pixels: filter row <paramref name="wa"/> into the first (a),
    /// <paramref name="wb"/> into the second (b); column j feeds pixel p with tap j − p, columns in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BothRows<TEdge>(ushort* row, nint s, ushort* zero, in BlockColumnsBounds columns, float* wa, float* wb, nint ws,
        ref Vector512<float> ae0, ref Vector512<float> ao0, ref Vector512<float> ae1, ref Vector512<float> ao1,
        ref Vector512<float> ae2, ref Vector512<float> ao2, ref Vector512<float> ae3, ref Vector512<float> ao3,
        ref Vector512<float> be0, ref Vector512<float> bo0, ref Vector512<float> be1, ref Vector512<float> bo1,
        ref Vector512<float> be2, ref Vector512<float> bo2, ref Vector512<float> be3, ref Vector512<float> bo3)
        where TEdge : struct, IColumnPadding
    {
        Column<Vector512<float>, TEdge>(row, 0, s, zero, columns, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be0, ref bo0);
        Column<Vector512<float>, TEdge>(row, 1, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be1, ref bo1);
        Column<Vector512<float>, TEdge>(row, 2, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be2, ref bo2);
        Column<Vector512<float>, TEdge>(row, 3, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 3 * ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 3 * ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be3, ref bo3);
        Column<Vector512<float>, TEdge>(row, 4, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 4 * ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, 3 * ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 4 * ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, 3 * ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be3, ref bo3);
        Column<Vector512<float>, TEdge>(row, 5, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 4 * ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, 3 * ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 4 * ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, 3 * ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be3, ref bo3);
        Column<Vector512<float>, TEdge>(row, 6, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 4 * ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, 3 * ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 4 * ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, 3 * ws, ref be3, ref bo3);
        Column<Vector512<float>, TEdge>(row, 7, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 4 * ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 4 * ws, ref be3, ref bo3);
    }
}
