using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 NHWC depthwise 3x3 at stride 2 (both ways), unit dilations, multiplier 1, on 256-bit or 512-bit vectors, reading and
/// writing bfloat16 directly (the stride-2 companion of <see cref="BFloat16DepthwisePairs"/>). Layout and blocking:
/// sixteen (thirty-two) channels per load, split into even and odd float32 vectors (<see cref="BFloat16Lanes"/>), the filter widened
/// and permuted to match once per call. A block is four output pixels of one row × one load of channels: eight accumulators;
/// each of the three input rows gives nine columns, each split once, the even ones feeding two pixels; the weights as
/// memory operands. A work item is an output row's range of channel groups. Each output adds its nine taps from zero in
/// the reference's order (taps in the padding multiply zeros), exactly as the float32 kernels do, and is rounded once
/// on store: the bits of the float32 path rounded, for every thread count. Faster than float32 here, since the float32
/// stride-2 kernel moves twice the bytes for its arithmetic: side by side (SAME, 31 alternated rounds), 1 thread
/// 56x56x144 0.67x float32's time, 112x112x96 0.70x, 28x28x192 0.68x, 14x14x576 0.86x; 2 threads 0.75x, 0.71x and 0.87x
/// (56x56x144, 112x112x96, 14x14x576), where the bands took 1.5-2.0x. On
/// the AVX-512 tier (Zen 5, 512-bit vectors, against float32's 512-bit kernels, side by side): 56x56x144 0.67x (1 thread),
/// 0.57x (2 threads).
/// </summary>
internal static unsafe class BFloat16DepthwiseStride2
{
    /// <summary>Output pixels per block.</summary>
    private const int BlockPixels = 4;

