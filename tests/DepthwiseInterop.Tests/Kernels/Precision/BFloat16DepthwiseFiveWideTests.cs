using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 5x5 kernel: taken exactly where it applies, and its result is the float32 kernels' result on the same
/// values rounded once, bit for bit (see <see cref="BFloat16DepthwisePairsTests.CheckAgainstFloat32"/>): random shapes
/// with zero to three padding columns on either side (edge blocks at both ends, rows all of edge blocks, shifted last
/// blocks), rows in the padding, several images and non-finite values; then large problems on 1, 2 and 3 threads, whose
/// items split channel groups between threads.
/// </summary>
[NonParallelizable]
public sealed class BFloat16DepthwiseFiveWideTests
{
    private static readonly ConvolutionOptions Same = new() { Padding = PaddingMode.Same };

    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    [Test]
    public void TakesFiveByFiveUnitStrideMultiplierOneNhwcOnTheAvx2AndAvx512TiersWithSixteenChannelsOrMoreAndEightPixelRows()
    {
        var taken = Geometry([1, 14, 14, 32], [5, 5, 32, 1], Same);
        Assert.That(BFloat16DepthwiseFiveWide.Supports(taken, VectorIsa.Avx2), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported));
        Assert.That(BFloat16DepthwiseFiveWide.Supports(taken, VectorIsa.Avx512), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported), "512-bit tier");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("128-bit tier", taken, VectorIsa.Sse2),
            ("15 channels", Geometry([1, 14, 14, 15], [5, 5, 15, 1], Same), VectorIsa.Avx2),
            ("multiplier 2", Geometry([1, 14, 14, 16], [5, 5, 16, 2], Same), VectorIsa.Avx2),
            ("stride 2", Geometry([1, 14, 14, 16], [5, 5, 16, 1], Same with { StrideHeight = 2, StrideWidth = 2 }), VectorIsa.Avx2),
            ("dilation 2", Geometry([1, 14, 14, 16], [5, 5, 16, 1], Same with { DilationHeight = 2, DilationWidth = 2 }), VectorIsa.Avx2),
            ("3x3", Geometry([1, 14, 14, 16], [3, 3, 16, 1], Same), VectorIsa.Avx2),
            ("seven output columns", Geometry([1, 14, 7, 16], [5, 5, 16, 1], Same), VectorIsa.Avx2),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16DepthwiseFiveWide.Supports(geometry, isa), Is.False, why);
    }

    [TestCase(VectorIsa.Avx2)]
    [TestCase(VectorIsa.Avx512)]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce(VectorIsa isa) =>
        BFloat16DepthwisePairsTests.CheckRandomShapes(20261128, filterSize: 5, stride: 1, maxHeight: 11, widths: (6, 29), maxSidePadding: 3,
            g => BFloat16DepthwiseFiveWide.Supports(g, isa), minimumTaken: 150, isa);

    [TestCase(2, 14, 14, 96, 2, 2, 2, 2)]
    [TestCase(1, 28, 30, 40, 0, 3, 3, 0)]
    [TestCase(1, 9, 120, 64, 1, 1, 0, 1)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int height, int width, int channels, int top, int bottom, int left, int right)
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var g = Geometry([batch, height, width, channels], [5, 5, channels, 1],
            new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right });
        foreach (var isa in BFloat16DepthwisePairsTests.Tiers())
            BFloat16DepthwisePairsTests.CheckOnEveryThreadCount(g, g => BFloat16DepthwiseFiveWide.Supports(g, isa), isa);
    }
}
