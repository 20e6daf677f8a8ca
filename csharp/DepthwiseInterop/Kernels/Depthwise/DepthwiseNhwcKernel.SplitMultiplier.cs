using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Multiplier 2, three-by-three filters at unit strides and dilations (the row pairs' geometry): vectors run over
/// input channels instead of output channels. A vector of L input channels is loaded once and feeds two
/// accumulators per pixel, one per multiplier, against weights de-interleaved once per call into
/// <c>[ky][kx][m][C]</c> (<see cref="SplitWeights{T}"/>); each pair of accumulators is interleaved into output
/// order at the store (<see cref="MultiplierInterleave"/>). Blocks are four pixels of one output row: eight
/// accumulators and the six weights of a filter row in registers (15 of 16), each of the six input columns of a
/// filter row loaded once for up to six multiply-adds, so no repeat shuffle sits among the multiply-adds. On 512-bit
/// vectors, rows of eight pixels or more run eight-pixel blocks (<see cref="WideSplitBlock"/>: sixteen accumulators in
/// the 32 registers): on Zen 5, multiplier 2 went from 0.73x to 0.94x multiplier 1's GFLOP/s at 1 thread and from 0.84x
/// to 0.92x at 2 (56x56x72 against 56x56x144, the benchmark's side-by-side rounds), 96 to 80 µs at 1 thread (C harness).
/// A last half vector of input channels or less (72 = 4.5 vectors of sixteen) runs on the repeating loads, one
/// accumulator a pixel instead of a split iteration's two (<see cref="WideRepeatTail"/>): 56x56x72 went from 0.89x to
/// 1.02-1.04x multiplier 1's GFLOP/s at 1 thread (C harness, 31 alternated rounds, twice).
/// A block's first or last input column may lie in the padding (zero vector), as in the row pairs. Each output
/// adds its nine taps in the reference's order from zero, so this path changes no bit.
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Output pixels of a split block.</summary>
    private const int SplitPixels = 4;

    /// <summary>Output pixels of a split block on 512-bit vectors (rows at least this wide): 32 registers hold its sixteen sums.</summary>
    private const int WideSplitPixels = 8;

    /// <summary>
    /// Problems of fewer output pixels stay on the row pairs: de-interleaving the weights costs about what the
    /// split blocks save on this many pixels (the weights are nine outputs' worth of elements, the work nine multiply-adds
    /// per output). Measured side by side (1 and 2 threads, median of 31 alternated rounds' ratios): 7x7x480 and
    /// 14x14x192 0.60-1.02, 15x15x32, 20x20x64 and 24x24x64 0.96-1.09, 28x28x96 and larger 1.02-1.14.
    /// </summary>
    private const long SplitMinimumPixels = 576;

    /// <summary>Whether multiplier 2 runs split: the row pairs' geometry, at least a vector of input channels, enough pixels.</summary>
    private static bool SplitsMultiplier<TRepeat>(in Plan p, nint lanes) where TRepeat : struct, IChannelRepeat =>
        TRepeat.Multiplier == 2 && PairsRows<TRepeat>(p) && p.InputChannels >= lanes && p.Pixels >= SplitMinimumPixels;

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
        return SplitsMultiplier<TRepeat>(p, Count<TVector, T>()) ? checked((int)SplitWeightElements(p)) : 0;
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
        nint pixels = Unsafe.SizeOf<TVector>() == 64 && width >= WideSplitPixels ? WideSplitPixels : SplitPixels;
        nint splitChannels = WideSplitChannels(p.InputChannels, Count<TVector, T>());
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
            if (pixels == WideSplitPixels)
            {
                if (interiorRows && !leftPadding && !rightPadding)
                {
                    WideSplitBlock<TVector, T, InsideImage>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, false, false, ref zero, ref split, p, splitChannels, ref yo);
                    if (splitChannels < p.InputChannels)
                        WideRepeatTail<TVector, T, InsideImage>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, false, false, ref zero, ref filter, p, ref yo);
                }
                else
                {
                    WideSplitBlock<TVector, T, MayReadPadding>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref split, p, splitChannels, ref yo);
                    if (splitChannels < p.InputChannels)
                        WideRepeatTail<TVector, T, MayReadPadding>(ref window, rowOffset, rowStep, rowsBegin, rowsEnd, leftPadding, rightPadding, ref zero, ref filter, p, ref yo);
                }
            }
            else if (interiorRows && !leftPadding && !rightPadding)
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

    /// <summary>
    /// Input channels the eight-pixel split blocks compute: all of them, unless the last vector would hold at most half a
    /// vector of new channels. Such a tail (56x56x72 has 4.5 vectors of sixteen) costs a whole split iteration, two
    /// accumulators a pixel, where its outputs fill one output vector: <see cref="WideRepeatTail"/> computes it with
    /// repeating loads instead, one accumulator a pixel.
    /// </summary>
    private static nint WideSplitChannels(nint channels, nint lanes)
    {
        nint tail = channels % lanes;
        return tail != 0 && 2 * tail <= lanes ? channels - tail : channels;
    }

    /// <summary>
    /// The last output vector of an eight-pixel block, output channels 2C - L .. 2C - 1 (input channels C - L / 2 ..
    /// C - 1, each loaded once per column and repeated in registers), against the filter as it is: the tail
    /// <see cref="WideSplitChannels"/> leaves out. Where it overlaps the split blocks' outputs it writes the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WideRepeatTail<TVector, T, TBounds>(ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T filter, in Plan p, ref T y)
        where TVector : unmanaged where T : unmanaged where TBounds : struct, IBlockBounds
    {
        nint channels = p.InputChannels, column = p.Channels, filterRow = 3 * column, lanes = Count<TVector, T>();
        nint firstOutput = column - lanes;
        ref T origin = ref Unsafe.Add(ref window, firstOutput / 2);
        ref T weights = ref Unsafe.Add(ref filter, firstOutput);
        TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (nint i = 0; i < 3; i++)
        {
            ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, i, rowsBegin, rowsEnd, ref zero, channels, out nint s);
            ref T left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
            ref T right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, 8 * s);
            TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, column), w2 = Load<TVector, T>(ref weights, 2 * column);
            TVector v = RepeatTwo.Load<TVector, T>(ref left, 0);
            a0 = MultiplyAdd<TVector, T>(v, w0, a0);
            v = RepeatTwo.Load<TVector, T>(ref x, 0);
            a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
            v = RepeatTwo.Load<TVector, T>(ref x, s);
            a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
            v = RepeatTwo.Load<TVector, T>(ref x, 2 * s);
            a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
            v = RepeatTwo.Load<TVector, T>(ref x, 3 * s);
            a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
            v = RepeatTwo.Load<TVector, T>(ref x, 4 * s);
            a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
            v = RepeatTwo.Load<TVector, T>(ref x, 5 * s);
            a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
            v = RepeatTwo.Load<TVector, T>(ref x, 6 * s);
            a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
            v = RepeatTwo.Load<TVector, T>(ref x, 7 * s);
            a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7);
            v = RepeatTwo.Load<TVector, T>(ref right, 0);
            a7 = MultiplyAdd<TVector, T>(v, w2, a7);
            weights = ref Unsafe.Add(ref weights, filterRow);
        }
        ref T yc = ref Unsafe.Add(ref y, firstOutput);
        Store<TVector, T>(a0, ref yc, 0); Store<TVector, T>(a1, ref yc, column); Store<TVector, T>(a2, ref yc, 2 * column); Store<TVector, T>(a3, ref yc, 3 * column);
        Store<TVector, T>(a4, ref yc, 4 * column); Store<TVector, T>(a5, ref yc, 5 * column); Store<TVector, T>(a6, ref yc, 6 * column); Store<TVector, T>(a7, ref yc, 7 * column);
    }

    /// <summary>
    /// <see cref="SplitBlock"/> over eight pixels, for 512-bit vectors: sixteen sums, six weights and an input column fill
    /// 23 of the 32 registers, and sixteen independent multiply-add chains where four pixels' eight left the multiply-adds
    /// waiting on each other; each input column is loaded once for up to six multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WideSplitBlock<TVector, T, TBounds>(ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T split, in Plan p, nint splitChannels, ref T y)
        where TVector : unmanaged where T : unmanaged where TBounds : struct, IBlockBounds
    {
        nint channels = p.InputChannels, tap = 2 * channels, filterRow = 3 * tap, column = p.Channels;
        nint lanes = Count<TVector, T>(), lastChannel = splitChannels - lanes;
        for (nint c = 0; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, c);
            ref T weights = ref Unsafe.Add(ref split, c);
            TVector e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default, e6 = default, e7 = default;
            TVector o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
            for (nint i = 0; i < 3; i++)
            {
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, i, rowsBegin, rowsEnd, ref zero, channels, out nint s);
                ref T left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
                ref T right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, 8 * s);
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
                e4 = MultiplyAdd<TVector, T>(v, we0, e4); o4 = MultiplyAdd<TVector, T>(v, wo0, o4);
                v = Load<TVector, T>(ref x, 4 * s);
                e3 = MultiplyAdd<TVector, T>(v, we2, e3); o3 = MultiplyAdd<TVector, T>(v, wo2, o3);
                e4 = MultiplyAdd<TVector, T>(v, we1, e4); o4 = MultiplyAdd<TVector, T>(v, wo1, o4);
                e5 = MultiplyAdd<TVector, T>(v, we0, e5); o5 = MultiplyAdd<TVector, T>(v, wo0, o5);
                v = Load<TVector, T>(ref x, 5 * s);
                e4 = MultiplyAdd<TVector, T>(v, we2, e4); o4 = MultiplyAdd<TVector, T>(v, wo2, o4);
                e5 = MultiplyAdd<TVector, T>(v, we1, e5); o5 = MultiplyAdd<TVector, T>(v, wo1, o5);
                e6 = MultiplyAdd<TVector, T>(v, we0, e6); o6 = MultiplyAdd<TVector, T>(v, wo0, o6);
                v = Load<TVector, T>(ref x, 6 * s);
                e5 = MultiplyAdd<TVector, T>(v, we2, e5); o5 = MultiplyAdd<TVector, T>(v, wo2, o5);
                e6 = MultiplyAdd<TVector, T>(v, we1, e6); o6 = MultiplyAdd<TVector, T>(v, wo1, o6);
                e7 = MultiplyAdd<TVector, T>(v, we0, e7); o7 = MultiplyAdd<TVector, T>(v, wo0, o7);
                v = Load<TVector, T>(ref x, 7 * s);
                e6 = MultiplyAdd<TVector, T>(v, we2, e6); o6 = MultiplyAdd<TVector, T>(v, wo2, o6);
                e7 = MultiplyAdd<TVector, T>(v, we1, e7); o7 = MultiplyAdd<TVector, T>(v, wo1, o7);
                v = Load<TVector, T>(ref right, 0);
                e7 = MultiplyAdd<TVector, T>(v, we2, e7); o7 = MultiplyAdd<TVector, T>(v, wo2, o7);
                weights = ref Unsafe.Add(ref weights, filterRow);
            }
            ref T yc = ref Unsafe.Add(ref y, 2 * c);
            MultiplierInterleave.Store<TVector, T>(e0, o0, ref yc, 0);
            MultiplierInterleave.Store<TVector, T>(e1, o1, ref yc, column);
            MultiplierInterleave.Store<TVector, T>(e2, o2, ref yc, 2 * column);
            MultiplierInterleave.Store<TVector, T>(e3, o3, ref yc, 3 * column);
            MultiplierInterleave.Store<TVector, T>(e4, o4, ref yc, 4 * column);
            MultiplierInterleave.Store<TVector, T>(e5, o5, ref yc, 5 * column);
            MultiplierInterleave.Store<TVector, T>(e6, o6, ref yc, 6 * column);
            MultiplierInterleave.Store<TVector, T>(e7, o7, ref yc, 7 * column);
            if (c == lastChannel) break;
        }
    }
}
