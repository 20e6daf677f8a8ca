using System.Text;

namespace DepthwiseInterop.Tests.Conformance;

/// <summary>How a fixture case is checked on the managed API.</summary>
public enum ConformanceMode
{
    /// <summary>A value case: the managed result must match <c>expected</c> within the bound.</summary>
    Values,

    /// <summary>A case the Python mirror refuses by policy: the managed result must match <c>expected_managed</c>.</summary>
    ExpectedManaged,

    /// <summary>An error case whose arguments reach the library: the managed API must throw.</summary>
    Error,

    /// <summary>An error the Python front end raises for an argument form the managed API cannot express: run by pytest only.</summary>
    PythonOnly,
}

/// <summary>A case, what its arguments translate to, and how it is checked here.</summary>
public sealed record ConformancePlan(ConformanceCase Case, ArgumentTranslation Translation, ConformanceMode Mode)
{
    public static ConformancePlan For(ConformanceCase testCase)
    {
        var translation = TensorFlowArguments.Translate(testCase);
        var mode = translation.Attributes != null && testCase.ExpectedManaged != null ? ConformanceMode.ExpectedManaged
            : translation.PythonError != null ? ConformanceMode.PythonOnly
            : testCase.Expected != null ? ConformanceMode.Values
            : ConformanceMode.Error;
        return new ConformancePlan(testCase, translation, mode);
    }

    public override string ToString() => Case.Id;
}

/// <summary>
/// Every case of conformance/fixtures through the managed API (<see cref="Convolution"/>), with the Python
/// runner's rules (python/depthwise_interop/conformance): one NUnit test per case that the managed API can
/// express, named by the case's id, and a summary of what ran and what is left to pytest.
/// </summary>
[TestFixture]
public sealed class ConformanceTests
{
    private static readonly Lazy<IReadOnlyList<ConformancePlan>> Plans =
        new(() => FixtureFile.AllCases.Select(ConformancePlan.For).ToList());

    /// <summary>One test per case the managed API can run, named by its id.</summary>
    public static IEnumerable<TestCaseData> ManagedCases() =>
        Plans.Value.Where(plan => plan.Mode != ConformanceMode.PythonOnly)
            .Select(plan => new TestCaseData(plan).SetName(plan.Case.Id));

    [TestCaseSource(nameof(ManagedCases))]
    public void Case(ConformancePlan plan)
    {
        var testCase = plan.Case;
        var attributes = plan.Translation.Attributes!;
        switch (plan.Mode)
        {
            case ConformanceMode.Values:
                CheckValues(testCase, attributes, testCase.Expected!);
                break;
            case ConformanceMode.ExpectedManaged:
                CheckValues(testCase, attributes, testCase.ExpectedManaged!);
                break;
            case ConformanceMode.Error:
                CheckError(testCase, attributes, testCase.ExpectedError!);
                break;
            default:
                Assert.Fail($"{plan.Mode} is not run on the managed API");
                break;
        }
    }

    /// <summary>
    /// The suite is as large as promised, and the translation leaves to pytest only error cases whose Python
    /// error it predicts (kind and message), so that it cannot silently skip cases.
    /// </summary>
    [Test]
    public void ConformanceSummary()
    {
        var plans = Plans.Value;
        int values = plans.Count(p => p.Mode == ConformanceMode.Values);
        int managed = plans.Count(p => p.Mode == ConformanceMode.ExpectedManaged);
        int errors = plans.Count(p => p.Mode == ConformanceMode.Error);
        var pythonOnly = plans.Where(p => p.Mode == ConformanceMode.PythonOnly).ToList();

        var report = new StringBuilder();
        report.AppendLine($"{plans.Count} cases: {values} value, {managed} expected_managed, {errors} error through the managed API; " +
                          $"{pythonOnly.Count} Python front end only");
        foreach (var file in plans.GroupBy(p => p.Case.Source).OrderBy(g => g.Key, StringComparer.Ordinal))
            report.AppendLine($"  {file.Key}: {file.Count(p => p.Mode == ConformanceMode.Values)} value, " +
                              $"{file.Count(p => p.Mode == ConformanceMode.ExpectedManaged)} expected_managed, " +
                              $"{file.Count(p => p.Mode == ConformanceMode.Error)} error, " +
                              $"{file.Count(p => p.Mode == ConformanceMode.PythonOnly)} Python only");
        report.AppendLine("Python front end only, by reason:");
        foreach (var reason in pythonOnly.GroupBy(p => p.Translation.PythonError!.Reason).OrderByDescending(g => g.Count()))
            report.AppendLine($"  {reason.Count(),4}  {reason.Key}");
        TestContext.Out.Write(report.ToString());

        var problems = new List<string>();
        foreach (var plan in pythonOnly)
        {
            // A case left to pytest must be one where pytest expects exactly the error the Python front end raises.
            var predicted = plan.Translation.PythonError!;
            var expected = plan.Case.ExpectedError;
            if (plan.Case.Expected != null || expected == null)
                problems.Add($"{plan.Case.Id}: a value case, but the Python front end raises {predicted.Kind}: {predicted.Message}");
            else if (expected.Kind != predicted.Kind || !predicted.Message.Contains(expected.Message, StringComparison.Ordinal))
                problems.Add($"{plan.Case.Id}: expects {expected.Kind} containing '{expected.Message}', " +
                             $"the Python front end raises {predicted.Kind}: {predicted.Message}");
        }
        foreach (var plan in plans.Where(p => p.Case.ExpectedManaged != null))
        {
            // expected_managed belongs to cases the Python mirror refuses by policy, with that refusal as expected_error.
            var predicted = plan.Translation.PythonError;
            var expected = plan.Case.ExpectedError;
            if (plan.Mode != ConformanceMode.ExpectedManaged || predicted?.Reason != TensorFlowArguments.ReasonStridedDilatedDepthwise)
                problems.Add($"{plan.Case.Id}: has expected_managed, but the Python front end {(predicted == null ? "computes it" : $"raises {predicted.Kind}: {predicted.Message}")}");
            else if (expected == null || expected.Kind != predicted.Kind || !predicted.Message.Contains(expected.Message, StringComparison.Ordinal))
                problems.Add($"{plan.Case.Id}: the Python mirror raises {predicted.Kind}: {predicted.Message}; the case expects " +
                             (expected == null ? "no error" : $"{expected.Kind} containing '{expected.Message}'"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, "cases the translation classifies differently from the Python front end");
            Assert.That(values, Is.GreaterThanOrEqualTo(1000), "value cases through the managed API");
            Assert.That(errors, Is.GreaterThanOrEqualTo(50), "error cases through the managed API");
            Assert.That(pythonOnly.Count, Is.LessThan(0.15 * plans.Count), "cases left to the Python front end");
        });
    }

