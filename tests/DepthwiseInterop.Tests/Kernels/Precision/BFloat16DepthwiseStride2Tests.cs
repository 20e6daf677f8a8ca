using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 3x3 stride-2 kernel: taken exactly where it applies, and its result is the float32 kernels' result on
/// the same values rounded once, bit for bit (see <see cref="BFloat16DepthwisePairsTests.CheckAgainstFloat32"/>): random
/// shapes with even and odd widths (so the last block's last column is inside the row or the padding column right of it),
/// a left padding column or none, shifted last blocks, rows in the padding, several images and non-finite values; then
/// large problems on 1, 2 and 3 threads, whose items split channel groups between threads.
/// </summary>
[NonParallelizable]
public sealed class BFloat16DepthwiseStride2Tests
{
    private static readonly ConvolutionOptions Stride2Same = new() { Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };

    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    [Test]
    public void TakesThreeByThreeStrideTwoMultiplierOneNhwcOnTheAvx2AndAvx512TiersWithSixteenChannelsOrMore()
    {
        var taken = Geometry([1, 16, 17, 32], [3, 3, 32, 1], Stride2Same);
        Assert.That(BFloat16DepthwiseStride2.Supports(taken, VectorIsa.Avx2), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported));
        Assert.That(BFloat16DepthwiseStride2.Supports(taken, VectorIsa.Avx512), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported), "512-bit tier");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("128-bit tier", taken, VectorIsa.Sse2),
            ("15 channels", Geometry([1, 16, 17, 15], [3, 3, 15, 1], Stride2Same), VectorIsa.Avx2),
            ("multiplier 2", Geometry([1, 16, 17, 16], [3, 3, 16, 2], Stride2Same), VectorIsa.Avx2),
            ("unit stride", Geometry([1, 16, 17, 16], [3, 3, 16, 1], Stride2Same with { StrideHeight = 1, StrideWidth = 1 }), VectorIsa.Avx2),
            ("unequal strides", Geometry([1, 16, 17, 16], [3, 3, 16, 1], Stride2Same with { StrideHeight = 1 }), VectorIsa.Avx2),
            ("dilation 2", Geometry([1, 16, 17, 16], [3, 3, 16, 1], Stride2Same with { DilationHeight = 2, DilationWidth = 2 }), VectorIsa.Avx2),
            ("5x5", Geometry([1, 16, 17, 16], [5, 5, 16, 1], Stride2Same), VectorIsa.Avx2),
            ("three output columns", Geometry([1, 16, 6, 16], [3, 3, 16, 1], Stride2Same), VectorIsa.Avx2),
            ("two padding columns on the right", Geometry([1, 16, 17, 16], [3, 3, 16, 1],
                new ConvolutionOptions { Padding = PaddingMode.Explicit, StrideHeight = 2, StrideWidth = 2, PadRight = 3 }), VectorIsa.Avx2),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16DepthwiseStride2.Supports(geometry, isa), Is.False, why);
    }

    [TestCase(VectorIsa.Avx2)]
    [TestCase(VectorIsa.Avx512)]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce(VectorIsa isa) =>
        BFloat16DepthwisePairsTests.CheckRandomShapes(20261127, filterSize: 3, stride: 2, maxHeight: 13, widths: (7, 29), maxSidePadding: 1,
            g => BFloat16DepthwiseStride2.Supports(g, isa), minimumTaken: 150, isa);

    [TestCase(2, 30, 30, 72, 0, 1, 0, 1)]
    [TestCase(1, 41, 61, 64, 1, 1, 1, 1)]
    [TestCase(1, 9, 240, 160, 3, 2, 1, 0)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int height, int width, int channels, int top, int bottom, int left, int right)
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var g = Geometry([batch, height, width, channels], [3, 3, channels, 1],
            Stride2Same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right });
        foreach (var isa in BFloat16DepthwisePairsTests.Tiers())
            BFloat16DepthwisePairsTests.CheckOnEveryThreadCount(g, g => BFloat16DepthwiseStride2.Supports(g, isa), isa);
    }
}
