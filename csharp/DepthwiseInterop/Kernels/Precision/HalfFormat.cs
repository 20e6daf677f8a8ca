using System.Numerics;
using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// IEEE binary16 (<see cref="Half"/>) by integer and float arithmetic on vector lanes, since .NET 10 exposes no
/// half-precision conversion instruction (F16C arrives in .NET 11). Widening moves the exponent and mantissa
/// into float position and multiplies by 2^112, which rebiases normals and normalises subnormals in one exact
/// multiplication; infinity and NaN get the all-ones exponent. Narrowing is the method of Maratyszcza's FP16
/// library (used by PyTorch): scaling by 2^112 then 2^-110 makes overflow infinite, and adding a power of two
/// chosen from the exponent lets the FPU round the mantissa to 10 bits, ties to even, subnormals included.
/// A NaN keeps its sign and becomes the quiet NaN 0x7E00.
/// </summary>
internal readonly struct HalfFormat : IReducedPrecisionFormat, IWidenBits, INarrowBits
{
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) => SpanConversion.Widen<HalfFormat>(source, destination);

    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination) => SpanConversion.Narrow<HalfFormat>(source, destination);

    private const uint ShiftedInfinity = 0x7C00u << 13;   // a half's all-ones exponent, moved to float's place
    private const uint Rebias = (254u - 15u) << 23;        // 2^112 as float bits: 127 - 15 = 112
    private const uint ScaleToInfinity = (127u + 112u) << 23;  // 2^112
    private const uint ScaleToZero = (127u - 110u) << 23;      // 2^-110
    private const uint SmallestBias = 0x7100_0000;             // (2^-14 exponent + 1) << 1: the subnormal threshold

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Widen(Vector<uint> half)
    {
        var magnitude = (half & new Vector<uint>(0x7FFF)) << 13;
        var scaled = Vector.AsVectorUInt32(Vector.AsVectorSingle(magnitude) * Vector.AsVectorSingle(new Vector<uint>(Rebias)));
        var infinityOrNaN = Vector.AsVectorUInt32(Vector.GreaterThanOrEqual(Vector.AsVectorInt32(magnitude), new Vector<int>((int)ShiftedInfinity)));
        return scaled | (infinityOrNaN & new Vector<uint>(0x7F80_0000)) | ((half & new Vector<uint>(0x8000)) << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Narrow(Vector<uint> single)
    {
        var absolute = Vector.Abs(Vector.AsVectorSingle(single));
        var rounded = absolute * Vector.AsVectorSingle(new Vector<uint>(ScaleToInfinity)) * Vector.AsVectorSingle(new Vector<uint>(ScaleToZero));
        var doubled = single + single; // the sign shifted out
        var bias = Vector.Max(doubled & new Vector<uint>(0xFF00_0000), new Vector<uint>(SmallestBias));
        rounded += Vector.AsVectorSingle((bias >>> 1) + new Vector<uint>(0x0780_0000));
        var bits = Vector.AsVectorUInt32(rounded);
        var finite = ((bits >>> 13) & new Vector<uint>(0x7C00)) + (bits & new Vector<uint>(0x0FFF));
        var isNaN = Vector.AsVectorUInt32(Vector.GreaterThan(Vector.AsVectorInt32(single & new Vector<uint>(0x7FFF_FFFF)), new Vector<int>(0x7F80_0000)));
        return Vector.ConditionalSelect(isNaN, new Vector<uint>(0x7E00), finite) | ((single & new Vector<uint>(0x8000_0000)) >>> 16);
    }
}
