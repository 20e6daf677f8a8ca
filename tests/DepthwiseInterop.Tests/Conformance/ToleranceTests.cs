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
