using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 NCHW 3x3 kernel: taken exactly where it applies, and its result is the float32 kernels' result on the
/// same values rounded once, bit for bit (see <see cref="BFloat16DepthwisePairsTests.CheckAgainstFloat32"/>): random
/// shapes reaching every strip-pair variant (a padding column on the left, the right, both or neither; one pair, two, many;
/// rows of exactly sixteen, where one strip reaches both padding columns), odd and even widths (the padding column
/// shares a 32-bit lane with an image column either side), rows wholly in the padding, multipliers 1-3, several images
/// and non-finite values; then large problems on 1, 2 and 3 threads, whose items cut planes into bands of rows.
/// </summary>
[NonParallelizable]
public sealed class BFloat16DepthwisePlanarTests
{
    private static readonly ConvolutionOptions Same = new() { Padding = PaddingMode.Same, DataFormat = DataFormat.NCHW };

    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    [Test]
    public void TakesThreeByThreeUnitStrideNchwOnTheAvx2AndAvx512TiersWithRowsOfSixteenOrMore()
    {
        var taken = Geometry([1, 3, 5, 16], [3, 3, 3, 1], Same);
        bool hardware = Avx2.IsSupported && Fma.IsSupported;
        Assert.That(BFloat16DepthwisePlanar.Supports(taken, VectorIsa.Avx2), Is.EqualTo(hardware));
        Assert.That(BFloat16DepthwisePlanar.Supports(taken, VectorIsa.Avx512), Is.EqualTo(hardware), "512-bit tier (256-bit vectors there too)");
        Assert.That(BFloat16DepthwisePlanar.Supports(Geometry([1, 1, 5, 18], [3, 3, 1, 3], Same with { Padding = PaddingMode.Valid }), VectorIsa.Avx2),
            Is.EqualTo(hardware), "VALID, multiplier 3");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("128-bit tier", taken, VectorIsa.Sse2),
            ("scalar", taken, VectorIsa.Scalar),
            ("NHWC", Geometry([1, 5, 16, 3], [3, 3, 3, 1], Same with { DataFormat = DataFormat.NHWC }), VectorIsa.Avx2),
            ("15 output columns", Geometry([1, 3, 5, 15], [3, 3, 3, 1], Same), VectorIsa.Avx2),
            ("stride 2", Geometry([1, 3, 5, 40], [3, 3, 3, 1], Same with { StrideHeight = 2, StrideWidth = 2 }), VectorIsa.Avx2),
            ("row stride 2", Geometry([1, 3, 5, 40], [3, 3, 3, 1], Same with { StrideHeight = 2 }), VectorIsa.Avx2),
            ("dilation 2", Geometry([1, 3, 5, 40], [3, 3, 3, 1], Same with { DilationHeight = 2, DilationWidth = 2 }), VectorIsa.Avx2),
            ("5x5", Geometry([1, 3, 5, 40], [5, 5, 3, 1], Same), VectorIsa.Avx2),
            ("3x1", Geometry([1, 3, 5, 40], [3, 1, 3, 1], Same), VectorIsa.Avx2),
            ("two padding columns on the left", Geometry([1, 3, 5, 40], [3, 3, 3, 1],
                new ConvolutionOptions { Padding = PaddingMode.Explicit, DataFormat = DataFormat.NCHW, PadLeft = 2 }), VectorIsa.Avx2),
            ("two padding columns on the right", Geometry([1, 3, 5, 40], [3, 3, 3, 1],
                new ConvolutionOptions { Padding = PaddingMode.Explicit, DataFormat = DataFormat.NCHW, PadRight = 2 }), VectorIsa.Avx2),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16DepthwisePlanar.Supports(geometry, isa), Is.False, why);
        Assert.That(BFloat16DepthwisePlanar.Supports(ShapeInference.Conv2D([1, 3, 5, 16], [3, 3, 3, 3], Same), VectorIsa.Avx2), Is.False, "conv2d");
    }

    /// <summary>
    /// 400 random problems (1-2 images, 1-4 channels, multiplier 1-3, 1-13 rows of 14-70 columns; SAME, VALID or explicit
    /// padding of up to four rows and one column a side), each the kernel takes checked against the float32 path, a quarter
    /// with non-finite values.
    /// </summary>
    [Test]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce()
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var random = new Random(20261126);
        int taken = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            long batch = random.Next(1, 3), channels = random.Next(1, 5), multiplier = random.Next(1, 4);
            long height = random.Next(1, 14), width = trial % 5 == 0 ? random.Next(14, 19) : random.Next(14, 71);
            var options = random.Next(3) switch
            {
                0 => Same,
                1 => Same with { Padding = PaddingMode.Valid },
                _ => Same with
                {
                    Padding = PaddingMode.Explicit, PadTop = random.Next(0, 5), PadBottom = random.Next(0, 5),
                    PadLeft = random.Next(0, 2), PadRight = random.Next(0, 2),
                },
            };
            if (options.Padding != PaddingMode.Same && height + options.PadTop + options.PadBottom < 3) continue;
            var g = Geometry([batch, channels, height, width], [3, 3, channels, multiplier], options);
            if (!BFloat16DepthwisePlanar.Supports(g, VectorIsa.Avx2)) continue;
            taken++;
            BFloat16DepthwisePairsTests.CheckAgainstFloat32(g, random, nonFinite: trial % 4 == 0,
                $"trial {trial}: {batch}x{channels}x{height}x{width} m{multiplier} {options.Padding} pads {g.PadTop},{g.PadBottom},{g.PadLeft},{g.PadRight}");
        }
        Assert.That(taken, Is.GreaterThan(300), "most trials must reach the kernel");
    }

    [TestCase(1, 2, 128, 128, 1, 1, 1, 1, 1)]
    [TestCase(2, 3, 61, 47, 2, 0, 2, 1, 0)]
    [TestCase(1, 2, 1000, 16, 1, 1, 1, 1, 1)]
    [TestCase(1, 48, 40, 33, 1, 0, 0, 0, 1)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int channels, int height, int width, int multiplier,
        int top, int bottom, int left, int right)
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var g = Geometry([batch, channels, height, width], [3, 3, channels, multiplier],
            Same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right });
        BFloat16DepthwisePairsTests.CheckOnEveryThreadCount(g, g => BFloat16DepthwisePlanar.Supports(g, VectorIsa.Avx2));
    }
}
