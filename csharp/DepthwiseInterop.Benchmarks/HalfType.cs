namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// A 16-bit floating-point type of the C ABI (buffers of uint16_t bit patterns): its di_dtype, its unit
/// roundoff (half the distance from 1 to the next value: the largest relative error of one round to nearest),
/// and the conversions the benchmark uses to make its inputs and read its outputs (the library's own types).
/// </summary>
public sealed class HalfType
{
    public static readonly HalfType Float16 = new("Float16", NativeApi.DtypeFloat16, Math.ScaleB(1.0, -11),
        Math.ScaleB(1.0, -25),   // half of float16's smallest subnormal: below 2^-14 the error is absolute
        value => BitConverter.HalfToUInt16Bits((Half)value),
        bits => (float)BitConverter.UInt16BitsToHalf(bits));

    public static readonly HalfType BFloat16 = new("BFloat16", NativeApi.DtypeBFloat16, Math.ScaleB(1.0, -8),
        0,                       // float32's exponent range: no underflow for these magnitudes
        value => ((global::DepthwiseInterop.BFloat16)value).Bits,
        bits => (float)global::DepthwiseInterop.BFloat16.FromBits(bits));

    public static readonly IReadOnlyList<HalfType> All = [Float16, BFloat16];

    private readonly Func<float, ushort> toBits;
    private readonly Func<ushort, float> fromBits;

    private HalfType(string name, int dtype, double unitRoundoff, double underflowError,
        Func<float, ushort> toBits, Func<ushort, float> fromBits)
    {
        Name = name;
        Dtype = dtype;
        UnitRoundoff = unitRoundoff;
        UnderflowError = underflowError;
        this.toBits = toBits;
        this.fromBits = fromBits;
    }

    /// <summary>The benchmark method name of its rows.</summary>
    public string Name { get; }

    public int Dtype { get; }

    public double UnitRoundoff { get; }

    /// <summary>The largest absolute error of rounding a value too small for the type's normal range.</summary>
    public double UnderflowError { get; }

    public ushort ToBits(float value) => toBits(value);

    public float FromBits(ushort bits) => fromBits(bits);

    /// <summary><paramref name="value"/> rounded to this type and widened back: exactly what a kernel of this type reads.</summary>
    public float Round(float value) => fromBits(toBits(value));

    public override string ToString() => Name;
}
