using System.Globalization;

namespace DepthwiseInterop.Tests.Conformance;

/// <summary>The outcome of comparing a result with a fixture's expectation (the Python runner's <c>CaseResult</c>).</summary>
public sealed record Comparison(bool Passed, string Detail, double MaxError = 0, double MaxBoundRatio = 0);

/// <summary>
/// The comparison rule of python/depthwise_interop/conformance/tolerance.py and runner.py, mirrored exactly.
/// For an output element over <c>n</c> terms with <c>S = Σ|x_k·w_k|</c> (the same convolution on |x| and |w|
/// in double):
/// <c>|ours − reference| ≤ 1.01·n·eps(dtype)·S + n·tiny(dtype)</c>, where eps is the machine epsilon
/// (NumPy's <c>finfo.eps</c>: 2^-23 for float32, 2^-52 for float64) and tiny the smallest normal
/// (<c>finfo.tiny</c>). <c>"exact"</c> cases must be equal. A non-finite expectation must be met exactly
/// (NaN by NaN); a NaN result where a finite one is expected counts as an infinite error.
/// </summary>
public static class Tolerance
{
    /// <summary>The 1% that covers the denominator of γ_n = n·u / (1 − n·u).</summary>
    public const double Slack = 1.01;

    /// <summary>Machine epsilon of the dtype: the gap between 1 and the next representable number (not <see cref="float.Epsilon"/>, the smallest subnormal).</summary>
    public static double Eps(string dtype) => dtype switch
    {
        "float32" => MathF.BitIncrement(1f) - 1f,
        "float64" => Math.BitIncrement(1.0) - 1.0,
        _ => throw new ArgumentException($"no tolerance for dtype {dtype}", nameof(dtype)),
    };

    /// <summary>The smallest normal number of the dtype.</summary>
    public static double Tiny(string dtype) => dtype switch
    {
        "float32" => BitConverter.Int32BitsToSingle(0x0080_0000),
        "float64" => BitConverter.Int64BitsToDouble(0x0010_0000_0000_0000),
        _ => throw new ArgumentException($"no tolerance for dtype {dtype}", nameof(dtype)),
    };

    /// <summary>
    /// <c>n</c>, the terms of one output element: KH·KW·(input channels per group), i.e. the filter's third
    /// dimension for conv2d and 1 for depthwise (runner._terms).
    /// </summary>
    public static long Terms(ConformanceCase testCase)
    {
        var shape = testCase.Filter.Shape;
        if (shape.Length != 4) return 1;
        return shape[0] * shape[1] * (testCase.Op == "conv2d" ? shape[2] : 1);
    }

    /// <summary>The allowed |ours − reference| of one element, given S = Σ|x·w| for it (tolerance.bound).</summary>
    public static double Bound(string dtype, long terms, double magnitude)
    {
        double c = Slack * terms;
        return c * Eps(dtype) * magnitude + terms * Tiny(dtype);
    }

    /// <summary>
    /// runner._judge_values: shape, dtype, non-finite values, then every element within its bound
    /// (<paramref name="magnitude"/> is asked for only for <c>"summation"</c> cases).
    /// </summary>
    public static Comparison Compare(double[] got, long[] gotShape, string gotDType, FixtureTensor want, string wantDType,
        string tolerance, long terms, Func<double[]> magnitude)
    {
        if (!gotShape.SequenceEqual(want.Shape))
            return Fail($"shape {ShapeText(gotShape)}, expected {ShapeText(want.Shape)}");
        if (gotDType != wantDType)
            return Fail($"dtype {gotDType}, expected {wantDType}");
        if (got.Length != want.Values.Length)
            return Fail($"{got.Length} values for shape {ShapeText(gotShape)}, expected {want.Values.Length}");
        if (got.Length == 0)
            return new Comparison(true, "");

        // The expectation as the Python runner holds it: the JSON doubles rounded to the case's dtype.
        var expected = wantDType == "float32" ? want.Values.Select(v => (double)(float)v).ToArray() : want.Values;

        for (int i = 0; i < got.Length; i++)
        {
            double g = got[i], w = expected[i];
            if (!double.IsFinite(w) && !((double.IsNaN(w) && double.IsNaN(g)) || g == w))
                return Fail($"at {Index(i, want.Shape)}: got {Number(g)}, expected {Number(w)}");
        }

        bool exact = tolerance == "exact";
        double[]? magnitudes = exact ? null : magnitude();
        if (magnitudes != null && magnitudes.Length != got.Length)
            return Fail($"the magnitude convolution gave {magnitudes.Length} values for {got.Length} outputs");

        double maxError = 0, maxRatio = 0, worstExcess = double.NegativeInfinity;
        int worst = -1;
        for (int i = 0; i < got.Length; i++)
        {
            double error = double.IsFinite(expected[i]) ? Math.Abs(got[i] - expected[i]) : 0.0;
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            double allowed = exact ? 0.0 : Bound(wantDType, terms, magnitudes![i]);
            double ratio = allowed > 0 ? error / allowed : error > 0 ? double.PositiveInfinity : 0.0;
            maxRatio = Math.Max(maxRatio, ratio);
            maxError = Math.Max(maxError, error);
            // NumPy's comparisons: a NaN bound (from a NaN input) fails nothing; an infinite one allows infinity.
            if (error > allowed)
            {
                double excess = error - allowed;
                if (worst < 0 || excess > worstExcess) (worst, worstExcess) = (i, excess);
            }
        }
        if (worst >= 0)
        {
            double allowedAtWorst = exact ? 0.0 : Bound(wantDType, terms, magnitudes![worst]);
            double errorAtWorst = double.IsFinite(expected[worst]) ? Math.Abs(got[worst] - expected[worst]) : 0.0;
            return new Comparison(false,
                $"at {Index(worst, want.Shape)}: got {Number(got[worst])}, expected {Number(expected[worst])}, " +
                $"|error| {G3(errorAtWorst)} > bound {G3(allowedAtWorst)}", maxError, maxRatio);
        }
        return new Comparison(true, "", maxError, maxRatio);
    }

    private static Comparison Fail(string detail) => new(false, detail);

    private static string ShapeText(long[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");

    private static string Index(int flat, long[] shape)
    {
        var index = new long[shape.Length];
        long rest = flat;
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = rest % shape[axis];
            rest /= shape[axis];
        }
        return ShapeText(index);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string G3(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
