using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-1 path that reads rows wider than 16 columns in place (float32, 256-bit AVX2
/// vectors): the same bits as the band kernel (which the 128-bit vectors still take), within the reference's
/// bound, and the same bits whatever the split into work items. The cases reach every kind of vector: the left
/// edge one (taps from column -1: tap 0 masked; SAME, and left padding 9), the right edge one (tap 2 reaching
/// column W: SAME, right padding 12), plain vectors only (VALID), vectors masking all taps on the left (left
/// padding 2 and 9) and on the right (right padding 2 and 12), all vectors masked (no vector's taps inside the
/// image), widths 17, 24, 30, 41 and 60 (the last vector shifted back or
/// not), groups of five, six and seven rows, a last group moved back, bands lower than five rows, bands of
/// 56 rows, batch 2 and multiplier 2.
/// </summary>
public sealed class NchwStride1WideTests
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
            (1, 3, 30, 30, 1, same, "SAME 30x30: edges, two plain vectors, the last shifted back, 30 rows = 6 x 5"),
            (1, 3, 28, 28, 1, same, "SAME 28x28: 28 rows = 7 x 4"),
            (2, 3, 17, 17, 1, same, "SAME 17x17 batch 2: one plain vector, 17 rows = 6 + 6 + 5 moved back"),
            (1, 2, 15, 24, 2, same, "SAME 15x24 multiplier 2: widths a multiple of 8, 15 rows = 5 x 3"),
            (1, 2, 60, 60, 1, same, "SAME 60x60: bands of 56 and 4 rows"),
            (1, 2, 3, 41, 1, same, "SAME 3x41: a band of three rows computes five"),
            (1, 2, 9, 41, 1, same, "SAME 9x41: 9 rows = 5 + 4 moved back"),
            (1, 2, 20, 30, 1, valid, "VALID 20x30: 28 columns, plain vectors only"),
            (1, 2, 12, 27, 1, valid, "VALID 12x27: 25 columns, plain, the last shifted back"),
            (1, 2, 14, 30, 1, Explicit(2, 0, 2, 0), "explicit top 2 left 2: one masked vector on the left"),
            (1, 2, 11, 40, 1, Explicit(0, 2, 9, 0), "explicit bottom 2 left 9: a masked vector, then a left edge one"),
            (1, 2, 13, 30, 1, Explicit(1, 1, 1, 2), "explicit right 2: a masked last vector, taps 0 and 1 reaching the padding"),
            (2, 2, 10, 33, 2, Explicit(1, 1, 0, 12), "explicit right 12, batch 2, multiplier 2: a right edge vector, then masked ones"),
            (1, 2, 8, 10, 1, Explicit(1, 1, 5, 5), "explicit left 5 right 5 on a 10-wide plane: every vector masked"),
            (1, 2, 70, 20, 1, same, "SAME 70x20: bands of 56 and 14 rows"),
        };
        return PlanarInPlaceCheck.CaseData(3, 1100, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assert.That(DepthwiseNchwKernel.TakesStride1WideInPlace<Vector256<float>, float>(g), Is.True, "the case must reach the wide in-place path");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.False, "rows wider than 16 are not the narrow path's");
        Assert.That(DepthwiseNchwKernel.TakesStride1WideInPlace<Vector128<float>, float>(g), Is.False);

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference(g, seed);
    }

    [TestCase(30, 16, 3, 1)] // rows of 16: the narrow in-place path
    [TestCase(30, 30, 5, 1)] // 5x5
    [TestCase(30, 30, 3, 2)] // stride 2
    public void OtherProblemsKeepToTheOtherPaths(int height, int width, int filter, int stride)
    {
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [filter, filter, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1WideInPlace<Vector256<float>, float>(g), Is.False);
    }

    [TestCase(30, 30)]
    [TestCase(9, 41)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1WideInPlace<Vector256<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference(g, height * width);
    }
}

/// <summary>The wide in-place stride-1 path through the public API gives the same bits at 1, 2, 3 and 8 threads.</summary>
[NonParallelizable]
public sealed class NchwStride1WideDeterminismTests
{
    [TestCase(64, 30, 30, 1)]
    [TestCase(24, 28, 28, 2)] // multiplier 2
    [TestCase(5, 120, 60, 1)] // several bands a plane
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(int channels, int height, int width, int multiplier)
    {
        PlanarInPlaceCheck.AssertSameBitsForEveryThreadCount(channels, height, width, multiplier, stride: 1);
    }
}