    private static void CheckValues(ConformanceCase testCase, TensorFlowAttributes attributes, FixtureTensor want)
    {
        (double[] Values, long[] Shape) got;
        try
        {
            got = Compute(testCase, attributes);
        }
        catch (ConvolutionArgumentException error)
        {
            Assert.Fail($"{testCase.Provenance}: unexpected ConvolutionArgumentException: {error.Message} ({attributes})");
            return;
        }
        var result = Tolerance.Compare(got.Values, got.Shape, attributes.DType, want, testCase.DType, testCase.Tolerance,
            Tolerance.Terms(testCase), () => Magnitude(testCase, attributes));
        Assert.That(result.Passed, Is.True, $"{testCase.Provenance}: {result.Detail}");
    }

    private static void CheckError(ConformanceCase testCase, TensorFlowAttributes attributes, ExpectedError expected)
    {
        if (expected.Kind != "ValueError")
        {
            Assert.Fail($"expects {expected.Kind} containing '{expected.Message}', but its arguments reach the library, " +
                        $"whose errors are ValueErrors (ConvolutionArgumentException): {attributes}");
            return;
        }
        (double[] Values, long[] Shape) got;
        try
        {
            got = Compute(testCase, attributes);
        }
        catch (ConvolutionArgumentException error)
        {
            Assert.That(error.Message.Contains(expected.Message, StringComparison.Ordinal), Is.True,
                $"{testCase.Provenance}: message '{error.Message}' lacks '{expected.Message}'");
            return;
        }
        Assert.Fail($"{testCase.Provenance}: expected ConvolutionArgumentException containing '{expected.Message}', " +
                    $"got a result of shape ({string.Join(", ", got.Shape)})");
    }

    /// <summary>The convolution through the managed API, in the tensors' element type, widened to double.</summary>
    private static (double[] Values, long[] Shape) Compute(ConformanceCase testCase, TensorFlowAttributes attributes)
    {
        var options = attributes.ToOptions();
        bool conv2d = attributes.Kind == ConvolutionKind.Conv2D;
        if (attributes.DType == "float32")
            return Widened(Compute(conv2d, testCase.Input.AsSingles(), testCase.Input.Shape, testCase.Filter.AsSingles(), testCase.Filter.Shape, options), v => v);
        if (attributes.DType == "float16")
            return Widened(Compute(conv2d, HalfTensors.AsHalves(testCase.Input), testCase.Input.Shape, HalfTensors.AsHalves(testCase.Filter),
                testCase.Filter.Shape, options), v => (double)v);
        if (attributes.DType == "bfloat16")
            return Widened(Compute(conv2d, HalfTensors.AsBFloat16s(testCase.Input), testCase.Input.Shape, HalfTensors.AsBFloat16s(testCase.Filter),
                testCase.Filter.Shape, options), v => (double)(float)v);
        return Compute(conv2d, testCase.Input.Values, testCase.Input.Shape, testCase.Filter.Values, testCase.Filter.Shape, options);
    }

    /// <summary>S = Σ|x·w| per output element: the same convolution on |x| and |w| in double (runner._judge_values).</summary>
    private static double[] Magnitude(ConformanceCase testCase, TensorFlowAttributes attributes)
    {
        bool single = attributes.DType == "float32";
        double[] Abs(FixtureTensor tensor) =>
            Array.ConvertAll(tensor.Values, v => single ? Math.Abs((double)(float)v) : Math.Abs(v));
        return Compute(attributes.Kind == ConvolutionKind.Conv2D, Abs(testCase.Input), testCase.Input.Shape,
            Abs(testCase.Filter), testCase.Filter.Shape, attributes.ToOptions()).Values;
    }

    private static (T[] Values, long[] Shape) Compute<T>(bool conv2d, T[] input, long[] inputShape, T[] filter,
        long[] filterShape, ConvolutionOptions options) where T : unmanaged =>
        conv2d
            ? Convolution.Conv2D(input, inputShape, filter, filterShape, options)
            : Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options);

    private static (double[] Values, long[] Shape) Widened<T>((T[] Values, long[] Shape) result, Converter<T, double> widen) =>
        (Array.ConvertAll(result.Values, widen), result.Shape);
}
