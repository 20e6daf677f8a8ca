using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Conv2D;

/// <summary>
/// conv2d with fewer output channels per group than a 128-bit vector holds (below 4 floats, below 2 doubles), run on
/// the SIMD kernel with the filter widened by zero output channels: which problems take the route; against the scalar
/// reference on every tier (one, two and three outputs, groups, NHWC and NCHW, strides, dilations, explicit and VALID
/// padding, a batch, 1x1); the bits of the same problem with the filter widened by hand to four outputs, which the
/// kernel takes directly, so the route is the one taken; the same bits for every thread count.
/// </summary>
public sealed class PaddedOutputChannelsTests
{
    [TestCase(1, true)]
    [TestCase(3, true)]
    [TestCase(4, false)]
    public void FloatProblemsTakeTheRouteBelowFourOutputsPerGroup(int outputs, bool takes)
    {
        var g = ShapeInference.Conv2D([1, 9, 9, 8], [3, 3, 8, outputs], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(PaddedOutputChannels.Applies<float>(g), Is.EqualTo(takes));
        Assert.That(PaddedOutputChannels.Applies<double>(g), Is.EqualTo(outputs < 2));
        var grouped = ShapeInference.Conv2D([1, 9, 9, 8], [3, 3, 4, 6], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(PaddedOutputChannels.Applies<float>(grouped), Is.True, "two groups of three outputs");
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        // (input shape, filter shape, options, name)
        var cases = new (long[] Input, long[] Filter, ConvolutionOptions O, string Name)[]
        {
            ([1, 30, 30, 16], [3, 3, 16, 3], same, "16 channels to RGB"),
            ([1, 28, 28, 8], [3, 3, 8, 1], same, "to one channel"),
            ([2, 17, 19, 3], [3, 3, 3, 2], same with { Padding = PaddingMode.Valid }, "two outputs, batch 2, VALID"),
            ([1, 20, 20, 12], [3, 3, 4, 6], same, "three groups of two outputs"),
            ([1, 21, 23, 6], [5, 5, 6, 1], same with { StrideHeight = 2, StrideWidth = 2 }, "5x5 stride 2"),
            ([1, 25, 25, 4], [3, 3, 4, 3], same with { DilationHeight = 2, DilationWidth = 2 }, "dilation 2"),
            ([1, 14, 14, 32], [1, 1, 32, 1], same, "1x1 to one channel"),
            ([1, 16, 15, 5], [3, 3, 5, 3], same with { Padding = PaddingMode.Explicit, PadTop = 0, PadBottom = 2, PadLeft = 3, PadRight = 1 },
                "explicit padding"),
            ([1, 8, 18, 18], [3, 3, 8, 3], same with { DataFormat = DataFormat.NCHW }, "NCHW to RGB"),
            ([2, 6, 12, 12], [3, 3, 3, 2], same with { DataFormat = DataFormat.NCHW }, "NCHW, two groups of one output, batch 2"),
        };
        int seed = 900;
        foreach (var (input, filter, options, name) in cases)
            yield return new TestCaseData(input, filter, options, seed++).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.Conv2D(inputShape, filterShape, options);
        Assert.That(PaddedOutputChannels.Applies<float>(g), "the case must take the route");
        TierComparison.CompareEveryTier<float>(g, seed, null);
        if (PaddedOutputChannels.Applies<double>(g)) TierComparison.CompareEveryTier<double>(g, seed + 1, null);
    }

    [TestCaseSource(nameof(Cases))]
    public void GivesTheBitsOfTheFilterWidenedToFourOutputs(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)Layout.Product(inputShape)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)Layout.Product(filterShape)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var g = ShapeInference.Conv2D(inputShape, filterShape, options);
        int perGroup = (int)g.OutputChannelsPerGroup, groups = (int)g.Groups, rows = (int)(filterShape[0] * filterShape[1] * filterShape[2]);
        // The same problem with four outputs per group, the added filters zero: the kernel's own width.
        var wideFilter = new float[rows * groups * 4];
        for (int row = 0; row < rows; row++)
            for (int group = 0; group < groups; group++)
                for (int j = 0; j < perGroup; j++)
                    wideFilter[(row * groups + group) * 4 + j] = filter[(row * groups + group) * perGroup + j];
        long[] wideShape = [filterShape[0], filterShape[1], filterShape[2], groups * 4];
        var narrow = Convolution.Conv2D(input, inputShape, filter, filterShape, options).Values;
        var wide = Convolution.Conv2D(input, inputShape, wideFilter, wideShape, options).Values;
        bool nchw = options.DataFormat == DataFormat.NCHW;
        long plane = g.OutputHeight * g.OutputWidth, outputs = g.OutputChannels;
        for (long i = 0; i < narrow.Length; i++)
        {
            long image = i / (plane * outputs), channel = nchw ? i / plane % outputs : i % outputs, pixel = nchw ? i % plane : i / outputs % plane;
            long wideChannel = channel / perGroup * 4 + channel % perGroup;
            long wideIndex = nchw ? (image * groups * 4 + wideChannel) * plane + pixel : (image * plane + pixel) * groups * 4 + wideChannel;
            if (BitConverter.SingleToInt32Bits(narrow[i]) != BitConverter.SingleToInt32Bits(wide[wideIndex]))
                Assert.Fail($"element {i}: {narrow[i]}, the widened problem's {wide[wideIndex]}");
        }
    }

    [Test]
    [NonParallelizable]
    public void ResultsAreBitwiseIdenticalForEveryThreadCount()
    {
        var random = new Random(9);
        long[] inputShape = [2, 64, 64, 16], filterShape = [3, 3, 16, 3];
        var input = Enumerable.Range(0, 2 * 64 * 64 * 16).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, 3 * 3 * 16 * 3).Select(_ => (float)random.NextDouble()).ToArray();
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.Conv2D(input, inputShape, filter, filterShape, options).Values);
    }
}
