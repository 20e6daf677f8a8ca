using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// NCHW, multiplier 1, on both sides of each planar-or-transposes threshold (3x3 at row stride 1: 169 outputs
/// per plane from 128 channels, 256 below; 3x3 at row stride 2: 256; five and seven wide at unit column stride:
/// 2500; other filters: 784), and the planar
/// kernel's 14- and 21-row bands for rows too wide for 28 (the last band partial, so that it ends on the
/// four-row tiles), against the scalar reference on every tier, with channel counts that leave vector tails.
/// (Float32 3x3 stride-1 planes with rows 4 to 16 wide take the planar kernel whatever their size, reading
/// them in place: the 3x3 stride-1 cases below. NchwStride1InPlaceTests covers that path at 256 bits, and
/// NchwStride1SlidingTests the rows of 9 or more at 512 bits; the thresholds still hold for doubles and the
/// other vector widths.)
/// </summary>
public sealed class NchwPlanarDispatchTests
{
    private static IEnumerable<TestCaseData> ThresholdCases()
    {
        // (height, width, filter, stride, channels): outputs per plane in the comment.
        var cases = new (int H, int W, int K, int S, int C)[]
        {
            (12, 14, 3, 1, 130), // 168: transposes
            (13, 13, 3, 1, 130), // 169, 128 channels or more: planar
            (12, 12, 3, 1, 129), // 144: transposes
            (15, 15, 3, 1, 33),  // 225, fewer than 128 channels: transposes
            (16, 16, 3, 1, 20),  // 256: planar
            (30, 30, 3, 2, 20), // 225: transposes
            (32, 32, 3, 2, 17), // 256: planar
            (28, 28, 5, 1, 20), // 784, five wide: transposes
            (49, 51, 5, 1, 17), // 2499: transposes
            (50, 50, 5, 1, 9),  // 2500: planar
            (28, 28, 7, 1, 16), // 784, seven wide: transposes
            (50, 50, 7, 1, 9),  // 2500: planar
            (27, 27, 6, 1, 20), // 729, six wide: transposes
            (28, 28, 6, 1, 16), // 784: planar
            (29, 27, 3, 2, 24), // 15 x 14 = 210: 3x3 s2 below its threshold
        };
        int seed = 300;
        foreach (var (h, w, k, s, c) in cases)
            yield return new TestCaseData(new long[] { 1, c, h, w }, new long[] { k, k, c, 1 }, s, seed++)
                .SetArgDisplayNames($"NCHW {h}x{w}x{c} {k}x{k} s{s}");
    }

    private static IEnumerable<TestCaseData> NarrowBandCases()
    {
        int seed = 400;
        // Input width 112 at stride 2: 56 outputs a row, 14-row bands (28 rows of scratch would be 32 KiB).
        yield return new TestCaseData(new long[] { 1, 9, 64, 112 }, new long[] { 3, 3, 9, 1 }, 2, seed++).SetArgDisplayNames("NCHW s2 w112 14-row bands");
        // Width 80 at stride 2: 40 outputs a row, 21-row bands; 50 rows = 21 + 21 + 8.
        yield return new TestCaseData(new long[] { 2, 5, 100, 80 }, new long[] { 3, 3, 5, 1 }, 2, seed++).SetArgDisplayNames("NCHW s2 w80 21-row bands");
        // Width 200 at stride 1: 14-row bands; 45 rows = 14 + 14 + 14 + 3.
        yield return new TestCaseData(new long[] { 1, 3, 45, 200 }, new long[] { 3, 3, 3, 1 }, 1, seed++).SetArgDisplayNames("NCHW s1 w200 14-row bands");
    }

    [TestCaseSource(nameof(ThresholdCases))]
    [TestCaseSource(nameof(NarrowBandCases))]
    public void MatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, int stride, int seed)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        CompareEveryTier<float>(inputShape, filterShape, options, seed);
        CompareEveryTier<double>(inputShape, filterShape, options, seed + 1);
    }

    private static void CompareEveryTier<T>(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        // The 512-bit kernels in software as well (the planar one takes any channel count, the transposes need 16).
        TierComparison.CompareEveryTier<T>(geometry, seed, (x, w, y, g) => FastDepthwiseConvolution.Run<Vector512<T>, T>(x, w, y, g));
    }
}

/// <summary>The paths the thresholds choose give the same bits at 1, 2, 3 and 8 threads.</summary>
[NonParallelizable]
public sealed class NchwPlanarDispatchDeterminismTests
{
    [TestCase(576, 13, 13, 3, 1)] // planar, small planes
    [TestCase(64, 112, 112, 3, 2)] // planar, 14-row bands
    [TestCase(240, 24, 24, 5, 1)] // transposes, 5x5
    [TestCase(16, 50, 50, 5, 1)] // planar, 5x5
    [TestCase(384, 11, 11, 3, 1)] // transposes, 3x3
    [TestCase(64, 15, 15, 3, 1)] // transposes, 3x3, few channels
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(int channels, int height, int width, int filter, int stride)
    {
        var random = new Random(channels + height);
        long[] inputShape = [2, channels, height, width], filterShape = [filter, filter, channels, 1];
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var input = Enumerable.Range(0, 2 * channels * height * width).Select(_ => (float)random.NextDouble()).ToArray();
        var filterValues = Enumerable.Range(0, filter * filter * channels).Select(_ => (float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.DepthwiseConv2D(input, inputShape, filterValues, filterShape, options).Values);
    }
}
