using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Depthwise convolution, multiplier 1, NHWC: input <c>[N, H, W, C]</c>, filter <c>[KH, KW, C]</c> (taps
/// major, channels contiguous, so it streams as it is: no packing), output <c>[N, OH, OW, C]</c>.
/// Vectors run over channels. Work is split by output rows (batch × OH); within a row, the output columns
/// whose taps all fall inside the input width form the interior, computed eight (then four) pixels at a time
/// so that each weight vector loaded feeds eight FMAs; edge columns go one pixel at a time. For each pixel
/// block every channel block is finished before the next block starts, so the input rows are walked once.
/// A channel count that is not a multiple of the vector width ends with a block shifted back to end at C,
/// overlapping the previous one (it recomputes identical values), so there is no scalar tail. Taps in the
/// padding multiply a zero vector rather than being skipped, as TensorFlow's kernels do, so a NaN or infinite
/// weight over padding gives NaN. Every output sums its taps in the reference's order (filter row, then
/// column), whatever block computes it, so results do not depend on how rows are split between threads.
/// </summary>
internal static class DepthwiseNhwcKernel
{
    /// <summary>The geometry as native-width locals, computed once per call of <see cref="RunRows{TVector, T}"/>.</summary>
    private readonly struct Plan
    {
        public readonly nint Height, Width, Channels, FilterHeight, FilterWidth, OutputHeight, OutputWidth;
        public readonly nint StrideHeight, StrideWidth, DilationHeight, DilationWidth, PadTop, PadLeft;
        public readonly nint LastChannelBlock;

        public Plan(in ConvolutionGeometry g, int vectorCount)
        {
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.InputChannels;
            FilterHeight = (nint)g.FilterHeight; FilterWidth = (nint)g.FilterWidth;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            StrideHeight = (nint)g.StrideHeight; StrideWidth = (nint)g.StrideWidth;
            DilationHeight = (nint)g.DilationHeight; DilationWidth = (nint)g.DilationWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft;
            LastChannelBlock = Channels - vectorCount;
        }
    }

    /// <summary>Computes output rows [firstRow, endRow) of the flattened (batch, output row) space.</summary>
    /// <remarks>Needs <c>g.InputChannels >= TVector.Count</c> and a channel multiplier of 1.</remarks>
    public static void RunRows<TVector, T>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstRow, long endRow)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        var plan = new Plan(g, TVector.Count);
        var columns = InteriorColumns.Of(g);
        nint interiorBegin = (nint)columns.Begin, interiorEnd = (nint)columns.End;
        nint imageSize = plan.Height * plan.Width * plan.Channels;
        for (nint row = (nint)firstRow; row < (nint)endRow; row++)
        {
            nint batch = row / plan.OutputHeight, outputRow = row % plan.OutputHeight;
            nint topRow = outputRow * plan.StrideHeight - plan.PadTop;
            // Filter rows [rowsBegin, rowsEnd) read input rows inside the image; the others read padding.
            nint rowsBegin = topRow >= 0 ? 0 : Math.Min(plan.FilterHeight, (-topRow + plan.DilationHeight - 1) / plan.DilationHeight);
            nint rowsEnd = topRow > plan.Height - 1 ? 0 : Math.Min(plan.FilterHeight, (plan.Height - 1 - topRow) / plan.DilationHeight + 1);
            ref T image = ref Unsafe.Add(ref input, batch * imageSize);
            ref T outputRowStart = ref Unsafe.Add(ref output, row * plan.OutputWidth * plan.Channels);

            nint ox = 0;
            for (; ox < interiorBegin; ox++)
                Pixel<TVector, T>(ref image, ref filter, ref outputRowStart, plan, topRow, rowsBegin, rowsEnd, ox);
            for (; ox + 8 <= interiorEnd; ox += 8)
                for (nint c = 0; ; c += TVector.Count)
                {
                    if (c > plan.LastChannelBlock) c = plan.LastChannelBlock;
                    Interior8<TVector, T>(ref image, ref filter, ref outputRowStart, plan, topRow, rowsBegin, rowsEnd, ox, c);
                    if (c == plan.LastChannelBlock) break;
                }
            for (; ox + 4 <= interiorEnd; ox += 4)
                for (nint c = 0; ; c += TVector.Count)
                {
                    if (c > plan.LastChannelBlock) c = plan.LastChannelBlock;
                    Interior4<TVector, T>(ref image, ref filter, ref outputRowStart, plan, topRow, rowsBegin, rowsEnd, ox, c);
                    if (c == plan.LastChannelBlock) break;
                }
            for (; ox < plan.OutputWidth; ox++)
                Pixel<TVector, T>(ref image, ref filter, ref outputRowStart, plan, topRow, rowsBegin, rowsEnd, ox);
        }
    }

    /// <summary>Eight interior pixels × one channel vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interior8<TVector, T>(ref T image, ref T filter, ref T outputRow, in Plan p,
        nint topRow, nint rowsBegin, nint rowsEnd, nint ox, nint channel)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        nint pixel = p.StrideWidth * p.Channels, tapColumn = p.DilationWidth * p.Channels;
        TVector a0 = TVector.Zero, a1 = TVector.Zero, a2 = TVector.Zero, a3 = TVector.Zero;
        TVector a4 = TVector.Zero, a5 = TVector.Zero, a6 = TVector.Zero, a7 = TVector.Zero;
        ref T weights = ref Unsafe.Add(ref filter, channel);
        for (nint ky = 0; ky < p.FilterHeight; ky++)
        {
            if (ky >= rowsBegin && ky < rowsEnd)
            {
                ref T x = ref Unsafe.Add(ref image, ((topRow + ky * p.DilationHeight) * p.Width + ox * p.StrideWidth - p.PadLeft) * p.Channels + channel);
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
                    x = ref Unsafe.Add(ref x, tapColumn);
                    weights = ref Unsafe.Add(ref weights, p.Channels);
                }
            }
            else
            {
                TVector zero = TVector.Zero;
                for (nint kx = 0; kx < p.FilterWidth; kx++)
                {
                    TVector w = TVector.Load(in weights);
                    a0 = TVector.MultiplyAdd(zero, w, a0); a1 = TVector.MultiplyAdd(zero, w, a1);
                    a2 = TVector.MultiplyAdd(zero, w, a2); a3 = TVector.MultiplyAdd(zero, w, a3);
                    a4 = TVector.MultiplyAdd(zero, w, a4); a5 = TVector.MultiplyAdd(zero, w, a5);
                    a6 = TVector.MultiplyAdd(zero, w, a6); a7 = TVector.MultiplyAdd(zero, w, a7);
                    weights = ref Unsafe.Add(ref weights, p.Channels);
                }
            }
        }
        ref T y = ref Unsafe.Add(ref outputRow, ox * p.Channels + channel);
        nint next = p.Channels;
        TVector.Store(a0, ref y);
        SimdExtensions.StoreAt(a1, ref y, next);
        SimdExtensions.StoreAt(a2, ref y, 2 * next);
        SimdExtensions.StoreAt(a3, ref y, 3 * next);
        SimdExtensions.StoreAt(a4, ref y, 4 * next);
        SimdExtensions.StoreAt(a5, ref y, 5 * next);
        SimdExtensions.StoreAt(a6, ref y, 6 * next);
        SimdExtensions.StoreAt(a7, ref y, 7 * next);
    }

    /// <summary>Four interior pixels × one channel vector (the remainder of the eight-pixel blocks, and narrow maps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interior4<TVector, T>(ref T image, ref T filter, ref T outputRow, in Plan p,
        nint topRow, nint rowsBegin, nint rowsEnd, nint ox, nint channel)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        nint pixel = p.StrideWidth * p.Channels, tapColumn = p.DilationWidth * p.Channels;
        TVector a0 = TVector.Zero, a1 = TVector.Zero, a2 = TVector.Zero, a3 = TVector.Zero;
        ref T weights = ref Unsafe.Add(ref filter, channel);
        for (nint ky = 0; ky < p.FilterHeight; ky++)
        {
            bool inside = ky >= rowsBegin && ky < rowsEnd;
            ref T x = ref Unsafe.Add(ref image, inside ? ((topRow + ky * p.DilationHeight) * p.Width + ox * p.StrideWidth - p.PadLeft) * p.Channels + channel : 0);
            for (nint kx = 0; kx < p.FilterWidth; kx++)
            {
                TVector w = TVector.Load(in weights);
                if (inside)
                {
                    a0 = TVector.MultiplyAdd(TVector.Load(in x), w, a0);
                    a1 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, pixel), w, a1);
                    a2 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 2 * pixel), w, a2);
                    a3 = TVector.MultiplyAdd(SimdExtensions.LoadAt<TVector, T>(ref x, 3 * pixel), w, a3);
                    x = ref Unsafe.Add(ref x, tapColumn);
                }
                else
                {
                    TVector zero = TVector.Zero;
                    a0 = TVector.MultiplyAdd(zero, w, a0); a1 = TVector.MultiplyAdd(zero, w, a1);
                    a2 = TVector.MultiplyAdd(zero, w, a2); a3 = TVector.MultiplyAdd(zero, w, a3);
                }
                weights = ref Unsafe.Add(ref weights, p.Channels);
            }
        }
        ref T y = ref Unsafe.Add(ref outputRow, ox * p.Channels + channel);
        TVector.Store(a0, ref y);
        SimdExtensions.StoreAt(a1, ref y, p.Channels);
        SimdExtensions.StoreAt(a2, ref y, 2 * p.Channels);
        SimdExtensions.StoreAt(a3, ref y, 3 * p.Channels);
    }

    /// <summary>One pixel, every channel vector; taps outside the input read zero.</summary>
    private static void Pixel<TVector, T>(ref T image, ref T filter, ref T outputRow, in Plan p,
        nint topRow, nint rowsBegin, nint rowsEnd, nint ox)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged
    {
        nint leftColumn = ox * p.StrideWidth - p.PadLeft;
        nint columnsBegin = leftColumn >= 0 ? 0 : Math.Min(p.FilterWidth, (-leftColumn + p.DilationWidth - 1) / p.DilationWidth);
        nint columnsEnd = leftColumn > p.Width - 1 ? 0 : Math.Min(p.FilterWidth, (p.Width - 1 - leftColumn) / p.DilationWidth + 1);
        for (nint c = 0; ; c += TVector.Count)
        {
            if (c > p.LastChannelBlock) c = p.LastChannelBlock;
            TVector sum = TVector.Zero;
            ref T weights = ref Unsafe.Add(ref filter, c);
            for (nint ky = 0; ky < p.FilterHeight; ky++)
            {
                bool rowInside = ky >= rowsBegin && ky < rowsEnd;
                nint rowOffset = ((topRow + ky * p.DilationHeight) * p.Width + leftColumn) * p.Channels + c;
                for (nint kx = 0; kx < p.FilterWidth; kx++)
                {
                    TVector x = rowInside && kx >= columnsBegin && kx < columnsEnd
                        ? SimdExtensions.LoadAt<TVector, T>(ref image, rowOffset + kx * p.DilationWidth * p.Channels)
                        : TVector.Zero;
                    sum = TVector.MultiplyAdd(x, TVector.Load(in weights), sum);
                    weights = ref Unsafe.Add(ref weights, p.Channels);
                }
            }
            SimdExtensions.StoreAt(sum, ref outputRow, ox * p.Channels + c);
            if (c == p.LastChannelBlock) break;
        }
    }
}
