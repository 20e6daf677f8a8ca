namespace DepthwiseInterop.Tests.Conformance;

/// <summary>
/// Fixture tensors as arrays of the half types. A fixture's float16 or bfloat16 values must be numbers of
/// the type (FORMAT.md): a value between two of them is refused rather than rounded here, where the rounding
/// could differ from TensorFlow's.
/// </summary>
public static class HalfTensors
{
    public static Half[] AsHalves(FixtureTensor tensor) =>
        Convert(tensor, v => (Half)v, h => (double)h, "float16");

    /// <summary>bfloat16 values; a double is first narrowed to float (exact for a bfloat16 number, and a
    /// non-bfloat16 value is caught by the round trip either way).</summary>
    public static BFloat16[] AsBFloat16s(FixtureTensor tensor) =>
        Convert(tensor, v => (BFloat16)(float)v, b => (float)b, "bfloat16");

    private static T[] Convert<T>(FixtureTensor tensor, Func<double, T> narrow, Func<T, double> widen, string dtype)
    {
        var values = new T[tensor.Values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double value = tensor.Values[i];
            values[i] = narrow(value);
            double back = widen(values[i]);
            if (!(back == value || (double.IsNaN(back) && double.IsNaN(value))))
                throw new InvalidDataException($"value {value} at {i} is not a {dtype} number");
        }
        return values;
    }
}
