using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// NHWC depthwise bands that call the float32 rows kernel directly (<see cref="FastDepthwiseConvolution.NhwcRowsKernel{T}"/>) and narrow a few rows
/// at a time: the kernel is picked where the float32 call would run it and only there, and the result has the float32
/// call's bits rounded once whatever the rows per narrowing (one row, so pairs split; the default pair; three, so a pair
/// and a lone row; more than a band), the band size and the tier: multipliers 1, 2 and 4 (the kernel's three
/// instantiations), 3 (the dispatcher's copies instead), unit and double strides, odd heights whose bands end on a lone
/// row, a dilated 5x5 filter, padding-only bands and several images.
/// </summary>
public sealed class NhwcDepthwiseRowsTests
{
    private static readonly long[] RowsPerNarrow = [1, 2, 3, 1000];

    private static ConvCase Case(int channels, int multiplier, int kernel) => new()
    {
        Depthwise = true, Nchw = false, Padding = "SAME", Batch = 1, Height = 13, Width = 11, Channels = channels,
        KernelHeight = kernel, KernelWidth = kernel, FilterDepth = channels, FilterLast = multiplier, Seed = 31,
    };

    private static IEnumerable<TestCaseData> Cases()
    {
        ConvCase[] cases =
        [
            Case(16, 1, 3),
            Case(12, 2, 3) with { Height = 9, Batch = 2 },
            Case(8, 4, 3) with { StrideHeight = 2, StrideWidth = 2 },
            Case(9, 3, 3),
            Case(20, 1, 5) with { DilationHeight = 2, DilationWidth = 2, Height = 17 },
            Case(24, 1, 3) with { Padding = "EXPLICIT", PadTop = 4, PadBottom = 3, PadLeft = 1, PadRight = 2, Batch = 2 },
        ];
        foreach (var c in cases)
        foreach (long rows in RowsPerNarrow)
            yield return new TestCaseData(c, rows).SetArgDisplayNames(c.ToString(), $"narrow {rows}");
    }

    [TestCaseSource(nameof(Cases))]
    public void HalfBandsGiveTheFloat32Bits(ConvCase c, long rowsPerNarrow) =>
        ReducedPrecisionConvolutionTests.CheckEveryTierAndBand<HalfFormat>(c, nonFinite: false, rowsPerNarrow);

    [TestCaseSource(nameof(Cases))]
    public void BFloat16BandsGiveTheFloat32Bits(ConvCase c, long rowsPerNarrow) =>
        ReducedPrecisionConvolutionTests.CheckEveryTierAndBand<BFloat16Format>(c, nonFinite: false, rowsPerNarrow);

    [TestCase(DataFormat.NHWC, 1, 8, true)]
    [TestCase(DataFormat.NHWC, 2, 8, true)]
    [TestCase(DataFormat.NHWC, 4, 8, true)]
    [TestCase(DataFormat.NHWC, 3, 8, false)]
    [TestCase(DataFormat.NHWC, 1, 3, false)]
    [TestCase(DataFormat.NCHW, 1, 16, false)]
    public unsafe void TheRowsKernelIsPickedWhereTheFloat32CallRunsIt(DataFormat format, int multiplier, int channels, bool picked)
    {
        long[] inputShape = format == DataFormat.NHWC ? [1, 6, 6, channels] : [1, channels, 6, 6];
        var g = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, channels, multiplier], new ConvolutionOptions { DataFormat = format });
        foreach (var isa in new[] { VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512 })
            Assert.That(FastDepthwiseConvolution.NhwcRowsKernel<float>(g, isa) != null, Is.EqualTo(picked), isa.ToString());
    }

    [Test]
    public unsafe void Conv2DBandsKeepTheDispatcher()
    {
        var g = ShapeInference.Conv2D([1, 6, 6, 16], [3, 3, 16, 16], new ConvolutionOptions());
        Assert.That(FastDepthwiseConvolution.NhwcRowsKernel<float>(g, VectorIsa.Avx2) == null, Is.True);
    }
}
