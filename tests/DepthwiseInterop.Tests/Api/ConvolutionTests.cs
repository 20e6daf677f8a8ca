using System.Runtime.InteropServices;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Api;

/// <summary>
/// The managed API <see cref="Convolution"/>: buffer rules (lengths, overlap), element types, no partial writes
/// on failure, and the array-returning overloads.
/// </summary>
[TestFixture]
public class ConvolutionTests
{
    private static readonly float[] ExampleInput = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    private static readonly long[] ExampleInputShape = [1, 3, 3, 1];
    private static readonly float[] ExampleFilter = [1, 2, 3, 4];
    private static readonly long[] ExampleFilterShape = [2, 1, 1, 2];
    private static readonly float[] ExampleOutput = [13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48];
    private const float Sentinel = -12345f;

    private const ConvolutionKind Conv = ConvolutionKind.Conv2D;
    private const ConvolutionKind Depthwise = ConvolutionKind.DepthwiseConv2D;

    private delegate void SpanCall(ReadOnlySpan<float> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<float> filter,
        ReadOnlySpan<long> filterShape, Span<float> output, in ConvolutionOptions options);

    private static SpanCall SpanOverload(ConvolutionKind kind) => kind == Conv ? Convolution.Conv2D<float> : Convolution.DepthwiseConv2D<float>;

