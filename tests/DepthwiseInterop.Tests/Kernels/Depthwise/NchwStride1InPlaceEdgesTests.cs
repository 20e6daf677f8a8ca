using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The stride-1 in-place groups that mask only the image's edges (left padding of one column, output no wider
/// than the input): the band kernel's bits and the reference's bound on rows of one vector (narrower than eight,
/// exactly eight) and of two, groups of five to eight rows (eight only on planes at least eight wide with at
/// most one padding row above and below, else five to seven), groups reading a zero row above, below, both or
/// neither (and groups reading two, which go to the all-masked groups), no right padding (the middle column read up to
/// the row's end, or past it on planes narrower than eight), runs ending at an image's last channel (which read
/// the middle column masked on their last rows) in the middle of a batch and at its end; and no read past the
/// input's end, with the input's last element against an unreadable page.
/// </summary>
public sealed class NchwStride1InPlaceEdgesTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var same = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        ConvolutionOptions Explicit(int top, int bottom, int left, int right) =>
            same with { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right };
        // (batch, channels, height, width, multiplier, options, takes the edge-masked groups, name)
        var cases = new (int N, int C, int H, int W, int M, ConvolutionOptions O, bool Edges, string Name)[]
        {
            (2, 20, 7, 7, 1, same, true, "SAME 7x7 batch 2: runs of 16 + 4, each image's last run masked on its last rows"),
            (1, 18, 7, 6, 1, same, true, "SAME 7x6: rows narrower than eight, runs of 16 + 2"),
            (1, 3, 14, 14, 1, same, true, "SAME 14x14: two vectors, 7 + 7 rows"),
            (1, 3, 15, 15, 2, same, true, "SAME 15x15 multiplier 2: 8 + 7 rows"),
            (2, 3, 16, 16, 1, same, true, "SAME 16x16 batch 2: 8 + 8 rows"),
            (1, 3, 12, 16, 1, same, true, "SAME 12x16: two whole vectors, 6 + 6 rows"),
            (1, 3, 17, 9, 1, same, true, "SAME 17x9: 6 + 6 + 5 rows, the second vector one column on"),
            (1, 3, 9, 12, 1, same, true, "SAME 9x12: 5 + 4 rows, the last group moved back to five"),
            (1, 3, 8, 8, 1, same, true, "SAME 8x8: one eight-row group of one vector, both edges masked, middle column within the row"),
            (1, 2, 130, 16, 1, same, true, "SAME 130x16: bands of 56 rows (seven groups of eight) and 18 (6 + 6 + 6)"),
            (1, 3, 16, 9, 1, Explicit(1, 0, 1, 0), true, "top 1 bottom 0 left 1 right 0: 15 x 8 outputs, 8 + 7 rows, no zero row below"),
            (1, 17, 7, 8, 1, Explicit(1, 1, 1, 0), true, "left 1 right 0, 8 wide: 7 columns, the middle column reads the row's last"),
            (2, 17, 9, 6, 1, Explicit(1, 1, 1, 0), true, "left 1 right 0, 6 wide, batch 2: 5 columns, 9 rows = 5 + 4 moved back"),
            (1, 3, 10, 12, 1, Explicit(0, 2, 1, 0), true, "top 0 bottom 2 left 1 right 0, 12 wide: 11 columns, two vectors, two zero rows below the last group"),
            (1, 3, 9, 9, 1, Explicit(2, 1, 1, 1), true, "top 2 left 1: two zero rows above the first group (the row table's groups)"),
            (1, 3, 4, 8, 1, same, true, "SAME 4x8: a five-row group over four rows, two zero rows below"),
            (1, 3, 6, 16, 1, same, true, "SAME 6x16: one six-row group, a zero row above and below"),
            (1, 3, 9, 9, 1, Explicit(1, 1, 1, 2), false, "left 1 right 2: wider than the input, every column masked"),
            (1, 3, 9, 9, 1, Explicit(1, 1, 0, 2), false, "left 0: every column masked"),
        };
        int seed = 1900;
        foreach (var c in cases)
            yield return new TestCaseData(new long[] { c.N, c.C, c.H, c.W }, new long[] { 3, 3, c.C, c.M }, c.O, c.Edges, seed++).SetArgDisplayNames(c.Name);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheBandKernelBitwiseAndTheReference(long[] inputShape, long[] filterShape, ConvolutionOptions options, bool edges, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.True, "the case must reach the in-place path");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlaceEdges<Vector256<float>, float>(g), Is.EqualTo(edges));

        PlanarInPlaceCheck.AssertMatchesBandKernelAndReference(g, seed);
    }

    [TestCase(15, 15)]
    [TestCase(8, 8)]
    public void NonFiniteWeightsOverThePaddingGiveNaNAsInTheReference(int height, int width)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D([1, 4, height, width], [3, 3, 4, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlaceEdges<Vector256<float>, float>(g), Is.True);
        PlanarInPlaceCheck.AssertPaddingNaNsAsInTheReference(g, height * width);
    }

    /// <summary>
    /// The input ends where an unreadable page starts: a load past its last element would crash the test run.
    /// Planes narrower than eight read their middle column past each row's end except at an image's last rows.
    /// </summary>
    [TestCase(1, 3, 7, 7, 1)]
    [TestCase(2, 3, 7, 5, 1)]
    [TestCase(1, 20, 7, 7, 1)]
    [TestCase(1, 3, 7, 6, 0)]
    [TestCase(1, 2, 12, 4, 1)]
    public unsafe void ReadsNothingPastTheInputsEnd(int batch, int channels, int height, int width, int padRight)
    {
        Assume.That(Avx2.IsSupported, "the in-place path needs AVX2");
        Assume.That(OperatingSystem.IsLinux(), "the guard page uses mmap and mprotect");
        var options = new ConvolutionOptions
        {
            DataFormat = DataFormat.NCHW, Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = padRight,
        };
        var g = ShapeInference.DepthwiseConv2D([batch, channels, height, width], [3, 3, channels, 1], options);
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlaceEdges<Vector256<float>, float>(g), Is.True);
        var random = new Random(channels * height + width);
        var values = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var expected = PlanarInPlaceCheck.Run<Vector128<float>>(values, filter, g, [0, DepthwiseNchwKernel.WorkItems(g, 4, sizeof(float))]);

        GuardPage.RunOnInputEndingAtGuard(values, at =>
        {
            var output = Enumerable.Repeat(12345f, (int)g.OutputElementCount).ToArray();
            DepthwiseNchwKernel.RunItems<Vector256<float>, float>(ref *(float*)at, ref filter[0], ref output[0], g, 0,
                DepthwiseNchwKernel.WorkItems(g, 8, sizeof(float)));
            Assert.That(output, Is.EqualTo(expected));
        });
    }
}
