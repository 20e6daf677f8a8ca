using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Api;

/// <summary>
/// <see cref="Convolution.SeparableConv2D{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, ReadOnlySpan{T}, ReadOnlySpan{long}, ReadOnlySpan{T}, ReadOnlySpan{long}, Span{T}, in ConvolutionOptions)"/>:
/// bitwise equal to <see cref="Convolution.DepthwiseConv2D{T}(T[], long[], T[], long[], ConvolutionOptions)"/> followed by a 1x1 VALID
/// <see cref="Convolution.Conv2D{T}(T[], long[], T[], long[], ConvolutionOptions)"/>, on random problems; buffer rules and errors.
/// </summary>
[TestFixture]
public class SeparableConvolutionTests
{
    private const float Sentinel = -12345f;

    public sealed record Case(bool Nchw, string Padding, int Batch, int Height, int Width, int Channels, int KernelHeight, int KernelWidth,
        int Multiplier, int OutChannels, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth,
        int PadTop, int PadBottom, int PadLeft, int PadRight, int Seed)
    {
        public long[] InputShape => Nchw ? [Batch, Channels, Height, Width] : [Batch, Height, Width, Channels];
        public long[] DepthwiseShape => [KernelHeight, KernelWidth, Channels, Multiplier];
        public long[] PointwiseShape => [1, 1, Channels * Multiplier, OutChannels];
        public ConvolutionOptions Options => new()
        {
            DataFormat = Nchw ? DataFormat.NCHW : DataFormat.NHWC,
            Padding = Padding switch { "VALID" => PaddingMode.Valid, "SAME" => PaddingMode.Same, _ => PaddingMode.Explicit },
            StrideHeight = StrideHeight, StrideWidth = StrideWidth, DilationHeight = DilationHeight, DilationWidth = DilationWidth,
            PadTop = PadTop, PadBottom = PadBottom, PadLeft = PadLeft, PadRight = PadRight,
        };

        public override string ToString() =>
            $"{(Nchw ? "NCHW" : "NHWC")} {Padding} {PadTop}-{PadBottom}-{PadLeft}-{PadRight} s{StrideHeight}x{StrideWidth} d{DilationHeight}x{DilationWidth} " +
            $"k{KernelHeight}x{KernelWidth} m{Multiplier} cout{OutChannels} b{Batch} {Height}x{Width}x{Channels} seed{Seed}";
    }

    public static IEnumerable<TestCaseData> RandomCases()
    {
        var rng = new Random(2026);
        string[] paddings = ["VALID", "SAME", "EXPLICIT"];
        for (int i = 0; i < 40; i++)
        {
            bool dilated = rng.Next(4) == 0;
            string padding = paddings[i % 3];
            int kernelHeight = rng.Next(1, 5), kernelWidth = rng.Next(1, 5);
            int dilationHeight = dilated ? rng.Next(1, 4) : 1, dilationWidth = dilated ? rng.Next(1, 4) : 1;
            // At least the dilated filter extent, so that VALID (and EXPLICIT without padding) has an output.
            int height = (kernelHeight - 1) * dilationHeight + 1 + rng.Next(0, 8), width = (kernelWidth - 1) * dilationWidth + 1 + rng.Next(0, 8);
            var c = new Case(
                Nchw: rng.Next(2) == 0, Padding: padding, Batch: rng.Next(1, 3), Height: height, Width: width,
                Channels: rng.Next(1, 9), KernelHeight: kernelHeight, KernelWidth: kernelWidth, Multiplier: rng.Next(1, 4),
                OutChannels: rng.Next(1, 12),
                StrideHeight: dilated ? 1 : rng.Next(1, 4), StrideWidth: dilated ? 1 : rng.Next(1, 4),
                DilationHeight: dilationHeight, DilationWidth: dilationWidth,
                PadTop: padding == "EXPLICIT" ? rng.Next(0, 4) : 0, PadBottom: padding == "EXPLICIT" ? rng.Next(0, 4) : 0,
                PadLeft: padding == "EXPLICIT" ? rng.Next(0, 4) : 0, PadRight: padding == "EXPLICIT" ? rng.Next(0, 4) : 0,
                Seed: 1000 + i);
            yield return new TestCaseData(c).SetArgDisplayNames(c.ToString());
        }
        // Strided and dilated together (the true convolution in the managed API), and a wide channel mix.
        yield return new TestCaseData(new Case(false, "SAME", 1, 13, 11, 4, 3, 3, 2, 16, 2, 2, 2, 2, 0, 0, 0, 0, 7)).SetArgDisplayNames("strided dilated SAME");
        yield return new TestCaseData(new Case(true, "VALID", 2, 9, 9, 16, 3, 3, 1, 32, 1, 1, 1, 1, 0, 0, 0, 0, 8)).SetArgDisplayNames("NCHW 16->32");
    }

