using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's 3x3 stride-2 path that reads the input rows in place (float32, 256-bit AVX2 vectors,
/// no left or top padding): the same bits as the band kernel (which the 128-bit vectors still take), within
/// the reference's bound, and the same bits whatever the split into work items or threads. The cases reach
/// every branch: groups wholly in place, the zero row for the one row below the image, copied groups (more
/// than one row below the image, or planes lower than 15 rows), a last group of five or six rows moved back,
/// one to four last rows through the band scratch, right edge vectors (one, several, or none) masking only the
/// second load of each pair (SAME; the first load at column 2 ending at the last column) or both (large right
/// padding; one column narrower), both kinds in one row, output widths of one vector, widths that are not
/// multiples of 8 or 16, batch 2 and multiplier 2; NaN weights over the padding, and no load past the input.
/// </summary>
public sealed class NchwStride2InPlaceTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        var valid = same with { Padding = PaddingMode.Valid };
        ConvolutionOptions Explicit(int bottom, int right) =>
            same with { Padding = PaddingMode.Explicit, PadTop = 0, PadLeft = 0, PadBottom = bottom, PadRight = right };
        // (batch, channels, height, width, multiplier, options, name)
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)[]
        {
            (1, 3, 56, 56, 1, same, "SAME 56x56: in place, zero row, one masked vector"),
            (2, 2, 32, 32, 2, same, "SAME 32x32 batch 2 multiplier 2: 7+7+2 rows, the two through the band"),
            (1, 2, 24, 40, 1, same, "SAME 24x40: 12 rows = 7 + 5, the five moved back"),
            (1, 2, 26, 38, 1, same, "SAME 26x38: 13 rows = 7 + 6"),
            (1, 2, 28, 18, 1, valid, "VALID 28x18: one vector a row, no edge"),
            (1, 2, 37, 45, 1, valid, "VALID 37x45: odd sizes, 22 columns"),
            (1, 2, 33, 41, 1, valid, "VALID 33x41: 20 columns"),
            (1, 3, 20, 50, 2, Explicit(5, 20), "explicit bottom 5 right 20: copied groups, two masked vectors"),
            (2, 2, 30, 36, 1, Explicit(1, 3), "explicit bottom 1 right 3, batch 2"),
            (1, 2, 1, 40, 1, Explicit(2, 1), "height 1"),
            (1, 2, 2, 40, 1, same, "height 2"),
            (1, 2, 3, 40, 1, valid, "height 3"),
            (1, 2, 12, 40, 1, Explicit(2, 0), "height 12, 6 rows in one group, copied"),
            (1, 2, 14, 34, 2, same, "SAME 14x34: 7 rows, 17 columns, multiplier 2"),
            (1, 2, 60, 100, 1, same, "SAME 60x100: 30 rows in bands, 50 columns"),
            (1, 2, 16, 32, 1, Explicit(1, 20), "explicit right 20 on 32 wide: a right-edge vector, then two masked"),
            (1, 2, 16, 38, 1, Explicit(1, 7), "explicit right 7 on 38 wide: the right-edge vector's first load at 2 ends at the last column"),
            (1, 2, 16, 37, 1, Explicit(1, 8), "explicit right 8 on 37 wide: one column less, both loads of the edge vector masked"),
        };
        return PlanarInPlaceCheck.CaseData(3, 700, cases);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assert.That(DepthwiseNchwKernel.TakesStride2InPlace<Vector256<float>, float>(g), Is.True, "the case must reach the in-place path");
        Assert.That(DepthwiseNchwKernel.TakesStride2InPlace<Vector128<float>, float>(g), Is.False);

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference(g, seed);
    }

    [TestCase(56, 56)]
    [TestCase(30, 46)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride2InPlace<Vector256<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference(g, height * width);
    }

    /// <summary>
    /// The input ends where an unreadable page starts: a load past its last element would crash the test run. The
    /// last plane's last group reads its rows in place, its right edge vector through masks.
    /// </summary>
    [TestCase(1, 24, 40, 0, 0)] // SAME: 12 rows = 7 + 5 moved back, the 15th row the zero row; right-edge vector
    [TestCase(2, 16, 32, 0, 0)] // SAME: 7 rows in place, 1 through the band; right-edge vector
    [TestCase(1, 16, 32, 1, 20)] // right 20: right-edge, then masked vectors
    [TestCase(1, 17, 37, 0, 8)] // right 8: both loads masked; 7 rows in place, 1 through the band
    public unsafe void ReadsNothingPastTheInputsEnd(int channels, int height, int width, int padBottom, int padRight)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assume.That(OperatingSystem.IsLinux(), "the guard page uses mmap and mprotect");
        var options = padRight == 0
            ? new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 }
            : new ConvolutionOptions
            {
                DataFormat = DataFormat.NCHW, Padding = PaddingMode.Explicit, StrideHeight = 2, StrideWidth = 2, PadBottom = padBottom, PadRight = padRight,
            };
        var g = ShapeInference.DepthwiseConv2D([1, channels, height, width], [3, 3, channels, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride2InPlace<Vector256<float>, float>(g), Is.True);
        var random = new Random(channels * height + width);
        var values = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        long items = DepthwiseNchwKernel.WorkItems(g, 8, sizeof(float));
        var expected = PlanarInPlaceCheck.Run<Vector128<float>>(values, filter, g, [0, DepthwiseNchwKernel.WorkItems(g, 4, sizeof(float))]);
        var output = Enumerable.Repeat(12345f, (int)g.OutputElementCount).ToArray();
        GuardPage.RunOnInputEndingAtGuard(values, input =>
            DepthwiseNchwKernel.RunItems<Vector256<float>, float>(ref *(float*)input, ref filter[0], ref output[0], g, 0, items));
        Assert.That(output, Is.EqualTo(expected));
    }
}

/// <summary>The in-place stride-2 path through the public API gives the same bits at 1, 2, 3 and 8 threads.</summary>
[NonParallelizable]
public sealed class NchwStride2InPlaceDeterminismTests
{
    [TestCase(16, 64, 64, 1)] // multiplier 1, planar by size: 28-row bands, then 4 rows through the band
    [TestCase(6, 30, 46, 2)] // multiplier 2 (always planar): 15 rows = 7 + 7 + 1, 23 columns
    [TestCase(4, 112, 112, 1)] // 14-row bands
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(int channels, int height, int width, int multiplier)
    {
        PlanarInPlaceCheck.AssertSameBitsForEveryThreadCount(channels, height, width, multiplier, stride: 2);
    }
}
