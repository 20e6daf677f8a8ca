using System.Globalization;

namespace DepthwiseInterop;

/// <summary>
/// The bfloat16 storage type of TensorFlow: the top 16 bits of an IEEE binary32 (1 sign, 8 exponent and 7
/// mantissa bits). Conversion from <see cref="float"/> rounds to nearest, ties to even, and keeps NaN a NaN
/// (made quiet); conversion to <see cref="float"/> is exact. This is a storage type for the convolution
/// API: arithmetic happens in float32 (.NET 10 has no bfloat16 type of its own).
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    private readonly ushort _bits;

    private BFloat16(ushort bits) => _bits = bits;

    /// <summary>The raw bits (the top half of the float32 it stands for).</summary>
    public ushort Bits => _bits;

    /// <summary>The value with these raw bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Exact: a bfloat16 is a float32 with a zero low half.</summary>
    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value._bits << 16);

    /// <summary>Rounds to nearest, ties to even; a NaN stays a (quiet) NaN of the same sign; overflow gives ±infinity.</summary>
    public static explicit operator BFloat16(float value) => new(RoundFromSingleBits(BitConverter.SingleToUInt32Bits(value)));

    /// <summary>Through float32 (exact), then as <see cref="double"/>.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <summary>
    /// The bfloat16 bits nearest to the float32 with these bits. Adding 0x7FFF plus the lowest kept bit rounds
    /// half-way cases to the even neighbour; a NaN would carry into the exponent or become infinity that way,
    /// so it keeps its top bits with the quiet bit set instead.
    /// </summary>
    internal static ushort RoundFromSingleBits(uint bits)
    {
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((bits >> 16) | 0x0040);
        uint lowestKeptBit = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFF + lowestKeptBit) >> 16);
    }

    /// <summary>Bitwise equality (so a NaN equals itself and +0 differs from -0), as a storage type should compare.</summary>
    public bool Equals(BFloat16 other) => _bits == other._bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _bits;

    /// <summary>The float32 value's shortest round-trip text.</summary>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);

    /// <summary>Bitwise equality.</summary>
    public static bool operator ==(BFloat16 left, BFloat16 right) => left.Equals(right);

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(BFloat16 left, BFloat16 right) => !left.Equals(right);
}
