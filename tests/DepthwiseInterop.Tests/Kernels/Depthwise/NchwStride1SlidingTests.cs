using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-1 path on 512-bit vectors for rows wider than 16 columns, which slides a
/// vector per input row along the row (DepthwiseNchwKernel.Stride1Sliding.cs): the band kernel's bits, within
/// the reference's bound, the same bits whatever the split into work items. The cases reach: rows a multiple of
/// sixteen wide and not (the last step's masked store: 17, 28, 30, 33, 47 columns; 32, 48, 64 whole), interior
/// steps with plain loads and edge steps with masked ones, left padding 0, 1, 2, 9 and 20 (the first carried
/// vectors masked, or all zeros), right padding 2, 12 and 20, VALID, a plane narrower than a vector with wide
/// padding (every load masked), groups of five, six and seven rows, a last group moved back, a band of three
/// rows, bands of 56 rows, batch 2 and multiplier 2; and rows of 9 to 16 columns (one vector a row, two groups
/// of five to eight rows a step, runs of up to 16 planes a call): groups of 5 + 1, 6 + 6, 7 + 7, 8 + 7, a band
/// of five rows (one group a step), pairs moved back, taller planes (one plane a call), runs of 16 planes and
/// a shorter last run, explicit padding on every side, VALID. Rows of 17 or more with at most one padding column left
/// (DepthwiseNchwKernel.Stride1Pairs.cs): one step with B overlapping A (17, 28, 30, 31 columns), pairs with a last one
/// moved back (56, 58), pairs and a last single vector moved back (47, 48, 33, 112), whole pairs (32, 64).
/// </summary>
public sealed class NchwStride1SlidingTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var valid = same with { Padding = PaddingMode.Valid };
        ConvolutionOptions Explicit(int top, int bottom, int left, int right) =>
            same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right };
        // (batch, channels, height, width, multiplier, options, name)
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)[]
        {
            (1, 3, 28, 28, 1, same, "SAME 28x28: two steps, the second stores 12 columns"),
            (1, 3, 30, 30, 1, same, "SAME 30x30: 30 rows = 6 x 5"),
            (2, 3, 17, 17, 1, same, "SAME 17x17 batch 2: the second step stores one column, 17 rows = 6 + 6 + 5 moved back"),
            (1, 2, 15, 32, 2, same, "SAME 15x32 multiplier 2: whole steps only"),
            (1, 2, 60, 64, 1, same, "SAME 60x64: plain interior steps, bands of 56 and 4 rows"),
            (1, 2, 3, 47, 1, same, "SAME 3x47: a band of three rows computes five"),
            (1, 2, 9, 48, 1, same, "SAME 9x48: 9 rows = 5 + 4 moved back"),
            (1, 2, 20, 35, 1, valid, "VALID 20x35: 33 columns"),
            (1, 2, 12, 50, 1, valid, "VALID 12x50: 48 columns, no padding on either side"),
            (1, 2, 14, 30, 1, Explicit(2, 0, 2, 0), "explicit top 2 left 2"),
            (1, 2, 11, 40, 1, Explicit(0, 2, 9, 0), "explicit bottom 2 left 9"),
            (1, 2, 13, 30, 1, Explicit(1, 1, 1, 2), "explicit right 2"),
            (2, 2, 10, 33, 2, Explicit(1, 1, 0, 12), "explicit right 12, batch 2, multiplier 2"),
            (1, 2, 8, 10, 1, Explicit(1, 1, 20, 20), "explicit left 20 right 20 on a 10-wide plane: the first step reads only padding"),
            (1, 2, 70, 20, 1, same, "SAME 70x20: bands of 56 and 14 rows"),
            (1, 2, 7, 112, 1, same, "SAME 7x112: seven whole steps"),
            (1, 3, 20, 56, 1, same, "SAME 20x56: a pair, then one moved back by eight columns"),
            (2, 2, 10, 60, 2, valid, "VALID 10x60: 58 columns, batch 2, multiplier 2"),
            // Rows of 9 to 16: one vector a row, two groups a step, runs of planes.
            (1, 20, 14, 14, 1, same, "SAME 14x14, 20 channels: two groups of seven, runs of 16 and 4 planes"),
            (2, 3, 15, 15, 1, same, "SAME 15x15 batch 2: groups of eight and seven"),
            (1, 3, 16, 16, 1, same, "SAME 16x16: whole stores"),
            (1, 3, 12, 9, 1, same, "SAME 12x9: groups of six, nine columns"),
            (1, 2, 6, 12, 2, same, "SAME 6x12 multiplier 2: groups of five and one"),
            (1, 2, 5, 13, 1, same, "SAME 5x13: a band of five rows, one group a step"),
            (1, 2, 17, 10, 1, same, "SAME 17x10: pairs of sevens, the last moved back"),
            (1, 2, 70, 11, 1, same, "SAME 70x11: bands of 56 and 14 rows, one plane a call"),
            (1, 17, 13, 14, 1, Explicit(2, 3, 3, 1), "explicit top 2 bottom 3 left 3 right 1 on 13x14, 17 channels"),
            (1, 2, 10, 18, 1, valid, "VALID 10x18: sixteen columns, no padding"),
        };
        return PlanarInPlaceCheck.CaseData(3, 1300, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesStride1Sliding<Vector512<float>, float>(g), Is.True, "the case must reach the sliding path");
        Assert.That(DepthwiseNchwKernel.TakesStride1Sliding<Vector256<float>, float>(g), Is.False, "256-bit vectors keep the wide tiles");

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference<Vector512<float>>(g, seed);
    }

    [TestCase(28, 28, true)]
    [TestCase(10, 17, true)]
    [TestCase(10, 112, true)]
    [TestCase(30, 16, false)] // rows of 16: the narrow tiles
    public void RowsOf17OrMoreTakeThePairTiles(int height, int width, bool pairs)
    {
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1Pairs<Vector512<float>, float>(g), Is.EqualTo(pairs));
    }

    [TestCase(30, 8, 3, 1)] // rows of 8: the 256-bit in-place path
    [TestCase(30, 30, 5, 1)] // 5x5
    [TestCase(30, 30, 3, 2)] // stride 2
    public void OtherProblemsKeepToTheOtherPaths(int height, int width, int filter, int stride)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [filter, filter, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1Sliding<Vector512<float>, float>(g), Is.False);
    }

    [TestCase(30, 30)]
    [TestCase(9, 41)]
    [TestCase(14, 14)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx512F.IsSupported, "the sliding path needs AVX-512");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1Sliding<Vector512<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference<Vector512<float>>(g, height * width);
    }
}
