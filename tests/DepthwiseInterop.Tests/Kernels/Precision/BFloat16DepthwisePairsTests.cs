using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The bfloat16 3x3 row-pair kernel: taken exactly where it applies, and its result is the float32 kernels' result on
/// the same (widened) values rounded once, bit for bit: random shapes reaching every block variant (padding column on
/// the left, the right, both, neither), shifted last blocks of odd widths, lone last rows, rows wholly in the padding,
/// several images, infinities, NaN, overflow and signed zeros; then large problems on 1, 2 and 3 threads, whose items
/// split channel groups between threads.
/// </summary>
[NonParallelizable]
public sealed class BFloat16DepthwisePairsTests
{
    private static ConvolutionGeometry Geometry(long[] inputShape, long[] filterShape, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    [Test]
    public void TakesThreeByThreeUnitStrideMultiplierOneNhwcOnTheAvx2AndAvx512TiersWithSixteenChannelsOrMore()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        var taken = Geometry([1, 8, 9, 32], [3, 3, 32, 1], same);
        Assert.That(BFloat16DepthwisePairs.Supports(taken, VectorIsa.Avx2), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported));
        Assert.That(BFloat16DepthwisePairs.Supports(taken, VectorIsa.Avx512), Is.EqualTo(Avx2.IsSupported && Fma.IsSupported), "512-bit tier");
        Assert.That(BFloat16DepthwisePairs.Supports(Geometry([1, 8, 9, 32], [3, 3, 32, 1], new ConvolutionOptions()), VectorIsa.Avx2),
            Is.EqualTo(Avx2.IsSupported && Fma.IsSupported), "VALID");
        var declined = new (string Why, ConvolutionGeometry Geometry, VectorIsa Isa)[]
        {
            ("128-bit tier", taken, VectorIsa.Sse2),
            ("scalar", taken, VectorIsa.Scalar),
            ("15 channels", Geometry([1, 8, 9, 15], [3, 3, 15, 1], same), VectorIsa.Avx2),
            ("multiplier 2", Geometry([1, 8, 9, 16], [3, 3, 16, 2], same), VectorIsa.Avx2),
            ("stride 2", Geometry([1, 8, 9, 16], [3, 3, 16, 1], same with { StrideHeight = 2, StrideWidth = 2 }), VectorIsa.Avx2),
            ("dilation 2", Geometry([1, 8, 9, 16], [3, 3, 16, 1], same with { DilationHeight = 2, DilationWidth = 2 }), VectorIsa.Avx2),
            ("5x5", Geometry([1, 8, 9, 16], [5, 5, 16, 1], same), VectorIsa.Avx2),
            ("NCHW", Geometry([1, 16, 8, 9], [3, 3, 16, 1], same with { DataFormat = DataFormat.NCHW }), VectorIsa.Avx2),
            ("one output column", Geometry([1, 8, 1, 16], [3, 3, 16, 1], same), VectorIsa.Avx2),
            ("two padding columns", Geometry([1, 8, 9, 16], [3, 3, 16, 1], new ConvolutionOptions { Padding = PaddingMode.Explicit, PadLeft = 2 }), VectorIsa.Avx2),
        };
        foreach (var (why, geometry, isa) in declined)
            Assert.That(BFloat16DepthwisePairs.Supports(geometry, isa), Is.False, why);
        Assert.That(BFloat16DepthwisePairs.Supports(ShapeInference.Conv2D([1, 8, 9, 16], [3, 3, 16, 16], same), VectorIsa.Avx2), Is.False, "conv2d");
    }

    [TestCase(VectorIsa.Avx2)]
    [TestCase(VectorIsa.Avx512)]
    public void RandomShapesGiveTheFloat32BitsRoundedOnce(VectorIsa isa) =>
        CheckRandomShapes(20261126, filterSize: 3, stride: 1, maxHeight: 9, widths: (2, 20), maxSidePadding: 1,
            g => BFloat16DepthwisePairs.Supports(g, isa), minimumTaken: 200, isa);

    /// <summary>
    /// 300 random problems (1-2 images, 16-69 channels; SAME, VALID or explicit padding of up to four rows and
    /// <paramref name="maxSidePadding"/> columns a side), each that <paramref name="takes"/> checked by <see cref="CheckAgainstFloat32"/>,
    /// a quarter with non-finite values; at least <paramref name="minimumTaken"/> of them must reach the kernel.
    /// </summary>
    internal static void CheckRandomShapes(int seed, int filterSize, int stride, int maxHeight, (int Min, int Max) widths, int maxSidePadding,
        Func<ConvolutionGeometry, bool> takes, int minimumTaken, VectorIsa isa = VectorIsa.Avx2)
    {
        AssumeTier(isa);
        var random = new Random(seed);
        int taken = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            long batch = random.Next(1, 3), height = random.Next(1, maxHeight + 1), width = random.Next(widths.Min, widths.Max + 1), channels = random.Next(16, 70);
            var options = random.Next(3) switch
            {
                0 => new ConvolutionOptions { Padding = PaddingMode.Same },
                1 => new ConvolutionOptions { Padding = PaddingMode.Valid },
                _ => new ConvolutionOptions
                {
                    Padding = PaddingMode.Explicit, PadTop = random.Next(0, 5), PadBottom = random.Next(0, 5),
                    PadLeft = random.Next(0, maxSidePadding + 1), PadRight = random.Next(0, maxSidePadding + 1),
                },
            } with { StrideHeight = stride, StrideWidth = stride };
            bool tooSmall = height + options.PadTop + options.PadBottom < filterSize || width + options.PadLeft + options.PadRight < filterSize;
            if (options.Padding != PaddingMode.Same && tooSmall) continue;
            var g = Geometry([batch, height, width, channels], [filterSize, filterSize, channels, 1], options);
            if (!takes(g)) continue;
            taken++;
            CheckAgainstFloat32(g, random, nonFinite: trial % 4 == 0,
                $"trial {trial}: {batch}x{height}x{width}x{channels} {options.Padding} pads {g.PadTop},{g.PadBottom},{g.PadLeft},{g.PadRight}", isa);
        }
        Assert.That(taken, Is.GreaterThan(minimumTaken), "most trials must reach the kernel");
    }

    [TestCase(2, 14, 14, 104, 1, 1, 1, 1)]
    [TestCase(1, 31, 40, 64, 1, 1, 0, 1)]
    [TestCase(1, 5, 120, 160, 3, 2, 1, 0)]
    [TestCase(3, 20, 20, 41, 0, 0, 0, 0)]
    public void LargeProblemsGiveTheSameBitsOnEveryThreadCount(int batch, int height, int width, int channels, int top, int bottom, int left, int right)
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the kernel needs AVX2 and FMA");
        var g = Geometry([batch, height, width, channels], [3, 3, channels, 1],
            new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right });
        foreach (var isa in Tiers())
            CheckOnEveryThreadCount(g, g => BFloat16DepthwisePairs.Supports(g, isa), isa);
    }

    /// <summary>
    /// A large problem that <paramref name="takes"/> (the kernel under test) and that runs on the pool, checked by
    /// <see cref="CheckAgainstFloat32"/> on 1, 2 and 3 threads (2: with non-finite values), each against the float32 path's bits.
    /// </summary>
    internal static void CheckOnEveryThreadCount(ConvolutionGeometry g, Func<ConvolutionGeometry, bool> takes, VectorIsa isa = VectorIsa.Avx2)
    {
        Assert.That(takes(g), Is.True, "the kernel must take the case");
        bool conv2D = g.Kind == ConvolutionKind.Conv2D;
        Assert.That(g.OutputElementCount * g.FilterHeight * g.FilterWidth * (conv2D ? g.ChannelsPerGroup : 1),
            Is.GreaterThanOrEqualTo(conv2D ? NhwcRowBands.Conv2DParallelThresholdMacs : NhwcRowBands.DepthwiseParallelThresholdMacs),
            "the case must run on the pool");
        int previous = WorkerPool.ThreadCount;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                WorkerPool.ThreadCount = threads;
                CheckAgainstFloat32(g, new Random(threads), nonFinite: threads == 2, $"{threads} threads, {VectorIsaSelection.Name(isa)} tier", isa);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = previous;
        }
    }

    /// <summary>The vector tiers the bfloat16 depthwise kernels run on that this machine has: AVX2, and AVX-512 where present.</summary>
    internal static IEnumerable<VectorIsa> Tiers()
    {
        if (Avx2.IsSupported && Fma.IsSupported) yield return VectorIsa.Avx2;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) yield return VectorIsa.Avx512;
    }

    /// <summary>Skips the test on a machine without the tier's instructions.</summary>
    internal static void AssumeTier(VectorIsa isa) =>
        Assume.That(Tiers().Contains(isa), $"the kernel's {VectorIsaSelection.Name(isa)} tier needs its instructions");

    /// <summary>
    /// <paramref name="g"/> in bfloat16 on the tier <paramref name="isa"/> against the float32 path on the same widened values,
    /// rounded once: bit for bit.
    /// </summary>
    internal static void CheckAgainstFloat32(in ConvolutionGeometry g, Random random, bool nonFinite, string what, VectorIsa isa = VectorIsa.Avx2)
    {
        var input = ReducedPrecisionConvolutionTests.Narrowed<BFloat16Format>(
            Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray());
        var filter = ReducedPrecisionConvolutionTests.Narrowed<BFloat16Format>(
            Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        if (nonFinite)
        {
            // NaN and infinity in both tensors, a sum that overflows, and negative zeros (whose sums keep or lose the sign by the order of the adds).
            // The first output reads the first input element whatever the strides and padding: it is the NaN that must come out.
            input[0] = 0x7FC1;
            input[random.Next(input.Length)] = 0x7F81;
            input[random.Next(input.Length)] = 0x7F7F;
            input[random.Next(input.Length)] = 0x7F7F;
            input[random.Next(input.Length)] = 0x8000;
            filter[random.Next(filter.Length)] = 0x7F80;
            filter[random.Next(filter.Length)] = 0x8000;
        }
        var inputSingle = new float[input.Length];
        var filterSingle = new float[filter.Length];
        BFloat16Format.ToSingle(input, inputSingle);
        BFloat16Format.ToSingle(filter, filterSingle);
        var single = new float[g.OutputElementCount];
        ConvolutionDispatcher.Run<float>(inputSingle, filterSingle, single, g, VectorIsa.Avx2);
        var expected = ReducedPrecisionConvolutionTests.Narrowed<BFloat16Format>(single);

        var got = Enumerable.Repeat((ushort)0xABCD, expected.Length).ToArray();
        ReducedPrecisionConvolution.Run<BFloat16Format>(input, filter, got, g, isa);
        Assert.That(got, Is.EqualTo(expected), what);
        if (nonFinite) Assert.That(single.Any(float.IsNaN), Is.True, $"{what}: the case must produce NaN");
    }
}
