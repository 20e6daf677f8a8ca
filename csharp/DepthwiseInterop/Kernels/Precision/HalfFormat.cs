using System.Numerics;
using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// IEEE binary16 (<see cref="Half"/>) by integer arithmetic on vector lanes, since .NET exposes no
/// half-precision conversion instruction. Widening rebiases the exponent and renormalises subnormals with
/// one float subtraction; narrowing rounds normals by adding 0xFFF plus the lowest kept bit (ties to even),
/// lets the FPU round subnormals by adding 0.5 (whose ulp is the half subnormal step 2^-24), and sends
/// overflow to infinity. A NaN keeps its sign and top payload bits and is made quiet.
/// </summary>
internal readonly struct HalfFormat : IReducedPrecisionFormat, IWidenBits, INarrowBits
{
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) => SpanConversion.Widen<HalfFormat>(source, destination);

    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination) => SpanConversion.Narrow<HalfFormat>(source, destination);

    private const uint ShiftedExponent = 0x7C00u << 13;       // a half's exponent field, moved to float's place
    private const uint ExponentRebias = (127u - 15u) << 23;
    private const uint SmallestNormalHalf = 113u << 23;        // 2^-14 as float bits
    private const uint HalfOverflow = (127u + 16u) << 23;      // 2^16: at or above it, infinity (or NaN)
    private const uint SubnormalRounder = 126u << 23;          // 0.5f: its ulp is 2^-24

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Widen(Vector<uint> half)
    {
        var magnitude = (half & new Vector<uint>(0x7FFF)) << 13;
        var exponent = magnitude & new Vector<uint>(ShiftedExponent);
        var single = magnitude + new Vector<uint>(ExponentRebias);
        // Infinity and NaN: rebias once more so the exponent field becomes all ones.
        single += Vector.Equals(exponent, new Vector<uint>(ShiftedExponent)) & new Vector<uint>(ExponentRebias);
        // Zero and subnormals: read as 1.m × 2^-14, then subtract the implicit 2^-14.
        var renormalised = Vector.AsVectorUInt32(Vector.AsVectorSingle(single + new Vector<uint>(1u << 23))
            - Vector.AsVectorSingle(new Vector<uint>(SmallestNormalHalf)));
        single = Vector.ConditionalSelect(Vector.Equals(exponent, Vector<uint>.Zero), renormalised, single);
        return single | ((half & new Vector<uint>(0x8000)) << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Narrow(Vector<uint> single)
    {
        var sign = single & new Vector<uint>(0x8000_0000);
        // Magnitudes stay below 2^31, so the signed comparisons below are exact (AVX2 has no unsigned ones).
        var magnitude = Vector.AsVectorInt32(single ^ sign);

        var subnormal = Vector.AsVectorUInt32(Vector.AsVectorSingle(magnitude) + Vector.AsVectorSingle(new Vector<uint>(SubnormalRounder)))
            - new Vector<uint>(SubnormalRounder);
        var mantissaOdd = Vector.AsVectorUInt32(magnitude >>> 13) & Vector<uint>.One;
        var normal = (Vector.AsVectorUInt32(magnitude) + new Vector<uint>(unchecked((uint)((15 - 127) << 23) + 0xFFF)) + mantissaOdd) >>> 13;
        var isNaN = Vector.AsVectorUInt32(Vector.GreaterThan(magnitude, new Vector<int>(0x7F80_0000)));
        var overflow = Vector.ConditionalSelect(isNaN,
            new Vector<uint>(0x7E00) | (Vector.AsVectorUInt32(magnitude >>> 13) & new Vector<uint>(0x03FF)),
            new Vector<uint>(0x7C00));

        var result = Vector.ConditionalSelect(Vector.AsVectorUInt32(Vector.LessThan(magnitude, new Vector<int>((int)SmallestNormalHalf))), subnormal, normal);
        result = Vector.ConditionalSelect(Vector.AsVectorUInt32(Vector.GreaterThanOrEqual(magnitude, new Vector<int>((int)HalfOverflow))), overflow, result);
        return result | (sign >>> 16);
    }
}
