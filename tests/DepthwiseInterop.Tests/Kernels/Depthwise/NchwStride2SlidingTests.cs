using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-2 path on 512-bit vectors (DepthwiseNchwKernel.Stride2Sliding.cs): the band
/// kernel's bits, within the reference's bound, the same bits whatever the split into work items. The cases
/// reach: output rows of 16 (one whole step), 17, 22, 25, 28, 29 and 50 columns (two-vector steps, the second
/// storing part, and a last single step), SAME on even sizes (no left or top padding) and odd ones (one row
/// and column of each), VALID, explicit padding on every side, loads entirely over the padding, groups of
/// five, six and seven rows, a group moved back, bands shorter than a group, several bands a plane, runs of
/// 16 planes and a shorter last run, batch 2 and multiplier 2. Rows of 24 or more outputs with at most one padding
/// column left (DepthwiseNchwKernel.Stride2Pairs.cs): one step with B overlapping A (24, 25, 28, 29, 30 columns), two
/// steps the last moved back (50, 56), B's last load in the image, over the padding or partly in it (VALID 61 wide).
/// </summary>
public sealed class NchwStride2SlidingTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        var valid = same with { Padding = PaddingMode.Valid };
        ConvolutionOptions Explicit(int top, int bottom, int left, int right) =>
            same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right };
        // (batch, channels, height, width, multiplier, options, name)
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)[]
        {
            (1, 3, 56, 56, 1, same, "SAME 56x56: 28 columns, 28 rows = 7 x 4"),
            (1, 3, 57, 57, 1, same, "SAME 57x57: one padding row and column each side, 29 columns"),
            (2, 2, 33, 33, 2, same, "SAME 33x33 batch 2 multiplier 2: 17 columns, 17 rows = 6 + 6 + 5 moved back"),
            (1, 2, 37, 45, 1, valid, "VALID 37x45: 22 columns, 18 rows"),
            (1, 2, 40, 34, 1, valid, "VALID 40x34: 16 columns, one whole step"),
            (1, 2, 30, 40, 1, Explicit(3, 2, 5, 7), "explicit top 3 bottom 2 left 5 right 7"),
            (1, 2, 20, 12, 1, Explicit(1, 1, 20, 20), "explicit left 20 right 20 on 12 wide: steps reading only padding"),
            (1, 2, 20, 42, 1, Explicit(1, 1, 5, 3), "explicit left 5 right 3 on 42 wide: a load ending at the last column, the next one past it"),
            (1, 20, 20, 64, 1, same, "SAME 20x64, 20 channels: 32 columns, runs of 16 and 4 planes"),
            (1, 2, 9, 40, 1, same, "SAME 9x40: a band of five rows"),
            (1, 2, 3, 40, 1, same, "SAME 3x40: a band of two rows computes five"),
            (1, 2, 60, 100, 1, same, "SAME 60x100: 50 columns, two-vector steps then a single one"),
            (1, 2, 150, 40, 1, same, "SAME 150x40: 75 rows in several bands"),
            (1, 3, 20, 47, 1, same, "SAME 20x47: 24 columns, one padding column each side, B overlapping A by 8"),
            (1, 2, 21, 48, 1, same, "SAME 21x48: 24 columns, no left padding"),
            (1, 2, 31, 61, 1, valid, "VALID 31x61: 30 columns, B's last load partly in the image"),
            (1, 2, 14, 50, 1, Explicit(1, 0, 1, 0), "explicit left 1 right 0 on 50 wide: 25 columns"),
            (1, 2, 14, 50, 1, Explicit(0, 2, 0, 2), "explicit left 0 right 2 on 50 wide: the last tap over the padding"),
            (2, 18, 24, 112, 2, same, "SAME 24x112 batch 2, multiplier 2, 18 channels: 56 columns in two steps"),
        };
        return PlanarInPlaceCheck.CaseData(3, 1500, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesStride2Sliding<Vector512<float>, float>(g), Is.True, "the case must reach the sliding path");
        Assert.That(DepthwiseNchwKernel.TakesStride2Sliding<Vector256<float>, float>(g), Is.False, "256-bit vectors keep their tiles");

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference<Vector512<float>>(g, seed);
    }

    [TestCase(56, 56, true)]
    [TestCase(57, 57, true)]
    [TestCase(20, 47, true)]
    [TestCase(20, 46, false)] // 23 columns
    [TestCase(30, 40, false)] // 20 columns
    public void RowsOf24OrMoreTakeThePairTiles(int height, int width, bool pairs)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesStride2Pairs<Vector512<float>, float>(g), Is.EqualTo(pairs));
    }

    [Test]
    public void ExplicitPaddingBeyondOneColumnKeepsTheSlidingTiles()
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Explicit, PadLeft = 2, PadRight = 0, StrideHeight = 2, StrideWidth = 2 };
        var g = ShapeInference.DepthwiseConv2D([1, 4, 20, 60], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride2Sliding<Vector512<float>, float>(g) && !DepthwiseNchwKernel.TakesStride2Pairs<Vector512<float>, float>(g), Is.True);
    }

    [TestCase(30, 16, 2)] // eight output columns: the band kernel
    [TestCase(30, 30, 1)] // stride 1
    public void OtherProblemsKeepToTheOtherPaths(int height, int width, int stride)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride2Sliding<Vector512<float>, float>(g), Is.False);
    }

    [TestCase(31, 31)]
    [TestCase(20, 40)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride2Sliding<Vector512<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference<Vector512<float>>(g, height * width);
    }
}
