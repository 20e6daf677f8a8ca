using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 NCHW 3x3 stride-1 path on the sliding 512-bit tiles (rows wider than 16 columns, AVX-512 tier): taken
/// exactly where it applies, and its result is the float32 kernels' result on the same values rounded once, bit for bit
/// (see <see cref="BFloat16DepthwisePairsTests.CheckAgainstFloat32"/>): random shapes with rows of 17 to 90 columns (a
/// multiple of sixteen or not: whole and masked stores; interior steps with plain loads), any padding up to four rows and
/// columns a side, multipliers 1-3, several images and non-finite values; then large problems on 1, 2 and 3 threads.
/// </summary>
[NonParallelizable]
public sealed class BFloat16DepthwiseSlidingTests
{
    private static readonly ConvolutionOptions Same = new() { Padding = PaddingMode.Same, DataFormat = DataFormat.NCHW };

    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    private static bool Hardware => Avx512BW.VL.IsSupported && Vector512.IsHardwareAccelerated;

    [Test]
    public void TakesThreeByThreeUnitStrideNchwRowsWiderThanSixteenOnTheAvx512Tier()
    {
        var taken = Geometry([1, 3, 5, 17], [3, 3, 3, 1], Same);
        Assert.That(BFloat16DepthwiseSliding.Supports(taken, VectorIsa.Avx512), Is.EqualTo(Hardware));
        Assert.That(BFloat16DepthwiseSliding.Supports(Geometry([1, 1, 5, 40], [3, 3, 1, 3],
            new ConvolutionOptions { Padding = PaddingMode.Explicit, DataFormat = DataFormat.NCHW, PadLeft = 3, PadRight = 2 }), VectorIsa.Avx512),
            Is.EqualTo(Hardware), "explicit padding, multiplier 3");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("256-bit tier", taken, VectorIsa.Avx2),
            ("scalar", taken, VectorIsa.Scalar),
            ("NHWC", Geometry([1, 5, 17, 3], [3, 3, 3, 1], Same with { DataFormat = DataFormat.NHWC }), VectorIsa.Avx512),
            ("16 output columns", Geometry([1, 3, 5, 16], [3, 3, 3, 1], Same), VectorIsa.Avx512),
            ("stride 2", Geometry([1, 3, 5, 40], [3, 3, 3, 1], Same with { StrideHeight = 2, StrideWidth = 2 }), VectorIsa.Avx512),
            ("dilation 2", Geometry([1, 3, 5, 40], [3, 3, 3, 1], Same with { DilationHeight = 2, DilationWidth = 2 }), VectorIsa.Avx512),
            ("5x5", Geometry([1, 3, 5, 40], [5, 5, 3, 1], Same), VectorIsa.Avx512),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16DepthwiseSliding.Supports(geometry, isa), Is.False, why);
        Assert.That(BFloat16DepthwiseSliding.Supports(ShapeInference.Conv2D([1, 3, 5, 17], [3, 3, 3, 3], Same), VectorIsa.Avx512), Is.False, "conv2d");
    }

    /// <summary>
    /// 300 random problems (1-2 images, 1-4 channels, multiplier 1-3, 1-20 rows of 17-90 columns; SAME, VALID or explicit
    /// padding of up to four rows and columns a side), each the kernel takes checked against the float32 path, a quarter
    /// with non-finite values.
    /// </summary>
    [Test]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce()
    {
        Assume.That(Hardware, "the kernel needs AVX-512");
        var random = new Random(20261127);
        int taken = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            long batch = random.Next(1, 3), channels = random.Next(1, 5), multiplier = random.Next(1, 4);
            long height = random.Next(1, 21), width = trial % 4 == 0 ? 16 * random.Next(2, 6) : random.Next(17, 91);
            var options = random.Next(3) switch
            {
                0 => Same,
                1 => Same with { Padding = PaddingMode.Valid },
                _ => Same with
                {
                    Padding = PaddingMode.Explicit, PadTop = random.Next(0, 5), PadBottom = random.Next(0, 5),
                    PadLeft = random.Next(0, 5), PadRight = random.Next(0, 5),
                },
            };
            if (options.Padding != PaddingMode.Same && height + options.PadTop + options.PadBottom < 3) continue;
            var g = Geometry([batch, channels, height, width], [3, 3, channels, multiplier], options);
            if (!BFloat16DepthwiseSliding.Supports(g, VectorIsa.Avx512)) continue;
            taken++;
            BFloat16DepthwisePairsTests.CheckAgainstFloat32(g, random, nonFinite: trial % 4 == 1,
                $"trial {trial}: {batch}x{channels}x{height}x{width} m{multiplier} {options.Padding} pads {g.PadTop},{g.PadBottom},{g.PadLeft},{g.PadRight}",
                VectorIsa.Avx512);
        }
        Assert.That(taken, Is.GreaterThan(250), "most trials must reach the kernel");
    }

    [TestCase(1, 2, 128, 128, 1, 1, 1, 1, 1)]
    [TestCase(2, 3, 61, 47, 2, 0, 2, 3, 0)]
    [TestCase(1, 48, 40, 33, 1, 0, 0, 0, 1)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int channels, int height, int width, int multiplier,
        int top, int bottom, int left, int right)
    {
        Assume.That(Hardware, "the kernel needs AVX-512");
        var g = Geometry([batch, channels, height, width], [3, 3, channels, multiplier],
            Same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right });
        BFloat16DepthwisePairsTests.CheckOnEveryThreadCount(g, g => BFloat16DepthwiseSliding.Supports(g, VectorIsa.Avx512), VectorIsa.Avx512);
    }
}
