using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>
/// The vector operations of the kernels over a raw <c>Vector128/256/512&lt;T&gt;</c> type argument
/// <c>TVector</c>, so that one kernel source serves every width (each size and type test folds away per
/// instantiation). Raw vectors rather than wrapper structs: with struct-wrapped accumulators the JIT (.NET 10)
/// compiles <c>acc = fma(x, w, acc)</c> to <c>vfmadd213ps</c> plus a <c>vmovaps</c> and spills accumulators
/// (a 4×3 conv2d tile ran at 40% of the FMA peak that way, against 95% with raw vectors).
/// </summary>
internal static class RawVector
{
    /// <summary>Lanes of <typeparamref name="TVector"/>.</summary>
    public static int Count<TVector, T>() where TVector : unmanaged where T : unmanaged => Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, T>(ref readonly T source) where TVector : unmanaged where T : unmanaged
    {
        if (Unsafe.SizeOf<TVector>() == 16) return Unsafe.BitCast<Vector128<T>, TVector>(Vector128.LoadUnsafe(in source));
        if (Unsafe.SizeOf<TVector>() == 32) return Unsafe.BitCast<Vector256<T>, TVector>(Vector256.LoadUnsafe(in source));
        return Unsafe.BitCast<Vector512<T>, TVector>(Vector512.LoadUnsafe(in source));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TVector, T>(TVector value, ref T destination) where TVector : unmanaged where T : unmanaged
    {
        if (Unsafe.SizeOf<TVector>() == 16) Unsafe.BitCast<TVector, Vector128<T>>(value).StoreUnsafe(ref destination);
        else if (Unsafe.SizeOf<TVector>() == 32) Unsafe.BitCast<TVector, Vector256<T>>(value).StoreUnsafe(ref destination);
        else Unsafe.BitCast<TVector, Vector512<T>>(value).StoreUnsafe(ref destination);
    }

    /// <summary>One scalar broadcast to every lane (a single <c>vbroadcastss ymm, [mem]</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Splat<TVector, T>(ref readonly T source) where TVector : unmanaged where T : unmanaged
    {
        if (Unsafe.SizeOf<TVector>() == 16) return Unsafe.BitCast<Vector128<T>, TVector>(Vector128.Create(source));
        if (Unsafe.SizeOf<TVector>() == 32) return Unsafe.BitCast<Vector256<T>, TVector>(Vector256.Create(source));
        return Unsafe.BitCast<Vector512<T>, TVector>(Vector512.Create(source));
    }

    /// <summary><c>a * b + c</c>, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector MultiplyAdd<TVector, T>(TVector a, TVector b, TVector c) where TVector : unmanaged where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (Unsafe.SizeOf<TVector>() == 16)
                return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.MultiplyAddEstimate(
                    Unsafe.BitCast<TVector, Vector128<float>>(a), Unsafe.BitCast<TVector, Vector128<float>>(b), Unsafe.BitCast<TVector, Vector128<float>>(c)));
            if (Unsafe.SizeOf<TVector>() == 32)
                return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.MultiplyAddEstimate(
                    Unsafe.BitCast<TVector, Vector256<float>>(a), Unsafe.BitCast<TVector, Vector256<float>>(b), Unsafe.BitCast<TVector, Vector256<float>>(c)));
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.MultiplyAddEstimate(
                Unsafe.BitCast<TVector, Vector512<float>>(a), Unsafe.BitCast<TVector, Vector512<float>>(b), Unsafe.BitCast<TVector, Vector512<float>>(c)));
        }
        if (typeof(T) == typeof(double))
        {
            if (Unsafe.SizeOf<TVector>() == 16)
                return Unsafe.BitCast<Vector128<double>, TVector>(Vector128.MultiplyAddEstimate(
                    Unsafe.BitCast<TVector, Vector128<double>>(a), Unsafe.BitCast<TVector, Vector128<double>>(b), Unsafe.BitCast<TVector, Vector128<double>>(c)));
            if (Unsafe.SizeOf<TVector>() == 32)
                return Unsafe.BitCast<Vector256<double>, TVector>(Vector256.MultiplyAddEstimate(
                    Unsafe.BitCast<TVector, Vector256<double>>(a), Unsafe.BitCast<TVector, Vector256<double>>(b), Unsafe.BitCast<TVector, Vector256<double>>(c)));
            return Unsafe.BitCast<Vector512<double>, TVector>(Vector512.MultiplyAddEstimate(
                Unsafe.BitCast<TVector, Vector512<double>>(a), Unsafe.BitCast<TVector, Vector512<double>>(b), Unsafe.BitCast<TVector, Vector512<double>>(c)));
        }
        throw new NotSupportedException();
    }

    /// <summary>
    /// The widest vector, in bytes, that tier <paramref name="isa"/> allows, that runs on vector hardware here and whose
    /// lanes of <typeparamref name="T"/> the kernel's <paramref name="elements"/> fill (output channels, say); 0 if none
    /// does. The kernels' dispatchers choose their width with it.
    /// </summary>
    public static int WidestVectorBytes<T>(VectorIsa isa, long elements) where T : unmanaged =>
        isa >= VectorIsa.Avx512 && elements >= Vector512<T>.Count && Vector512.IsHardwareAccelerated ? 64
        : isa >= VectorIsa.Avx2 && elements >= Vector256<T>.Count && Vector256.IsHardwareAccelerated ? 32
        : isa >= VectorIsa.Sse2 && elements >= Vector128<T>.Count && Vector128.IsHardwareAccelerated ? 16
        : 0;

    /// <summary>Whether <typeparamref name="TVector"/>'s width runs on vector hardware in this process.</summary>
    public static bool IsHardwareAccelerated<TVector>() where TVector : unmanaged =>
        Unsafe.SizeOf<TVector>() == 16 ? Vector128.IsHardwareAccelerated :
        Unsafe.SizeOf<TVector>() == 32 ? Vector256.IsHardwareAccelerated : Vector512.IsHardwareAccelerated;

    /// <summary>The vector at <paramref name="offset"/> elements past <paramref name="origin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, T>(ref T origin, nint offset) where TVector : unmanaged where T : unmanaged
    {
        if (Unsafe.SizeOf<TVector>() == 16) return Unsafe.BitCast<Vector128<T>, TVector>(Vector128.LoadUnsafe(ref origin, (nuint)offset));
        if (Unsafe.SizeOf<TVector>() == 32) return Unsafe.BitCast<Vector256<T>, TVector>(Vector256.LoadUnsafe(ref origin, (nuint)offset));
        return Unsafe.BitCast<Vector512<T>, TVector>(Vector512.LoadUnsafe(ref origin, (nuint)offset));
    }

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/> elements past <paramref name="origin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TVector, T>(TVector value, ref T origin, nint offset) where TVector : unmanaged where T : unmanaged
    {
        if (Unsafe.SizeOf<TVector>() == 16) Unsafe.BitCast<TVector, Vector128<T>>(value).StoreUnsafe(ref origin, (nuint)offset);
        else if (Unsafe.SizeOf<TVector>() == 32) Unsafe.BitCast<TVector, Vector256<T>>(value).StoreUnsafe(ref origin, (nuint)offset);
        else Unsafe.BitCast<TVector, Vector512<T>>(value).StoreUnsafe(ref origin, (nuint)offset);
    }
}
