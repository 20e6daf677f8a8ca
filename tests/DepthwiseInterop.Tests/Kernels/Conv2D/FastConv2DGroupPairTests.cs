using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Conv2D;

/// <summary>
/// Groups of exactly one vector run in pairs of neighbouring groups below 512 bits (6 × 2 tiles whose second
/// vector is the next group's): against the scalar reference on every tier, float (8 output channels per group at
/// 256 bits, 4 at 128) and double (4 at 256 bits, 2 at 128), with an even group count and an odd one (the last
/// group alone in 8 × 1 tiles), the filter packed once (many panels) or by the work item (one or two panels),
/// 3x3 with edge tiles (padding read from the zero buffer as a pair) and interior ones, pointwise, strides and
/// dilations, panels of 6 and 5 pixel tiles and panels smaller than a tile; and bitwise alike for every thread count.
/// </summary>
[NonParallelizable]
public sealed class FastConv2DGroupPairTests
{
    [TestCase(1, 28, 28, 8, 32, 3, 1, 1, "SAME")]   // the grouped ResNeXt layer: 16 pairs, 9 panels packed once, edges
    [TestCase(1, 20, 20, 8, 5, 3, 1, 1, "SAME")]    // 5 groups: 2 pairs and a lone last group, 5 panels (the last of 16 pixels)
    [TestCase(1, 7, 7, 8, 4, 3, 1, 1, "SAME")]      // one panel of 49 pixels: each pair packed by its work item as its first tile reads it
    [TestCase(2, 9, 10, 8, 3, 3, 1, 1, "SAME")]     // two panels (batch 2), a pair and a lone group, both packed by the items
    [TestCase(1, 1, 3, 8, 2, 1, 1, 1, "VALID")]     // 3 pixels: one tile over the last pixel's copies
    [TestCase(1, 14, 14, 8, 6, 1, 1, 1, "VALID")]   // pointwise: input channel k for weight row k, 3 panels
    [TestCase(1, 17, 19, 8, 4, 3, 2, 1, "SAME")]    // stride 2
    [TestCase(1, 16, 16, 8, 4, 3, 1, 2, "SAME")]    // dilation 2
    [TestCase(1, 12, 11, 4, 7, 5, 1, 1, "VALID")]   // 4 channels per group (pairs at 128 bits for float, 256 for double), 5x5
    [TestCase(1, 10, 13, 2, 6, 3, 1, 1, "SAME")]    // 2 channels per group (pairs at 128 bits for double)
    public void OneVectorGroupsMatchTheReferenceOnEveryTier(int batch, int height, int width, int channelsPerGroup, int groups, int k, int stride, int dilation, string padding)
    {
        var options = new ConvolutionOptions
        {
            Padding = padding == "SAME" ? PaddingMode.Same : PaddingMode.Valid,
            StrideHeight = stride, StrideWidth = stride, DilationHeight = dilation, DilationWidth = dilation,
        };
        long[] inputShape = [batch, height, width, channelsPerGroup * groups], filterShape = [k, k, channelsPerGroup, channelsPerGroup * groups];
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        // The width whose vector holds exactly a group's output channels: float's where one fits, else double's.
        int vectorBytes = channelsPerGroup * sizeof(float) is 16 or 32 ? channelsPerGroup * sizeof(float) : channelsPerGroup * sizeof(double);
        var plan = new Conv2DNhwcKernel.Plan(geometry, lanes: channelsPerGroup, vectorBytes, threads: 1);
        Assert.That(plan.GroupPairs, Is.True);
        Assert.That((long)plan.Units, Is.EqualTo((groups + 1) / 2), "a unit per pair, an odd last group alone");
        TierComparison.CompareEveryTier<float>(geometry, seed: height * 100 + groups, null);
        TierComparison.CompareEveryTier<double>(geometry, seed: width * 100 + groups, null);
        if (channelsPerGroup == 8 && geometry.OutputElementCount * k * k * channelsPerGroup > 1L << 20)
        {
            // Large enough for several threads: each thread count's split of the pairs gives the same bits.
            Conv2DThreadCheck.AssertSameBitsForEveryThreadCount(geometry, seed: groups);
        }
    }

    /// <summary>Pairs need two groups of one vector below 512 bits; otherwise units stay (group, block).</summary>
    [TestCase(8, 32, 8, 32, true)]    // 8 channels per group at 256 bits
    [TestCase(8, 1, 8, 32, false)]    // one group: no partner
    [TestCase(16, 16, 16, 64, false)] // 512 bits keep 8 × 1 tiles (their 32 registers were not measured with pairs)
    [TestCase(16, 16, 8, 32, false)]  // two vectors per group: blocks of the group's own vectors
    public void PairsOnlyForOneVectorGroupsBelow512Bits(int channelsPerGroup, int groups, int lanes, int vectorBytes, bool pairs)
    {
        var geometry = ShapeInference.Conv2D([1, 28, 28, channelsPerGroup * groups], [3, 3, channelsPerGroup, channelsPerGroup * groups],
            new ConvolutionOptions { Padding = PaddingMode.Same });
        var plan = new Conv2DNhwcKernel.Plan(geometry, lanes, vectorBytes, threads: 1);
        Assert.That(plan.GroupPairs, Is.EqualTo(pairs));
        Assert.That((long)plan.Units, Is.EqualTo(pairs ? (groups + 1) / 2 : groups * (long)plan.BlocksPerGroup));
    }
}
