using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 NHWC depthwise 3x3 at unit strides and dilations, multiplier 1, on 256-bit or 512-bit vectors, reading and writing
/// bfloat16 directly instead of widening bands into float32 buffers (<see cref="NhwcRowBands"/>). Layout and blocking:
/// sixteen channels (thirty-two on 512-bit vectors) are one load, split into even and odd float32 vectors (<see cref="BFloat16Lanes"/>), the filter
/// widened and permuted to match once per call (a last group shifted back when the channels are not a multiple of the load:
/// <see cref="ChannelGroups"/>). A block is two output pixels × two output rows (a row pair, as in
/// DepthwiseNhwcKernel.RowPairs.cs) × one load of channels: eight accumulators, four input rows of four columns, each column
/// split once and used for both rows, the weights as memory operands; a work item is a row pair's range of channel groups.
/// Each output adds its nine taps from zero in the reference's order (taps in the padding multiply zeros), exactly as
/// the float32 kernels do, and is rounded once on store: the bits of the float32 path rounded, for every thread count.
/// Why it pays: the float32 kernels of this shape run at the pace of their data moving between L2 and L1
/// (DepthwiseNhwcKernel.RowPairs.cs); bfloat16 moves half the bytes, which pays for the splitting and the rounding, where
/// the bands moved the data twice more (widening, narrowing) and took 1.6-1.8x float32's time. Measured side by side
/// against float32 (SAME, 31 alternated rounds): 1 thread 56x56x144 0.90x, 112x112x32 1.00x, 28x28x192 0.95x, 14x14x576
/// 1.03x; 2 threads 0.89x, 1.05x, 0.84x, 1.13x. A NaN test per store (one unordered comparison for both vectors, a
/// branch) cost 10-20%, and is not needed (see <see cref="BFloat16Lanes.Store"/>); blocks of three pixels (twelve
/// accumulators) spilled the 16 registers of 256-bit code (1.8-2.1x); 512-bit vectors take four-pixel blocks on rows of
/// four pixels or more (BFloat16DepthwisePairs.WideBlocks.cs). On the AVX-512 tier of a Zen 5
/// (full-width FMA pipes: twice the 256-bit peak) the same blocks on 512-bit vectors, against float32's 512-bit kernels
/// (the benchmark's side-by-side run, median of per-round ratios): 1 thread 112x112x32 0.93x, 56x56x144 0.95x (a shifted
/// last group: 160 channels computed for 144), 14x14x576 0.73x; 2 threads 0.72x, 0.80x, 0.70x, where the bands took
/// 1.65-2.31x. 256-bit groups there took 1.55x for 56x56x144 (half the float32 kernels' width), so only rows of fewer
/// than 32 channels keep them.
/// </summary>
internal static unsafe partial class BFloat16DepthwisePairs
{
    /// <summary>Output pixels per block (two rows of them).</summary>
    private const int BlockPixels = 2;

