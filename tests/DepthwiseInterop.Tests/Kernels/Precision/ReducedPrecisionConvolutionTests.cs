using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// float16 and bfloat16 problems give exactly the float32 kernel's result on the widened values, rounded
/// once: on random problems of both ops (every layout, padding, stride, dilation, group and multiplier mix of
/// <see cref="ConvCase"/>), on every vector tier, with NHWC bands (and NCHW depthwise blocks of channels) of one output row (so bands that lie wholly in
/// the padding occur), of a few rows, and of the default size. The float32 kernels themselves are checked
/// against the reference elsewhere, the conversions in <see cref="FormatConversionTests"/>.
/// </summary>
public sealed class ReducedPrecisionConvolutionTests
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];
    private static readonly long[] BandSizes = [1, 60, ReducedPrecisionConvolution.DefaultBandInputElements];

    private static IEnumerable<TestCaseData> Cases() =>
        ConvCase.Generate(20261126, 96).Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [TestCaseSource(nameof(Cases))]
    public void HalfIsTheFloat32ResultRoundedOnce(ConvCase c) => CheckEveryTierAndBand<HalfFormat>(c, nonFinite: false);

    [TestCaseSource(nameof(Cases))]
    public void BFloat16IsTheFloat32ResultRoundedOnce(ConvCase c) => CheckEveryTierAndBand<BFloat16Format>(c, nonFinite: false);

    /// <summary>
    /// NHWC problems that reach each branch of the bands' row window: strides that skip input rows (each band
    /// starts a new window), several images (a chunk's bands cross into the next image), a tall dilated filter
    /// whose halo is most of a band (the window fills and moves its shared rows to the front), and conv2d and
    /// pointwise problems, which run in bands too; and NCHW depthwise problems, which run in blocks of channels.
    /// </summary>
    private static IEnumerable<TestCaseData> BandEdgeCases()
    {
        ConvCase Nhwc(bool depthwise, int channels, int kernel, int filterLast) => new()
        {
            Depthwise = depthwise, Nchw = false, Padding = "SAME", Batch = 1, Height = 23, Width = 7, Channels = channels,
            KernelHeight = kernel, KernelWidth = kernel, FilterDepth = channels, FilterLast = filterLast, Seed = 5,
        };
        ConvCase[] cases =
        [
            Nhwc(depthwise: true, 12, 1, 1) with { StrideHeight = 3, StrideWidth = 2, Padding = "VALID" },
            Nhwc(depthwise: true, 8, 3, 2) with { Batch = 3, Height = 11 },
            Nhwc(depthwise: true, 9, 5, 1) with { DilationHeight = 2, Height = 61 },
            Nhwc(depthwise: false, 8, 3, 8) with { StrideHeight = 2, Batch = 2 },
            Nhwc(depthwise: false, 16, 1, 24) with { Batch = 2 },
            // NCHW depthwise in blocks of 16 channels and a shorter last one: small planes (the float32 path
            // transposes them), a multiplier, and planes large enough for the planar kernel, over two images.
            Nhwc(depthwise: true, 40, 3, 1) with { Nchw = true, Height = 9, Width = 11 },
            Nhwc(depthwise: true, 37, 3, 2) with { Nchw = true, Height = 20, Width = 17, StrideWidth = 2 },
            Nhwc(depthwise: true, 35, 3, 1) with { Nchw = true, Height = 18, Width = 18, Batch = 2, Padding = "VALID" },
        ];
        return cases.Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));
    }

    [TestCaseSource(nameof(BandEdgeCases))]
    public void BandEdgesGiveTheFloat32Bits(ConvCase c)
    {
        CheckEveryTierAndBand<HalfFormat>(c, nonFinite: false);
        CheckEveryTierAndBand<BFloat16Format>(c, nonFinite: false);
    }

    [Test]
    public void NonFiniteValuesAndPaddingOnlyBandsGiveTheFloat32Bits()
    {
        // Explicit pads taller than the filter: the first and last output rows read padding only, and an
        // infinite weight makes them NaN (0 × ∞), which bands of zero rows must reproduce.
        foreach (bool nchw in new[] { false, true })
        foreach (bool depthwise in new[] { true, false })
        {
            var c = new ConvCase
            {
                Depthwise = depthwise, Nchw = nchw, Padding = "EXPLICIT", Batch = 2, Height = 5, Width = 9, Channels = 4,
                KernelHeight = 3, KernelWidth = 3, FilterDepth = depthwise ? 4 : 2, FilterLast = depthwise ? 2 : 4,
                PadTop = 6, PadBottom = 5, PadLeft = 1, PadRight = 4, StrideHeight = 2, Seed = 9,
            };
            CheckEveryTierAndBand<HalfFormat>(c, nonFinite: true);
            CheckEveryTierAndBand<BFloat16Format>(c, nonFinite: true);
        }
    }

    internal static void CheckEveryTierAndBand<TFormat>(ConvCase c, bool nonFinite, long rowsPerNarrow = NhwcRowBands.DefaultRowsPerNarrow)
        where TFormat : IReducedPrecisionFormat
    {
        var geometry = ShapeInference.Infer(c.Kind, c.InputShape, c.FilterShape, c.Options);
        var random = new Random(c.Seed);
        var input = Narrowed<TFormat>(Enumerable.Range(0, c.InputLength).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray());
        var filterValues = Enumerable.Range(0, c.FilterLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        if (nonFinite)
        {
            filterValues[0] = float.PositiveInfinity;
            filterValues[^1] = float.NaN;
        }
        var filter = Narrowed<TFormat>(filterValues);
        var inputSingle = new float[input.Length];
        var filterSingle = new float[filter.Length];
        TFormat.ToSingle(input, inputSingle);
        TFormat.ToSingle(filter, filterSingle);

        foreach (var isa in Tiers)
        {
            var single = new float[geometry.OutputElementCount];
            ConvolutionDispatcher.Run<float>(inputSingle, filterSingle, single, geometry, isa);
            var expected = Narrowed<TFormat>(single);
            if (nonFinite) Assert.That(single.Count(float.IsNaN), Is.GreaterThan(0), "the case must produce NaN");
            // Sized by elements alone (conv2d too), then as the library sizes them.
            foreach (var (band, conv2DBandsPerThread) in BandSizes.Select(b => (b, 0L)).Append(
                (ReducedPrecisionConvolution.DefaultBandInputElements, ReducedPrecisionConvolution.DefaultConv2DBandsPerThread)))
            {
                var got = Enumerable.Repeat((ushort)0xABCD, expected.Length).ToArray();
                ReducedPrecisionConvolution.Run<TFormat>(input, filter, got, geometry, isa, band, conv2DBandsPerThread, rowsPerNarrow);
                Assert.That(got, Is.EqualTo(expected),
                    $"{isa}, bands of {band} input elements, {conv2DBandsPerThread} conv2d bands per thread, narrowed {rowsPerNarrow} rows at a time");
            }
        }
    }

    internal static ushort[] Narrowed<TFormat>(float[] values) where TFormat : IReducedPrecisionFormat
    {
        var bits = new ushort[values.Length];
        TFormat.FromSingle(values, bits);
        return bits;
    }
}

