using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Conv2D;

/// <summary>
/// The SIMD conv2d path against the scalar reference, on random shapes chosen to hit every branch: interior
/// and edge tiles (and tiles mixing both), pointwise 1x1, few input channels, one or two pixel panels (the
/// filter packed block by block) and more (packed once), panels split into tiles of P and P − 1 pixels or
/// ending with a tile that repeats its last pixel, every block shape (1 to 5 vectors per group, a last vector
/// shifted back when the output channels per group are not a multiple of the vector), output channels per
/// group below the vector width (a narrower width or the reference), strides, dilations (also together),
/// explicit pads larger than the filter, padded rows, groups, NCHW (the transposes' vector blocks and their
/// edges) and batches; for every vector tier, the 512-bit kernel also where the hardware lacks it, and both
/// float and double.
/// </summary>
public sealed class FastConv2DTests
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];

    private sealed record Case(long[] InputShape, long[] FilterShape, ConvolutionOptions Options, int Seed);

    private static readonly IReadOnlyList<Case> Cases = GenerateCases();

    private static List<Case> GenerateCases()
    {
        var random = new Random(20261126);
        var cases = new List<Case>();
        while (cases.Count < 150)
        {
            int i = cases.Count;
            bool pointwise = i % 7 == 0;
            int kh = pointwise ? 1 : random.Next(1, 6), kw = pointwise ? 1 : random.Next(1, 8);
            int sh = random.Next(1, 4), sw = random.Next(1, 4), dh = random.Next(1, 4), dw = random.Next(1, 4);
            if (i % 3 == 0) { dh = 1; dw = 1; } // contiguous filter rows when there is one group
            if (i % 5 == 0) { sh = 1; sw = 1; }
            int groups = new[] { 1, 1, 1, 2, 3, 4 }[random.Next(6)];
            int channelsPerGroup = new[] { 1, 2, 3, 5, 8, 16 }[random.Next(6)];
            int outputsPerGroup = new[] { 1, 2, 3, 4, 5, 8, 12, 16, 17, 24, 30, 33, 40, 48, 72, 80 }[random.Next(16)];
            string padding = new[] { "SAME", "VALID", "EXPLICIT" }[random.Next(3)];
            var options = new ConvolutionOptions
            {
                DataFormat = random.Next(4) == 0 ? DataFormat.NCHW : DataFormat.NHWC,
                Padding = padding switch { "SAME" => PaddingMode.Same, "VALID" => PaddingMode.Valid, _ => PaddingMode.Explicit },
                StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
                PadTop = random.Next(0, 2 * kh), PadBottom = random.Next(0, 2 * kh), PadLeft = random.Next(0, 2 * kw), PadRight = random.Next(0, 2 * kw),
            };
            int height = random.Next(1, 24), width = random.Next(1, 30), batch = random.Next(1, 3);
            int channels = groups * channelsPerGroup;
            long[] inputShape = options.DataFormat == DataFormat.NCHW ? [batch, channels, height, width] : [batch, height, width, channels];
            long[] filterShape = [kh, kw, channelsPerGroup, groups * outputsPerGroup];
            ConvolutionGeometry geometry;
            try { geometry = ShapeInference.Conv2D(inputShape, filterShape, options); }
            catch (ConvolutionArgumentException) { continue; } // negative output size: draw again
            long macs = geometry.OutputElementCount * kh * kw * channelsPerGroup;
            if (macs > 1_500_000) continue; // keep the scalar reference quick
            cases.Add(new Case(inputShape, filterShape, options, random.Next()));
        }
        return cases;
    }

    private static IEnumerable<TestCaseData> RandomCases() => Cases.Select((c, i) =>
    {
        var g = ShapeInference.Conv2D(c.InputShape, c.FilterShape, c.Options);
        return new TestCaseData(c.InputShape, c.FilterShape, c.Options, c.Seed).SetArgDisplayNames(
            $"{i}: {string.Join('x', c.InputShape)} f{string.Join('x', c.FilterShape)} g{g.Groups} {c.Options.DataFormat} {c.Options.Padding} " +
            $"s{g.StrideHeight}x{g.StrideWidth} d{g.DilationHeight}x{g.DilationWidth} -> {g.OutputHeight}x{g.OutputWidth}");
    });

    [TestCaseSource(nameof(RandomCases))]
    public void FloatMatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed) =>
        CompareEveryTier<float>(inputShape, filterShape, options, seed);

    [TestCaseSource(nameof(RandomCases))]
    public void DoubleMatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed) =>
        CompareEveryTier<double>(inputShape, filterShape, options, seed);

    /// <summary>
    /// Pointwise (1x1) layers, which read input channel k for weight row k without the offset table: few pixels
    /// and many channels (one panel, 4 tiles of 6 and 5 of 5 pixels at 256 bits; the first tile of each block
    /// reads the filter and packs the block for the others, whether it is a tile of P or of P − 1 pixels; blocks
    /// of 1, 2, 3 and, at 512 bits, 4 vectors), a last vector shifted back, and explicit padding, whose edge tiles
    /// point the padded taps at the zero buffer.
    /// </summary>
    [TestCase(1, 7, 7, 960, 320, 0, 0)]  // the MobileNetV2 head: 40 vectors of 8, 20 of 16
    [TestCase(1, 7, 7, 96, 44, 0, 0)]    // 5.5 vectors of 8: blocks of 2 and 3, the last vector shifted back
    [TestCase(2, 5, 9, 40, 72, 0, 0)]    // 90 pixels, 9 vectors of 8, 4.5 of 16 (blocks of 3 and 2)
    [TestCase(1, 1, 5, 33, 20, 1, 2)]    // every pixel of the padded rows is an edge pixel
    [TestCase(1, 3, 4, 8, 17, 2, 1)]     // interior and edge pixels in one tile
    [TestCase(1, 1, 5, 16, 16, 0, 0)]    // 5 pixels: at 256 bits a single tile of 5, which packs the block as it reads the filter
    [TestCase(1, 2, 5, 24, 40, 0, 0)]    // 10 pixels: two tiles of 5, the first packing, the second reading the packed copy
    [TestCase(1, 7, 7, 24, 8, 0, 0)]     // one vector of 8 (tiles of 8 and 7 pixels), packed by the work item
    [TestCase(1, 6, 6, 40, 16, 0, 0)]    // one vector of 16 at 512 bits, two of 8, packed by the work item
    [TestCase(1, 14, 14, 24, 8, 1, 1)]   // one vector of 8 over three panels: the filter packed once per call
    public void PointwiseMatchesTheReferenceOnEveryTier(int batch, int height, int width, int channels, int outputs, int padRows, int padColumns)
    {
        var options = padRows + padColumns == 0
            ? new ConvolutionOptions { Padding = PaddingMode.Valid }
            : new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = padRows, PadBottom = padRows, PadLeft = padColumns, PadRight = padColumns };
        long[] inputShape = [batch, height, width, channels], filterShape = [1, 1, channels, outputs];
        CompareEveryTier<float>(inputShape, filterShape, options, seed: height * 1000 + channels);
        CompareEveryTier<double>(inputShape, filterShape, options, seed: width * 1000 + outputs);
    }

    /// <summary>
    /// One or two panels at 256 bits run blocks of 3 vectors in 4 × 3 tiles (tiles of 4 and 3 pixels), a group's
    /// remainder as blocks of 2 (6 × 2 tiles): 3k vectors, 3k + 2 (a final 2), 3k + 1 (2 + 2), 1 and 2 alone; panels
    /// of 1 pixel (a 4-pixel tile over copies), 3 and 6 (only 3-pixel tiles, the first packing the block), 9 and 49;
    /// a last vector shifted back, padded pixels in the same tiles as interior ones, groups, and two panels.
    /// </summary>
    [TestCase(1, 7, 7, 960, 1, 320, 0)]   // 40 vectors of 8: 12 blocks of 3, then 2 + 2
    [TestCase(1, 1, 3, 16, 1, 56, 0)]     // 3 pixels, 7 vectors: 3 + 2 + 2; the block's only tile (3 pixels) packs it
    [TestCase(1, 2, 3, 24, 1, 24, 0)]     // 6 pixels, 3 vectors: two tiles of 3, the second reading the packed copy
    [TestCase(1, 1, 1, 40, 1, 48, 0)]     // 1 pixel, 6 vectors: a tile of 4 over the pixel's copies
    [TestCase(1, 3, 3, 20, 1, 37, 1)]     // 25 pixels with a padded border, 5 vectors (3 + 2), the last shifted back
    [TestCase(1, 3, 3, 12, 3, 60, 0)]     // 9 pixels, 3 groups of 20 channels: 3 vectors each, the last shifted back
    [TestCase(1, 5, 5, 64, 2, 16, 0)]     // 2 groups of 8 channels: one vector each (8 × 1 tiles)
    [TestCase(2, 9, 10, 32, 1, 88, 0)]    // 180 pixels in two panels, 11 vectors: 3 + 3 + 3 + 2
    public void FewPixelsRunBlocksOfThreeVectorsAt256Bits(int batch, int height, int width, int channels, int groups, int outputs, int pad)
    {
        var options = pad == 0
            ? new ConvolutionOptions { Padding = PaddingMode.Valid }
            : new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = pad, PadBottom = pad, PadLeft = pad, PadRight = pad };
        long[] inputShape = [batch, height, width, channels], filterShape = [1, 1, channels / groups, outputs];
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        Assert.That((long)new Conv2DNhwcKernel.Plan(geometry, lanes: 8, vectorBytes: 32, threads: 1).MaxBlock, Is.EqualTo(3), "blocks of 3 vectors at 256 bits");
        Assert.That((long)new Conv2DNhwcKernel.Plan(geometry, lanes: 4, vectorBytes: 16, threads: 1).MaxBlock, Is.EqualTo(2), "blocks of 2 vectors at 128 bits");
        CompareEveryTier<float>(inputShape, filterShape, options, seed: height * 1000 + outputs);
        CompareEveryTier<double>(inputShape, filterShape, options, seed: width * 1000 + channels);
    }

    /// <summary>More than two panels keep blocks of 2 vectors at 256 bits (6 × 2 tiles over the filter packed once).</summary>
    [Test]
    public void ManyPanelsKeepBlocksOfTwoVectorsAt256Bits()
    {
        var geometry = ShapeInference.Conv2D([1, 14, 14, 96], [1, 1, 96, 576], new ConvolutionOptions { Padding = PaddingMode.Valid });
        var plan = new Conv2DNhwcKernel.Plan(geometry, lanes: 8, vectorBytes: 32, threads: 1);
        Assert.That(plan.Packed, Is.True);
        Assert.That((long)plan.MaxBlock, Is.EqualTo(2));
    }

    [Test]
    public void RandomCasesHitEveryBranch()
    {
        var geometries = Cases.Select(c => ShapeInference.Conv2D(c.InputShape, c.FilterShape, c.Options)).ToList();
        static bool AnyInterior(ConvolutionGeometry g)
        {
            var columns = InteriorColumns.Of(g);
            var rows = InteriorColumns.Of(g with
            {
                InputWidth = g.InputHeight, FilterWidth = g.FilterHeight, StrideWidth = g.StrideHeight,
                DilationWidth = g.DilationHeight, PadLeft = g.PadTop, OutputWidth = g.OutputHeight,
            });
            return columns.End > columns.Begin && rows.End > rows.Begin;
        }
        static bool AnyEdge(ConvolutionGeometry g) => g.PadTop + g.PadBottom + g.PadLeft + g.PadRight > 0;
        Assert.Multiple(() =>
        {
            Assert.That(geometries.Count(g => g.Groups > 1), Is.GreaterThan(20), "grouped");
            Assert.That(geometries.Count(g => g.Groups == 1 && g.DilationWidth == 1 && g.FilterWidth > 1), Is.GreaterThan(20), "one group, several filter columns");
            Assert.That(geometries.Count(g => g.FilterHeight == 1 && g.FilterWidth == 1), Is.GreaterThan(15), "pointwise");
            Assert.That(geometries.Count(g => g.FilterHeight == 1 && g.FilterWidth == 1 && AnyEdge(g)), Is.GreaterThan(3), "pointwise with padding");
            // More than two panels: the filter is packed once per call; one or two: block by block in the work items.
            Assert.That(geometries.Count(g => g.Batch * g.OutputHeight * g.OutputWidth > 2 * Conv2DNhwcKernel.PanelPixels), Is.GreaterThan(20), "several panels");
            Assert.That(geometries.Count(g => g.Batch * g.OutputHeight * g.OutputWidth is > 0 and <= 2 * Conv2DNhwcKernel.PanelPixels), Is.GreaterThan(20), "one or two panels");
            Assert.That(geometries.Count(g => (g.StrideHeight > 1 || g.StrideWidth > 1) && (g.DilationHeight > 1 || g.DilationWidth > 1)), Is.GreaterThan(15), "stride with dilation");
            Assert.That(geometries.Count(g => g.DataFormat == DataFormat.NCHW), Is.GreaterThan(20), "NCHW");
            Assert.That(geometries.Count(AnyEdge), Is.GreaterThan(50), "padding");
            Assert.That(geometries.Count(AnyInterior), Is.GreaterThan(50), "interior pixels");
            Assert.That(geometries.Count(g => AnyEdge(g) && AnyInterior(g)), Is.GreaterThan(30), "edge and interior pixels");
            // Vectors per group at 256-bit float (8 lanes) and 512-bit float (16 lanes): every block shape.
            foreach (int vectors in new[] { 1, 2, 3, 4, 5, 6, 9 })
                Assert.That(geometries.Count(g => (g.OutputChannelsPerGroup + 7) / 8 == vectors), Is.GreaterThan(2), $"{vectors} vectors of 8");
            foreach (int vectors in new[] { 1, 2, 3, 5 })
                Assert.That(geometries.Count(g => g.OutputChannelsPerGroup >= 16 && (g.OutputChannelsPerGroup + 15) / 16 == vectors), Is.GreaterThan(2), $"{vectors} vectors of 16");
            Assert.That(geometries.Count(g => g.OutputChannelsPerGroup > 8 && g.OutputChannelsPerGroup % 8 != 0), Is.GreaterThan(10), "shifted last vector");
            Assert.That(geometries.Count(g => g.OutputChannelsPerGroup < 4), Is.GreaterThan(10), "below every width: reference");
        });
    }

    [Test]
    public void NonFiniteWeightsOverPaddingGiveNaNAsInTheReference()
    {
        long[] inputShape = [1, 4, 20, 6], filterShape = [3, 3, 3, 32];
        var input = Enumerable.Repeat(1f, 4 * 20 * 6).ToArray();
        var filter = Enumerable.Repeat(0.5f, 9 * 3 * 32).ToArray();
        filter[0] = float.PositiveInfinity;        // top-left tap, input channel 0 of group 0, output channel 0
        filter[(5 * 3 + 2) * 32 + 27] = float.NaN; // middle-right tap, input channel 2 of group 1, output channel 27
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        var expected = new float[geometry.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, geometry);
        Assert.That(expected.Count(float.IsNaN), Is.GreaterThan(0), "the case must exercise NaN from padding");
        Assert.That(expected.Count(float.IsNaN), Is.LessThan(expected.Length / 2), "the case must also have finite outputs");
        foreach (var isa in Tiers)
        {
            var got = new float[geometry.OutputElementCount];
            ConvolutionDispatcher.Run<float>(input, filter, got, geometry, isa);
            for (int i = 0; i < got.Length; i++)
                Assert.That(float.IsNaN(got[i]), Is.EqualTo(float.IsNaN(expected[i])), $"{isa}: NaN pattern differs at {i}");
        }
        var wide = new float[geometry.OutputElementCount];
        FastConv2D.Run<Vector512<float>, float>(input, filter, wide, geometry);
        for (int i = 0; i < wide.Length; i++)
            Assert.That(float.IsNaN(wide[i]), Is.EqualTo(float.IsNaN(expected[i])), $"512-bit: NaN pattern differs at {i}");
    }

    private static void CompareEveryTier<T>(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        // The 512-bit kernel (its own tile shapes) even where Vector512 is not hardware accelerated.
        bool wide = geometry.OutputChannelsPerGroup >= Vector512<T>.Count && geometry.InputElementCount != 0;
        TierComparison.CompareEveryTier<T>(geometry, seed, wide ? (x, w, y, g) => FastConv2D.Run<Vector512<T>, T>(x, w, y, g) : null);
    }
}

