using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-1 path that reads the input rows in place (float32, 256-bit AVX2 vectors,
/// output rows up to 16 wide): the same bits as the band kernel (which the 128-bit vectors still take), within
/// the reference's bound, and the same bits whatever the split into work items. The cases reach every branch:
/// rows of one vector and of two (the second shifted back), rows narrower than a vector (4 to 7 columns, the
/// last row of a group stored as two 128-bit halves), groups of seven, six and five rows, a last group moved
/// back, planes and bands lower than five rows, bands of one plane each (tall planes), runs of planes cut at the run length and at
/// the image's end (batch 2), multiplier 2, and SAME, VALID and explicit paddings (top and left up to 2,
/// columns read left of the image and right of it). Rows narrower than four columns or wider than 16 go elsewhere.
/// </summary>
public sealed class NchwStride1InPlaceTests
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
            (1, 40, 7, 7, 1, same, "SAME 7x7: one group, 7 columns as two halves, runs of 16 + 16 + 8 planes"),
            (2, 20, 14, 14, 1, same, "SAME 14x14 batch 2: two vectors, runs cut at the image's end"),
            (1, 3, 15, 15, 1, same, "SAME 15x15: 15 rows = 8 + 7"),
            (1, 3, 16, 16, 1, same, "SAME 16x16: two whole-width vectors, 16 rows = 8 + 8"),
            (1, 3, 9, 8, 1, same, "SAME 9x8: one vector exactly, 9 rows = 5 + 4 moved back to five"),
            (1, 3, 7, 9, 2, same, "SAME 7x9 multiplier 2: 9 columns"),
            (1, 5, 7, 5, 1, same, "SAME 7x5: 5 columns"),
            (2, 3, 13, 5, 1, same, "SAME 13x5 batch 2: 5 columns, 13 rows = 7 + 6 moved back"),
            (1, 3, 6, 16, 1, same, "SAME 6x16: 6 rows, the rows below them read the zero row"),
            (1, 3, 4, 8, 1, same, "SAME 4x8: 4 rows, a five-row group"),
            (2, 3, 14, 4, 1, same, "SAME 14x4 batch 2: 4 columns, both halves of the last row at column 0"),
            (1, 3, 5, 5, 1, same, "SAME 5x5: 5 rows, 5 columns"),
            (1, 4, 10, 10, 1, same, "SAME 10x10: 10 rows = 5 + 5, 10 columns"),
            (1, 3, 16, 10, 1, valid, "VALID 16x10: 8 columns, no padding"),
            (1, 3, 9, 18, 1, valid, "VALID 9x18: 16 columns from an 18-wide plane"),
            (1, 3, 12, 14, 2, Explicit(2, 0, 2, 0), "explicit top 2 left 2, multiplier 2"),
            (1, 3, 7, 6, 1, Explicit(0, 2, 0, 2), "explicit bottom 2 right 2, 6 columns"),
            (1, 2, 130, 14, 1, same, "SAME 130x14: bands of 56 rows, one plane a work item"),
            (2, 2, 60, 5, 2, same, "SAME 60x5 batch 2 multiplier 2: bands of 56 and 4 rows, 5 columns"),
        };
        return PlanarInPlaceCheck.CaseData(3, 900, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.True, "the case must reach the in-place path");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector128<float>, float>(g), Is.False);

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference(g, seed);
    }

    [TestCase(14, 3, 3)] // narrower than four columns
    [TestCase(14, 17, 3)] // wider than two vectors (the wide in-place path: NchwStride1WideTests)
    [TestCase(14, 14, 5)]
    public void PlanesOutsideTheInPlaceTilesKeepToTheOtherPaths(int height, int width, int filter)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [filter, filter, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.False);
    }

    [TestCase(7, 7)]
    [TestCase(14, 14)]
    [TestCase(7, 5)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference(g, height * width);
    }
}

/// <summary>The in-place stride-1 path through the public API gives the same bits at 1, 2, 3 and 8 threads.</summary>
[NonParallelizable]
public sealed class NchwStride1InPlaceDeterminismTests
{
    [TestCase(960, 7, 7, 1)] // runs of 16 planes, more than one chunk a thread
    [TestCase(96, 14, 14, 1)]
    [TestCase(24, 15, 15, 2)] // multiplier 2
    [TestCase(5, 120, 13, 1)] // bands of one plane each
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(int channels, int height, int width, int multiplier)
    {
        PlanarInPlaceCheck.AssertSameBitsForEveryThreadCount(channels, height, width, multiplier, stride: 1);
    }
}
