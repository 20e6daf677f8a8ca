using System.Numerics;
using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 (<see cref="BFloat16"/>): widening is a 16-bit shift; narrowing adds 0x7FFF plus the lowest kept
/// bit (round to nearest, ties to even) and keeps the top half, except for NaN, which keeps its top bits with
/// the quiet bit set (rounding would carry a NaN's payload into the exponent). Same rule as
/// <see cref="BFloat16.RoundFromSingleBits"/>.
/// </summary>
internal readonly struct BFloat16Format : IReducedPrecisionFormat, IWidenBits, INarrowBits
{
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) => SpanConversion.Widen<BFloat16Format>(source, destination);

    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination) => SpanConversion.Narrow<BFloat16Format>(source, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Widen(Vector<uint> bits) => bits << 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Narrow(Vector<uint> single)
    {
        var rounded = (single + new Vector<uint>(0x7FFF) + ((single >>> 16) & Vector<uint>.One)) >>> 16;
        var isNaN = Vector.GreaterThan(Vector.AsVectorInt32(single & new Vector<uint>(0x7FFF_FFFF)), new Vector<int>(0x7F80_0000));
        return Vector.ConditionalSelect(Vector.AsVectorUInt32(isNaN), (single >>> 16) | new Vector<uint>(0x0040), rounded);
    }
}
