using DepthwiseInterop.Kernels.Separable;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Api;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Separable;

/// <summary>
/// The fused separable path gives the bits of the unfused one (depthwise into a whole intermediate, then
/// pointwise): on the random separable problems, forced to fuse with bands of one row, of a few rows and of
/// the default size, on every tier, in float, double and float16; and on MobileNet-sized problems through
/// the public API, where it fuses by default, bitwise equal to the two ops called one after the other.
/// </summary>
public sealed class FusedSeparableConvolutionTests
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];
    private static readonly long[] BandSizes = [1, 50, FusedSeparableConvolution.BandIntermediateElements];

    private static IEnumerable<TestCaseData> NhwcCases() =>
        SeparableConvolutionTests.RandomCases().Where(data => !((SeparableConvolutionTests.Case)data.Arguments[0]!).Nchw);

    [TestCaseSource(nameof(NhwcCases))]
    public void FusedEqualsUnfusedOnEveryTierAndBand(SeparableConvolutionTests.Case c)
    {
        var rng = new Random(c.Seed);
        var input = Layout.RandomValues(rng, (int)Layout.Product(c.InputShape), asFloat: true);
        var depthwise = Layout.RandomValues(rng, (int)Layout.Product(c.DepthwiseShape), asFloat: true);
        var pointwise = Layout.RandomValues(rng, (int)Layout.Product(c.PointwiseShape), asFloat: true);
        Compare(c, input.Select(v => (float)v).ToArray(), depthwise.Select(v => (float)v).ToArray(), pointwise.Select(v => (float)v).ToArray());
        Compare(c, input, depthwise, pointwise);
        Compare(c, input.Select(v => (Half)v).ToArray(), depthwise.Select(v => (Half)v).ToArray(), pointwise.Select(v => (Half)v).ToArray());
    }

    private static void Compare<T>(SeparableConvolutionTests.Case c, T[] input, T[] depthwise, T[] pointwise) where T : unmanaged
    {
        var geometry = ShapeInference.SeparableConv2D(c.InputShape, c.DepthwiseShape, c.PointwiseShape, c.Options);
        foreach (var isa in Tiers)
        {
            var unfused = new T[geometry.OutputElementCount];
            SeparableDispatcher.Run<T>(input, depthwise, pointwise, unfused, geometry, isa, allowFused: false);
            foreach (long band in BandSizes)
            {
                var fused = new T[geometry.OutputElementCount];
                bool ran = FusedSeparableConvolution.TryRun<T>(input, depthwise, pointwise, fused, geometry, isa, band, fusionThreshold: 0);
                Assert.That(ran, Is.True, "an NHWC problem with a non-empty input fuses");
                Assert.That(fused, Is.EqualTo(unfused), $"{typeof(T).Name} {isa}, bands of {band} intermediate elements");
            }
        }
    }

    [TestCase(56, 144, 1, 24, 1)]
    [TestCase(112, 32, 1, 16, 1)]
    [TestCase(161, 32, 1, 16, 2)]
    [TestCase(28, 96, 2, 40, 1)]
    public void MobileNetSizedProblemsFuseAndEqualTheTwoOps(int size, int channels, int multiplier, int outChannels, int stride)
    {
        var rng = new Random(size + channels);
        long[] inputShape = [1, size, size, channels], depthwiseShape = [3, 3, channels, multiplier], pointwiseShape = [1, 1, channels * multiplier, outChannels];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var geometry = ShapeInference.SeparableConv2D(inputShape, depthwiseShape, pointwiseShape, options);
        Assert.That(geometry.IntermediateElementCount, Is.GreaterThanOrEqualTo(FusedSeparableConvolution.FusionThresholdElements), "the case must fuse");
        float[] Draw(long[] shape) => Layout.RandomValues(rng, (int)Layout.Product(shape), asFloat: true).Select(v => (float)v).ToArray();
        float[] input = Draw(inputShape), depthwise = Draw(depthwiseShape), pointwise = Draw(pointwiseShape);
        var (fused, _) = Convolution.SeparableConv2D(input, inputShape, depthwise, depthwiseShape, pointwise, pointwiseShape, options);
        var (intermediate, intermediateShape) = Convolution.DepthwiseConv2D(input, inputShape, depthwise, depthwiseShape, options);
        var (twoOps, _) = Convolution.Conv2D(intermediate, intermediateShape, pointwise, pointwiseShape, new ConvolutionOptions());
        Assert.That(fused, Is.EqualTo(twoOps));
        ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
            Convolution.SeparableConv2D(input, inputShape, depthwise, depthwiseShape, pointwise, pointwiseShape, options).Values);
    }
}
