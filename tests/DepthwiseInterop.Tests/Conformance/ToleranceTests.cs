namespace DepthwiseInterop.Tests.Conformance;

/// <summary>The comparison rule itself, at its edges (python/depthwise_interop/conformance/tolerance.py and runner.py).</summary>
[TestFixture]
public sealed class ToleranceTests
{
    private static readonly long[] Shape = [1, 1, 1, 1];

    private static Comparison Compare(double got, double want, string tolerance = "summation", string dtype = "float64",
        long terms = 4, double magnitude = 10.0) =>
        Tolerance.Compare([got], Shape, dtype, new FixtureTensor(Shape, [want], null), dtype, tolerance, terms, () => [magnitude]);

    [Test]
    public void EpsAndTinyAreNumPysFinfoValues()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Tolerance.Eps("float32"), Is.EqualTo(1.1920928955078125e-07));
            Assert.That(Tolerance.Eps("float64"), Is.EqualTo(2.220446049250313e-16));
            Assert.That(Tolerance.Tiny("float32"), Is.EqualTo(1.1754943508222875e-38));
            Assert.That(Tolerance.Tiny("float64"), Is.EqualTo(2.2250738585072014e-308));
            Assert.That(Tolerance.Bound("float32", 9, 2.0), Is.EqualTo(1.01 * 9 * 1.1920928955078125e-07 * 2.0 + 9 * 1.1754943508222875e-38));
        });
    }

    [Test]
    public void SummationAllowsExactlyTheBound()
    {
        double bound = Tolerance.Bound("float64", 4, 10.0);
        Assert.Multiple(() =>
        {
            Assert.That(Compare(1.0 + bound, 1.0).Passed, Is.True, "at the bound");
            Assert.That(Compare(1.0 + 2 * bound, 1.0).Passed, Is.False, "twice the bound");
        });
    }

    [Test]
    public void ExactMeansEqual()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Compare(3.0, 3.0, "exact").Passed, Is.True);
            Assert.That(Compare(-0.0, 0.0, "exact").Passed, Is.True);
            Assert.That(Compare(Math.BitIncrement(3.0), 3.0, "exact").Passed, Is.False);
        });
    }

    [Test]
    public void Float32ExpectationsAreRoundedToFloatFirst()
    {
        // 0.1 as written in a float32 fixture means (float)0.1, as NumPy reads it.
        Assert.That(Compare((float)0.1, 0.1, "exact", "float32").Passed, Is.True);
    }

    [Test]
    public void NonFiniteExpectationsMustBeMetExactly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Compare(double.NaN, double.NaN).Passed, Is.True);
            Assert.That(Compare(double.PositiveInfinity, double.PositiveInfinity).Passed, Is.True);
            Assert.That(Compare(double.NegativeInfinity, double.PositiveInfinity).Passed, Is.False);
            Assert.That(Compare(1.0, double.NaN).Passed, Is.False);
            Assert.That(Compare(double.NaN, 1.0).Passed, Is.False, "NaN where a finite value is expected: an infinite error");
            Assert.That(Compare(double.NaN, 1.0, magnitude: double.PositiveInfinity).Passed, Is.True,
                "as in the Python runner: an infinite error within an infinite bound (an infinite S) is no failure (inf > inf is false)");
            Assert.That(Compare(5.0, 1.0, magnitude: double.NaN).Passed, Is.True,
                "as in the Python runner: a NaN bound (a NaN in S) fails nothing (error > NaN is false)");
        });
    }

    // The half-type rule, "half-accumulate-float32": the same hand-made values as tests/python/test_conformance_tolerance.py.

    private static bool HalfPasses(string dtype, double got, double want, double magnitude, long terms = 1) =>
        Compare(got, want, Tolerance.HalfAccumulate, dtype, terms, magnitude).Passed;

    [Test]
    public void HalfBoundIsTheFloat32RulePlusHalfASpacingOfTheType()
    {
        double accumulate = 1.01 * 9 * Math.ScaleB(1, -23) * 2.0 + 9 * Math.ScaleB(1, -126);
        Assert.Multiple(() =>
        {
            Assert.That(Tolerance.AccumulationBound(9, 2.0), Is.EqualTo(accumulate));
            Assert.That(Tolerance.HalfBound("float16", 9, 2.0, 1.5),
                Is.EqualTo(Math.BitIncrement(accumulate + Math.ScaleB(1, -11) * (1.5 + accumulate))));
            Assert.That(Tolerance.HalfBound("bfloat16", 9, 2.0, -1.5),
                Is.EqualTo(Math.BitIncrement(accumulate + Math.ScaleB(1, -8) * (1.5 + accumulate))));
        });
    }

    [Test]
    public void HalfErrorExactlyAtTheBoundPassesAndTheNextDoubleFails()
    {
        // want 0: |got − want| is got itself, so the error can be put exactly on the bound.
        double allowed = Tolerance.HalfBound("float16", 4, 3.0, 0.0);
        Assert.Multiple(() =>
        {
            Assert.That(HalfPasses("float16", allowed, 0.0, 3.0, terms: 4), Is.True);
            Assert.That(HalfPasses("float16", Math.BitIncrement(allowed), 0.0, 3.0, terms: 4), Is.False);
        });
    }

    [TestCase("float16", -10)]
    [TestCase("bfloat16", -7)]
    public void HalfRoundingTiePassesAndOneMoreStepFails(string dtype, int spacingExponent)
    {
        double spacing = Math.ScaleB(1, spacingExponent), want = 1 + spacing / 2;  // halfway between 1 and the next
        Assert.Multiple(() =>
        {
            Assert.That(HalfPasses(dtype, 1.0, want, want), Is.True, "ties to even");
            Assert.That(HalfPasses(dtype, 1.0 + spacing, want, want), Is.True, "the other neighbour is as near");
            Assert.That(HalfPasses(dtype, 1.0 - spacing / 2, want, want), Is.False, "the number below 1: a whole spacing away");
        });
    }

    [Test]
    public void Float16SubnormalResultsMayBeOffByHalfTheSmallestSubnormal()
    {
        double smallest = Math.ScaleB(1, -24), want = 1.5 * smallest;
        Assert.Multiple(() =>
        {
            Assert.That(HalfPasses("float16", smallest, want, want), Is.True);
            Assert.That(HalfPasses("float16", 2 * smallest, want, want), Is.True);
            Assert.That(HalfPasses("float16", 0.0, want, want), Is.False, "flushing a subnormal result to zero");
            Assert.That(HalfPasses("float16", 3 * smallest, want, want), Is.False);
        });
    }

    [Test]
    public void HalfOverflowToInfinityMustMatch()
    {
        const double largest = 65504.0;  // float16; 65520 (halfway to 65536) and beyond round to inf
        Assert.Multiple(() =>
        {
            Assert.That(HalfPasses("float16", double.PositiveInfinity, 70000.0, 70000.0), Is.True);
            Assert.That(HalfPasses("float16", largest, 70000.0, 70000.0), Is.False, "saturating instead of overflowing");
            Assert.That(HalfPasses("float16", double.NegativeInfinity, -65520.0, 65520.0), Is.True, "the tie rounds to inf");
            Assert.That(HalfPasses("float16", double.PositiveInfinity, -70000.0, 70000.0), Is.False, "inf of the wrong sign");
            Assert.That(HalfPasses("float16", double.PositiveInfinity, 65000.0, 65000.0), Is.False, "inf where the result is finite");
            Assert.That(HalfPasses("float16", double.PositiveInfinity, 65519.995, 65519.995), Is.True, "within E of the threshold: either");
            Assert.That(HalfPasses("float16", largest, 65519.995, 65519.995), Is.True, "within E of the threshold: either");
        });
    }

    [Test]
    public void HalfNaNIsAcceptedOnlyWhereFloat32PartialSumsMayOverflow()
    {
        // bfloat16 sums can leave float32's range on the way to a finite result (+a +b −c with a+b beyond it).
        Assert.Multiple(() =>
        {
            Assert.That(HalfPasses("bfloat16", double.NaN, 1e38, float.MaxValue), Is.True);
            Assert.That(HalfPasses("bfloat16", double.NegativeInfinity, 1e38, float.MaxValue), Is.True);
            Assert.That(HalfPasses("bfloat16", double.NaN, 1e38, 2e38), Is.False);
            Assert.That(HalfPasses("bfloat16", double.PositiveInfinity, 1e38, 2e38), Is.False);
        });
    }

    [Test]
    public void HalfExpectationsAreNotRoundedToTheType()
    {
        // A float16 fixture's expectation is the exact result: 1 + 2^-12 is not rounded to 1 before comparing,
        // and its tolerance belongs to half types only.
        double want = 1 + Math.ScaleB(1, -12);
        Assert.Multiple(() =>
        {
            Assert.That(Compare(1.0, want, "exact", "float16").Passed, Is.False);
            Assert.That(Compare(1.0, 1.0, Tolerance.HalfAccumulate, "float32").Passed, Is.False);
            Assert.That(Compare(1.0, 1.0, "fuzzy", "float16").Passed, Is.False);
        });
    }

    [Test]
    public void ShapeAndDTypeMustMatch()
    {
        var want = new FixtureTensor(Shape, [1.0], null);
        Assert.Multiple(() =>
        {
            Assert.That(Tolerance.Compare([1.0], [1, 1, 1], "float64", new FixtureTensor([1, 1, 1, 1], [1.0], null), "float64", "exact", 1, () => [1.0]).Passed, Is.False);
            Assert.That(Tolerance.Compare([1.0], Shape, "float64", want, "float32", "exact", 1, () => [1.0]).Passed, Is.False);
        });
    }
}
