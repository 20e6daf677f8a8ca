using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Depthwise convolution, multiplier 1, NHWC: input <c>[N, H, W, C]</c>, filter <c>[KH, KW, C]</c> (taps
/// major, channels contiguous, so it streams as it is: no packing), output <c>[N, OH, OW, C]</c>.
/// Vectors run over channels. Work is split by output rows (batch × OH); each row is cut into blocks of eight
/// output pixels × one channel vector, so that each weight vector loaded feeds eight FMAs; for three-wide
/// filters at unit column stride the three weights of a filter row stay in registers and each input column
/// is loaded once for the three taps that read it. The last block of a row is shifted back to end at the
/// row's end, recomputing an overlap, and the last channel vector likewise ends at C: no scalar tails.
/// A block whose taps all fall inside the input reads the input directly; a block that reaches into the
/// padding first copies its input window (all channels, by rows) into a zero-padded scratch and runs the same code there, so
/// the hot loops never test bounds. Taps in the padding thus multiply zeros rather than being skipped, as in
/// TensorFlow's kernels (a NaN or infinite weight over padding gives NaN). Every output adds its taps in the
/// reference's order (filter row, then column) whatever block computes it, so results do not depend on how
/// rows are split between threads.
/// </summary>
internal static class DepthwiseNhwcKernel
{
    private const int BlockPixels = 8;
    private const int StackScratchElements = 2048;

    /// <summary>Computes output rows [firstRow, endRow) of the flattened (batch, output row) space.</summary>
    /// <remarks>Needs <c>g.InputChannels >= TVector.Count</c> and a channel multiplier of 1.</remarks>
    public static void RunRows<TVector, T>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstRow, long endRow)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        var p = new Plan(g, TVector.Count);
        int scratchElements = checked((int)(p.FilterHeight * p.WindowColumns * p.Channels));
        T[]? rented = scratchElements > StackScratchElements ? ArrayPool<T>.Shared.Rent(scratchElements) : null;
        Span<T> scratch = rented ?? stackalloc T[StackScratchElements];
        try
        {
            var interior = InteriorColumns.Of(g);
            for (nint row = (nint)firstRow; row < (nint)endRow; row++)
                Row<TVector, T>(ref input, ref filter, ref output, p, row, (nint)interior.Begin, (nint)interior.End, ref scratch[0]);
        }
        finally
        {
            if (rented is not null) ArrayPool<T>.Shared.Return(rented);
        }
    }

    private static void Row<TVector, T>(ref T input, ref T filter, ref T output, in Plan p, nint row, nint interiorBegin, nint interiorEnd, ref T scratch)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        nint batch = row / p.OutputHeight, outputRow = row % p.OutputHeight;
        nint topRow = outputRow * p.StrideHeight - p.PadTop;
        // Filter rows [rowsBegin, rowsEnd) read input rows inside the image; the others read padding.
        nint rowsBegin = topRow >= 0 ? 0 : Math.Min(p.FilterHeight, (-topRow + p.DilationHeight - 1) / p.DilationHeight);
        nint rowsEnd = topRow > p.Height - 1 ? 0 : Math.Min(p.FilterHeight, (p.Height - 1 - topRow) / p.DilationHeight + 1);
        ref T image = ref Unsafe.Add(ref input, batch * p.Height * p.Width * p.Channels);
        ref T outputRowStart = ref Unsafe.Add(ref output, row * p.OutputWidth * p.Channels);
        bool rowsAllInside = rowsBegin == 0 && rowsEnd == p.FilterHeight;
        nint pixels = Math.Min(BlockPixels, p.OutputWidth);
        nint blockCount = (p.OutputWidth + BlockPixels - 1) / BlockPixels;
        for (nint block = 0; block < blockCount; block++)
        {
            nint ox = Math.Max(0, Math.Min(block * BlockPixels, p.OutputWidth - BlockPixels));
            bool direct = rowsAllInside && pixels == BlockPixels && ox >= interiorBegin && ox + BlockPixels <= interiorEnd;
            // The window the block reads: tap row ky starts rowStep elements after the previous one, and input
            // column j sits j * Channels elements after the first. A block that reaches into the padding reads
            // a zero-padded copy of its window instead of the image.
            ref T window = ref scratch;
            nint rowStep = p.WindowColumns * p.Channels;
            if (direct)
            {
                window = ref Unsafe.Add(ref image, (topRow * p.Width + ox * p.StrideWidth - p.PadLeft) * p.Channels);
                rowStep = p.DilationHeight * p.Width * p.Channels;
            }
            else
            {
                FillWindow(ref image, p, topRow, ox * p.StrideWidth - p.PadLeft, ref scratch);
            }
            for (nint c = 0; ; c += TVector.Count)
            {
                if (c > p.LastChannelBlock) c = p.LastChannelBlock;
                Block<TVector, T>(ref Unsafe.Add(ref window, c), rowStep, p.Channels, ref filter, c, p,
                    ref Unsafe.Add(ref outputRowStart, ox * p.Channels + c), pixels);
                if (c == p.LastChannelBlock) break;
            }
        }
    }

    /// <summary>Copies one block's input window (every filter row × the block's columns × all channels) to the scratch, zeros outside the image.</summary>
    private static void FillWindow<T>(ref T image, in Plan p, nint topRow, nint leftColumn, ref T scratch) where T : unmanaged
    {
        nint rowLength = p.WindowColumns * p.Channels;
        nint first = Math.Clamp(leftColumn, 0, p.Width), end = Math.Clamp(leftColumn + p.WindowColumns, 0, p.Width);
        for (nint ky = 0; ky < p.FilterHeight; ky++)
        {
            var destination = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref scratch, ky * rowLength), (int)rowLength);
            nint iy = topRow + ky * p.DilationHeight;
            if ((nuint)iy >= (nuint)p.Height || first >= end)
            {
                destination.Clear();
                continue;
            }
            int before = (int)((first - leftColumn) * p.Channels), inside = (int)((end - first) * p.Channels);
            destination[..before].Clear();
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref image, (iy * p.Width + first) * p.Channels), inside)
                .CopyTo(destination.Slice(before, inside));
            destination[(before + inside)..].Clear();
        }
    }

    /// <summary>
    /// Eight pixels × one channel vector from a window whose tap row ky starts at origin + ky * rowStep and
    /// whose input column j sits at j * column (the image itself, or the zero-padded scratch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TVector, T>(ref T origin, nint rowStep, nint column, ref T filter, nint channel, in Plan p, ref T y, nint pixels)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        TVector a0 = TVector.Zero, a1 = TVector.Zero, a2 = TVector.Zero, a3 = TVector.Zero;
        TVector a4 = TVector.Zero, a5 = TVector.Zero, a6 = TVector.Zero, a7 = TVector.Zero;
        ref T weights = ref Unsafe.Add(ref filter, channel);
        if (p.SlidingWidth3)
        {
            nint c = p.Channels;
            for (nint ky = 0; ky < p.FilterHeight; ky++)
            {
                TVector w0 = TVector.Load(in weights);
                TVector w1 = SimdExtensions.LoadAt<TVector, T>(ref weights, c);
                TVector w2 = SimdExtensions.LoadAt<TVector, T>(ref weights, 2 * c);
                weights = ref Unsafe.Add(ref weights, 3 * c);
                ref T x = ref Unsafe.Add(ref origin, ky * rowStep);
                TVector v = TVector.Load(in x);
                a0 = TVector.MultiplyAdd(v, w0, a0);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, column);
                a0 = TVector.MultiplyAdd(v, w1, a0); a1 = TVector.MultiplyAdd(v, w0, a1);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 2 * column);
                a0 = TVector.MultiplyAdd(v, w2, a0); a1 = TVector.MultiplyAdd(v, w1, a1); a2 = TVector.MultiplyAdd(v, w0, a2);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 3 * column);
                a1 = TVector.MultiplyAdd(v, w2, a1); a2 = TVector.MultiplyAdd(v, w1, a2); a3 = TVector.MultiplyAdd(v, w0, a3);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 4 * column);
                a2 = TVector.MultiplyAdd(v, w2, a2); a3 = TVector.MultiplyAdd(v, w1, a3); a4 = TVector.MultiplyAdd(v, w0, a4);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 5 * column);
                a3 = TVector.MultiplyAdd(v, w2, a3); a4 = TVector.MultiplyAdd(v, w1, a4); a5 = TVector.MultiplyAdd(v, w0, a5);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 6 * column);
                a4 = TVector.MultiplyAdd(v, w2, a4); a5 = TVector.MultiplyAdd(v, w1, a5); a6 = TVector.MultiplyAdd(v, w0, a6);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 7 * column);
                a5 = TVector.MultiplyAdd(v, w2, a5); a6 = TVector.MultiplyAdd(v, w1, a6); a7 = TVector.MultiplyAdd(v, w0, a7);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 8 * column);
                a6 = TVector.MultiplyAdd(v, w2, a6); a7 = TVector.MultiplyAdd(v, w1, a7);
                v = SimdExtensions.LoadAt<TVector, T>(ref x, 9 * column);
                a7 = TVector.MultiplyAdd(v, w2, a7);
            }
        }
        else
        {
            nint pixel = p.StrideWidth * column, tap = p.DilationWidth * column;
            for (nint ky = 0; ky < p.FilterHeight; ky++)
            {
                ref T x = ref Unsafe.Add(ref origin, ky * rowStep);
                for (nint kx = 0; kx < p.FilterWidth; kx++)
                {
                    TVector w = TVector.Load(in weights);
                    a0 = TVector.MultiplyAdd(TVector.Load(in x), w, a0);
                    a1 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, pixel), w, a1);
                    a2 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 2 * pixel), w, a2);
                    a3 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 3 * pixel), w, a3);
                    a4 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 4 * pixel), w, a4);
                    a5 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 5 * pixel), w, a5);
                    a6 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 6 * pixel), w, a6);
                    a7 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 7 * pixel), w, a7);
                    x = ref Unsafe.Add(ref x, tap);
                    weights = ref Unsafe.Add(ref weights, p.Channels);
                }
            }
        }
        nint next = p.Channels;
        TVector.Store(a0, ref y);
        if (pixels > 1) SimdExtensions.StoreAt(a1, ref y, next);
        if (pixels > 2) SimdExtensions.StoreAt(a2, ref y, 2 * next);
        if (pixels > 3) SimdExtensions.StoreAt(a3, ref y, 3 * next);
        if (pixels > 4) SimdExtensions.StoreAt(a4, ref y, 4 * next);
        if (pixels > 5) SimdExtensions.StoreAt(a5, ref y, 5 * next);
        if (pixels > 6) SimdExtensions.StoreAt(a6, ref y, 6 * next);
        if (pixels > 7) SimdExtensions.StoreAt(a7, ref y, 7 * next);
    }

    /// <summary>The geometry as native-width locals, computed once per call of <see cref="RunRows{TVector, T}"/>.</summary>
    private readonly struct Plan
    {
        public readonly nint Height, Width, Channels, FilterHeight, FilterWidth, OutputHeight, OutputWidth;
        public readonly nint StrideHeight, StrideWidth, DilationHeight, DilationWidth, PadTop, PadLeft;
        public readonly nint LastChannelBlock;
        /// <summary>Input columns one block of eight pixels reads.</summary>
        public readonly nint WindowColumns;
        public readonly bool SlidingWidth3;

        public Plan(in ConvolutionGeometry g, int vectorCount)
        {
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.InputChannels;
            FilterHeight = (nint)g.FilterHeight; FilterWidth = (nint)g.FilterWidth;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            StrideHeight = (nint)g.StrideHeight; StrideWidth = (nint)g.StrideWidth;
            DilationHeight = (nint)g.DilationHeight; DilationWidth = (nint)g.DilationWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft;
            LastChannelBlock = Channels - vectorCount;
            WindowColumns = (BlockPixels - 1) * StrideWidth + (FilterWidth - 1) * DilationWidth + 1;
            SlidingWidth3 = FilterWidth == 3 && StrideWidth == 1 && DilationWidth == 1;
        }
    }
}
