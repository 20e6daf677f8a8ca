using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 NHWC depthwise 5x5 at unit strides and dilations, multiplier 1, on 256-bit or 512-bit vectors, reading and writing
/// bfloat16 directly (the 5x5 companion of <see cref="BFloat16DepthwisePairs"/>). Layout and blocking: sixteen (thirty-two)
/// channels per load, split into even and odd float32 vectors (<see cref="BFloat16Lanes"/>), the filter widened and permuted to
/// match once per call. A block is four output pixels of one row × one load of channels: eight accumulators; each of the
/// five input rows gives eight columns, each split once and feeding up to four pixels; the weights as memory operands.
/// Blocks whose columns all lie inside the row run without tests; the others (the first and last ones of a row, any
/// padding) point each column outside the row at the zero row. A work item is an output row's range of channel groups.
/// Each output adds its 25 taps from zero in the reference's order (taps in the padding multiply zeros), exactly as the
/// float32 kernels do, and is rounded once on store: the bits of the float32 path rounded, for every thread count.
/// Measured side by side against float32 (SAME, 31 alternated rounds): 1 thread 14x14x672 1.03x float32's time where
/// the bands took 1.22x, 28x28x240 1.12x against 1.33x; 2 threads 14x14x672 1.23x against 1.35x. The float32 5x5
/// kernels load fewer columns per multiply-add than the 3x3 ones, so halving the bytes gains less here. On the AVX-512
/// tier (Zen 5, 512-bit vectors, against float32's 512-bit kernels, the benchmark's side-by-side run): 14x14x672 1.26x
/// (1 thread), 1.22x (2 threads), where the bands took 1.71x and 1.90x. (With tensors on 16-byte boundaries instead of the
/// benchmark's 64, every 64-byte load straddles two cache lines and float32, with twice the loads, loses more: 1.04-1.12x
/// there.) Tried on 512-bit vectors and not kept: the row's eight columns split once and held in registers, each tap's
/// weights loaded once for the four pixels (40% fewer loads): 0.95-1.02x this kernel's time, within the noise; two
/// channel groups per block (sixteen sums): 1.33-1.35x (the JIT spilled).
/// </summary>
internal static unsafe partial class BFloat16DepthwiseFiveWide
{
    /// <summary>Output pixels per block.</summary>
    private const int BlockPixels = 4;
    /// <summary>Input columns a block reads.</summary>
    private const int BlockColumns = BlockPixels + 4;

