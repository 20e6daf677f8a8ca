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
/// <c>"half-accumulate-float32"</c> (float16, bfloat16; tolerance.py's module docstring and FORMAT.md): with
/// <c>E</c> the float32 rule, <c>|ours − want| ≤ E + eps_T/2·(|want| + E)</c>, plus the type's smallest
/// subnormal where <c>|want| + E</c> is below its smallest normal, rounded up one double; ours must be ±inf
/// where <c>|want| − E</c> reaches the type's overflow threshold, may be where <c>|want| + E</c> does, and any
/// non-finite value is accepted where S is near float32's largest (the float32 partial sums may overflow).
/// </summary>
public static class Tolerance
{
    /// <summary>The tolerance kind of float16 and bfloat16 cases: float32 accumulation, then one rounding to the type.</summary>
    public const string HalfAccumulate = "half-accumulate-float32";

    /// <summary>A half type's constants: the spacing at 1, the smallest normal, the smallest subnormal, and the
    /// magnitude from which rounding gives inf (the largest finite plus half its spacing; that tie goes to inf).</summary>
    public sealed record HalfType(double Eps, double Tiny, double Subnormal, double Overflow);

    public static readonly IReadOnlyDictionary<string, HalfType> HalfTypes = new Dictionary<string, HalfType>
    {
        ["float16"] = new(Math.ScaleB(1, -10), Math.ScaleB(1, -14), Math.ScaleB(1, -24), 65520.0),
        ["bfloat16"] = new(Math.ScaleB(1, -7), Math.ScaleB(1, -126), Math.ScaleB(1, -133), (2 - Math.ScaleB(1, -8)) * Math.ScaleB(1, 127)),
    };

    public static bool IsHalf(string dtype) => HalfTypes.ContainsKey(dtype);

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

    /// <summary>E, the float32 accumulation's allowance (tolerance.accumulation_bound).</summary>
    public static double AccumulationBound(long terms, double magnitude) => Bound("float32", terms, magnitude);

    /// <summary>The allowed |ours − want| of a finite half result (tolerance.half_bound).</summary>
    public static double HalfBound(string dtype, long terms, double magnitude, double want)
    {
        var half = HalfTypes[dtype];
        double accumulate = AccumulationBound(terms, magnitude);
        double reach = Math.Abs(want) + accumulate;
        double rounding = half.Eps / 2 * reach + (reach < half.Tiny ? half.Subnormal : 0.0);
        return Math.BitIncrement(accumulate + rounding);
    }

    /// <summary>
    /// The error of one half result against a finite <paramref name="want"/> (tolerance.half_errors): an
    /// allowed overflow (or non-finite value where float32 may overflow) is 0, a missing or forbidden one infinite.
    /// </summary>
    public static double HalfError(string dtype, long terms, double magnitude, double want, double got)
    {
        var half = HalfTypes[dtype];
        double accumulate = AccumulationBound(terms, magnitude);
        bool float32Overflow = magnitude * (1 + Slack * terms * Eps("float32")) >= float.MaxValue;
        bool mayOverflow = Math.Abs(want) + accumulate >= half.Overflow;
        bool mustOverflow = Math.Abs(want) - accumulate >= half.Overflow && !float32Overflow;
        if (!double.IsFinite(got))
        {
            bool rightInf = double.IsInfinity(got) && Math.Sign(got) == Math.Sign(want) && mayOverflow;
            return rightInf || float32Overflow ? 0.0 : double.PositiveInfinity;
        }
        return mustOverflow ? double.PositiveInfinity : Math.Abs(got - want);
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

        // The expectation as the Python runner holds it: the JSON doubles rounded to the case's dtype, except
        // for the half types, whose expectation is the exact result (FORMAT.md).
        var expected = wantDType == "float32" ? want.Values.Select(v => (double)(float)v).ToArray() : want.Values;
        if (tolerance is not ("exact" or "summation" or HalfAccumulate))
            return Fail($"unknown tolerance {tolerance}");
        bool half = tolerance == HalfAccumulate;
        if (tolerance != "exact" && half != IsHalf(wantDType))
            return Fail($"tolerance {tolerance} does not apply to {wantDType}");

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
            double error = ErrorAt(i), allowed = AllowedAt(i);
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
            double allowedAtWorst = AllowedAt(worst), errorAtWorst = ErrorAt(worst);
            return new Comparison(false,
                $"at {Index(worst, want.Shape)}: got {Number(got[worst])}, expected {Number(expected[worst])}, " +
                $"|error| {G3(errorAtWorst)} > bound {G3(allowedAtWorst)}", maxError, maxRatio);
        }
        return new Comparison(true, "", maxError, maxRatio);

        double ErrorAt(int i)
        {
            if (!double.IsFinite(expected[i])) return 0.0;  // met exactly, checked above
            if (half) return HalfError(wantDType, terms, magnitudes![i], expected[i], got[i]);
            double error = Math.Abs(got[i] - expected[i]);
            return double.IsNaN(error) ? double.PositiveInfinity : error;
        }

        double AllowedAt(int i) =>
            exact ? 0.0 : half ? HalfBound(wantDType, terms, magnitudes![i], expected[i]) : Bound(wantDType, terms, magnitudes![i]);
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
