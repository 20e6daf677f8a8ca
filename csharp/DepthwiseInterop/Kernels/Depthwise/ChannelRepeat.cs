using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// How the NHWC depthwise kernel loads a vector of input for a vector of output channels. With channel
/// multiplier M, output channel <c>c * M + m</c> reads input channel <c>c</c>, so a vector of L output
/// channels starting at <c>o</c> (a multiple of M) needs input channels <c>o / M .. o / M + L / M - 1</c>,
/// each repeated M times. The filter <c>[KH, KW, C, M]</c> is already in output-channel order, so repeating
/// the input lanes in registers lets the multiplier-1 kernel serve M = 2 and 4 without copying the input.
/// Each policy loads exactly L / M elements (never past the channel's end) and duplicates lanes with one
/// shuffle. The sources must be pinned (the loads take pointers).
/// </summary>
internal interface IChannelRepeat
{
    /// <summary>The channel multiplier M.</summary>
    static abstract int Multiplier { get; }

    /// <summary>Input channels <c>offset .. offset + L / M - 1</c> past <paramref name="origin"/>, each repeated M times.</summary>
    static abstract TVector Load<TVector, T>(ref T origin, nint offset) where TVector : unmanaged where T : unmanaged;
}

/// <summary>Multiplier 1: a plain vector load.</summary>
internal readonly struct RepeatNone : IChannelRepeat
{
    public static int Multiplier => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, T>(ref T origin, nint offset) where TVector : unmanaged where T : unmanaged =>
        Simd.RawVector.Load<TVector, T>(ref origin, offset);
}

/// <summary>Multiplier 2.</summary>
internal readonly struct RepeatTwo : IChannelRepeat
{
    public static int Multiplier => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, T>(ref T origin, nint offset) where TVector : unmanaged where T : unmanaged =>
        ChannelRepeat.Load<TVector, T>(ref Unsafe.Add(ref origin, offset), 2);
}

/// <summary>Multiplier 4.</summary>
internal readonly struct RepeatFour : IChannelRepeat
{
    public static int Multiplier => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, T>(ref T origin, nint offset) where TVector : unmanaged where T : unmanaged =>
        ChannelRepeat.Load<TVector, T>(ref Unsafe.Add(ref origin, offset), 4);
}

/// <summary>The repeating loads, per vector width and element type (every test folds away per instantiation).</summary>
internal static class ChannelRepeat
{
    /// <summary>Whether the repeating load serves multiplier <paramref name="multiplier"/> at <paramref name="lanes"/> lanes.</summary>
    public static bool Supports(long multiplier, int lanes) => multiplier is 2 or 4 && lanes % multiplier == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TVector Load<TVector, T>(ref T source, int m) where TVector : unmanaged where T : unmanaged
    {
        int lanes = Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>();
        if (lanes == m) return Simd.RawVector.Splat<TVector, T>(ref source);
        int bytes = Unsafe.SizeOf<TVector>() / m; // what to load: 8, 16 or 32 bytes
        if (typeof(T) == typeof(float))
        {
            if (Unsafe.SizeOf<TVector>() == 16 && Sse.IsSupported) // m == 2: [a b] -> [a a b b]
            {
                Vector128<float> v = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<double>(ref Unsafe.As<T, byte>(ref source))).AsSingle();
                return Unsafe.BitCast<Vector128<float>, TVector>(Sse.Shuffle(v, v, 0b01_01_00_00));
            }
            if (Unsafe.SizeOf<TVector>() == 32 && m == 2 && Avx2.IsSupported)
            {
                // [a b c d] -> [a 0 b 0 | c 0 d 0] (vpmovzxdq from memory) -> [a a b b | c c d d] (vmovsldup): no
                // index register, which the two-row kernel has none left for.
                Vector256<float> v = Avx2.ConvertToVector256Int64((uint*)Unsafe.AsPointer(ref source)).AsSingle();
                return Unsafe.BitCast<Vector256<float>, TVector>(Avx.DuplicateEvenIndexed(v));
            }
            if (Unsafe.SizeOf<TVector>() == 32 && Avx.IsSupported)
            {
                // A broadcast load (vbroadcastf128 or vbroadcastsd: load ports only) puts the needed elements in
                // both 128-bit lanes; an in-lane vpermilps picks them. Zen 3 runs in-lane shuffles on either
                // shuffle pipe, where the cross-lane vpermps of a plain load contended with the FMAs (multiplier
                // 2 ran at 79% of multiplier 1's GFLOP/s that way).
                // Pointers for vbroadcastf128 (Vector256.Create of a loaded Vector128 goes through the stack):
                // every source the kernel reads (the input, its window scratch, the zero vector) is pinned.
                Vector256<float> v = bytes == 16
                    ? Avx.BroadcastVector128ToVector256((float*)Unsafe.AsPointer(ref source))
                    : Vector256.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<T, byte>(ref source))).AsSingle();
                Vector256<int> index = m == 2 ? Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3) : Vector256.Create(0, 0, 0, 0, 1, 1, 1, 1);
                return Unsafe.BitCast<Vector256<float>, TVector>(Avx.PermuteVar(v, index));
            }
            if (Unsafe.SizeOf<TVector>() == 64 && Avx512F.IsSupported)
            {
                Vector512<float> v = bytes == 32
                    ? Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref source)).ToVector512Unsafe()
                    : Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref source)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<int> index = m == 2
                    ? Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)
                    : Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
                return Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.PermuteVar16x32(v, index));
            }
        }
        else if (typeof(T) == typeof(double))
        {
            if (Unsafe.SizeOf<TVector>() == 32 && Avx.IsSupported) // m == 2: [a b | a b] -> [a a | b b]
            {
                Vector256<double> v = Avx.BroadcastVector128ToVector256((double*)Unsafe.AsPointer(ref source));
                return Unsafe.BitCast<Vector256<double>, TVector>(Avx.Permute(v, 0b1100));
            }
            if (Unsafe.SizeOf<TVector>() == 64 && Avx512F.IsSupported)
            {
                Vector512<double> v = bytes == 32
                    ? Vector256.LoadUnsafe(ref Unsafe.As<T, double>(ref source)).ToVector512Unsafe()
                    : Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref source)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<long> index = m == 2 ? Vector512.Create(0L, 0, 1, 1, 2, 2, 3, 3) : Vector512.Create(0L, 0, 0, 0, 1, 1, 1, 1);
                return Unsafe.BitCast<Vector512<double>, TVector>(Avx512F.PermuteVar8x64(v, index));
            }
        }
        return Portable<TVector, T>(ref source, m);
    }

    /// <summary>Lane by lane through the stack: for widths without the permute in hardware (the 512-bit kernel in tests on AVX2 machines).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector Portable<TVector, T>(ref T source, int m) where TVector : unmanaged where T : unmanaged
    {
        int lanes = Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>();
        Span<T> lanesOut = stackalloc T[lanes];
        for (int i = 0; i < lanes; i++) lanesOut[i] = Unsafe.Add(ref source, i / m);
        return Simd.RawVector.Load<TVector, T>(ref lanesOut[0]);
    }
}
