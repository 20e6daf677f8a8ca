using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Multiplier 2's outputs back in output-channel order: a kernel that keeps output channels <c>2c</c> and
/// <c>2c + 1</c> of input channels <c>c .. c + L − 1</c> in two vectors (<c>even</c>, <c>odd</c>) stores them as
/// the two vectors <c>[e0 o0 e1 o1 ...]</c>. Two unpacks, and at 256 bits two 128-bit lane permutes; one
/// two-source permute per vector at 512 bits.
/// </summary>
internal static class MultiplierInterleave
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TVector, T>(TVector even, TVector odd, ref T destination, nint offset) where TVector : unmanaged where T : unmanaged
    {
        ref T target = ref Unsafe.Add(ref destination, offset);
        nint lanes = Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>();
        if (typeof(T) == typeof(float))
        {
            if (Unsafe.SizeOf<TVector>() == 16 && Sse.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector128<float>>(even), Unsafe.BitCast<TVector, Vector128<float>>(odd));
                Sse.UnpackLow(e, o).StoreUnsafe(ref Unsafe.As<T, float>(ref target));
                Sse.UnpackHigh(e, o).StoreUnsafe(ref Unsafe.As<T, float>(ref target), (nuint)lanes);
                return;
            }
            if (Unsafe.SizeOf<TVector>() == 32 && Avx.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector256<float>>(even), Unsafe.BitCast<TVector, Vector256<float>>(odd));
                Vector256<float> low = Avx.UnpackLow(e, o), high = Avx.UnpackHigh(e, o); // [0 1 2 3 | 8 9 10 11], [4 5 6 7 | 12 13 14 15]
                Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref Unsafe.As<T, float>(ref target));
                Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref Unsafe.As<T, float>(ref target), (nuint)lanes);
                return;
            }
            if (Unsafe.SizeOf<TVector>() == 64 && Avx512F.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector512<float>>(even), Unsafe.BitCast<TVector, Vector512<float>>(odd));
                Vector512<int> first = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                Avx512F.PermuteVar16x32x2(e, first, o).StoreUnsafe(ref Unsafe.As<T, float>(ref target));
                Avx512F.PermuteVar16x32x2(e, first + Vector512.Create(8), o).StoreUnsafe(ref Unsafe.As<T, float>(ref target), (nuint)lanes);
                return;
            }
        }
        else if (typeof(T) == typeof(double))
        {
            if (Unsafe.SizeOf<TVector>() == 16 && Sse2.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector128<double>>(even), Unsafe.BitCast<TVector, Vector128<double>>(odd));
                Sse2.UnpackLow(e, o).StoreUnsafe(ref Unsafe.As<T, double>(ref target));
                Sse2.UnpackHigh(e, o).StoreUnsafe(ref Unsafe.As<T, double>(ref target), (nuint)lanes);
                return;
            }
            if (Unsafe.SizeOf<TVector>() == 32 && Avx.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector256<double>>(even), Unsafe.BitCast<TVector, Vector256<double>>(odd));
                Vector256<double> low = Avx.UnpackLow(e, o), high = Avx.UnpackHigh(e, o); // [0 1 | 4 5], [2 3 | 6 7]
                Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref Unsafe.As<T, double>(ref target));
                Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref Unsafe.As<T, double>(ref target), (nuint)lanes);
                return;
            }
            if (Unsafe.SizeOf<TVector>() == 64 && Avx512F.IsSupported)
            {
                var (e, o) = (Unsafe.BitCast<TVector, Vector512<double>>(even), Unsafe.BitCast<TVector, Vector512<double>>(odd));
                Vector512<long> first = Vector512.Create(0L, 8, 1, 9, 2, 10, 3, 11);
                Avx512F.PermuteVar8x64x2(e, first, o).StoreUnsafe(ref Unsafe.As<T, double>(ref target));
                Avx512F.PermuteVar8x64x2(e, first + Vector512.Create(4L), o).StoreUnsafe(ref Unsafe.As<T, double>(ref target), (nuint)lanes);
                return;
            }
        }
        Portable(even, odd, ref target);
    }

    /// <summary>Lane by lane: for widths without the shuffles in hardware (the 512-bit kernel in tests on AVX2 machines).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Portable<TVector, T>(TVector even, TVector odd, ref T target) where TVector : unmanaged where T : unmanaged
    {
        int lanes = Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>();
        for (int i = 0; i < lanes; i++)
        {
            Unsafe.Add(ref target, 2 * i) = Unsafe.Add(ref Unsafe.As<TVector, T>(ref even), i);
            Unsafe.Add(ref target, 2 * i + 1) = Unsafe.Add(ref Unsafe.As<TVector, T>(ref odd), i);
        }
    }
}
