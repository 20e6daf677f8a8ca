using System.Runtime.CompilerServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Five-wide filters at column stride 2 (MobileNetV3's and EfficientNet's downsampling 5x5 layers): blocks of
/// eight output pixels × one channel vector read nineteen input columns per filter row, each once, against the
/// filter row's five weights held in registers (eight accumulators + five weights + one input: fourteen of the
/// sixteen registers below 512 bits); an input column feeds the two or three pixels whose windows hold it, so a
/// filter row costs 19 input and 5 weight loads per 40 FMAs, where the general loop (<see cref="General{TVector, T, TRepeat, TBounds, TColumns}"/>)
/// loads an input per pixel and tap and a weight per tap, 45 per 40. Each accumulator takes its taps in the
/// reference's order (filter row, then column), so the bits are the general loop's.
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Sliding5Stride2<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
        ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column), w3 = Load<TVector, T>(ref weights, 3 * column), w4 = Load<TVector, T>(ref weights, 4 * column);
                weights = ref Unsafe.Add(ref weights, 5 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets), w1, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w3, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w4, a0); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w3, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w4, a1); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w3, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w4, a2); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w3, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 10, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w4, a3); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 11, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w3, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 12, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w4, a4); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 13, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w3, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 14, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w4, a5); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 15, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w3, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 16, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w4, a6); a7 = MultiplyAdd<TVector, T>(v, w2, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 17, s, ref origin, ref offsets), w3, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 18, s, ref origin, ref offsets), w4, a7);
            }
            StoreBlock<TVector, T>(ref Unsafe.Add(ref y, c), column, pixels, a0, a1, a2, a3, a4, a5, a6, a7);
            if (c == lastChannel) break;
        }
    }
}
