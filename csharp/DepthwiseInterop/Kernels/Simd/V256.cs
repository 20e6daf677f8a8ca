using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>A 256-bit vector of float or double for the generic kernels; see <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V256<T> : ISimdVector<V256<T>, T> where T : unmanaged
{
    private readonly Vector256<T> _value;

    private V256(Vector256<T> value) => _value = value;

    public static int Count => Vector256<T>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static V256<T> Zero => new(Vector256<T>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Load(ref readonly T source) => new(Vector256.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256<T> value, ref T destination) => value._value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> MultiplyAdd(V256<T> a, V256<T> b, V256<T> c)
    {
        if (typeof(T) == typeof(float))
            return new(Vector256.MultiplyAddEstimate(a._value.AsSingle(), b._value.AsSingle(), c._value.AsSingle()).As<float, T>());
        if (typeof(T) == typeof(double))
            return new(Vector256.MultiplyAddEstimate(a._value.AsDouble(), b._value.AsDouble(), c._value.AsDouble()).As<double, T>());
        return new(a._value * b._value + c._value);
    }
}
