using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Conv2D;

/// <summary>
/// The multi-threaded work split (panels × ranges of channel blocks, claimed one item per chunk unless the items
/// are tiny): under 1, 2, 3 and 8 threads every tier matches the scalar reference, and the bits do not depend on
/// the thread count. Shapes reach every split: one block per item over a single panel, blocks of 2 and 3 vectors
/// with a last vector shifted back (odd output channels), one or two panels packed by the items, many panels
/// with a short last one, batches, groups, and items too small to be claimed one by one.
/// </summary>
[NonParallelizable]
public sealed class FastConv2DWorkSplitTests
{
    private static readonly int[] ThreadSettings = [1, 2, 3, 8];

    [TestCase(1, 7, 7, 960, 1, 320, 1, 1)]  // the MobileNetV2 head: one panel of 49 pixels, 14 blocks (of 3 vectors at 256 bits) split one per item
    [TestCase(3, 7, 7, 240, 1, 37, 1, 1)]   // 147 pixels in two panels, each item packing its block of 2 or 3 vectors (37: the last shifted back)
    [TestCase(1, 9, 10, 64, 1, 40, 3, 3)]   // one panel of 90 pixels with edges, 5 vectors: blocks of 2 and 3 in separate items
    [TestCase(2, 23, 29, 13, 1, 37, 3, 3)]  // 14 panels (the last of 86 pixels), odd input and output channels, batch 2
    [TestCase(1, 14, 14, 64, 4, 64, 3, 3)]  // 3 panels, 4 groups: the splits cut across groups
    [TestCase(1, 40, 56, 3, 1, 32, 3, 3)]   // 3 input channels: items too small to claim one by one, several per chunk
    [TestCase(1, 14, 14, 64, 1, 320, 1, 1)] // 3 packed panels × 5 blocks of 4 vectors at 512 bits: on 2 threads narrowed to blocks of 2 (30 items)
    public void EveryThreadCountMatchesTheReferenceWithTheSameBits(int batch, int height, int width, int channels, int groups, int outputs, int kh, int kw)
    {
        long[] inputShape = [batch, height, width, channels], filterShape = [kh, kw, channels / groups, outputs];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        Assert.That(geometry.OutputElementCount * kh * kw * (channels / groups), Is.GreaterThan(1L << 20), "large enough to use several threads");
        int previous = ComputeSettings.ThreadCount;
        try
        {
            foreach (int threads in ThreadSettings)
            {
                ComputeSettings.ThreadCount = threads;
                TierComparison.CompareEveryTier<float>(geometry, seed: height * 100 + outputs,
                    (x, w, y, g) => FastConv2D.Run<Vector512<float>, float>(x, w, y, g));
            }
        }
        finally
        {
            ComputeSettings.ThreadCount = previous;
        }

        Conv2DThreadCheck.AssertSameBitsForEveryThreadCount(geometry, seed: outputs);
    }

    /// <summary>The split the shapes above rely on: enough items per thread, and never more splits than blocks.</summary>
    [TestCase(1, 7, 7, 960, 320, 1, 2, 14)]   // one panel: every block (12 of 3 vectors, 2 of 2) its own item (14 < 2 × ItemsPerThread)
    [TestCase(1, 56, 56, 64, 64, 3, 2, 1)]    // 33 panels ≥ 2 × ItemsPerThread: one item per panel
    [TestCase(1, 14, 14, 64, 64, 3, 2, 4)]    // 3 panels: 4 blocks of 2 vectors, one per item
    [TestCase(1, 7, 7, 960, 320, 1, 1, 1)]    // one thread: no split
    public void SplitsFollowTheThreadCount(int batch, int height, int width, int channels, int outputs, int k, int threads, int splits)
    {
        var geometry = ShapeInference.Conv2D([batch, height, width, channels], [k, k, channels, outputs], new ConvolutionOptions { Padding = PaddingMode.Same });
        var plan = new Conv2DNhwcKernel.Plan(geometry, lanes: 8, vectorBytes: 32, threads);
        Assert.That((long)plan.Splits, Is.EqualTo(splits));
        if (threads > 1) Assert.That(plan.Items, Is.GreaterThanOrEqualTo(Math.Min(Conv2DNhwcKernel.ItemsPerThread * threads, (long)plan.Panels * plan.Units)));
    }

    /// <summary>
    /// Few items share evenly: on 512-bit vectors the 7x7x960->320 head's 20 vectors make 5 blocks of 4, 3 items against 2
    /// on 2 threads, so the blocks narrow to 2 vectors (10 items); where no narrower block shares evenly (3 threads) or
    /// the items already do (7x7x320->1280: 20 blocks), the widest stays; 14x14x64->320 is 3 panels of 5 blocks (15 items).
    /// </summary>
    [TestCase(960, 320, 2, 10)]
    [TestCase(960, 320, 3, 5)]
    [TestCase(960, 320, 1, 5)]
    [TestCase(320, 1280, 2, 20)]
    [TestCase(64, 320, 2, 10, 14)]
    public void FewItemsShareEvenlyOverTheThreads(int channels, int outputs, int threads, int units, int size = 7)
    {
        var geometry = ShapeInference.Conv2D([1, size, size, channels], [1, 1, channels, outputs], new ConvolutionOptions { Padding = PaddingMode.Same });
        var plan = new Conv2DNhwcKernel.Plan(geometry, lanes: 16, vectorBytes: 64, threads);
        Assert.That((long)plan.Units, Is.EqualTo(units));
        if (threads == 2) Assert.That(plan.Items % threads, Is.EqualTo(0));
    }
}
