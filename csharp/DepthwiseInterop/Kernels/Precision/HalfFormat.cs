using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// IEEE binary16 (<see cref="Half"/>) by integer and float arithmetic on vector lanes, since .NET 10 exposes no
/// half-precision conversion instruction (F16C arrives in .NET 11). Widening moves the sign, exponent and mantissa
/// into float position and multiplies by 2^112, which rebiases normals and normalises subnormals in one exact
/// multiplication; infinity and NaN get the all-ones exponent. Narrowing is the method of Maratyszcza's FP16
/// library (used by PyTorch): scaling by 2^112 then 2^-110 makes overflow infinite, and adding a power of two
/// chosen from the exponent lets the FPU round the mantissa to 10 bits, ties to even, subnormals included.
/// A NaN keeps its sign and becomes the quiet NaN 0x7E00.
/// </summary>
internal readonly partial struct HalfFormat : IReducedPrecisionFormat, IWidenBits, INarrowBits
{
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) => SpanConversion.Widen<HalfFormat>(source, destination);

    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination) => SpanConversion.Narrow<HalfFormat>(source, destination);

    private const uint Rebias = (254u - 15u) << 23;        // 2^112 as float bits: 127 - 15 = 112
    private const uint ScaleToInfinity = (127u + 112u) << 23;  // 2^112
    private const uint ScaleToZero = (127u - 110u) << 23;      // 2^-110
    private const uint SmallestBias = 0x7100_0000;             // (2^-14 exponent + 1) << 1: the subnormal threshold
    private const uint NaNStandIn = 0x8F80_0200;               // exponent bits 23..27 all ones (0x7C00), mantissa 0x200

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Widen(Vector<uint> half)
    {
        // The sign rides through the multiplication: the half's sign is in bit 31 already, and an arithmetic
        // shift puts its exponent and mantissa at float's bits 13..27 (the mask clears the sign's copies in between).
        var shifted = Vector.AsVectorInt32(half);
        var signed = Vector.AsVectorSingle((shifted >> 3) & new Vector<int>(unchecked((int)0x8FFF_E000)));
        var scaled = Vector.AsVectorUInt32(signed * Vector.AsVectorSingle(new Vector<uint>(Rebias)));
        var infinityOrNaN = Vector.GreaterThan(shifted & new Vector<int>(0x7FFF_0000), new Vector<int>(0x7BFF_FFFF));
        return scaled | (Vector.AsVectorUInt32(infinityOrNaN) & new Vector<uint>(0x7F80_0000));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<ushort> Narrow(Vector<uint> low, Vector<uint> high)
    {
        if (Vector<byte>.Count == 32 && Avx2.IsSupported)
        {
            // The signs join after packing: a signed saturating pack of the float bits gives 0x8000 or more for
            // every negative value (NaNs with high mantissa bits included) and at most 0x7FFF for every positive
            // one, so one mask per 16 values keeps just the sign (3 operations instead of 6).
            var magnitudes = Avx2.PackUnsignedSaturate(NarrowMagnitude(low).AsVector256().AsInt32(), NarrowMagnitude(high).AsVector256().AsInt32());
            var signs = Avx2.PackSignedSaturate(low.AsVector256().AsInt32(), high.AsVector256().AsInt32()).AsUInt16() & Vector256.Create((ushort)0x8000);
            return Avx2.Permute4x64((magnitudes | signs).AsUInt64(), 0b11_01_10_00).AsUInt16().AsVector();
        }
        return SpanConversion.PackLowHalves(NarrowMagnitude(low) | ((low & new Vector<uint>(0x8000_0000)) >>> 16),
            NarrowMagnitude(high) | ((high & new Vector<uint>(0x8000_0000)) >>> 16));
    }

    /// <summary>The half's bits without the sign, in the low half of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> NarrowMagnitude(Vector<uint> single)
    {
        var absolute = single & new Vector<uint>(0x7FFF_FFFF);
        var rounded = Vector.AsVectorSingle(absolute) * Vector.AsVectorSingle(new Vector<uint>(ScaleToInfinity)) * Vector.AsVectorSingle(new Vector<uint>(ScaleToZero));
        // The rounding bias: 2^(exponent + 15 - 10) as float bits, at least the subnormal threshold's (the library's
        // formula on the doubled bits, worked on the absolute value instead: the same bits, two fewer operations).
        var exponent = Vector.AsVectorInt32(absolute & new Vector<uint>(0x7F80_0000));
        var bias = Vector.Max(exponent, new Vector<int>((int)(SmallestBias >>> 1))) + new Vector<int>(0x0780_0000);
        rounded += Vector.AsVectorSingle(bias);
        if (Vector<byte>.Count == 32 && Avx.IsSupported)
        {
            // MAXPS returns its second operand when the first is NaN: a negative float (so never the larger of
            // the two for a number) whose bits ExponentAndMantissa turns into the quiet NaN 0x7E00.
            var standIn = Avx.Max(rounded.AsVector256(), Vector256.Create(NaNStandIn).AsSingle()).AsVector();
            return ExponentAndMantissa(Vector.AsVectorUInt32(standIn));
        }
        var isNaN = Vector.AsVectorUInt32(Vector.GreaterThan(Vector.AsVectorInt32(absolute), new Vector<int>(0x7F80_0000)));
        return Vector.ConditionalSelect(isNaN, new Vector<uint>(0x7E00), ExponentAndMantissa(Vector.AsVectorUInt32(rounded)));
    }

    /// <summary>The half's exponent and mantissa from the biased sum's bits (a carry out of the mantissa lands in the exponent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> ExponentAndMantissa(Vector<uint> bits) => ((bits >>> 13) & new Vector<uint>(0x7C00)) + (bits & new Vector<uint>(0x0FFF));
}
