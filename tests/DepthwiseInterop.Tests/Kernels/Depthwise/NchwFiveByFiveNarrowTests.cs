using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 5x5 stride-1 path on 512-bit vectors for rows of 9 to 16 columns
/// (DepthwiseNchwKernel.Stride1FiveByFiveNarrow.cs): the band kernel's bits, within the reference's bound, the
/// same bits whatever the split into work items. The cases reach: 9, 10, 14, 15 and 16 output columns (16 stored
/// whole, the others masked), SAME (two padding rows and columns a side), VALID, explicit padding on every side
/// and wider than the filter, groups of five, six and seven rows, a group moved back, a band of three rows,
/// several bands a plane (one plane a call), runs of 16 planes and a shorter last run, batch 2 and multiplier 2.
/// </summary>
public sealed class NchwFiveByFiveNarrowTests
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
            (1, 20, 14, 14, 1, same, "SAME 14x14, 20 channels: groups of seven, runs of 16 and 4 planes"),
            (2, 3, 15, 15, 2, same, "SAME 15x15 batch 2 multiplier 2: groups of five"),
            (1, 3, 16, 16, 1, same, "SAME 16x16: whole stores, 16 rows = 6 + 6 + 4 moved back"),
            (1, 2, 12, 9, 1, same, "SAME 12x9: groups of six, nine columns"),
            (1, 2, 20, 20, 1, valid, "VALID 20x20: sixteen columns, no padding"),
            (1, 2, 13, 14, 1, valid, "VALID 13x14: ten columns, nine rows = 5 + 4 moved back"),
            (1, 17, 11, 12, 1, Explicit(3, 1, 4, 0), "explicit top 3 bottom 1 left 4, 17 channels"),
            (1, 2, 10, 8, 1, Explicit(0, 6, 1, 7), "explicit bottom 6 right 7: padding wider than the filter"),
            (1, 2, 3, 14, 1, same, "SAME 3x14: a band of three rows computes five"),
            (1, 2, 70, 12, 1, same, "SAME 70x12: bands of 56 and 14 rows, one plane a call"),
        };
        return PlanarInPlaceCheck.CaseData(5, 1700, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx512F.IsSupported, "the path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesFiveByFiveNarrow<Vector512<float>, float>(g), Is.True, "the case must reach the path");
        Assert.That(DepthwiseNchwKernel.TakesFiveByFiveNarrow<Vector256<float>, float>(g), Is.False, "256-bit vectors keep their tiles");

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference<Vector512<float>>(g, seed);
    }

    [TestCase(14, 8, 5, 1)] // eight columns
    [TestCase(20, 17, 5, 1)] // seventeen columns
    [TestCase(14, 14, 5, 2)] // stride 2
    [TestCase(14, 14, 3, 1)] // 3x3
    public void OtherProblemsKeepToTheOtherPaths(int height, int width, int filter, int stride)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [filter, filter, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesFiveByFiveNarrow<Vector512<float>, float>(g), Is.False);
    }

    [TestCase(14, 14)]
    [TestCase(9, 11)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx512F.IsSupported, "the path needs AVX-512");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [5, 5, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesFiveByFiveNarrow<Vector512<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference<Vector512<float>>(g, height * width);
    }
}
