using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Multiplier 2, three-by-three filters at unit strides and dilations (the row pairs' geometry), on 128- and 256-bit
/// vectors: vectors run over input channels instead of output channels. A vector of L input channels is loaded once
/// and feeds two accumulators per pixel, one per multiplier, against weights de-interleaved once per call into
/// <c>[ky][kx][m][C]</c> (<see cref="SplitWeights{T}"/>); each pair of accumulators is interleaved into output
/// order at the store (<see cref="MultiplierInterleave"/>). Blocks are four pixels of one output row: eight
/// accumulators and the six weights of a filter row in registers (15 of 16), each of the six input columns of a
/// filter row loaded once for up to six multiply-adds, so no repeat shuffle sits among the multiply-adds. A block's
/// first or last input column may lie in the padding (zero vector), as in the row pairs. Each output adds its nine
/// taps in the reference's order from zero, so this path changes no bit. On 512-bit vectors multiplier 2 runs on the
/// row pairs' six- and seven-pixel blocks with repeating loads instead (DepthwiseNhwcKernel.RowPairs.cs), which
/// measured faster on Zen 5 than eight-pixel split blocks of one row (C harness, 21 rounds, twice: 56x56x72 0.83-0.96x
/// the time at 1 thread, 0.69-0.80x at 2; 28x28x96 0.76x, 30x30x64 0.78-0.85x, 60x60x32 0.85x).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Output pixels of a split block.</summary>
    private const int SplitPixels = 4;

    /// <summary>
    /// Problems of fewer output pixels stay on the row pairs: de-interleaving the weights costs about what the
    /// split blocks save on this many pixels (the weights are nine outputs' worth of elements, the work nine multiply-adds
    /// per output). Measured side by side (1 and 2 threads, median of 31 alternated rounds' ratios): 7x7x480 and
    /// 14x14x192 0.60-1.02, 15x15x32, 20x20x64 and 24x24x64 0.96-1.09, 28x28x96 and larger 1.02-1.14.
    /// </summary>
    private const long SplitMinimumPixels = 576;

    /// <summary>Whether multiplier 2 runs split: below 512 bits, the row pairs' geometry, at least a vector of input channels, enough pixels.</summary>
    private static unsafe bool SplitsMultiplier<TVector, T, TRepeat>(in Plan p) where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat =>
        TRepeat.Multiplier == 2 && sizeof(TVector) < 64 && PairsRows<TRepeat>(p) && p.InputChannels >= Count<TVector, T>() && p.Pixels >= SplitMinimumPixels;

    /// <summary>Elements of the de-interleaved weights: nine taps × two multipliers × C.</summary>
    private static nint SplitWeightElements(in Plan p) => 9 * 2 * p.InputChannels;

    /// <summary>
    /// Elements of the de-interleaved weights the rows kernel reads for this problem, 0 if it reads none; a caller that
    /// runs the kernel on several ranges fills them once with <see cref="PrepareSplitWeights{TVector, T, TRepeat}"/>.
    /// </summary>
    public static int SplitWeightElements<TVector, T, TRepeat>(in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        var p = new Plan(g, Count<TVector, T>());
        return SplitsMultiplier<TVector, T, TRepeat>(p) ? checked((int)SplitWeightElements(p)) : 0;
    }

    /// <summary>Fills <paramref name="split"/> (<see cref="SplitWeightElements{TVector, T, TRepeat}"/> long) from the filter.</summary>
    public static void PrepareSplitWeights<TVector, T, TRepeat>(ReadOnlySpan<T> filter, in ConvolutionGeometry g, Span<T> split)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        var p = new Plan(g, Count<TVector, T>());
        if (split.Length < SplitWeightElements(p) || filter.Length < SplitWeightElements(p)) throw new ArgumentException("spans too short for the split weights");
        SplitWeights(ref MemoryMarshal.GetReference(filter), p, ref MemoryMarshal.GetReference(split));
    }

    /// <summary>Filter <c>[3, 3, C, 2]</c> as <c>[3, 3, 2, C]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitWeights<T>(ref T filter, in Plan p, ref T split)
    {
        nint channels = p.InputChannels;
        for (nint tap = 0; tap < 9; tap++)
        for (nint m = 0; m < 2; m++)
        for (nint c = 0; c < channels; c++)
            Unsafe.Add(ref split, (2 * tap + m) * channels + c) = Unsafe.Add(ref filter, tap * 2 * channels + 2 * c + m);
    }

    /// <summary>Output row <paramref name="row"/> of the flattened (batch, output row) space on split blocks, written from <paramref name="y"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitRow<TVector, T, TRepeat>(ref T input, ref T filter, ref T split, ref T y, in Plan p, nint row, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint batch = row / p.OutputHeight, topRow = row % p.OutputHeight - p.PadTop;
        nint rowsBegin = Math.Clamp(-topRow, 0, 3), rowsEnd = Math.Clamp(p.Height - topRow, rowsBegin, 3);
        ref T image = ref Unsafe.Add(ref input, batch * p.Height * p.Width * p.InputChannels);
        nint width = p.OutputWidth, rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.Width * p.InputChannels;
        bool interiorRows = rowsBegin == 0 && rowsEnd == 3;
        nint pixels = SplitPixels;
        for (nint ox = 0; ox < width; ox += pixels)
        {
            if (ox > width - pixels)
            {
                if (width - ox == 1)
                {
                    EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref y, ox * p.Channels));
                    break;
                }
                ox = width - pixels;
            }
            nint second = ox - p.PadLeft + 1;
            bool leftPadding = second == 0, rightPadding = second + pixels == p.Width;
            ref T window = ref Unsafe.Add(ref image, second * p.InputChannels);
            ref T yo = ref Unsafe.Add(ref y, ox * p.Channels);
            if (interiorRows && !leftPadding && !rightPadding)
                SplitBlock<TVector, T, InsideImage>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, false, false, ref zero, ref split, p, ref yo);
            else
                SplitBlock<TVector, T, MayReadPadding>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref split, p, ref yo);
        }
    }

    /// <summary>
    /// One block, every input channel vector: filter row i reads the block's second input column at
    /// window + rowOffset + i * rowStep (or the zero vector outside rows [rowsBegin, rowsEnd)), columns C apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SplitBlock<TVector, T, TBounds>(ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T split, in Plan p, ref T y)
        where TVector : unmanaged where T : unmanaged where TBounds : struct, IBlockBounds
    {
        nint channels = p.InputChannels, tap = 2 * channels, filterRow = 3 * tap, column = p.Channels;
        nint lanes = Count<TVector, T>(), lastChannel = channels - lanes;
        for (nint c = 0; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, c);
            ref T weights = ref Unsafe.Add(ref split, c);
            TVector e0 = default, e1 = default, e2 = default, e3 = default;
            TVector o0 = default, o1 = default, o2 = default, o3 = default;
            for (nint i = 0; i < 3; i++)
            {
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, i, rowsBegin, rowsEnd, ref zero, channels, out nint s);
                ref T left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
                ref T right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, 4 * s);
                TVector we0 = Load<TVector, T>(ref weights, 0), wo0 = Load<TVector, T>(ref weights, channels);
                TVector we1 = Load<TVector, T>(ref weights, tap), wo1 = Load<TVector, T>(ref weights, tap + channels);
                TVector we2 = Load<TVector, T>(ref weights, 2 * tap), wo2 = Load<TVector, T>(ref weights, 2 * tap + channels);
                TVector v = Load<TVector, T>(ref left, 0);
                e0 = MultiplyAdd<TVector, T>(v, we0, e0); o0 = MultiplyAdd<TVector, T>(v, wo0, o0);
                v = Load<TVector, T>(ref x, 0);
                e0 = MultiplyAdd<TVector, T>(v, we1, e0); o0 = MultiplyAdd<TVector, T>(v, wo1, o0);
                e1 = MultiplyAdd<TVector, T>(v, we0, e1); o1 = MultiplyAdd<TVector, T>(v, wo0, o1);
                v = Load<TVector, T>(ref x, s);
                e0 = MultiplyAdd<TVector, T>(v, we2, e0); o0 = MultiplyAdd<TVector, T>(v, wo2, o0);
                e1 = MultiplyAdd<TVector, T>(v, we1, e1); o1 = MultiplyAdd<TVector, T>(v, wo1, o1);
                e2 = MultiplyAdd<TVector, T>(v, we0, e2); o2 = MultiplyAdd<TVector, T>(v, wo0, o2);
                v = Load<TVector, T>(ref x, 2 * s);
                e1 = MultiplyAdd<TVector, T>(v, we2, e1); o1 = MultiplyAdd<TVector, T>(v, wo2, o1);
                e2 = MultiplyAdd<TVector, T>(v, we1, e2); o2 = MultiplyAdd<TVector, T>(v, wo1, o2);
                e3 = MultiplyAdd<TVector, T>(v, we0, e3); o3 = MultiplyAdd<TVector, T>(v, wo0, o3);
                v = Load<TVector, T>(ref x, 3 * s);
                e2 = MultiplyAdd<TVector, T>(v, we2, e2); o2 = MultiplyAdd<TVector, T>(v, wo2, o2);
                e3 = MultiplyAdd<TVector, T>(v, we1, e3); o3 = MultiplyAdd<TVector, T>(v, wo1, o3);
                v = Load<TVector, T>(ref right, 0);
                e3 = MultiplyAdd<TVector, T>(v, we2, e3); o3 = MultiplyAdd<TVector, T>(v, wo2, o3);
                weights = ref Unsafe.Add(ref weights, filterRow);
            }
            ref T yc = ref Unsafe.Add(ref y, 2 * c);
            MultiplierInterleave.Store<TVector, T>(e0, o0, ref yc, 0);
            MultiplierInterleave.Store<TVector, T>(e1, o1, ref yc, column);
            MultiplierInterleave.Store<TVector, T>(e2, o2, ref yc, 2 * column);
            MultiplierInterleave.Store<TVector, T>(e3, o3, ref yc, 3 * column);
            if (c == lastChannel) break;
        }
    }
}
