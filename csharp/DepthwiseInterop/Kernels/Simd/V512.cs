using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>A 512-bit vector of float or double for the generic kernels; see <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V512<T> : ISimdVector<V512<T>, T> where T : unmanaged
{
    private readonly Vector512<T> _value;

    private V512(Vector512<T> value) => _value = value;

    public static int Count => Vector512<T>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static V512<T> Zero => new(Vector512<T>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Load(ref readonly T source) => new(Vector512.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512<T> value, ref T destination) => value._value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> MultiplyAdd(V512<T> a, V512<T> b, V512<T> c)
    {
        if (typeof(T) == typeof(float))
            return new(Vector512.MultiplyAddEstimate(a._value.AsSingle(), b._value.AsSingle(), c._value.AsSingle()).As<float, T>());
        if (typeof(T) == typeof(double))
            return new(Vector512.MultiplyAddEstimate(a._value.AsDouble(), b._value.AsDouble(), c._value.AsDouble()).As<double, T>());
        return new(a._value * b._value + c._value);
    }
}