/// <summary>The 16-bit types through the public API: thread counts, separable, rounding.</summary>
[NonParallelizable]
public sealed class ReducedPrecisionApiTests
{
    [TestCase(DataFormat.NHWC, 1)]
    [TestCase(DataFormat.NCHW, 2)]
    public void HalfDepthwiseIsBitwiseIdenticalForEveryThreadCount(DataFormat format, int multiplier)
    {
        var random = new Random(17);
        long[] inputShape = format == DataFormat.NHWC ? [2, 61, 47, 24] : [2, 24, 61, 47];
        long[] filterShape = [3, 3, 24, multiplier];
        var options = new ConvolutionOptions { DataFormat = format, Padding = PaddingMode.Same };
        var input = Enumerable.Range(0, 2 * 61 * 47 * 24).Select(_ => (Half)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, 9 * 24 * multiplier).Select(_ => (Half)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options).Values);
    }

    [Test]
    public void BFloat16Conv2DIsBitwiseIdenticalForEveryThreadCount()
    {
        var random = new Random(19);
        long[] inputShape = [1, 40, 40, 32], filterShape = [3, 3, 32, 32];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var input = Enumerable.Range(0, 40 * 40 * 32).Select(_ => (BFloat16)(float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, 9 * 32 * 32).Select(_ => (BFloat16)(float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.Conv2D(input, inputShape, filter, filterShape, options).Values);
    }

    [Test]
    public void HalfSeparableIsTheTwoOpsWithAHalfIntermediate()
    {
        var random = new Random(23);
        long[] inputShape = [1, 9, 11, 6], depthwiseShape = [3, 3, 6, 2], pointwiseShape = [1, 1, 12, 5];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2 };
        Half Draw() => (Half)(random.NextDouble() * 2 - 1);
        var input = Enumerable.Range(0, 9 * 11 * 6).Select(_ => Draw()).ToArray();
        var depthwise = Enumerable.Range(0, 9 * 12).Select(_ => Draw()).ToArray();
        var pointwise = Enumerable.Range(0, 12 * 5).Select(_ => Draw()).ToArray();
        var (separable, shape) = Convolution.SeparableConv2D(input, inputShape, depthwise, depthwiseShape, pointwise, pointwiseShape, options);
        var (intermediate, intermediateShape) = Convolution.DepthwiseConv2D(input, inputShape, depthwise, depthwiseShape, options);
        var (twoOps, twoOpsShape) = Convolution.Conv2D(intermediate, intermediateShape, pointwise, pointwiseShape, new ConvolutionOptions());
        Assert.That(shape, Is.EqualTo(twoOpsShape));
        Assert.That(separable, Is.EqualTo(twoOps));
    }

    [Test]
    public void HalfResultIsWithinTheRoundingOfTheExactValue()
    {
        // 1x1 conv2d whose terms are small integers: float32 sums them exactly, so the only error is the final
        // rounding to half (2049 is not a half: it rounds to 2048, ties to even).
        long[] inputShape = [1, 1, 1, 3], filterShape = [1, 1, 3, 1];
        var (values, _) = Convolution.Conv2D(new[] { (Half)1024, (Half)1024, (Half)1 }, inputShape, new[] { (Half)1, (Half)1, (Half)1 }, filterShape,
            new ConvolutionOptions());
        Assert.That(values[0], Is.EqualTo((Half)2048));
    }
}
