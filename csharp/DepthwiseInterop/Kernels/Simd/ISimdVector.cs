using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>
/// The few vector operations the kernels need, over one vector width, so that one kernel source serves
/// 128-, 256- and 512-bit vectors. Implemented by thin wrappers of <c>Vector128/256/512&lt;T&gt;</c>
/// (<see cref="V128{T}"/>, <see cref="V256{T}"/>, <see cref="V512{T}"/>), which the compiler keeps in registers.
/// </summary>
internal interface ISimdVector<TSelf, T> where TSelf : unmanaged, ISimdVector<TSelf, T> where T : unmanaged
{
    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on vector hardware in this process (not a software fallback).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Load(ref readonly T source);

    static abstract void Store(TSelf value, ref T destination);

    /// <summary><c>a * b + c</c>, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
}

/// <summary>Loads from a ref plus an element offset; the kernels index with nint to stay in 64-bit math.</summary>
internal static class SimdExtensions
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LoadAt<TVector, T>(ref T origin, nint offset)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged =>
        TVector.Load(ref Unsafe.Add(ref origin, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreAt<TVector, T>(TVector value, ref T origin, nint offset)
        where TVector : unmanaged, ISimdVector<TVector, T> where T : unmanaged =>
        TVector.Store(value, ref Unsafe.Add(ref origin, offset));
}
