using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-1 path on 512-bit vectors for SAME planes at most 8 wide and 256 pixels, read as
/// one flat run (DepthwiseNchwKernel.FlatPlanes.cs): the band kernel's bits, within the reference's bound, the same
/// bits whatever the split into work items. The cases reach every width from 1 to 8 (every shift instantiation),
/// planes of one vector, of a partial last vector and of whole vectors only (4x4, 8x8, 8x32), rows of one pixel,
/// runs of planes across two images, multipliers 2 and 3, and explicit padding of one row and column a side; planes of
/// 7 rows and 5 to 7 columns go two at a time (their own cases: odd runs, multipliers, runs of one plane).
/// </summary>
public sealed class NchwFlatPlanesTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var ones = same with { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };
        // (batch, channels, height, width, multiplier, options, name)
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)[]
        {
            (2, 5, 7, 7, 1, same, "SAME 7x7 batch 2: four vectors, the last one pixel"),
            (1, 3, 4, 4, 2, same, "SAME 4x4 multiplier 2: one whole vector"),
            (1, 3, 8, 8, 1, same, "SAME 8x8: four whole vectors"),
            (1, 4, 9, 7, 1, same, "SAME 9x7: four vectors, the last fifteen pixels"),
            (2, 3, 7, 8, 2, same, "SAME 7x8 batch 2, multiplier 2: four vectors, the last eight pixels"),
            (1, 3, 6, 8, 1, same, "SAME 6x8: three whole vectors (the vector loop)"),
            (1, 2, 32, 8, 1, same, "SAME 32x8: sixteen vectors"),
            (1, 3, 9, 1, 3, same, "SAME 9x1 multiplier 3: one column"),
            (1, 2, 1, 2, 1, same, "SAME 1x2: one row"),
            (1, 2, 5, 3, 1, ones, "explicit ones 5x3"),
            (2, 3, 6, 5, 1, same, "SAME 6x5 batch 2"),
            (1, 2, 11, 6, 1, same, "SAME 11x6"),
        };
        return PlanarInPlaceCheck.CaseData(3, 1900, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx512F.IsSupported, "the path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesFlatPlanes<Vector512<float>, float>(g), Is.True, "the case must reach the path");
        Assert.That(DepthwiseNchwKernel.TakesFlatPlanes<Vector256<float>, float>(g), Is.False, "256-bit vectors keep their tiles");

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference<Vector512<float>>(g, seed);
    }

    private static IEnumerable<TestCaseData> PairCases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)[]
        {
            (1, 4, 7, 7, 1, same, "SAME 7x7: two pairs of planes"),
            (1, 4, 7, 5, 1, same, "SAME 7x5: two planes a vector, five columns each"),
            (2, 3, 7, 6, 2, same, "SAME 7x6 batch 2, multiplier 2: each pair reads one input plane"),
            (1, 3, 7, 7, 3, same, "SAME 7x7 multiplier 3: nine planes, the last on the flat tiles"),
            (3, 1, 7, 7, 1, same, "SAME 7x7 batch 3, one channel: runs of one plane, all on the flat tiles"),
        };
        return PlanarInPlaceCheck.CaseData(3, 2300, cases);
    }

    /// <summary>Planes of 7 rows and 5 to 7 columns two at a time (DepthwiseNchwKernel.PlanePairs.cs).</summary>
    [TestCaseSource(nameof(PairCases))]
    public void PlanePairsMatchTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx512F.IsSupported, "the path needs AVX-512");
        Assert.That(DepthwiseNchwKernel.TakesPlanePairs<Vector512<float>, float>(g), Is.True, "the case must reach the pair tiles");

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference<Vector512<float>>(g, seed);
    }

    [TestCase(8, 7)] // eight rows
    [TestCase(7, 8)] // eight columns: no zero lane after a row
    [TestCase(7, 4)]
    public void OtherFlatPlanesKeepToTheFlatTiles(int height, int width)
    {
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same });
        Assert.That(DepthwiseNchwKernel.TakesFlatPlanes<Vector512<float>, float>(g), Is.True);
        Assert.That(DepthwiseNchwKernel.TakesPlanePairs<Vector512<float>, float>(g), Is.False);
    }

    [TestCase(7, 7, 0)] // VALID
    [TestCase(7, 9, 1)] // nine wide: the sliding tiles
    [TestCase(33, 8, 1)] // 264 pixels
    public void OtherProblemsKeepToTheOtherPaths(int height, int width, int same)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = same == 1 ? PaddingMode.Same : PaddingMode.Valid };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesFlatPlanes<Vector512<float>, float>(g), Is.False);
    }

    [TestCase(7, 7)]
    [TestCase(7, 5)]
    [TestCase(4, 8)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx512F.IsSupported, "the path needs AVX-512");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesFlatPlanes<Vector512<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference<Vector512<float>>(g, height * width);
    }
}