    /// <summary>Whether this kernel computes the problem on the tier <paramref name="isa"/>.</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        BFloat16DepthwiseCall.Takes(g, isa, filterSize: 3, stride: 1) && g.OutputWidth >= BlockPixels
        // A block reads one column left of its first pixel and one right of its last: at most one of them may lie in the padding.
        && g.PadLeft <= 1 && g.PadRight <= 1;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g, VectorIsa isa)
    {
        if (g.OutputWidth >= WideBlockPixels) BFloat16DepthwiseCall.Run<Kernel<Vector256<float>>, WideKernel>(input, filter, output, g, isa);
        else BFloat16DepthwiseCall.Run<Kernel<Vector256<float>>, Kernel<Vector512<float>>>(input, filter, output, g, isa);
    }

    private readonly struct Kernel<TVector> : IBFloat16DepthwiseKernel, IEdgeBlocks<BlockRows> where TVector : struct
    {
        public static int Taps => 9;
        public static int RowsPerItem => 2;
        public static long ZeroRowPixels(in ConvolutionGeometry g) => g.OutputWidth + 2;
        public static void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) =>
            Pair<Kernel<TVector>>(job, image, row, firstGroup, endGroup, BlockPixels);
        public static void Blocks<TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock)
            where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding => BFloat16DepthwisePairs.Blocks<TVector, TLeft, TRight>(rows, firstBlock, endBlock);
    }

    /// <summary>
    /// Output rows <paramref name="row"/> and <paramref name="row"/> + 1 (if below the height), channel groups [first, end).
    /// The pair's blocks start every <paramref name="blockPixels"/> pixels, the last one shifted back to end at the row's end
    /// (recomputing pixels with the same bits when OW is not a multiple); a block whose first or last input column lies in
    /// the padding runs its own instantiation.
    /// </summary>
    private static void Pair<TKernel>(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup, nint blockPixels)
        where TKernel : struct, IEdgeBlocks<BlockRows>
    {
        var rows = new BlockRows
        {
            Row0 = job.InputRow(image, row, 0), Row1 = job.InputRow(image, row, 1), Row2 = job.InputRow(image, row, 2), Row3 = job.InputRow(image, row, 3),
            Zero = job.ZeroRow, Weights = job.Weights, NextOutputRow = job.OutputWidth * job.Channels,
            Second = row + 1 < job.OutputHeight, Last = job.OutputWidth - blockPixels,
            Groups = job.Groups, FirstGroup = firstGroup, EndGroup = endGroup, Output = job.OutputRow(image, row),
        };
        EdgeBlocks.Run<TKernel, BlockRows>(rows, (job.OutputWidth + blockPixels - 1) / blockPixels, padLeft: job.PadLeft == 1, padRight: job.PadRight == 1);
    }

    /// <summary>One work item's rows and channel groups: row i's column q − PadLeft is at Row<i>i</i> + q × C (the zero row for padding rows).</summary>
    private struct BlockRows
    {
        public ushort* Row0, Row1, Row2, Row3, Zero, Output;
        public float* Weights;
        public ChannelGroups Groups;
        public nint NextOutputRow, Last, FirstGroup, EndGroup;
        public bool Second;
    }

    /// <summary>
    /// Blocks [firstBlock, endBlock) of a row pair (block k starts at pixel min(2k, OW − 2)), the item's channel groups
    /// each; <typeparamref name="TLeft"/> / <typeparamref name="TRight"/> say whether a block's first / last column is padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Blocks<TVector, TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock) where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        nint s = rows.Groups.Channels, ws = rows.Groups.TapStride, nextRow = rows.NextOutputRow;
        ushort* zero = rows.Zero;
        float* weights = rows.Weights;
        bool second = rows.Second;
        for (nint block = firstBlock; block < endBlock; block++)
        {
            nint at = Math.Min(block * BlockPixels, rows.Last) * s;
            ushort* r0 = rows.Row0 + at, r1 = rows.Row1 + at, r2 = rows.Row2 + at, r3 = rows.Row3 + at, y0 = rows.Output + at;
            for (nint group = rows.FirstGroup; group < rows.EndGroup; group++)
            {
                nint c = rows.Groups.Start(group);
                float* w = weights + group * rows.Groups.Width;
                TVector ae0 = default, ao0 = default, ae1 = default, ao1 = default;
                TVector be0 = default, bo0 = default, be1 = default, bo1 = default;
                // Input row 0: filter row 0 into output row r. Rows 1 and 2: filter rows 1 and 2 into row r, 0 and 1 into r + 1. Row 3: filter row 2 into r + 1.
                OneRow<TVector, TLeft, TRight>(r0 + c, s, zero, w, ws, ref ae0, ref ao0, ref ae1, ref ao1);
                BothRows<TVector, TLeft, TRight>(r1 + c, s, zero, w + 3 * ws, w, ws, ref ae0, ref ao0, ref ae1, ref ao1, ref be0, ref bo0, ref be1, ref bo1);
                BothRows<TVector, TLeft, TRight>(r2 + c, s, zero, w + 6 * ws, w + 3 * ws, ws, ref ae0, ref ao0, ref ae1, ref ao1, ref be0, ref bo0, ref be1, ref bo1);
                OneRow<TVector, TLeft, TRight>(r3 + c, s, zero, w + 6 * ws, ws, ref be0, ref bo0, ref be1, ref bo1);
                ushort* y = y0 + c;
                BFloat16Lanes.Store(y, ae0, ao0);
                BFloat16Lanes.Store(y + s, ae1, ao1);
                if (second)
                {
                    BFloat16Lanes.Store(y + nextRow, be0, bo0);
                    BFloat16Lanes.Store(y + nextRow + s, be1, bo1);
                }
            }
        }
    }

    /// <summary>Column <paramref name="j"/> (0..3) of a block's input row, the zero row where that column is padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TVector, TLeft, TRight>(ushort* row, nint j, nint s, ushort* zero, out TVector even, out TVector odd)
        where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        BFloat16Lanes.Split(j == 0 && TLeft.IsPadding || j == 3 && TRight.IsPadding ? zero : row + j * s, out even, out odd);
    }

    /// <summary>One input row into one output row's two pixels (e0/o0 pixel 0, e1/o1 pixel 1) with filter row <paramref name="w"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneRow<TVector, TLeft, TRight>(ushort* row, nint s, ushort* zero, float* w, nint ws,
        ref TVector e0, ref TVector o0, ref TVector e1, ref TVector o1)
        where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        Column<TVector, TLeft, TRight>(row, 0, s, zero, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e0, ref o0);
        Column<TVector, TLeft, TRight>(row, 1, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e1, ref o1);
        Column<TVector, TLeft, TRight>(row, 2, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e1, ref o1);
        Column<TVector, TLeft, TRight>(row, 3, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e1, ref o1);
    }

    /// <summary>One input row into both output rows: filter row <paramref name="wa"/> into the first (a), <paramref name="wb"/> into the second (b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BothRows<TVector, TLeft, TRight>(ushort* row, nint s, ushort* zero, float* wa, float* wb, nint ws,
        ref TVector ae0, ref TVector ao0, ref TVector ae1, ref TVector ao1,
        ref TVector be0, ref TVector bo0, ref TVector be1, ref TVector bo1)
        where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        Column<TVector, TLeft, TRight>(row, 0, s, zero, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be0, ref bo0);
        Column<TVector, TLeft, TRight>(row, 1, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be1, ref bo1);
        Column<TVector, TLeft, TRight>(row, 2, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be1, ref bo1);
        Column<TVector, TLeft, TRight>(row, 3, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be1, ref bo1);
    }
}
