using System.Runtime.CompilerServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Row pairs (see DepthwiseNhwcKernel.RowPairs.cs) in blocks of four pixels × one channel vector, for every
/// multiplier on 128- and 256-bit vectors (16 registers): eight accumulators, three weights, the input vector and
/// what a multiplier's repeat needs (the vpermilps index of multiplier 4, see <see cref="ChannelRepeat"/>) leave
/// the JIT registers for its copies of the second row's weights. With six-pixel blocks it spilled accumulators
/// instead: in a side-by-side harness four pixels ran 56x56x72 m2 1.17x and 28x28x48 m4 1.3x faster (m4 had run
/// single rows), and multiplier 1 1.02-1.20x faster. Each input row of a block is
/// six columns, the first or last of which may lie in the padding. The same taps in the same order as every
/// other path, so pairing changes no bit. Software prefetching did not pay (same bits; 1 thread, 31 alternated rounds,
/// 56x56x144, 112x112x32, 28x28x192, 14x14x576): the next block's four new input columns into L1 (16 prefetches per
/// channel vector) 1.11-1.19x the time, the next pair's two new rows into L2 (8 per channel vector) 1.04-1.09x.
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Output pixels per row of a narrow pair's block.</summary>
    private const int NarrowPairPixels = 4;

    /// <summary>
    /// One block of <typeparamref name="TPixels"/> (four, or a row's last two or three) pixels of both rows, every
    /// channel vector; the arguments are those of <see cref="Pair3{TVector, T, TRepeat, TBounds, TPixels}"/>. Input row 0 feeds
    /// output row r only, rows 1 and 2 both, row 3 row r + 1; input column j feeds pixel j − kx with tap kx, columns
    /// in order, so every pixel count adds each output's taps in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Pair3Narrow<TVector, T, TRepeat, TBounds, TPixels>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, bool leftPadding, bool rightPadding,
        ref T zero, ref T filter, in Plan p, ref T y, nint nextRow)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TPixels : struct, ITileSize
    {
        nint column = p.Channels, c2 = 2 * column, lanes = Count<TVector, T>(), lastChannel = p.LastChannelBlock, filterRow = 3 * column;
        int pixels = TPixels.Value;
        for (nint c = 0; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, c / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default;
            TVector b0 = default, b1 = default, b2 = default, b3 = default;
            TVector w0, w1, w2, v;
            nint s;

            // Input row 0: filter row 0 into output row r. Input column j feeds pixel j - kx with tap kx.
            ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, 0, rowsBegin, rowsEnd, ref zero, step, out s);
            ref T left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
            ref T right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
            w0 = Load<TVector, T>(ref weights, 0); w1 = Load<TVector, T>(ref weights, column); w2 = Load<TVector, T>(ref weights, c2);
            a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref left, 0), w0, a0);
            v = TRepeat.Load<TVector, T>(ref x, 0); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
            v = TRepeat.Load<TVector, T>(ref x, 1 * s); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1);
            if (pixels > 2) a2 = MultiplyAdd<TVector, T>(v, w0, a2);
            v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 3), 0); a1 = MultiplyAdd<TVector, T>(v, w2, a1);
            if (pixels > 2) a2 = MultiplyAdd<TVector, T>(v, w1, a2);
            if (pixels > 3) a3 = MultiplyAdd<TVector, T>(v, w0, a3);
            if (pixels > 2)
            {
                v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 4), 0); a2 = MultiplyAdd<TVector, T>(v, w2, a2);
                if (pixels > 3) a3 = MultiplyAdd<TVector, T>(v, w1, a3);
            }
            if (pixels > 3) a3 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, a3);

            // Input rows 1 and 2: filter row i into output row r (weights in registers), filter row i - 1 into row r + 1.
            ref T wb = ref weights;
            for (nint i = 1; i <= 2; i++)
            {
                x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, i, rowsBegin, rowsEnd, ref zero, step, out s);
                left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
                right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
                ref T wa = ref Unsafe.Add(ref wb, filterRow);
                w0 = Load<TVector, T>(ref wa, 0); w1 = Load<TVector, T>(ref wa, column); w2 = Load<TVector, T>(ref wa, c2);
                v = TRepeat.Load<TVector, T>(ref left, 0);
                a0 = MultiplyAdd<TVector, T>(v, w0, a0);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b0);
                v = TRepeat.Load<TVector, T>(ref x, 0);
                a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b0); b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b1);
                v = TRepeat.Load<TVector, T>(ref x, 1 * s);
                a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1);
                if (pixels > 2) a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                b0 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b0); b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b1);
                if (pixels > 2) b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b2);
                v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 3), 0);
                a1 = MultiplyAdd<TVector, T>(v, w2, a1);
                if (pixels > 2) a2 = MultiplyAdd<TVector, T>(v, w1, a2);
                if (pixels > 3) a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                b1 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b1);
                if (pixels > 2) b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b2);
                if (pixels > 3) b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, 0), b3);
                if (pixels > 2)
                {
                    v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 4), 0);
                    a2 = MultiplyAdd<TVector, T>(v, w2, a2);
                    if (pixels > 3) a3 = MultiplyAdd<TVector, T>(v, w1, a3);
                    b2 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b2);
                    if (pixels > 3) b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, column), b3);
                }
                if (pixels > 3)
                {
                    v = TRepeat.Load<TVector, T>(ref right, 0);
                    a3 = MultiplyAdd<TVector, T>(v, w2, a3);
                    b3 = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref wb, c2), b3);
                }
                wb = ref wa;
            }

            // Input row 3: filter row 2 into output row r + 1.
            x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, 3, rowsBegin, rowsEnd, ref zero, step, out s);
            left = ref !TBounds.Inside && leftPadding ? ref zero : ref Unsafe.Subtract(ref x, s);
            right = ref !TBounds.Inside && rightPadding ? ref zero : ref Unsafe.Add(ref x, pixels * s);
            w0 = Load<TVector, T>(ref wb, 0); w1 = Load<TVector, T>(ref wb, column); w2 = Load<TVector, T>(ref wb, c2);
            b0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref left, 0), w0, b0);
            v = TRepeat.Load<TVector, T>(ref x, 0); b0 = MultiplyAdd<TVector, T>(v, w1, b0); b1 = MultiplyAdd<TVector, T>(v, w0, b1);
            v = TRepeat.Load<TVector, T>(ref x, 1 * s); b0 = MultiplyAdd<TVector, T>(v, w2, b0); b1 = MultiplyAdd<TVector, T>(v, w1, b1);
            if (pixels > 2) b2 = MultiplyAdd<TVector, T>(v, w0, b2);
            v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 3), 0); b1 = MultiplyAdd<TVector, T>(v, w2, b1);
            if (pixels > 2) b2 = MultiplyAdd<TVector, T>(v, w1, b2);
            if (pixels > 3) b3 = MultiplyAdd<TVector, T>(v, w0, b3);
            if (pixels > 2)
            {
                v = TRepeat.Load<TVector, T>(ref BlockColumn<T, TPixels>(ref x, ref right, s, 4), 0); b2 = MultiplyAdd<TVector, T>(v, w2, b2);
                if (pixels > 3) b3 = MultiplyAdd<TVector, T>(v, w1, b3);
            }
            if (pixels > 3) b3 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref right, 0), w2, b3);

            ref T ya = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref ya, 0); Store<TVector, T>(a1, ref ya, column);
            if (pixels > 2) Store<TVector, T>(a2, ref ya, c2);
            if (pixels > 3) Store<TVector, T>(a3, ref ya, 3 * column);
            ref T yb = ref Unsafe.Add(ref ya, nextRow);
            Store<TVector, T>(b0, ref yb, 0); Store<TVector, T>(b1, ref yb, column);
            if (pixels > 2) Store<TVector, T>(b2, ref yb, c2);
            if (pixels > 3) Store<TVector, T>(b3, ref yb, 3 * column);
            if (c == lastChannel) break;
        }
    }

    /// <summary>
    /// Input column <paramref name="j"/> (1-based past the left column) of a block of <typeparamref name="TPixels"/>
    /// pixels: an inner column, or the right one (which may be the zero vector) at j = pixels + 1. Folds per call site.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T BlockColumn<T, TPixels>(ref T x, ref T right, nint s, int j) where TPixels : struct, ITileSize =>
        ref j == TPixels.Value + 1 ? ref right : ref Unsafe.Add(ref x, (j - 1) * s);
}