/// <summary>The same call gives the same bits whatever the thread count, and on every repetition.</summary>
[NonParallelizable]
public sealed class FastConv2DDeterminismTests
{
    [TestCase(DataFormat.NHWC, 3, 3, 24, 1, 40, 30, 37)]  // dense 3x3, several panels, edges
    [TestCase(DataFormat.NCHW, 3, 3, 24, 4, 40, 30, 37)]  // grouped, transposed in and out
    [TestCase(DataFormat.NHWC, 1, 1, 256, 1, 320, 7, 7)] // pointwise on a small image: channel blocks split across threads
    [TestCase(DataFormat.NHWC, 1, 1, 960, 1, 320, 5, 5)] // the same with many input channels: one panel of 50 pixels, each block packed by its item
    [TestCase(DataFormat.NHWC, 3, 3, 3, 1, 32, 57, 61)]  // few input channels
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(DataFormat format, int kh, int kw, int channels, int groups, int outputs, int height, int width)
    {
        var random = new Random(7);
        long[] inputShape = format == DataFormat.NHWC ? [2, height, width, channels] : [2, channels, height, width];
        long[] filterShape = [kh, kw, channels / groups, outputs];
        var options = new ConvolutionOptions { DataFormat = format, Padding = PaddingMode.Same };
        var geometry = ShapeInference.Conv2D(inputShape, filterShape, options);
        Assert.That(geometry.OutputElementCount * kh * kw * (channels / groups), Is.GreaterThan(1L << 20), "large enough to use several threads");
        var input = Enumerable.Range(0, (int)geometry.InputElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, (int)geometry.FilterElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
        {
            var output = new float[geometry.OutputElementCount];
            Convolution.Conv2D<float>(input, inputShape, filter, filterShape, output, options);
            return output;
        });
    }
}