    private static (T[] Values, long[] Shape) TwoCalls<T>(Case c, T[] input, T[] depthwise, T[] pointwise)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (intermediate, intermediateShape) = Convolution.DepthwiseConv2D(input, c.InputShape, depthwise, c.DepthwiseShape, c.Options);
        return Convolution.Conv2D(intermediate, intermediateShape, pointwise, c.PointwiseShape,
            new ConvolutionOptions { DataFormat = c.Options.DataFormat });
    }

    [TestCaseSource(nameof(RandomCases))]
    public void EqualsDepthwiseThenConv2DBitwiseFloat(Case c)
    {
        var rng = new Random(c.Seed);
        float[] input = Random32(rng, Layout.Product(c.InputShape)), dw = Random32(rng, Layout.Product(c.DepthwiseShape)),
            pw = Random32(rng, Layout.Product(c.PointwiseShape));
        var (want, wantShape) = TwoCalls(c, input, dw, pw);
        var (got, shape) = Convolution.SeparableConv2D(input, c.InputShape, dw, c.DepthwiseShape, pw, c.PointwiseShape, c.Options);
        Assert.That(shape, Is.EqualTo(wantShape));
        Assert.That(got, Is.EqualTo(want).AsCollection, "bitwise");
        Assert.That(shape, Is.EqualTo(Convolution.SeparableConv2DGeometry(c.InputShape, c.DepthwiseShape, c.PointwiseShape, c.Options).GetOutputShape(c.InputShape)));
    }

    [TestCaseSource(nameof(RandomCases))]
    public void EqualsDepthwiseThenConv2DBitwiseDouble(Case c)
    {
        var rng = new Random(c.Seed);
        double[] input = Layout.RandomValues(rng, (int)Layout.Product(c.InputShape), asFloat: false),
            dw = Layout.RandomValues(rng, (int)Layout.Product(c.DepthwiseShape), asFloat: false),
            pw = Layout.RandomValues(rng, (int)Layout.Product(c.PointwiseShape), asFloat: false);
        var (want, _) = TwoCalls(c, input, dw, pw);
        var output = new double[want.Length];
        Convolution.SeparableConv2D<double>(input, c.InputShape, dw, c.DepthwiseShape, pw, c.PointwiseShape, output, c.Options);
        Assert.That(output.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(want.Select(BitConverter.DoubleToInt64Bits)), "bitwise");
    }

    private static float[] Random32(Random rng, long count) => Layout.RandomValues(rng, (int)count, asFloat: true).Select(v => (float)v).ToArray();

    [Test]
    public void HandComputedExample()
    {
        // Depthwise [[13,18],[17,24],[21,30]],[[25,36],[29,42],[33,48]] (tf.nn.depthwise_conv2d's docstring example), then
        // channel sums a + b and a - b.
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9], dw = [1, 2, 3, 4], pw = [1, 1, 1, -1];
        var (values, shape) = Convolution.SeparableConv2D(input, [1, 3, 3, 1], dw, [2, 1, 1, 2], pw, [1, 1, 2, 2], new ConvolutionOptions());
        Assert.That(shape, Is.EqualTo(new long[] { 1, 2, 3, 2 }));
        Assert.That(values, Is.EqualTo(new float[] { 31, -5, 41, -7, 51, -9, 61, -11, 71, -13, 81, -15 }));
    }

    [Test]
    public void PaddingOnlyInputGivesZerosWithoutReadingTheDepthwiseFilter()
    {
        var output = Enumerable.Repeat(Sentinel, 8).ToArray();
        Convolution.SeparableConv2D<float>([], [1, 0, 2, 1], [float.NaN], [1, 1, 1, 1], [2f], [1, 1, 1, 1], output,
            new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 });
        Assert.That(output, Is.EqualTo(new float[8]));
    }

    [Test]
    public void EmptyOutputIsFine()
    {
        var (values, shape) = Convolution.SeparableConv2D(Array.Empty<float>(), [0, 4, 4, 2], new float[18], [3, 3, 2, 1], new float[10], [1, 1, 2, 5], new ConvolutionOptions());
        Assert.That(shape, Is.EqualTo(new long[] { 0, 2, 2, 5 }));
        Assert.That(values, Is.Empty);
    }

    [TestCase(8, 4, 4, 12, "input buffer has 8 elements, but shape [1,3,3,1] needs 9")]
    [TestCase(9, 3, 4, 12, "depthwise_filter buffer has 3 elements, but shape [2,1,1,2] needs 4")]
    [TestCase(9, 4, 5, 12, "pointwise_filter buffer has 5 elements, but shape [1,1,2,2] needs 4")]
    [TestCase(9, 4, 4, 11, "output buffer has 11 elements, but the output needs 12")]
    public void BufferLengthsMustMatchAndOutputIsUntouched(int inputLength, int depthwiseLength, int pointwiseLength, int outputLength, string message)
    {
        var output = Enumerable.Repeat(Sentinel, outputLength).ToArray();
        var error = Assert.Throws<ConvolutionArgumentException>(() => Convolution.SeparableConv2D<float>(new float[inputLength], [1, 3, 3, 1],
            new float[depthwiseLength], [2, 1, 1, 2], new float[pointwiseLength], [1, 1, 2, 2], output, new ConvolutionOptions()));
        Assert.That(error!.Message, Is.EqualTo(message));
        Assert.That(output, Is.All.EqualTo(Sentinel));
    }

    [Test]
    public void OutputMustNotOverlapThePointwiseFilter()
    {
        var buffer = new float[16];
        var error = Assert.Throws<ConvolutionArgumentException>(() => Convolution.SeparableConv2D<float>(new float[9], [1, 3, 3, 1],
            new float[4], [2, 1, 1, 2], buffer.AsSpan(0, 4), [1, 1, 2, 2], buffer.AsSpan(2, 12), new ConvolutionOptions()));
        Assert.That(error!.Message, Does.Contain("must not overlap"));
        var ok = new float[16];
        Assert.DoesNotThrow(() => Convolution.SeparableConv2D<float>(new float[9], [1, 3, 3, 1],
            new float[4], [2, 1, 1, 2], ok.AsSpan(12, 4), [1, 1, 2, 2], ok.AsSpan(0, 12), new ConvolutionOptions()));
    }

    [Test]
    public void ShapeErrorsComeFromShapeInference()
    {
        var error = Assert.Throws<ConvolutionArgumentException>(() => Convolution.SeparableConv2D(new float[9], [1, 3, 3, 1],
            new float[4], [2, 1, 1, 2], new float[8], [2, 1, 2, 2], new ConvolutionOptions()));
        Assert.That(error!.Message, Is.EqualTo("Dimensions 2 and 1 are not compatible"));
    }

    [Test]
    public void UnsupportedElementType()
    {
        var error = Assert.Throws<ConvolutionNotSupportedException>(() => Convolution.SeparableConv2D<int>(new int[9], [1, 3, 3, 1],
            new int[4], [2, 1, 1, 2], new int[4], [1, 1, 2, 2], new int[12], new ConvolutionOptions()));
        Assert.That(error!.Message, Does.Contain("Int32"));
    }
}
