using System.Numerics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// NHWC depthwise with fewer output channels than a 128-bit vector holds (C × M below 4 floats, below 2 doubles), run
/// on the planar kernel between layout copies: which problems take the route; against the scalar reference on every
/// tier (one, two and three channels, multipliers 2 and 3, strides, dilations, explicit and VALID padding, a batch,
/// 5x5 and 1x1 filters, planes narrower than a vector); the bits of the same problem in NCHW, which the planar kernel
/// computes directly, so the route is the one taken; the same bits for every thread count.
/// </summary>
public sealed class NarrowNhwcThroughPlanesTests
{
    [TestCase(1, 1, true)]
    [TestCase(3, 1, true)]
    [TestCase(1, 3, true)]
    [TestCase(2, 2, false)] // four output channels: the 128-bit NHWC kernel
    [TestCase(4, 1, false)]
    public void FloatProblemsTakeTheRouteBelowFourOutputChannels(int channels, int multiplier, bool takes)
    {
        var g = ShapeInference.DepthwiseConv2D([1, 9, 9, channels], [3, 3, channels, multiplier], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(NarrowNhwcThroughPlanes.Applies<float>(g), Is.EqualTo(takes));
        Assert.That(NarrowNhwcThroughPlanes.Applies<double>(g), Is.EqualTo(channels * multiplier < 2));
        var nchw = ShapeInference.DepthwiseConv2D([1, channels, 9, 9], [3, 3, channels, multiplier],
            new ConvolutionOptions { Padding = PaddingMode.Same, DataFormat = DataFormat.NCHW });
        Assert.That(NarrowNhwcThroughPlanes.Applies<float>(nchw), Is.False, "NCHW runs on the planar kernel itself");
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        var valid = same with { Padding = PaddingMode.Valid };
        // (input NHWC, filter height and width, multiplier, options, name)
        var cases = new (long[] Input, int K, int M, ConvolutionOptions O, string Name)[]
        {
            ([1, 224, 224, 1], 3, 1, same, "grayscale 224x224, one channel: no copies"),
            ([1, 56, 56, 3], 3, 1, same, "RGB 56x56"),
            ([2, 30, 31, 2], 3, 1, valid, "two channels, batch 2, VALID"),
            ([1, 40, 40, 1], 3, 2, same, "multiplier 2: the output copied back"),
            ([1, 17, 23, 1], 3, 3, same with { StrideHeight = 2, StrideWidth = 2 }, "multiplier 3, stride 2"),
            ([1, 33, 29, 3], 3, 1, same with { DilationHeight = 2, DilationWidth = 3 }, "dilations 2 and 3"),
            ([1, 20, 20, 1], 5, 1, same, "5x5"),
            ([1, 12, 12, 2], 1, 1, same, "1x1"),
            ([1, 7, 5, 3], 3, 1, same, "planes narrower than a vector"),
            ([1, 15, 16, 1], 3, 1, same with { Padding = PaddingMode.Explicit, PadTop = 2, PadBottom = 0, PadLeft = 1, PadRight = 3 },
                "explicit padding"),
        };
        int seed = 700;
        foreach (var (input, k, m, options, name) in cases)
            yield return new TestCaseData(input, new long[] { k, k, input[3], m }, options, seed++).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assert.That(NarrowNhwcThroughPlanes.Applies<float>(g), "the case must take the route");
        TierComparison.CompareEveryTier<float>(g, seed, null);
        if (NarrowNhwcThroughPlanes.Applies<double>(g)) TierComparison.CompareEveryTier<double>(g, seed + 1, null);
    }

    [TestCaseSource(nameof(Cases))]
    public void GivesTheBitsOfTheSameProblemInNchw(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        int n = (int)inputShape[0], h = (int)inputShape[1], w = (int)inputShape[2], c = (int)inputShape[3];
        var random = new Random(seed);
        var input = Enumerable.Range(0, n * h * w * c).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)Layout.Product(filterShape)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var nhwc = Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options);
        var nchw = Convolution.DepthwiseConv2D(Layout.NhwcToNchw(input, n, h, w, c), [n, c, h, w], filter, filterShape,
            options with { DataFormat = DataFormat.NCHW });
        var shape = nhwc.Shape;
        var expected = Layout.NchwToNhwc(nchw.Values, (int)shape[0], (int)shape[3], (int)shape[1], (int)shape[2]);
        Assert.That(nhwc.Values, Is.EqualTo(expected));
    }

    [Test]
    [NonParallelizable]
    public void ResultsAreBitwiseIdenticalForEveryThreadCount()
    {
        var random = new Random(7);
        long[] inputShape = [2, 96, 96, 3], filterShape = [3, 3, 3, 1];
        var input = Enumerable.Range(0, 2 * 96 * 96 * 3).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, 27).Select(_ => (float)random.NextDouble()).ToArray();
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options).Values);
    }
}
