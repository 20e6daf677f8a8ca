using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 pointwise kernel: taken exactly where it applies, and its result is the float32 kernels' result on the
/// same values rounded once, bit for bit (see <see cref="BFloat16DepthwisePairsTests.CheckAgainstFloat32"/>): random
/// shapes reaching every block layout (one vector; blocks of three; a remainder of two; two blocks of two for a
/// remainder of one; the last vector shifted back when N is not a multiple of the vector's 8 or 16 channels), panels cut
/// short (their last tile repeating a pixel), several images and non-finite values, on the AVX2 and AVX-512 tiers; then
/// large problems on 1, 2 and 3 threads.
/// </summary>
[NonParallelizable]
public sealed class BFloat16PointwiseTests
{
    private static readonly ConvolutionOptions Valid = new() { Padding = PaddingMode.Valid };

    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.Conv2D(inputShape, filterShape, options);

    [Test]
    public void TakesOneByOneUnitStrideNhwcOnTheAvx2AndAvx512TiersWithEvenInputChannelsAndEnoughPixels()
    {
        var taken = Geometry([1, 24, 16, 16], [1, 1, 16, 8], Valid);
        bool hardware = Avx2.IsSupported && Fma.IsSupported;
        Assert.That(BFloat16Pointwise.Supports(taken, VectorIsa.Avx2), Is.EqualTo(hardware));
        Assert.That(BFloat16Pointwise.Supports(taken, VectorIsa.Avx512), Is.EqualTo(hardware), "512-bit tier");
        Assert.That(BFloat16Pointwise.Supports(Geometry([2, 12, 16, 2], [1, 1, 2, 9], Valid with { Padding = PaddingMode.Same }), VectorIsa.Avx2),
            Is.EqualTo(hardware), "SAME (no padding at 1x1), two images, 9 output channels");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("128-bit tier", taken, VectorIsa.Sse2),
            ("scalar", taken, VectorIsa.Scalar),
            ("NCHW", Geometry([1, 16, 24, 16], [1, 1, 16, 8], Valid with { DataFormat = DataFormat.NCHW }), VectorIsa.Avx2),
            ("odd input channels", Geometry([1, 24, 16, 15], [1, 1, 15, 8], Valid), VectorIsa.Avx2),
            ("7 output channels", Geometry([1, 24, 16, 16], [1, 1, 16, 7], Valid), VectorIsa.Avx2),
            ("383 pixels", Geometry([1, 383, 1, 16], [1, 1, 16, 8], Valid), VectorIsa.Avx2),
            ("two groups", Geometry([1, 24, 16, 16], [1, 1, 8, 16], Valid), VectorIsa.Avx2),
            ("stride 2", Geometry([1, 48, 32, 16], [1, 1, 16, 8], Valid with { StrideHeight = 2, StrideWidth = 2 }), VectorIsa.Avx2),
            ("explicit padding", Geometry([1, 24, 16, 16], [1, 1, 16, 8],
                new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 1 }), VectorIsa.Avx2),
            ("3x3", Geometry([1, 26, 18, 16], [3, 3, 16, 8], Valid), VectorIsa.Avx2),
            ("2^24 + 2 input channels", Geometry([1, 384, 1, (1 << 24) + 2], [1, 1, (1 << 24) + 2, 8], Valid), VectorIsa.Avx2),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16Pointwise.Supports(geometry, isa), Is.False, why);
        Assert.That(BFloat16Pointwise.Supports(ShapeInference.DepthwiseConv2D([1, 24, 16, 16], [1, 1, 16, 1], Valid), VectorIsa.Avx2),
            Is.False, "depthwise");
    }

    [Test]
    public void RunsVectorsOfSixteenOutputChannelsOnTheAvx512TierFromSixteenOutputChannels()
    {
        bool hardware = Avx512F.IsSupported && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;
        Assert.That(BFloat16Pointwise.Wide(Geometry([1, 24, 16, 16], [1, 1, 16, 16], Valid), VectorIsa.Avx512), Is.EqualTo(hardware));
        Assert.That(BFloat16Pointwise.Wide(Geometry([1, 24, 16, 16], [1, 1, 16, 15], Valid), VectorIsa.Avx512), Is.False, "15 output channels");
        Assert.That(BFloat16Pointwise.Wide(Geometry([1, 24, 16, 16], [1, 1, 16, 144], Valid), VectorIsa.Avx2), Is.False, "the AVX2 tier");
    }

    /// <summary>
    /// 300 random problems (1-2 images of 14-30 × 14-30 pixels, 2-64 input channels (even), 8-70 output channels), each the
    /// kernel takes on the tier <paramref name="isa"/> checked against the float32 path, a quarter with non-finite values.
    /// On the AVX-512 tier, fewer than 16 output channels run 256-bit vectors, the others 512-bit ones.
    /// </summary>
    [TestCase(VectorIsa.Avx2)]
    [TestCase(VectorIsa.Avx512)]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce(VectorIsa isa)
    {
        BFloat16DepthwisePairsTests.AssumeTier(isa);
        var random = new Random(20261126);
        int taken = 0;
        var blockLayouts = new HashSet<long>();
        for (int trial = 0; trial < 300; trial++)
        {
            long batch = random.Next(1, 3), height = random.Next(14, 31), width = random.Next(14, 31);
            long inputChannels = 2 * random.Next(1, 33), outputChannels = random.Next(8, 71);
            var g = Geometry([batch, height, width, inputChannels], [1, 1, inputChannels, outputChannels], Valid);
            if (!BFloat16Pointwise.Supports(g, isa)) continue;
            taken++;
            long lanes = BFloat16Pointwise.Wide(g, isa) ? 16 : 8;
            blockLayouts.Add((outputChannels + lanes - 1) / lanes % 3 + (outputChannels == lanes ? 3 : 0) + (outputChannels % lanes == 0 ? 0 : 10));
            BFloat16DepthwisePairsTests.CheckAgainstFloat32(g, random, nonFinite: trial % 4 == 0,
                $"trial {trial}: {batch}x{height}x{width}x{inputChannels} -> {outputChannels}", isa);
        }
        Assert.That(taken, Is.GreaterThan(200), "most trials must reach the kernel");
        Assert.That(blockLayouts, Has.Count.GreaterThanOrEqualTo(6), "every block layout, whole and shifted vectors");
    }

    [TestCase(1, 56, 56, 144, 24)]
    [TestCase(2, 20, 30, 46, 20)]
    [TestCase(1, 50, 50, 64, 8)]
    [TestCase(1, 30, 30, 30, 52)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int height, int width, int inputChannels, int outputChannels)
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var g = Geometry([batch, height, width, inputChannels], [1, 1, inputChannels, outputChannels], Valid);
        foreach (var isa in BFloat16DepthwisePairsTests.Tiers())
            BFloat16DepthwisePairsTests.CheckOnEveryThreadCount(g, g => BFloat16Pointwise.Supports(g, isa), isa);
    }
}
