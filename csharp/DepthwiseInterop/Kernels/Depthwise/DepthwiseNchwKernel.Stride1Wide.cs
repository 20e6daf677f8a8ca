using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 1 (no dilation, any padding) on output rows wider than
/// <see cref="MaxInPlaceOutputWidth"/> (MobileNet's 28x28 to 112x112 planes), float32 on 256-bit AVX2 vectors:
/// the tiles read the input rows where they are instead of the band copied to the scratch between zero
/// columns. Work items are the planar plan's (input plane × band). A band's output rows go in groups of five
/// to seven, as even as they go (as in DepthwiseNchwKernel.Stride1InPlace.cs), each group reading its rows and
/// two more through a table of row pointers, where rows over the top or bottom padding point at a zero row; a
/// last, shorter group moves back to end at the band's end (recomputing rows with the same bits), and a band
/// shorter than five rows computes five and stores its own. Along a row, one vector of eight output columns at
/// a time with the nine weights in registers (the seven-row tile of <see cref="Rows7Taps3x3{TVector, T}"/>), the
/// last vector shifted back to end at OW; each accumulator starts from zero at its first tap and is stored after
/// its last, so at most three are live and nothing spills (all seven zeroed up front, two or three went to the
/// stack in every tile: 60x60 and 28x28 planes 1.09-1.14x); one method runs a whole band (the weights stay in
/// registers across its groups). The vectors whose taps stay inside the image columns (all but the first and the last on SAME
/// planes) take plain unaligned loads; SAME's first vector masks only its tap 0 (column -1) and its last only
/// its tap 2 (column W), with the other taps plain; any other vector whose taps leave the image masks all
/// three. The masked loads (<c>vmaskmovps</c>) read zeros outside the image and touch no memory there (a tile
/// of masked loads took about twice the time of a plain one; 28x28 planes, of four vectors a row, ran no
/// faster in place than on the band copy while their two edge vectors masked all their taps). Each output
/// adds its nine taps in filter-row, then filter-column order from zero with the same fused multiply-adds as
/// the band tiles, padding taps multiplying zeros, so the bits are the band kernel's (and NaN weights over the
/// padding give NaN).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="RunItemsStride1Wide"/> serves the problem.</summary>
    private static bool ReadsStride1WideInPlace<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector256<float>) && Avx2.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth > MaxInPlaceOutputWidth;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the wide stride-1 in-place path for the problem.</summary>
    internal static bool TakesStride1WideInPlace<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        ReadsStride1WideInPlace<TVector, T>(new Plan(g, Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Computes work items [firstItem, endItem) of a problem <see cref="ReadsStride1WideInPlace"/> accepts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunItemsStride1Wide(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem)
    {
        nint width = p.Width, outputWidth = p.OutputWidth, padLeft = p.PadLeft;
        // The zero row: plain loads read it at columns [0, W), masked loads touch none of it outside.
        int zeroLength = checked((int)width + 8);
        float[] zeros = ArrayPool<float>.Shared.Rent(zeroLength);
        Array.Clear(zeros, 0, zeroLength);
        fixed (float* pinnedInput = &input, pinnedOutput = &output, pinnedFilter = &filter, zero = zeros)
        try
        {
            nint planeIn = p.Height * width, planeOut = p.OutputHeight * outputWidth, outputChannels = p.Channels * p.Multiplier;
            for (long item = firstItem; item < endItem; item++)
            {
                nint plane = (nint)(item / p.Bands), bandIndex = (nint)(item % p.Bands);
                nint batch = plane / p.Channels, channel = plane % p.Channels;
                nint firstRow = bandIndex * p.BandRows, endRow = Math.Min(firstRow + p.BandRows, p.OutputHeight);
                nint groupRows = GroupRowsOf(endRow - firstRow);
                for (nint m = 0; m < p.Multiplier; m++)
                {
                    nint o = channel * p.Multiplier + m;
                    var band = new WideBand<float>(pinnedInput + plane * planeIn, zero, p.Height, width, p.PadTop, padLeft, pinnedFilter + o, outputChannels,
                        pinnedOutput + (batch * outputChannels + o) * planeOut, outputWidth, firstRow, endRow);
                    if (groupRows == 5) WideBandRows<FiveRows>(band);
                    else if (groupRows == 6) WideBandRows<SixRows>(band);
                    else WideBandRows<SevenRows>(band);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(zeros);
        }
    }

    /// <summary>
    /// One band of one output plane: where its input plane, weights (float32) and output rows are, the tensors' elements
    /// <typeparamref name="TElement"/> (float32, or bfloat16 bits for the sliding tiles).
    /// </summary>
    private readonly unsafe struct WideBand<TElement>(TElement* image, TElement* zero, nint height, nint width, nint padTop, nint padLeft,
        float* weights, nint tapStride, TElement* y, nint outputWidth, nint firstRow, nint endRow) where TElement : unmanaged
    {
        /// <summary>The input plane, and the zero row that stands for the rows over the padding.</summary>
        public readonly TElement* Image = image, Zero = zero;
        public readonly nint Height = height, Width = width, PadTop = padTop, PadLeft = padLeft;
        /// <summary>Tap 0's weight; tap k is <see cref="TapStride"/> × k further.</summary>
        public readonly float* Weights = weights;
        public readonly nint TapStride = tapStride;
        /// <summary>The output plane, its row length, and the band's output rows [FirstRow, EndRow).</summary>
        public readonly TElement* Y = y;
        public readonly nint OutputWidth = outputWidth, FirstRow = firstRow, EndRow = endRow;
    }

    /// <summary>
    /// A band's output rows in groups of <typeparamref name="TRows"/>, the weights in registers for the whole
    /// band (a call and the weights' broadcasts per group and vector took a third of the time of 30x30 planes;
    /// calls per kind of vector running all the groups measured slower than this, 60x60 and 28x28 5-15%).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void WideBandRows<TRows>(in WideBand<float> b) where TRows : struct, IGroupRows
    {
        nint t = b.TapStride, width = b.Width, padLeft = b.PadLeft, outputWidth = b.OutputWidth;
        float* w = b.Weights;
        Vector256<float> w00 = Vector256.Create(w[0]), w01 = Vector256.Create(w[t]), w02 = Vector256.Create(w[2 * t]);
        Vector256<float> w10 = Vector256.Create(w[3 * t]), w11 = Vector256.Create(w[4 * t]), w12 = Vector256.Create(w[5 * t]);
        Vector256<float> w20 = Vector256.Create(w[6 * t]), w21 = Vector256.Create(w[7 * t]), w22 = Vector256.Create(w[8 * t]);
        nint* rows = stackalloc nint[9];
        Vector256<float>* masks = stackalloc Vector256<float>[3];
        nint lastStart = outputWidth - 8, lastColumn = width - 1;
        nint groupRows = TRows.Count, next = outputWidth;
        for (nint r = b.FirstRow; r < b.EndRow; r += groupRows)
        {
            if (b.EndRow - r < groupRows && b.EndRow - b.FirstRow >= groupRows) r = b.EndRow - groupRows;
            nint count = Math.Min(groupRows, b.EndRow - r);
            for (nint i = 0; i < 9; i++)
            {
                nint iy = r - b.PadTop + i;
                rows[i] = (nuint)iy < (nuint)b.Height ? (nint)(b.Image + iy * width) : (nint)b.Zero;
            }
            float* y = b.Y + r * outputWidth;
            // Vectors at 0, 8, ..., the last shifted back to end at OW; the taps of the one at ox read input
            // columns at = ox - PadLeft to at + 9.
            for (nint ox = 0; ; ox += 8)
            {
                if (ox > lastStart) ox = lastStart;
                nint at = ox - padLeft;
                if (at >= 0 && at + 9 <= lastColumn)
                    WideTile<TRows, PlainLoads>(rows, at, masks, default, w00, w01, w02, w10, w11, w12, w20, w21, w22, y + ox, next, count);
                else
                {
                    ColumnMasks(at, width, masks);
                    if (at == -1 && at + 9 <= lastColumn)
                        WideTile<TRows, LeftEdgeLoads>(rows, at, masks, masks[0], w00, w01, w02, w10, w11, w12, w20, w21, w22, y + ox, next, count);
                    else if (at >= 0 && at + 8 <= lastColumn)
                        WideTile<TRows, RightEdgeLoads>(rows, at, masks, masks[2], w00, w01, w02, w10, w11, w12, w20, w21, w22, y + ox, next, count);
                    else
                        WideTile<TRows, MaskedLoads>(rows, at, masks, default, w00, w01, w02, w10, w11, w12, w20, w21, w22, y + ox, next, count);
                }
                if (ox == lastStart) break;
            }
        }
    }

    /// <summary>
    /// <typeparamref name="TRows"/> output rows × eight columns: output row i reads input rows
    /// <paramref name="rows"/>[i..i+2] from column <paramref name="at"/> + kx, loads as
    /// <typeparamref name="TLoads"/> says (through the vector's three tap <paramref name="masks"/>, or the one
    /// masked tap's <paramref name="edge"/>, kept in a register: 1-3% faster on 28x28 and 60x60 planes than
    /// reading it from the stack at each load); the first <paramref name="count"/>
    /// rows are stored, <paramref name="next"/> apart. Same accumulation as <see cref="Rows7Taps3x3{TVector, T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WideTile<TRows, TLoads>(nint* rows, nint at, Vector256<float>* masks, Vector256<float> edge,
        Vector256<float> w00, Vector256<float> w01, Vector256<float> w02, Vector256<float> w10, Vector256<float> w11, Vector256<float> w12,
        Vector256<float> w20, Vector256<float> w21, Vector256<float> w22, float* yo, nint next, nint count)
        where TRows : struct, IGroupRows where TLoads : struct, IRowLoads
    {
        // Each accumulator starts from zero at its first tap and is stored after its last: at most three live,
        // so they, the nine weights, the loaded vector and an edge mask fit the 16 registers (zeroed and kept
        // all seven at once, two or three spilled to the stack in every tile).
        Vector256<float> a0, a1, a2, a3, a4, a5 = default, a6 = default;
        Vector256<float> v, zero = Vector256<float>.Zero;
        float* row;
        row = (float*)rows[0] + at;
        v = TLoads.Load(row, 0, masks, edge); a0 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a0 = Fma(v, w01, a0);
        v = TLoads.Load(row, 2, masks, edge); a0 = Fma(v, w02, a0);
        row = (float*)rows[1] + at;
        v = TLoads.Load(row, 0, masks, edge); a0 = Fma(v, w10, a0); a1 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a0 = Fma(v, w11, a0); a1 = Fma(v, w01, a1);
        v = TLoads.Load(row, 2, masks, edge); a0 = Fma(v, w12, a0); a1 = Fma(v, w02, a1);
        row = (float*)rows[2] + at;
        v = TLoads.Load(row, 0, masks, edge); a0 = Fma(v, w20, a0); a1 = Fma(v, w10, a1); a2 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a0 = Fma(v, w21, a0); a1 = Fma(v, w11, a1); a2 = Fma(v, w01, a2);
        v = TLoads.Load(row, 2, masks, edge); a0 = Fma(v, w22, a0); a1 = Fma(v, w12, a1); a2 = Fma(v, w02, a2);
        a0.Store(yo);
        row = (float*)rows[3] + at;
        v = TLoads.Load(row, 0, masks, edge); a1 = Fma(v, w20, a1); a2 = Fma(v, w10, a2); a3 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a1 = Fma(v, w21, a1); a2 = Fma(v, w11, a2); a3 = Fma(v, w01, a3);
        v = TLoads.Load(row, 2, masks, edge); a1 = Fma(v, w22, a1); a2 = Fma(v, w12, a2); a3 = Fma(v, w02, a3);
        if (count > 1) a1.Store(yo + next);
        row = (float*)rows[4] + at;
        v = TLoads.Load(row, 0, masks, edge); a2 = Fma(v, w20, a2); a3 = Fma(v, w10, a3); a4 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a2 = Fma(v, w21, a2); a3 = Fma(v, w11, a3); a4 = Fma(v, w01, a4);
        v = TLoads.Load(row, 2, masks, edge); a2 = Fma(v, w22, a2); a3 = Fma(v, w12, a3); a4 = Fma(v, w02, a4);
        if (count > 2) a2.Store(yo + 2 * next);
        row = (float*)rows[5] + at;
        v = TLoads.Load(row, 0, masks, edge); a3 = Fma(v, w20, a3); a4 = Fma(v, w10, a4); if (TRows.Count > 5) a5 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a3 = Fma(v, w21, a3); a4 = Fma(v, w11, a4); if (TRows.Count > 5) a5 = Fma(v, w01, a5);
        v = TLoads.Load(row, 2, masks, edge); a3 = Fma(v, w22, a3); a4 = Fma(v, w12, a4); if (TRows.Count > 5) a5 = Fma(v, w02, a5);
        if (count > 3) a3.Store(yo + 3 * next);
        row = (float*)rows[6] + at;
        v = TLoads.Load(row, 0, masks, edge); a4 = Fma(v, w20, a4); if (TRows.Count > 5) a5 = Fma(v, w10, a5); if (TRows.Count > 6) a6 = Fma(v, w00, zero);
        v = TLoads.Load(row, 1, masks, edge); a4 = Fma(v, w21, a4); if (TRows.Count > 5) a5 = Fma(v, w11, a5); if (TRows.Count > 6) a6 = Fma(v, w01, a6);
        v = TLoads.Load(row, 2, masks, edge); a4 = Fma(v, w22, a4); if (TRows.Count > 5) a5 = Fma(v, w12, a5); if (TRows.Count > 6) a6 = Fma(v, w02, a6);
        if (count > 4) a4.Store(yo + 4 * next);
        if (TRows.Count > 5)
        {
            row = (float*)rows[7] + at;
            v = TLoads.Load(row, 0, masks, edge); a5 = Fma(v, w20, a5); if (TRows.Count > 6) a6 = Fma(v, w10, a6);
            v = TLoads.Load(row, 1, masks, edge); a5 = Fma(v, w21, a5); if (TRows.Count > 6) a6 = Fma(v, w11, a6);
            v = TLoads.Load(row, 2, masks, edge); a5 = Fma(v, w22, a5); if (TRows.Count > 6) a6 = Fma(v, w12, a6);
            if (count > 5) a5.Store(yo + 5 * next);
        }
        if (TRows.Count > 6)
        {
            row = (float*)rows[8] + at;
            v = TLoads.Load(row, 0, masks, edge); a6 = Fma(v, w20, a6);
            v = TLoads.Load(row, 1, masks, edge); a6 = Fma(v, w21, a6);
            v = TLoads.Load(row, 2, masks, edge); a6 = Fma(v, w22, a6);
            if (count > 6) a6.Store(yo + 6 * next);
        }
    }

    /// <summary>
    /// How a wide tile loads the eight input columns of tap kx, from input column <c>at + kx</c>: plainly, or
    /// through <c>masks[kx]</c>, or through <c>edge</c> for the one tap an edge vector masks.
    /// </summary>
    private unsafe interface IRowLoads
    {
        static abstract Vector256<float> Load(float* row, nint kx, Vector256<float>* masks, Vector256<float> edge);
    }

    /// <summary>Taps inside the image: plain unaligned loads.</summary>
    private readonly struct PlainLoads : IRowLoads
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Load(float* row, nint kx, Vector256<float>* masks, Vector256<float> edge) => Vector256.Load(row + kx);
    }

    /// <summary>Taps reaching left or right of the image: masked loads, zeros outside <c>[0, W)</c>.</summary>
    private readonly struct MaskedLoads : IRowLoads
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Load(float* row, nint kx, Vector256<float>* masks, Vector256<float> edge) => Avx.MaskLoad(row + kx, masks[kx]);
    }

    /// <summary>
    /// Only tap 0 reaches left of the image (the vector whose taps start at column -1): that tap masked, the
    /// others plain. (A plain load from column -1 with that lane blended to zero, where column -1 is in the
    /// input, measured 8-20% slower on 28x28 and 30x30 planes.)
    /// </summary>
    private readonly struct LeftEdgeLoads : IRowLoads
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Load(float* row, nint kx, Vector256<float>* masks, Vector256<float> edge) =>
            kx == 0 ? Avx.MaskLoad(row, edge) : Vector256.Load(row + kx);
    }

    /// <summary>Only tap 2 reaches right of the image (the last vector on SAME planes): that tap masked, the others plain.</summary>
    private readonly struct RightEdgeLoads : IRowLoads
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Load(float* row, nint kx, Vector256<float>* masks, Vector256<float> edge) =>
            kx == 2 ? Avx.MaskLoad(row + 2, edge) : Vector256.Load(row + kx);
    }

    /// <summary>The lanes of taps 0, 1 and 2 whose input columns (from <paramref name="at"/> + kx) lie in <c>[0, W)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ColumnMasks(nint at, nint width, Vector256<float>* masks)
    {
        Vector256<int> columns = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((int)at), lastColumn = Vector256.Create((int)width - 1);
        masks[0] = InImage(columns, lastColumn);
        masks[1] = InImage(columns + Vector256<int>.One, lastColumn);
        masks[2] = InImage(columns + Vector256.Create(2), lastColumn);
    }
}
