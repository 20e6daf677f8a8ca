using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Kernels.Separable;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Api;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Separable;

/// <summary>
/// <see cref="KernelBandFusion"/> gives the bits of the unfused path (depthwise into a whole intermediate, then
/// pointwise) on random NHWC problems cut into bands of two rows, of about one panel (the pointwise filter packed
/// as the kernel goes), of the default size and of whole images (packed once per call where a band holds three
/// panels: the 56x56 and 130-wide cases), with shorter last bands, bands over the top and bottom padding, several
/// images, every padding mode, strides, dilations and multipliers 1, 2 and 4, on every tier and thread count; and
/// it declines the problems its kernels do not take, which the other paths then compute.
/// </summary>
public sealed class KernelBandFusionTests
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];

    private static IEnumerable<TestCaseData> FusingCases()
    {
        var rng = new Random(606);
        string[] paddings = ["VALID", "SAME", "EXPLICIT"];
        int[] multipliers = [1, 2, 4];
        for (int i = 0; i < 24; i++)
        {
            bool dilated = i % 5 == 4;
            string padding = paddings[i % 3];
            int kernelHeight = rng.Next(1, 6), kernelWidth = rng.Next(1, 6);
            int dilationHeight = dilated ? rng.Next(1, 3) : 1, dilationWidth = dilated ? rng.Next(1, 3) : 1;
            int multiplier = multipliers[i % 3];
            var c = new SeparableConvolutionTests.Case(
                Nchw: false, Padding: padding, Batch: rng.Next(1, 4),
                Height: (kernelHeight - 1) * dilationHeight + 1 + rng.Next(0, 14), Width: (kernelWidth - 1) * dilationWidth + 1 + rng.Next(0, 20),
                Channels: 16 / multiplier + rng.Next(0, 9), KernelHeight: kernelHeight, KernelWidth: kernelWidth, Multiplier: multiplier,
                OutChannels: rng.Next(16, 41), StrideHeight: dilated ? 1 : rng.Next(1, 3), StrideWidth: dilated ? 1 : rng.Next(1, 3),
                DilationHeight: dilationHeight, DilationWidth: dilationWidth,
                PadTop: padding == "EXPLICIT" ? rng.Next(0, kernelHeight) : 0, PadBottom: padding == "EXPLICIT" ? rng.Next(0, kernelHeight) : 0,
                PadLeft: padding == "EXPLICIT" ? rng.Next(0, 3) : 0, PadRight: padding == "EXPLICIT" ? rng.Next(0, 3) : 0,
                Seed: 2000 + i);
            yield return new TestCaseData(c).SetArgDisplayNames(c.ToString());
        }
        // Rows wider than a panel, and a 56x56 MobileNet block cut into many bands.
        yield return new TestCaseData(new SeparableConvolutionTests.Case(false, "SAME", 2, 3, 130, 16, 3, 3, 1, 24, 1, 1, 1, 1, 0, 0, 0, 0, 9))
            .SetArgDisplayNames("rows of 130 pixels");
        yield return new TestCaseData(new SeparableConvolutionTests.Case(false, "SAME", 1, 56, 56, 32, 3, 3, 1, 24, 1, 1, 1, 1, 0, 0, 0, 0, 10))
            .SetArgDisplayNames("56x56x32->24");
    }

    [TestCaseSource(nameof(FusingCases))]
    public void EqualsUnfusedOnEveryTierBandAndThreadCount(SeparableConvolutionTests.Case c)
    {
        var rng = new Random(c.Seed);
        var input = Layout.RandomValues(rng, (int)Layout.Product(c.InputShape), asFloat: true);
        var depthwise = Layout.RandomValues(rng, (int)Layout.Product(c.DepthwiseShape), asFloat: true);
        var pointwise = Layout.RandomValues(rng, (int)Layout.Product(c.PointwiseShape), asFloat: true);
        var geometry = ShapeInference.SeparableConv2D(c.InputShape, c.DepthwiseShape, c.PointwiseShape, c.Options);
        Compare(geometry, input.Select(v => (float)v).ToArray(), depthwise.Select(v => (float)v).ToArray(), pointwise.Select(v => (float)v).ToArray());
        Compare(geometry, input, depthwise, pointwise);
    }

    [Test]
    public void EqualsUnfusedWithAGroupedPointwiseStage()
    {
        // A pointwise filter whose depth divides C * M: two groups of 16 intermediate channels.
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var geometry = ShapeInference.SeparableConv2D([2, 11, 13, 32], [3, 3, 32, 1], [1, 1, 16, 48], options);
        Assert.That(geometry.Pointwise.Groups, Is.EqualTo(2));
        var rng = new Random(11);
        float[] Draw(long count) => Layout.RandomValues(rng, (int)count, asFloat: true).Select(v => (float)v).ToArray();
        Compare(geometry, Draw(geometry.InputElementCount), Draw(geometry.DepthwiseFilterElementCount), Draw(geometry.PointwiseFilterElementCount));
    }

    private static void Compare<T>(in SeparableConvolutionGeometry geometry, T[] input, T[] depthwise, T[] pointwise) where T : unmanaged
    {
        var g = geometry;
        long intermediateChannels = g.Depthwise.OutputChannels;
        // Bands of two rows, of about one panel, of the default size, and of whole images.
        long[] bandSizes = [1, Conv2DNhwcKernel.PanelPixels * intermediateChannels, KernelBandFusion.BandIntermediateElements, long.MaxValue / 2];
        bool expected = !KernelBandFusion.HasRowsInPaddingOnly(g.Depthwise);
        foreach (var isa in Tiers)
        {
            var unfused = new T[g.OutputElementCount];
            SeparableDispatcher.Run<T>(input, depthwise, pointwise, unfused, g, isa, allowFused: false);
            // Multiplier 4 needs four lanes: SSE2 holds two doubles, and that problem takes the expanding copies.
            int lanes = (isa == VectorIsa.Sse2 ? 16 : 32) / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            bool expectedAtTier = expected && lanes % g.Depthwise.OutputChannelsPerGroup == 0;
            foreach (long band in bandSizes)
            {
                ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
                {
                    var fused = new T[g.OutputElementCount];
                    bool ran = KernelBandFusion.TryRun<T>(input, depthwise, pointwise, fused, g, isa, band, fusionThreshold: 0);
                    Assert.That(ran, Is.EqualTo(expectedAtTier), "whether the problem fuses");
                    if (ran) Assert.That(fused, Is.EqualTo(unfused), $"{typeof(T).Name} {isa}, bands of {band} intermediate elements");
                    return fused;
                });
            }
        }
    }

    [Test]
    public void BandsAreEvenRowCountsAtStride1AndShareOutEvenly()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        var g = ShapeInference.SeparableConv2D([1, 56, 56, 144], [3, 3, 144, 1], [1, 1, 144, 24], same).Depthwise;
        var strided = ShapeInference.SeparableConv2D([1, 56, 56, 144], [3, 3, 144, 1], [1, 1, 144, 32], same with { StrideHeight = 2, StrideWidth = 2 }).Depthwise;
        var small = ShapeInference.SeparableConv2D([1, 14, 14, 576], [3, 3, 576, 1], [1, 1, 576, 96], same).Depthwise;
        long Rows(in ConvolutionGeometry d, int threads) => KernelBandFusion.RowsPerBand(d, KernelBandFusion.BandIntermediateElements, threads);
        Assert.Multiple(() =>
        {
            // 32K elements are 4.06 rows of 56x144: six (even) at one thread; at two, 14 bands of 4 rows (7 each) rather than 10 of 6 (5 and 5, but 30 rows against 28).
            Assert.That(Rows(g, 1), Is.EqualTo(6));
            Assert.That(Rows(g, 2), Is.EqualTo(4));
            // 8.1 rows of 28x144 at stride 2, where rows do not pair: nine at one thread; at two, 4 bands of 7 rows.
            Assert.That(Rows(strided, 1), Is.EqualTo(9));
            Assert.That(Rows(strided, 2), Is.EqualTo(7));
            // 4.06 rows of 14x576: six at one thread; at two, four (4, 4, 4 and 2 rows: 8 on the busiest thread, against 12 for bands of six).
            Assert.That(Rows(small, 1), Is.EqualTo(6));
            Assert.That(Rows(small, 2), Is.EqualTo(4));
            // Bands never exceed the image.
            Assert.That(KernelBandFusion.RowsPerBand(small, long.MaxValue / 2, 1), Is.EqualTo(14));
            Assert.That(KernelBandFusion.RowsPerBand(small, long.MaxValue / 2, 3), Is.LessThanOrEqualTo(14));
        });
    }

    [Test]
    public void DeclinesWhatItsKernelsDoNotTake()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        Assert.Multiple(() =>
        {
            Assert.That(Runs<Half>([1, 8, 8, 16], [3, 3, 16, 1], [1, 1, 16, 16], same), Is.False, "float16 keeps the banded path");
            Assert.That(Runs<float>([1, 16, 8, 8], [3, 3, 16, 1], [1, 1, 16, 16], same with { DataFormat = DataFormat.NCHW }), Is.False, "NCHW");
            Assert.That(Runs<float>([1, 8, 8, 16], [3, 3, 16, 3], [1, 1, 48, 16], same), Is.False, "multiplier 3 (expanding copies)");
            Assert.That(Runs<float>([1, 8, 8, 16], [3, 3, 16, 1], [1, 1, 16, 3], same), Is.False, "fewer output channels than a vector");
            Assert.That(Runs<float>([1, 8, 8, 2], [3, 3, 2, 1], [1, 1, 2, 16], same), Is.False, "fewer intermediate channels than a vector");
            var padded = new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 3, PadBottom = 0, PadLeft = 0, PadRight = 0 };
            Assert.That(Runs<float>([1, 8, 8, 16], [3, 3, 16, 1], [1, 1, 16, 16], padded), Is.False, "an output row over the padding only");
            Assert.That(Runs<float>([1, 8, 8, 16], [3, 3, 16, 1], [1, 1, 16, 16], same), Is.True, "the same problem fuses in float");
        });
    }

    private static bool Runs<T>(long[] inputShape, long[] depthwiseShape, long[] pointwiseShape, ConvolutionOptions options) where T : unmanaged
    {
        var g = ShapeInference.SeparableConv2D(inputShape, depthwiseShape, pointwiseShape, options);
        return KernelBandFusion.TryRun<T>(new T[g.InputElementCount], new T[g.DepthwiseFilterElementCount], new T[g.PointwiseFilterElementCount],
            new T[g.OutputElementCount], g, VectorIsa.Avx2, fusionThreshold: 0);
    }
}
