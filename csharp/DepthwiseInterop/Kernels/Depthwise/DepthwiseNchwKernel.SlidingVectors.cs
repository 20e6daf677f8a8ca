using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The loads, shifts and stores of the 512-bit in-place tiles (DepthwiseNchwKernel.Stride1Sliding.cs,
/// Stride1SlidingNarrow.cs, Stride2Sliding.cs, Stride1FiveByFiveNarrow.cs, FlatPlanes.cs): sixteen columns of a row
/// as float32 (a plain load where they all lie in the image, else masked to it; bfloat16 rows widened), a row's
/// outputs stored whole or in part (bfloat16 rounded once), the masks of columns in the image and of a row's last
/// outputs, and <c>valignd</c> of two vectors.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Input row <paramref name="i"/> of the group starting at output row <paramref name="r"/>, or the zero row over the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe TElement* RowOrZero<TElement>(in WideBand<TElement> b, TElement* image, nint r, nint i) where TElement : unmanaged
    {
        nint iy = r - b.PadTop + i;
        return (nuint)iy < (nuint)b.Height ? image + iy * b.Width : b.Zero;
    }

    /// <summary>
    /// Columns [at, at + 16) of a row as float32: the lanes of <paramref name="mask"/> loaded, zeros elsewhere, no memory
    /// touched there (bfloat16 rows widened: their bits in the upper half of each lane).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> MaskedRow<TElement>(TElement* row, nint at, Vector512<float> mask) where TElement : unmanaged =>
        typeof(TElement) == typeof(float)
            ? Avx512F.MaskLoad((float*)(row + at), mask, Vector512<float>.Zero)
            : WidenBFloat16(Avx512BW.VL.MaskLoad((ushort*)(row + at), Avx512F.ConvertToVector256UInt16(mask.AsUInt32()), Vector256<ushort>.Zero));

    /// <summary>Sixteen bfloat16 values as float32: each one's bits in the upper half of a lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WidenBFloat16(Vector256<ushort> bits) =>
        Avx512BW.PermuteVar32x16x2(bits.ToVector512Unsafe(), BFloat16IntoUpperHalves, Vector512<ushort>.Zero).AsSingle();

    /// <summary>
    /// <c>vpermt2w</c> indices that put word i of the first source in the upper half of lane i and a zero word (the
    /// second source's) in the lower: one permute where <c>vpmovzxwd</c> and a shift were two operations (bfloat16 NCHW
    /// 3x3 at 1 thread, bfloat16 ÷ float32 side by side, C harness: 56x56x144 1.20-1.23 against 1.25-1.30, 28x28x192 1.30
    /// against 1.38).
    /// </summary>
    private static Vector512<ushort> BFloat16IntoUpperHalves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((ushort)32, 0, 32, 1, 32, 2, 32, 3, 32, 4, 32, 5, 32, 6, 32, 7, 32, 8, 32, 9, 32, 10, 32, 11, 32, 12, 32, 13, 32, 14, 32, 15);
    }

    /// <summary>Columns [at, at + 16) of a row: plain where they all lie in the image, else masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> NextColumns<TElement>(TElement* row, nint at, Vector512<float> mask, bool inside) where TElement : unmanaged =>
        !inside ? MaskedRow(row, at, mask)
        : typeof(TElement) == typeof(float) ? Vector512.Load((float*)(row + at)) : WidenBFloat16(Vector256.Load((ushort*)(row + at)));

    /// <summary>A 3x3 plane's nine weights (taps <paramref name="t"/> apart from <paramref name="w"/>), each in every lane, filter row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BroadcastWeights(float* w, nint t, out Vector512<float> w00, out Vector512<float> w01, out Vector512<float> w02,
        out Vector512<float> w10, out Vector512<float> w11, out Vector512<float> w12, out Vector512<float> w20, out Vector512<float> w21, out Vector512<float> w22)
    {
        w00 = Vector512.Create(w[0]); w01 = Vector512.Create(w[t]); w02 = Vector512.Create(w[2 * t]);
        w10 = Vector512.Create(w[3 * t]); w11 = Vector512.Create(w[4 * t]); w12 = Vector512.Create(w[5 * t]);
        w20 = Vector512.Create(w[6 * t]); w21 = Vector512.Create(w[7 * t]); w22 = Vector512.Create(w[8 * t]);
    }

    /// <summary>The lanes whose columns from <paramref name="at"/> lie in <c>[0, width)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnsInImage(nint at, nint width)
    {
        Vector512<int> columns = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create((int)at);
        return (Vector512.GreaterThanOrEqual(columns, Vector512<int>.Zero) & Vector512.LessThan(columns, Vector512.Create((int)width))).AsSingle();
    }

    /// <summary>The first <paramref name="count"/> lanes (all sixteen from 16 on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnsBelow(nint count) =>
        Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((int)Math.Min(count, 16))).AsSingle();

    /// <summary>The sixteen columns <paramref name="columns"/> on from the carried vector's first: <c>valignd</c> of it and the next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Shift(Vector512<float> next, Vector512<float> carried, [ConstantExpected(Min = 1, Max = 4)] byte columns) =>
        Avx512F.AlignRight32(next.AsInt32(), carried.AsInt32(), columns).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma512(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    /// <summary>
    /// A row's sixteen outputs, or only its <paramref name="stored"/> lanes at the end of a row not a multiple of sixteen
    /// wide; bfloat16 outputs rounded once, to nearest even.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreOutputRow<TElement>(Vector512<float> value, TElement* at, bool whole, Vector512<float> stored) where TElement : unmanaged
    {
        if (typeof(TElement) == typeof(float))
        {
            if (whole) value.Store((float*)at);
            else Avx512F.MaskStore((float*)at, stored, value);
        }
        else
        {
            Vector256<ushort> bits = BFloat16Lanes.Narrow(value);
            if (whole) bits.Store((ushort*)at);
            else Avx512BW.VL.MaskStore((ushort*)at, Avx512F.ConvertToVector256UInt16(stored.AsUInt32()), bits);
        }
    }
}
