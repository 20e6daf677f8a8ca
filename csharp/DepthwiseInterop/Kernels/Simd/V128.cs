using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>A 128-bit vector of float or double for the generic kernels; see <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V128<T> : ISimdVector<V128<T>, T> where T : unmanaged
{
    private readonly Vector128<T> _value;

    private V128(Vector128<T> value) => _value = value;

    public static int Count => Vector128<T>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static V128<T> Zero => new(Vector128<T>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Load(ref readonly T source) => new(Vector128.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V128<T> value, ref T destination) => value._value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> MultiplyAdd(V128<T> a, V128<T> b, V128<T> c)
    {
        if (typeof(T) == typeof(float))
            return new(Vector128.MultiplyAddEstimate(a._value.AsSingle(), b._value.AsSingle(), c._value.AsSingle()).As<float, T>());
        if (typeof(T) == typeof(double))
            return new(Vector128.MultiplyAddEstimate(a._value.AsDouble(), b._value.AsDouble(), c._value.AsDouble()).As<double, T>());
        return new(a._value * b._value + c._value);
    }
}
