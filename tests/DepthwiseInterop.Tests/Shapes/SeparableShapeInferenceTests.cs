namespace DepthwiseInterop.Tests.Shapes;

/// <summary>
/// <see cref="ShapeInference.SeparableConv2D"/>: output shapes and errors in TensorFlow's order and wording
/// (tensorflow/python/ops/nn_impl.py separable_conv2d: pointwise_filter.get_shape().with_rank(4), then
/// dims[0] and dims[1] assert_is_compatible_with(1), then the depthwise op, then conv2d(..., [1,1,1,1], "VALID")).
/// </summary>
[TestFixture]
public class SeparableShapeInferenceTests
{
    private static readonly ConvolutionOptions Valid = new();
    private static readonly ConvolutionOptions Same = new() { Padding = PaddingMode.Same };

    private static TestCaseData Row(string name, long[] input, long[] depthwise, long[] pointwise, ConvolutionOptions options, long[] expected) =>
        new TestCaseData(input, depthwise, pointwise, options, expected).SetName(name);

    public static IEnumerable<TestCaseData> OutputShapeRows()
    {
        yield return Row("VALID NHWC k3 m2 -> Cout", [2, 5, 6, 3], [3, 3, 3, 2], [1, 1, 6, 4], Valid, [2, 3, 4, 4]);
        yield return Row("SAME stride 2x1", [1, 5, 6, 3], [3, 3, 3, 1], [1, 1, 3, 7], Same with { StrideHeight = 2 }, [1, 3, 6, 7]);
        yield return Row("NCHW keeps the layout in both stages", [1, 3, 5, 6], [3, 3, 3, 2], [1, 1, 6, 4], Valid with { DataFormat = DataFormat.NCHW }, [1, 4, 3, 4]);
        yield return Row("EXPLICIT padding applies to the depthwise stage", [1, 2, 2, 1], [2, 2, 1, 1], [1, 1, 1, 2],
            new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 2, PadLeft = 0, PadRight = 3 }, [1, 4, 4, 2]);
        yield return Row("dilation 2 SAME", [1, 7, 7, 2], [3, 3, 2, 1], [1, 1, 2, 3], Same with { DilationHeight = 2, DilationWidth = 2 }, [1, 7, 7, 3]);
        yield return Row("grouped pointwise (C*M divisible by its depth, as conv2d)", [1, 4, 4, 2], [1, 1, 2, 2], [1, 1, 2, 4], Valid, [1, 4, 4, 4]);
        yield return Row("empty batch", [0, 4, 4, 2], [3, 3, 2, 1], [1, 1, 2, 5], Valid, [0, 2, 2, 5]);
    }

    [TestCaseSource(nameof(OutputShapeRows))]
    public void OutputShape(long[] input, long[] depthwise, long[] pointwise, ConvolutionOptions options, long[] expected)
    {
        var geometry = ShapeInference.SeparableConv2D(input, depthwise, pointwise, options);
        Assert.That(geometry.GetOutputShape(input), Is.EqualTo(expected));
        Assert.That(geometry.OutputRank, Is.EqualTo(4));
        Assert.That(geometry.Depthwise.Kind, Is.EqualTo(ConvolutionKind.DepthwiseConv2D));
        Assert.That(geometry.Pointwise.Kind, Is.EqualTo(ConvolutionKind.Conv2D));
        Assert.That(geometry.Pointwise.StrideHeight, Is.EqualTo(1));
        Assert.That(geometry.Pointwise.PadTop + geometry.Pointwise.PadBottom + geometry.Pointwise.PadLeft + geometry.Pointwise.PadRight, Is.Zero);
        Assert.That(geometry.IntermediateElementCount, Is.EqualTo(geometry.Depthwise.OutputElementCount));
    }

    [Test]
    public void StagesEqualTheTwoOpsInferredSeparately()
    {
        long[] input = [2, 9, 8, 3], depthwise = [3, 2, 3, 2], pointwise = [1, 1, 6, 5];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 3 };
        var geometry = ShapeInference.SeparableConv2D(input, depthwise, pointwise, options);
        var first = ShapeInference.DepthwiseConv2D(input, depthwise, options);
        var second = ShapeInference.Conv2D(first.GetOutputShape(input), pointwise, new ConvolutionOptions());
        Assert.That(geometry.Depthwise, Is.EqualTo(first));
        Assert.That(geometry.Pointwise, Is.EqualTo(second));
    }

    private static TestCaseData Error(string name, long[] input, long[] depthwise, long[] pointwise, ConvolutionOptions options, string message) =>
        new TestCaseData(input, depthwise, pointwise, options, message).SetName(name);

    public static IEnumerable<TestCaseData> ErrorRows()
    {
        // TensorShape.with_rank(4) and TensorShape.__str__ (rank 1 prints "(n,)").
        yield return Error("pointwise rank 3", [1, 3, 3, 2], [1, 1, 2, 1], [1, 1, 2], Valid, "Shape (1, 1, 2) must have rank 4");
        yield return Error("pointwise rank 1", [1, 3, 3, 2], [1, 1, 2, 1], [2], Valid, "Shape (2,) must have rank 4");
        yield return Error("pointwise rank 0", [1, 3, 3, 2], [1, 1, 2, 1], [], Valid, "Shape () must have rank 4");
        yield return Error("pointwise rank 5", [1, 3, 3, 2], [1, 1, 2, 1], [1, 1, 1, 2, 3], Valid, "Shape (1, 1, 1, 2, 3) must have rank 4");
        // Dimension.assert_is_compatible_with(1).
        yield return Error("pointwise height 3", [1, 3, 3, 2], [1, 1, 2, 1], [3, 1, 2, 4], Valid, "Dimensions 3 and 1 are not compatible");
        yield return Error("pointwise width 2", [1, 3, 3, 2], [1, 1, 2, 1], [1, 2, 2, 4], Valid, "Dimensions 2 and 1 are not compatible");
        // The pointwise checks come first, before any depthwise error.
        yield return Error("pointwise checked before the input rank", [3, 3, 2], [1, 1, 2, 1], [2, 1, 2, 4], Valid, "Dimensions 2 and 1 are not compatible");
        // The depthwise op.
        yield return Error("depthwise depth mismatch", [1, 3, 3, 2], [1, 1, 3, 1], [1, 1, 3, 4], Valid, "input and filter must have the same depth: 2 vs 3");
        yield return Error("depthwise input rank", [3, 3, 2], [1, 1, 2, 1], [1, 1, 2, 4], Valid, "input must be 4-dimensional[3,3,2]");
        // The pointwise Conv2D op on the [N, OH, OW, C*M] intermediate.
        yield return Error("pointwise depth does not divide C*M", [1, 3, 3, 2], [1, 1, 2, 3], [1, 1, 4, 4], Valid,
            "input depth must be evenly divisible by filter depth: 6 vs 4");
        yield return Error("pointwise depth 0", [1, 3, 3, 2], [1, 1, 2, 3], [1, 1, 0, 4], Valid, "filter depth must be stricly positive, got 0");
        yield return Error("grouped pointwise needs Cout divisible by the groups", [1, 3, 3, 2], [1, 1, 2, 2], [1, 1, 2, 3], Valid,
            "output depth must be evenly divisible by number of groups: 3 vs 2");
    }

    [TestCaseSource(nameof(ErrorRows))]
    public void Errors(long[] input, long[] depthwise, long[] pointwise, ConvolutionOptions options, string message)
    {
        var error = Assert.Throws<ConvolutionArgumentException>(() => ShapeInference.SeparableConv2D(input, depthwise, pointwise, options));
        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [TestCase(new long[0], "()")]
    [TestCase(new long[] { 4 }, "(4,)")]
    [TestCase(new long[] { 1, 1, 6 }, "(1, 1, 6)")]
    public void PythonTuple(long[] shape, string expected) => Assert.That(ShapeText.PythonTuple(shape), Is.EqualTo(expected));
}
