using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The 512-bit blocks of <see cref="BFloat16DepthwisePairs"/> on rows of four pixels or more: four output pixels × two
/// output rows × one load of thirty-two channels, sixteen accumulators (the 32 registers of AVX-512 hold them; two-pixel
/// blocks kept eight chains of nine multiply-adds in flight, about what the FMA latency needs, with no slack). Each input
/// column (six per row) is split once and feeds up to three pixels of both rows: a split per six multiply-adds in the
/// middle rows instead of per four. Same order of taps, same rounding: the bits of the two-pixel blocks. Against the
/// two-pixel blocks, alternated in one process (31 rounds): 1 thread 56x56x144 0.84x the time, 112x112x32 0.80x,
/// 28x28x192 0.78x, 14x14x576 0.90x, 7x7x960 0.75x; 2 threads 56x56x144 0.82x, 14x14x576 0.86x.
/// </summary>
internal static unsafe partial class BFloat16DepthwisePairs
{
    /// <summary>Output pixels per block of <see cref="WideKernel"/>.</summary>
    private const int WideBlockPixels = 4;

    private readonly struct WideKernel : IBFloat16DepthwiseKernel, IEdgeBlocks<BlockRows>
    {
        public static int Taps => 9;
        public static int RowsPerItem => 2;
        public static long ZeroRowPixels(in ConvolutionGeometry g) => g.OutputWidth + 2;
        public static void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup) =>
            Pair<WideKernel>(job, image, row, firstGroup, endGroup, WideBlockPixels);
        public static void Blocks<TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock)
            where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding => WideBlocks<TLeft, TRight>(rows, firstBlock, endBlock);
    }

    /// <summary>Blocks [firstBlock, endBlock) of a row pair (block k starts at pixel min(4k, OW − 4)), the item's channel groups each.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WideBlocks<TLeft, TRight>(in BlockRows rows, nint firstBlock, nint endBlock) where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        nint s = rows.Groups.Channels, ws = rows.Groups.TapStride, nextRow = rows.NextOutputRow;
        ushort* zero = rows.Zero;
        float* weights = rows.Weights;
        bool second = rows.Second;
        for (nint block = firstBlock; block < endBlock; block++)
        {
            nint at = Math.Min(block * WideBlockPixels, rows.Last) * s;
            ushort* r0 = rows.Row0 + at, r1 = rows.Row1 + at, r2 = rows.Row2 + at, r3 = rows.Row3 + at, y0 = rows.Output + at;
            for (nint group = rows.FirstGroup; group < rows.EndGroup; group++)
            {
                nint c = rows.Groups.Start(group);
                float* w = weights + group * rows.Groups.Width;
                Vector512<float> ae0 = default, ao0 = default, ae1 = default, ao1 = default, ae2 = default, ao2 = default, ae3 = default, ao3 = default;
                Vector512<float> be0 = default, bo0 = default, be1 = default, bo1 = default, be2 = default, bo2 = default, be3 = default, bo3 = default;
                // As the two-pixel blocks: input row 0 feeds filter row 0 of output row r, rows 1 and 2 both output rows, row 3 filter row 2 of r + 1.
                WideOneRow<TLeft, TRight>(r0 + c, s, zero, w, ws, ref ae0, ref ao0, ref ae1, ref ao1, ref ae2, ref ao2, ref ae3, ref ao3);
                WideBothRows<TLeft, TRight>(r1 + c, s, zero, w + 3 * ws, w, ws,
                    ref ae0, ref ao0, ref ae1, ref ao1, ref ae2, ref ao2, ref ae3, ref ao3, ref be0, ref bo0, ref be1, ref bo1, ref be2, ref bo2, ref be3, ref bo3);
                WideBothRows<TLeft, TRight>(r2 + c, s, zero, w + 6 * ws, w + 3 * ws, ws,
                    ref ae0, ref ao0, ref ae1, ref ao1, ref ae2, ref ao2, ref ae3, ref ao3, ref be0, ref bo0, ref be1, ref bo1, ref be2, ref bo2, ref be3, ref bo3);
                WideOneRow<TLeft, TRight>(r3 + c, s, zero, w + 6 * ws, ws, ref be0, ref bo0, ref be1, ref bo1, ref be2, ref bo2, ref be3, ref bo3);
                ushort* y = y0 + c;
                BFloat16Lanes.StoreFourPixels(y, s, ae0, ao0, ae1, ao1, ae2, ao2, ae3, ao3);
                if (second) BFloat16Lanes.StoreFourPixels(y + nextRow, s, be0, bo0, be1, bo1, be2, bo2, be3, bo3);
            }
        }
    }

    /// <summary>Column <paramref name="j"/> (0..5) of a wide block's input row, the zero row where that column is padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideColumn<TLeft, TRight>(ushort* row, nint j, nint s, ushort* zero, out Vector512<float> even, out Vector512<float> odd)
        where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding =>
        BFloat16Lanes.Split(j == 0 && TLeft.IsPadding || j == WideBlockPixels + 1 && TRight.IsPadding ? zero : row + j * s, out even, out odd);

    /// <summary>One input row into one output row's four pixels (e<i>p</i>/o<i>p</i> pixel p) with filter row <paramref name="w"/>: column j feeds pixel p tap j − p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideOneRow<TLeft, TRight>(ushort* row, nint s, ushort* zero, float* w, nint ws,
        ref Vector512<float> e0, ref Vector512<float> o0, ref Vector512<float> e1, ref Vector512<float> o1,
        ref Vector512<float> e2, ref Vector512<float> o2, ref Vector512<float> e3, ref Vector512<float> o3)
        where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        WideColumn<TLeft, TRight>(row, 0, s, zero, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e0, ref o0);
        WideColumn<TLeft, TRight>(row, 1, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e1, ref o1);
        WideColumn<TLeft, TRight>(row, 2, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e0, ref o0);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e2, ref o2);
        WideColumn<TLeft, TRight>(row, 3, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e1, ref o1);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, 0, ref e3, ref o3);
        WideColumn<TLeft, TRight>(row, 4, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e2, ref o2);
        BFloat16Lanes.Tap(even, odd, w, ws, ref e3, ref o3);
        WideColumn<TLeft, TRight>(row, 5, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, w, 2 * ws, ref e3, ref o3);
    }

    /// <summary>One input row into both output rows' four pixels: filter row <paramref name="wa"/> into the first (a), <paramref name="wb"/> into the second (b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideBothRows<TLeft, TRight>(ushort* row, nint s, ushort* zero, float* wa, float* wb, nint ws,
        ref Vector512<float> ae0, ref Vector512<float> ao0, ref Vector512<float> ae1, ref Vector512<float> ao1,
        ref Vector512<float> ae2, ref Vector512<float> ao2, ref Vector512<float> ae3, ref Vector512<float> ao3,
        ref Vector512<float> be0, ref Vector512<float> bo0, ref Vector512<float> be1, ref Vector512<float> bo1,
        ref Vector512<float> be2, ref Vector512<float> bo2, ref Vector512<float> be3, ref Vector512<float> bo3)
        where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding
    {
        WideColumn<TLeft, TRight>(row, 0, s, zero, out var even, out var odd);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be0, ref bo0);
        WideColumn<TLeft, TRight>(row, 1, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be1, ref bo1);
        WideColumn<TLeft, TRight>(row, 2, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae0, ref ao0);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be0, ref bo0);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be2, ref bo2);
        WideColumn<TLeft, TRight>(row, 3, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae1, ref ao1);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, 0, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be1, ref bo1);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, 0, ref be3, ref bo3);
        WideColumn<TLeft, TRight>(row, 4, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae2, ref ao2);
        BFloat16Lanes.Tap(even, odd, wa, ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be2, ref bo2);
        BFloat16Lanes.Tap(even, odd, wb, ws, ref be3, ref bo3);
        WideColumn<TLeft, TRight>(row, 5, s, zero, out even, out odd);
        BFloat16Lanes.Tap(even, odd, wa, 2 * ws, ref ae3, ref ao3);
        BFloat16Lanes.Tap(even, odd, wb, 2 * ws, ref be3, ref bo3);
    }
}