    private static (T[] Values, long[] Shape) ArrayOverload<T>(ConvolutionKind kind, T[] input, long[] inputShape, T[] filter, long[] filterShape,
        ConvolutionOptions options) where T : unmanaged =>
        kind == Conv
            ? Convolution.Conv2D(input, inputShape, filter, filterShape, options)
            : Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options);

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void SpanOverloadWritesTheWellKnownExample(ConvolutionKind kind)
    {
        var output = new float[12];
        SpanOverload(kind)(ExampleInput, ExampleInputShape, ExampleFilter, ExampleFilterShape, output, new ConvolutionOptions());
        Assert.That(output, Is.EqualTo(ExampleOutput));
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void DoubleSpanOverloadWritesTheWellKnownExample(ConvolutionKind kind)
    {
        var output = new double[12];
        double[] input = ExampleInput.Select(v => (double)v).ToArray(), filter = ExampleFilter.Select(v => (double)v).ToArray();
        if (kind == Conv) Convolution.Conv2D<double>(input, ExampleInputShape, filter, ExampleFilterShape, output, new ConvolutionOptions());
        else Convolution.DepthwiseConv2D<double>(input, ExampleInputShape, filter, ExampleFilterShape, output, new ConvolutionOptions());
        Assert.That(output, Is.EqualTo(ExampleOutput.Select(v => (double)v).ToArray()));
    }

    private static TestCaseData ShapeRow(string name, ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, long[] expected) =>
        new TestCaseData(kind, input, filter, options, expected).SetName(name);

    public static IEnumerable<TestCaseData> ArrayOverloadShapes()
    {
        yield return ShapeRow("conv2d NHWC SAME stride 2", Conv, [2, 5, 7, 3], [3, 3, 3, 4], new() { Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 }, [2, 3, 4, 4]);
        yield return ShapeRow("conv2d NCHW", Conv, [1, 1, 3, 3], [2, 1, 1, 2], new() { DataFormat = DataFormat.NCHW }, [1, 2, 2, 3]);
        yield return ShapeRow("conv2d rank 5 keeps the batch dims", Conv, [2, 5, 2, 3, 3], [2, 2, 3, 4], new(), [2, 5, 1, 2, 4]);
        yield return ShapeRow("conv2d grouped", Conv, [1, 4, 4, 6], [3, 3, 2, 9], new(), [1, 2, 2, 9]);
        yield return ShapeRow("conv2d empty output (VALID in1 k2 s2)", Conv, [1, 1, 1, 1], [2, 2, 1, 1], new() { StrideHeight = 2, StrideWidth = 2 }, [1, 0, 0, 1]);
        yield return ShapeRow("conv2d batch 0", Conv, [0, 5, 5, 3], [3, 3, 3, 2], new() { Padding = PaddingMode.Same }, [0, 5, 5, 2]);
        yield return ShapeRow("depthwise multiplier 2 NCHW", Depthwise, [2, 3, 6, 6], [3, 3, 3, 2], new() { DataFormat = DataFormat.NCHW }, [2, 6, 4, 4]);
        yield return ShapeRow("depthwise stride with dilation", Depthwise, [1, 8, 8, 1], [2, 2, 1, 1], new() { StrideHeight = 2, StrideWidth = 2, DilationHeight = 2, DilationWidth = 2 }, [1, 3, 3, 1]);
        yield return ShapeRow("depthwise padding-only", Depthwise, [1, 0, 2, 1], [1, 1, 1, 1], new() { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }, [1, 2, 4, 1]);
    }

    [TestCaseSource(nameof(ArrayOverloadShapes))]
    public void ArrayOverloadReturnsTheOutputShapeAndAMatchingBuffer(ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, long[] expected)
    {
        var x = Enumerable.Repeat(1f, (int)Layout.Product(input)).ToArray();
        var f = Enumerable.Repeat(1f, (int)Layout.Product(filter)).ToArray();
        var (values, shape) = ArrayOverload(kind, x, input, f, filter, options);
        Assert.That(shape, Is.EqualTo(expected));
        Assert.That(values, Has.Length.EqualTo(Layout.Product(expected)));
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void ArrayOverloadReturnsTheWellKnownExample(ConvolutionKind kind)
    {
        var (values, shape) = ArrayOverload(kind, ExampleInput, ExampleInputShape, ExampleFilter, ExampleFilterShape, new ConvolutionOptions());
        Assert.That(shape, Is.EqualTo(new long[] { 1, 2, 3, 2 }));
        Assert.That(values, Is.EqualTo(ExampleOutput));
    }

    [Test]
    public void PaddingOnlyOutputIsZeros()
    {
        var output = Enumerable.Repeat(Sentinel, 8).ToArray();
        Convolution.Conv2D<float>([], [1, 0, 2, 1], [float.NaN], [1, 1, 1, 1], output,
            new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 });
        Assert.That(output, Is.EqualTo(new float[8]));
    }

    [Test]
    public void RankFiveInputEqualsTheFoldedBatch()
    {
        var rng = new Random(11);
        double[] x = Layout.RandomValues(rng, 2 * 5 * 2 * 3 * 3, asFloat: false), f = Layout.RandomValues(rng, 2 * 2 * 3 * 4, asFloat: false);
        var (expanded, expandedShape) = Convolution.Conv2D(x, [2, 5, 2, 3, 3], f, [2, 2, 3, 4], new ConvolutionOptions());
        var (folded, _) = Convolution.Conv2D(x, [10, 2, 3, 3], f, [2, 2, 3, 4], new ConvolutionOptions());
        Assert.That(expandedShape, Is.EqualTo(new long[] { 2, 5, 1, 2, 4 }));
        Assert.That(expanded, Is.EqualTo(folded));
    }

    public static IEnumerable<TestCaseData> EndToEndCases() =>
        ConvCase.Generate(seed: 77, count: 24).Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [TestCaseSource(nameof(EndToEndCases))]
    public void ApiAgreesWithTheNaiveOracle(ConvCase c)
    {
        // End to end through validation and the dispatcher (the kernel itself is covered in depth elsewhere).
        var rng = new Random(c.Seed);
        double[] nhwc = Layout.RandomValues(rng, c.InputLength, asFloat: false), filter = Layout.RandomValues(rng, c.FilterLength, asFloat: false);
        var want = NaiveConvolution.Run(c, nhwc, filter);
        double[] input = c.Nchw ? Layout.NhwcToNchw(nhwc, c.Batch, c.Height, c.Width, c.Channels) : nhwc;
        var (values, shape) = ArrayOverload(c.Kind, input, c.InputShape, filter, c.FilterShape, c.Options);
        long[] expectedShape = c.Nchw ? [c.Batch, want.OutChannels, want.OutHeight, want.OutWidth] : [c.Batch, want.OutHeight, want.OutWidth, want.OutChannels];
        Assert.That(shape, Is.EqualTo(expectedShape));
        double[] got = c.Nchw ? Layout.NchwToNhwc(values, c.Batch, want.OutChannels, want.OutHeight, want.OutWidth) : values;
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(want.Values[i]).Within(1e-12 * want.SumOfAbsoluteTerms[i]), $"element {i}");
    }

    [TestCase(Conv, 8, 4, 12, "input buffer has 8 elements, but shape [1,3,3,1] needs 9")]
    [TestCase(Depthwise, 10, 4, 12, "input buffer has 10 elements, but shape [1,3,3,1] needs 9")]
    [TestCase(Conv, 9, 3, 12, "filter buffer has 3 elements, but shape [2,1,1,2] needs 4")]
    [TestCase(Depthwise, 9, 5, 12, "filter buffer has 5 elements, but shape [2,1,1,2] needs 4")]
    [TestCase(Conv, 9, 4, 11, "output buffer has 11 elements, but the output needs 12")]
    [TestCase(Depthwise, 9, 4, 13, "output buffer has 13 elements, but the output needs 12")]
    [TestCase(Depthwise, 9, 4, 0, "output buffer has 0 elements, but the output needs 12")]
    public void BufferLengthMustEqualTheShapesElementCount(ConvolutionKind kind, int inputLength, int filterLength, int outputLength, string message)
    {
        var input = new float[inputLength];
        var filter = new float[filterLength];
        var output = Enumerable.Repeat(Sentinel, outputLength).ToArray();
        Assert.That(() => SpanOverload(kind)(input, ExampleInputShape, filter, ExampleFilterShape, output, new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
        Assert.That(output, Is.All.EqualTo(Sentinel), "output untouched");
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void ArrayOverloadChecksTheInputLengthsToo(ConvolutionKind kind)
    {
        Assert.That(() => ArrayOverload(kind, new float[9], ExampleInputShape, new float[2], ExampleFilterShape, new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("filter buffer has 2 elements, but shape [2,1,1,2] needs 4"));
    }

    [TestCase(Conv, 8, TestName = "conv2d output overlapping the end of the input")]
    [TestCase(Depthwise, 0, TestName = "depthwise output starting where the input starts")]
    public void OutputOverlappingTheInputIsRejected(ConvolutionKind kind, int outputStart)
    {
        var buffer = new float[32];
        ExampleInput.CopyTo(buffer, 0);
        var before = (float[])buffer.Clone();
        Assert.That(() => SpanOverload(kind)(buffer.AsSpan(0, 9), ExampleInputShape, ExampleFilter, ExampleFilterShape,
                buffer.AsSpan(outputStart, 12), new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("output buffer must not overlap the input or the filter"));
        Assert.That(buffer, Is.EqualTo(before), "nothing written");
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void OutputOverlappingTheFilterIsRejected(ConvolutionKind kind)
    {
        var buffer = new float[16];
        ExampleFilter.CopyTo(buffer, 12);
        Assert.That(() => SpanOverload(kind)(ExampleInput, ExampleInputShape, buffer.AsSpan(12, 4), ExampleFilterShape,
                buffer.AsSpan(1, 12), new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("output buffer must not overlap the input or the filter"));
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void AdjacentBuffersInOneArrayAreFine(ConvolutionKind kind)
    {
        // input [0,9), filter [9,13), output [13,25): touching but not overlapping.
        var buffer = new float[25];
        ExampleInput.CopyTo(buffer, 0);
        ExampleFilter.CopyTo(buffer, 9);
        SpanOverload(kind)(buffer.AsSpan(0, 9), ExampleInputShape, buffer.AsSpan(9, 4), ExampleFilterShape, buffer.AsSpan(13, 12), new ConvolutionOptions());
        Assert.That(buffer.Skip(13), Is.EqualTo(ExampleOutput));
    }

    [Test]
    public void InputAndFilterMaySharePositions()
    {
        // Only the output is written, so input and filter may alias: x = [1,2,3,4] as [1,2,2,1] and as filter [2,2,1,1].
        float[] shared = [1, 2, 3, 4];
        var output = new float[1];
        Convolution.Conv2D<float>(shared, [1, 2, 2, 1], shared, [2, 2, 1, 1], output, new ConvolutionOptions());
        Assert.That(output, Is.EqualTo(new float[] { 30 }));
    }

    [TestCase(Conv)]
    [TestCase(Depthwise)]
    public void IntegerElementsAreNotSupported(ConvolutionKind kind)
    {
        var output = Enumerable.Repeat(7, 12).ToArray();
        var input = new int[9];
        var filter = new int[4];
        TestDelegate call = kind == Conv
            ? () => Convolution.Conv2D<int>(input, ExampleInputShape, filter, ExampleFilterShape, output, new ConvolutionOptions())
            : () => Convolution.DepthwiseConv2D<int>(input, ExampleInputShape, filter, ExampleFilterShape, output, new ConvolutionOptions());
        Assert.That(call, Throws.TypeOf<ConvolutionNotSupportedException>().With.Message.EqualTo("element type Int32 is not supported: use float, double, Half or BFloat16"));
        Assert.That(output, Is.All.EqualTo(7), "output untouched");
        Assert.That(() => ArrayOverload(kind, input, ExampleInputShape, filter, ExampleFilterShape, new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionNotSupportedException>());
    }

    [Test]
    public void NFloatIsNotSupportedEvenWhereItIsDoubleSized()
    {
        Assert.That(() => Convolution.Conv2D(new NFloat[9], ExampleInputShape, new NFloat[4], ExampleFilterShape, new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionNotSupportedException>().With.Message.EqualTo("element type NFloat is not supported: use float, double, Half or BFloat16"));
    }

    [Test]
    public void UnsupportedTypeIsReportedBeforeShapeErrorsOnTheSpanOverload()
    {
        Assert.That(() => Convolution.DepthwiseConv2D<short>(new short[9], [3, 3, 1], new short[4], [2, 1, 1, 2], new short[12], new ConvolutionOptions()),
            Throws.TypeOf<ConvolutionNotSupportedException>());
    }

    public static IEnumerable<TestCaseData> FailingCalls()
    {
        var valid = new ConvolutionOptions();
        yield return new TestCaseData(Conv, ExampleInputShape, ExampleFilterShape, valid with { StrideHeight = 0 }, 9, 4).SetName("invalid options leave the output untouched");
        yield return new TestCaseData(Depthwise, new long[] { 1, 3, 3, 2 }, ExampleFilterShape, valid, 18, 4).SetName("invalid shapes leave the output untouched");
        yield return new TestCaseData(Conv, ExampleInputShape, new long[] { 5, 1, 1, 2 }, valid, 9, 10).SetName("negative output size leaves the output untouched");
        yield return new TestCaseData(Depthwise, ExampleInputShape, ExampleFilterShape, valid, 9, 3).SetName("a wrong filter length leaves the output untouched");
        yield return new TestCaseData(Conv, ExampleInputShape, ExampleFilterShape, valid with { Padding = PaddingMode.Explicit, PadTop = -1 }, 9, 4).SetName("negative explicit padding leaves the output untouched");
    }

    [TestCaseSource(nameof(FailingCalls))]
    public void FailedCallLeavesTheOutputUntouched(ConvolutionKind kind, long[] inputShape, long[] filterShape, ConvolutionOptions options, int inputLength, int filterLength)
    {
        var input = Enumerable.Repeat(1f, inputLength).ToArray();
        var filter = Enumerable.Repeat(1f, filterLength).ToArray();
        var output = Enumerable.Repeat(Sentinel, 12).ToArray();
        Assert.That(() => SpanOverload(kind)(input, inputShape, filter, filterShape, output, options), Throws.TypeOf<ConvolutionArgumentException>());
        Assert.That(output, Is.All.EqualTo(Sentinel));
    }

    [Test]
    public void ArrayOverloadRejectsNullArguments()
    {
        var options = new ConvolutionOptions();
        Assert.Multiple(() =>
        {
            Assert.That(() => Convolution.Conv2D<float>(null!, ExampleInputShape, ExampleFilter, ExampleFilterShape, options),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("input"));
            Assert.That(() => Convolution.Conv2D(ExampleInput, null!, ExampleFilter, ExampleFilterShape, options),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("inputShape"));
            Assert.That(() => Convolution.DepthwiseConv2D<float>(ExampleInput, ExampleInputShape, null!, ExampleFilterShape, options),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("filter"));
            Assert.That(() => Convolution.DepthwiseConv2D(ExampleInput, ExampleInputShape, ExampleFilter, null!, options),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("filterShape"));
        });
    }

    [Test]
    public void GeometryMethodsAreShapeInference()
    {
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = 2 };
        Assert.That(Convolution.Conv2DGeometry([2, 5, 7, 3], [3, 3, 3, 4], options), Is.EqualTo(ShapeInference.Conv2D([2, 5, 7, 3], [3, 3, 3, 4], options)));
        Assert.That(Convolution.DepthwiseConv2DGeometry([2, 5, 7, 3], [3, 3, 3, 2], options), Is.EqualTo(ShapeInference.DepthwiseConv2D([2, 5, 7, 3], [3, 3, 3, 2], options)));
        Assert.That(() => Convolution.DepthwiseConv2DGeometry([2, 5, 7], [3, 3, 3, 2], options),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("input must be 4-dimensional[2,5,7]"));
    }

    [Test]
    public void ComputeWithAPrecomputedGeometryChecksTheBuffersAgainstIt()
    {
        // The C ABI infers once and then calls Compute(geometry, ...): the buffers are still checked.
        var geometry = ShapeInference.DepthwiseConv2D(ExampleInputShape, ExampleFilterShape, new ConvolutionOptions());
        var output = new float[12];
        Convolution.Compute<float>(geometry, ExampleInput, ExampleInputShape, ExampleFilter, ExampleFilterShape, output);
        Assert.That(output, Is.EqualTo(ExampleOutput));
        Assert.That(() => Convolution.Compute<float>(geometry, ExampleInput, ExampleInputShape, ExampleFilter, ExampleFilterShape, new float[6]),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("output buffer has 6 elements, but the output needs 12"));
    }
}