    /// <summary>Whether this kernel computes the problem on the tier <paramref name="isa"/>.</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        BFloat16DepthwiseCall.Takes(g, isa, filterSize: 5, stride: 1)
        // Narrower rows are all edge blocks, some pixels computed twice: 7x7x672 took 1.51x float32's time here, 1.40x in bands.
        && g.OutputWidth >= 2 * BlockPixels;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g, VectorIsa isa)
    {
        // Row pairs on one thread only: alternated with the one-row blocks in one process, 1 thread 0.80-0.99x the time
        // (14x14x672 0.80x, 28x28x240 0.93x), but 2 threads 28x28x240 1.17-1.38x and 56x56x120 1.04-1.15x (14x14x672 0.83-0.99x);
        // the cause was not found.
        bool oneThread = WorkerPool.ThreadCount == 1 || g.OutputElementCount * 25 < NhwcRowBands.DepthwiseParallelThresholdMacs;
        if (oneThread) BFloat16DepthwiseCall.Run<Kernel<Vector256<float>>, PairKernel>(input, filter, output, g, isa);
        else BFloat16DepthwiseCall.Run<Kernel<Vector256<float>>, Kernel<Vector512<float>>>(input, filter, output, g, isa);
    }

    private readonly struct Kernel<TVector> : IBFloat16DepthwiseKernel where TVector : struct
    {
        public static int Taps => 25;
        public static int RowsPerItem => 1;
        public static long ZeroRowPixels(in ConvolutionGeometry g) => g.OutputWidth + BlockColumns;
        public static void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) => Row<TVector>(job, image, row, firstGroup, endGroup);
    }

    /// <summary>
    /// Output row <paramref name="row"/>, channel groups [first, end). The row's blocks start every four pixels, the last
    /// one shifted back to end at the row's end (recomputing pixels with the same bits); the blocks between the first and
    /// the last whose columns all lie inside the row run as one range without tests.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TVector>(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) where TVector : struct
    {
        var (blocks, interiorBegin, interiorEnd) = InteriorBlocks(job);
        nint last = job.OutputWidth - BlockPixels;
        var rows = new BlockRows
        {
            Row0 = job.InputRow(image, row, 0), Row1 = job.InputRow(image, row, 1), Row2 = job.InputRow(image, row, 2),
            Row3 = job.InputRow(image, row, 3), Row4 = job.InputRow(image, row, 4),
            Zero = job.ZeroRow, Weights = job.Weights, Last = last, PadLeft = job.PadLeft, Width = job.Width,
            Groups = job.Groups, FirstGroup = firstGroup, EndGroup = endGroup, Output = job.OutputRow(image, row),
        };
        if (interiorBegin > 0) Blocks<TVector, ColumnPadding>(rows, 0, interiorBegin);
        if (interiorBegin < interiorEnd) Blocks<TVector, ColumnInside>(rows, interiorBegin, interiorEnd);
        if (interiorEnd < blocks) Blocks<TVector, ColumnPadding>(rows, interiorEnd, blocks);
    }

    /// <summary>A row's blocks, and [interiorBegin, interiorEnd): those that read columns inside the row only (the rest lie at either end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (nint Blocks, nint InteriorBegin, nint InteriorEnd) InteriorBlocks(in BFloat16DepthwiseJob job)
    {
        nint blocks = (job.OutputWidth + BlockPixels - 1) / BlockPixels, last = job.OutputWidth - BlockPixels;
        nint interiorBegin = 0, interiorEnd = blocks;
        while (interiorBegin < blocks && FirstColumn(interiorBegin, last, job.PadLeft) < 0) interiorBegin++;
        while (interiorEnd > interiorBegin && FirstColumn(interiorEnd - 1, last, job.PadLeft) + BlockColumns > job.Width) interiorEnd--;
        return (blocks, interiorBegin, interiorEnd);
    }

    /// <summary>Input column of block <paramref name="block"/>'s first column.</summary>
    private static nint FirstColumn(nint block, nint last, nint padLeft) => Math.Min(block * BlockPixels, last) - padLeft;

    /// <summary>One work item's rows and channel groups: row i's column x − PadLeft is at Row<i>i</i> + x × C (the zero row for padding rows).</summary>
    private struct BlockRows
    {
        public ushort* Row0, Row1, Row2, Row3, Row4, Zero, Output;
        public float* Weights;
        public ChannelGroups Groups;
        public nint Last, PadLeft, Width, FirstGroup, EndGroup;
    }

    /// <summary>
    /// Blocks [firstBlock, endBlock) of an output row (block k starts at pixel q = min(4k, OW − 4)), the item's channel
    /// groups each; with <typeparamref name="TEdge"/> padding, each column outside the row reads the zero row.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Blocks<TVector, TEdge>(in BlockRows rows, nint firstBlock, nint endBlock) where TVector : struct where TEdge : struct, IColumnPadding
    {
        nint s = rows.Groups.Channels, ws = rows.Groups.TapStride;
        ushort* zero = rows.Zero;
        float* weights = rows.Weights;
        for (nint block = firstBlock; block < endBlock; block++)
        {
            nint q = Math.Min(block * BlockPixels, rows.Last), at = q * s;
            var columns = new BlockColumnsBounds { First = q - rows.PadLeft, Width = rows.Width };
            ushort* r0 = rows.Row0 + at, r1 = rows.Row1 + at, r2 = rows.Row2 + at, r3 = rows.Row3 + at, r4 = rows.Row4 + at, y = rows.Output + at;
            for (nint group = rows.FirstGroup; group < rows.EndGroup; group++)
            {
                nint c = rows.Groups.Start(group);
                float* w = weights + group * rows.Groups.Width;
                TVector e0 = default, o0 = default, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
                OneRow<TVector, TEdge>(r0 + c, s, zero, columns, w, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TEdge>(r1 + c, s, zero, columns, w + 5 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TEdge>(r2 + c, s, zero, columns, w + 10 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TEdge>(r3 + c, s, zero, columns, w + 15 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                OneRow<TVector, TEdge>(r4 + c, s, zero, columns, w + 20 * ws, ws, ref e0, ref o0, ref e1, ref o1, ref e2, ref o2, ref e3, ref o3);
                ushort* yc = y + c;
                BFloat16Lanes.Store(yc, e0, o0);
                BFloat16Lanes.Store(yc + s, e1, o1);
                BFloat16Lanes.Store(yc + 2 * s, e2, o2);
                BFloat16Lanes.Store(yc + 3 * s, e3, o3);
            }
        }
    }

    /// <summary>A block's first input column and the row's width, for the edge blocks' tests.</summary>
    private struct BlockColumnsBounds
    {
        public nint First, Width;
    }

    /// <summary>Column <paramref name="j"/> (0..7) of a block's input row, the zero row where that column lies outside the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TVector, TEdge>(ushort* row, nint j, nint s, ushort* zero, in BlockColumnsBounds columns, out TVector even, out TVector odd)
        where TVector : struct where TEdge : struct, IColumnPadding =>
        BFloat16Lanes.Split(TEdge.IsPadding && (nuint)(columns.First + j) >= (nuint)columns.Width ? zero : row + j * s, out even, out odd);

    /// <summary>
    /// One input row into the block's four pixels with filter row <paramref name="w"/> (taps <paramref name="ws"/> apart):
    /// column j feeds pixel p with tap j − p, columns in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneRow<TVector, TEdge>(ushort* row, nint s, ushort* zero, in BlockColumnsBounds columns, float* w, nint ws,
        ref TVector e0, ref TVector o0, ref TVector e1, ref TVector o1,
        ref TVector e2, ref TVector o2, ref TVector e3, ref TVector o3)
        where TVector : struct where TEdge : struct, IColumnPadding
    {
        Column<TVector, TEdge>(row, 0, s, zero, columns, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e0, ref o0);
        Column<TVector, TEdge>(row, 1, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e1, ref o1);
        Column<TVector, TEdge>(row, 2, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e2, ref o2);
        Column<TVector, TEdge>(row, 3, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 3 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e3, ref o3);
        Column<TVector, TEdge>(row, 4, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 4 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 3 * ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e3, ref o3);
        Column<TVector, TEdge>(row, 5, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 4 * ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, 3 * ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e3, ref o3);
        Column<TVector, TEdge>(row, 6, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 4 * ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, 3 * ws, ref e3, ref o3);
        Column<TVector, TEdge>(row, 7, s, zero, columns, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 4 * ws, ref e3, ref o3);
    }
}
