using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The width the bfloat16 depthwise kernels run at: 512-bit vectors (groups of 32 channels) on the AVX-512 tier from 32
/// channels on, 256-bit ones (groups of 16) otherwise; and the channel groups of each width, the last one shifted back.
/// The kernels' results on both widths are checked in their own tests (every tier this machine has). Consecutive calls read
/// their own filters, though each thread keeps its widened weights from call to call.
/// </summary>
public sealed class BFloat16DepthwiseCallTests
{
    /// <summary>
    /// Each thread widens the filter once per call into a buffer it keeps (BFloat16DepthwiseCall): calls of one shape with
    /// other filters, one after another on the same threads, must each read their own.
    /// </summary>
    [Test]
    public void ConsecutiveCallsOfOneShapeReadTheirOwnFilters()
    {
        var g = ShapeInference.DepthwiseConv2D([1, 28, 28, 64], [3, 3, 64, 1], new ConvolutionOptions { Padding = PaddingMode.Same });
        int previous = WorkerPool.ThreadCount;
        try
        {
            foreach (var isa in BFloat16DepthwisePairsTests.Tiers())
            foreach (int threads in new[] { 2, 1 })
            {
                WorkerPool.ThreadCount = threads;
                Assert.That(BFloat16DepthwisePairs.Supports(g, isa), Is.True);
                for (int call = 0; call < 3; call++)
                    BFloat16DepthwisePairsTests.CheckAgainstFloat32(g, new Random(100 * threads + call), nonFinite: false, $"{VectorIsaSelection.Name(isa)}, {threads} threads, call {call}", isa);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = previous;
        }
    }

    private static ConvolutionGeometry Geometry(long channels) =>
        ShapeInference.DepthwiseConv2D([1, 8, 9, channels], [3, 3, channels, 1], new ConvolutionOptions { Padding = PaddingMode.Same });

    [Test]
    public void RunsFiveHundredTwelveBitVectorsOnTheAvx512TierFromThirtyTwoChannels()
    {
        bool hardware = Avx512F.IsSupported && Vector512.IsHardwareAccelerated;
        Assert.That(BFloat16DepthwiseCall.Wide(Geometry(32), VectorIsa.Avx512), Is.EqualTo(hardware));
        Assert.That(BFloat16DepthwiseCall.Wide(Geometry(144), VectorIsa.Avx512), Is.EqualTo(hardware), "a shifted last group");
        Assert.That(BFloat16DepthwiseCall.Wide(Geometry(31), VectorIsa.Avx512), Is.False, "fewer channels than one 512-bit group");
        Assert.That(BFloat16DepthwiseCall.Wide(Geometry(144), VectorIsa.Avx2), Is.False, "the AVX2 tier");
    }

    [TestCase(16, 16, 1, 0)]
    [TestCase(144, 16, 9, 128)]
    [TestCase(144, 32, 5, 112)]
    [TestCase(40, 32, 2, 8)]
    [TestCase(64, 32, 2, 32)]
    public void GroupsAreOneLoadWideTheLastShiftedBackToEndAtTheLastChannel(int channels, int width, int groups, int lastStart)
    {
        var channelGroups = new ChannelGroups(channels, width, rows: 10, threads: 1, itemsPerThread: 8);
        Assert.That((int)channelGroups.Count, Is.EqualTo(groups));
        Assert.That((int)channelGroups.TapStride, Is.EqualTo(groups * width));
        Assert.That((int)channelGroups.Start(groups - 1), Is.EqualTo(lastStart));
        Assert.That((int)channelGroups.Start(groups - 1) + width, Is.EqualTo(channels), "the last group ends at the last channel");
        Assert.That(channelGroups.ItemGroups(0), Is.EqualTo(((nint)0, (nint)groups)), "one thread: one item per row");
    }

    [Test]
    public void ChannelsPerLoadAreTheVectorsBytesHalved()
    {
        Assert.That(BFloat16Lanes.ChannelsPerLoad<Vector256<float>>(), Is.EqualTo(16));
        Assert.That(BFloat16Lanes.ChannelsPerLoad<Vector512<float>>(), Is.EqualTo(32));
    }
}