    /// <summary>Whether this kernel computes the problem on the tier <paramref name="isa"/>.</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        BFloat16DepthwiseCall.Takes(g, isa, filterSize: 3, stride: 2) && g.OutputWidth >= BlockPixels
        // A block reads columns 2q − PadLeft .. 2q − PadLeft + 8: the first may be the left padding column, the last the right one.
        && g.PadLeft <= 1 && 2 * g.OutputWidth - g.PadLeft <= g.InputWidth;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g, VectorIsa isa) =>
        BFloat16DepthwiseCall.Run<Kernel<Vector256<float>>, Kernel<Vector512<float>>>(input, filter, output, g, isa);

    private readonly struct Kernel<TVector> : IBFloat16DepthwiseKernel, IEdgeBlocks<BlockRows> where TVector : struct
    {
        public static int Taps => 9;
        public static int RowsPerItem => 1;
        public static long ZeroRowPixels(in ConvolutionGeometry g) => 2 * g.OutputWidth + 2;
        public static void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) => Row<TVector>(job, image, row, firstGroup, endGroup);
        public static void Blocks<TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock)
            where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding => BFloat16DepthwiseStride2.Blocks<TVector, TLeft, TRight>(rows, firstBlock, endBlock);
    }

    /// <summary>
    /// Output row <paramref name="row"/>, channel groups [first, end). The row's blocks start every four pixels, the last
    /// one shifted back to end at the row's end (recomputing pixels with the same bits); a block whose first or last input
    /// column lies in the padding runs its own instantiation.
    /// </summary>
    private static void Row<TVector>(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) where TVector : struct
    {
        var rows = new BlockRows
        {
            Row0 = job.InputRow(image, row, 0), Row1 = job.InputRow(image, row, 1), Row2 = job.InputRow(image, row, 2),
            Zero = job.ZeroRow, Weights = job.Weights, Last = job.OutputWidth - BlockPixels,
            Groups = job.Groups, FirstGroup = firstGroup, EndGroup = endGroup, Output = job.OutputRow(image, row),
        };
        // The last block's last column is the one right of the row exactly when the output reaches it (Supports allows no further).
        EdgeBlocks.Run<Kernel<TVector>, BlockRows>(rows, (job.OutputWidth + BlockPixels - 1) / BlockPixels, padLeft: job.PadLeft == 1,
            padRight: 2 * job.OutputWidth - job.PadLeft == job.Width);
    }

    /// <summary>One work item's rows and channel groups: row i's column x − PadLeft is at Row<i>i</i> + x × C (the zero row for padding rows).</summary>
    private struct BlockRows
    {
        public ushort* Row0, Row1, Row2, Zero, Output;
        public float* Weights;
        public ChannelGroups Groups;
        public nint Last, FirstGroup, EndGroup;
    }

    /// <summary>
    /// Blocks [firstBlock, endBlock) of an output row (block k starts at pixel q = min(4k, OW − 4), its input columns at
    /// 2q − PadLeft), the item's channel groups each; <typeparamref name="TLeft"/> / <typeparamref name="TRight"/> say
    /// whether a block's first / last column is padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Blocks<TVector, TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock) where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        nint s = rows.Groups.Channels, ws = rows.Groups.TapStride;
        ushort* zero = rows.Zero;
        float* weights = rows.Weights;
        for (nint block = firstBlock; block < endBlock; block++)
        {
            nint q = Math.Min(block * BlockPixels, rows.Last);
            nint at = 2 * q * s;
            ushort* r0 = rows.Row0 + at, r1 = rows.Row1 + at, r2 = rows.Row2 + at, y = rows.Output + q * s;
            for (nint group = rows.FirstGroup; group < rows.EndGroup; group++)
            {
                nint c = rows.Groups.Start(group);
                float* w = weights + group * rows.Groups.Width;
                TVector e0 = default, o0 = default, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
                OneRow<TVector, TLeft, TRight>(r0 + c, s, zero, w, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TLeft, TRight>(r1 + c, s, zero, w + 3 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TLeft, TRight>(r2 + c, s, zero, w + 6 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                ushort* yc = y + c;
                BFloat16Lanes.Store(yc, e0, o0);
                BFloat16Lanes.Store(yc + s, e1, o1);
                BFloat16Lanes.Store(yc + 2 * s, e2, o2);
                BFloat16Lanes.Store(yc + 3 * s, e3, o3);
            }
        }
    }

    /// <summary>Column <paramref name="j"/> (0..8) of a block's input row, the zero row where that column is padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TVector, TLeft, TRight>(ushort* row, nint j, nint s, ushort* zero, out TVector even, out TVector odd)
        where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding =>
        BFloat16Lanes.Split(j == 0 && TLeft.IsPadding || j == 8 && TRight.IsPadding ? zero : row + j * s, out even, out odd);

    /// <summary>
    /// One input row into the block's four pixels with filter row <paramref name="w"/> (taps <paramref name="ws"/> apart):
    /// column j feeds pixel p with tap j − 2p, columns in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneRow<TVector, TLeft, TRight>(ushort* row, nint s, ushort* zero, float* w, nint ws,
        ref TVector e0, ref TVector o0, ref TVector e1, ref TVector o1,
        ref TVector e2, ref TVector o2, ref TVector e3, ref TVector o3)
        where TVector : struct where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        Column<TVector, TLeft, TRight>(row, 0, s, zero, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e0, ref o0);
        Column<TVector, TLeft, TRight>(row, 1, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e0, ref o0);
        Column<TVector, TLeft, TRight>(row, 2, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e1, ref o1);
        Column<TVector, TLeft, TRight>(row, 3, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e1, ref o1);
        Column<TVector, TLeft, TRight>(row, 4, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e2, ref o2);
        Column<TVector, TLeft, TRight>(row, 5, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e2, ref o2);
        Column<TVector, TLeft, TRight>(row, 6, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e3, ref o3);
        Column<TVector, TLeft, TRight>(row, 7, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e3, ref o3);
        Column<TVector, TLeft, TRight>(row, 8, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e3, ref o3);
    }
}
