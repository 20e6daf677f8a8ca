using System.Numerics;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The SIMD depthwise path against the scalar reference, on random shapes chosen to hit every branch: edge
/// and interior columns, pixel-block remainders, channel tails (C not a multiple of the vector), channel
/// counts below the vector width, strides, dilations (also together), explicit pads larger than the filter,
/// padded rows, multipliers, NCHW and batches; for every vector tier and both float and double.
/// </summary>
public sealed class FastDepthwiseConvolutionTests
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];

    private static IEnumerable<TestCaseData> RandomCases()
    {
        var random = new Random(20261125);
        for (int i = 0; i < 120; i++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 8);
            int sh = random.Next(1, 4), sw = random.Next(1, 4), dh = random.Next(1, 4), dw = random.Next(1, 4);
            int channels = new[] { 1, 3, 4, 7, 8, 13, 16, 17, 24, 33, 40 }[random.Next(11)];
            int multiplier = new[] { 1, 1, 1, 2, 3, 4 }[random.Next(6)];
            string padding = new[] { "SAME", "VALID", "EXPLICIT" }[random.Next(3)];
            var options = new ConvolutionOptions
            {
                DataFormat = random.Next(4) == 0 ? DataFormat.NCHW : DataFormat.NHWC,
                Padding = padding switch { "SAME" => PaddingMode.Same, "VALID" => PaddingMode.Valid, _ => PaddingMode.Explicit },
                StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
                PadTop = random.Next(0, 2 * kh), PadBottom = random.Next(0, 2 * kh), PadLeft = random.Next(0, 2 * kw), PadRight = random.Next(0, 2 * kw),
            };
            int height = random.Next(1, 20), width = random.Next(1, 30), batch = random.Next(1, 3);
            long[] inputShape = options.DataFormat == DataFormat.NCHW ? [batch, channels, height, width] : [batch, height, width, channels];
            long[] filterShape = [kh, kw, channels, multiplier];
            ConvolutionGeometry geometry;
            try { geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options); }
            catch (ConvolutionArgumentException) { i--; continue; } // negative output size: draw again
            yield return new TestCaseData(inputShape, filterShape, options, random.Next()).SetArgDisplayNames(
                $"{i}: {string.Join('x', inputShape)} f{string.Join('x', filterShape)} {options.DataFormat} {padding} s{sh}x{sw} d{dh}x{dw} -> {geometry.OutputHeight}x{geometry.OutputWidth}");
        }
    }

    /// <summary>
    /// The specialised paths (filters three or five wide at unit column stride or at column stride 2, seven wide at unit stride;
    /// eight- and wide-pixel interior blocks, edge pixels, zero rows over the top and bottom padding, the
    /// blocks past an edge of rows with less than a block of interior) on every width remainder, with channel counts that leave vector and
    /// four-vector tails on every tier.
    /// </summary>
    private static IEnumerable<TestCaseData> SpecializedCases()
    {
        int seed = 1;
        foreach (var (filterWidth, strideWidth) in new[] { (3, 1), (5, 1), (3, 2), (5, 2), (7, 1) })
        foreach (int width in new[] { 8, 9, 12, 16, 17, 30, 41 })
        foreach (var (padding, top, bottom, left, right) in new[] { (PaddingMode.Same, 0, 0, 0, 0), (PaddingMode.Valid, 0, 0, 0, 0), (PaddingMode.Explicit, 0, 2, 1, 3) })
        foreach (int channels in new[] { 8, 13, 40, 72 })
        foreach (var (strideHeight, dilationHeight) in new[] { (1, 1), (2, 1), (1, 2) })
        {
            var options = new ConvolutionOptions
            {
                Padding = padding, PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right,
                StrideHeight = strideHeight, StrideWidth = strideWidth, DilationHeight = dilationHeight,
            };
            yield return new TestCaseData(new long[] { 1, 7, width, channels }, new long[] { 3, filterWidth, channels, 1 }, options, seed++)
                .SetArgDisplayNames($"3x{filterWidth} sw{strideWidth} w{width} c{channels} {padding} sh{strideHeight} dh{dilationHeight}");
        }
    }

    /// <summary>
    /// Five-wide filters at unit column stride (DepthwiseNhwcKernel.RowBlocks.cs): rows of one eight-pixel block up
    /// to tens and eights (widths 14, 17, 28, 33), blocks reading zeros past the left edge, the right edge or both,
    /// pads up to six columns on a side and rows narrower than the filter, filter rows over the padding, taller
    /// filters with row strides and dilations, multipliers 1, 2 and 4, channel tails.
    /// </summary>
    private static IEnumerable<TestCaseData> FiveWideRowCases()
    {
        int seed = 500;
        foreach (int width in new[] { 1, 3, 5, 7, 9, 11, 14, 17, 28, 33 })
        foreach (var (padding, left, right) in new[] { (PaddingMode.Same, 0, 0), (PaddingMode.Valid, 0, 0), (PaddingMode.Explicit, 6, 1), (PaddingMode.Explicit, 0, 5), (PaddingMode.Explicit, 3, 6) })
        foreach (var (channels, multiplier) in new[] { (8, 1), (13, 1), (40, 1), (12, 2), (8, 4) })
        foreach (var (filterHeight, strideHeight, dilationHeight) in new[] { (5, 1, 1), (3, 2, 1), (5, 1, 2) })
        {
            var options = new ConvolutionOptions
            {
                Padding = padding, PadTop = 2, PadBottom = 1, PadLeft = left, PadRight = right,
                StrideHeight = strideHeight, DilationHeight = dilationHeight,
            };
            long[] inputShape = [2, 6, width, channels], filterShape = [filterHeight, 5, channels, multiplier];
            try { ShapeInference.DepthwiseConv2D(inputShape, filterShape, options); }
            catch (ConvolutionArgumentException) { continue; } // VALID narrower than the filter: no output size
            yield return new TestCaseData(inputShape, filterShape, options, seed++)
                .SetArgDisplayNames($"w{width} {padding} l{left} r{right} c{channels} m{multiplier} {filterHeight}x5 sh{strideHeight} dh{dilationHeight}");
        }
    }

    [TestCaseSource(nameof(FiveWideRowCases))]
    public void FiveWideFilterRowsMatchTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        CompareEveryTier<float>(inputShape, filterShape, options, seed);
        CompareEveryTier<double>(inputShape, filterShape, options, seed);
    }

    /// <summary>
    /// The multiplier fast path (NHWC, M = 2 and 4: lanes repeated in registers, also on the edge-pixel and
    /// narrow-row paths) and the planar NCHW kernel (row bands, column phases for every stride, the two-row
    /// tile with a lone last row, partial last vectors, widths below one vector, M output planes per input
    /// plane), with unequal strides, dilations and explicit pads, batch 2 and channel tails.
    /// </summary>
    private static IEnumerable<TestCaseData> MultiplierAndPlanarCases()
    {
        var random = new Random(5);
        var filters = new[] { (3, 3), (5, 5), (3, 1), (1, 4), (2, 3), (4, 2) };
        for (int i = 0; i < 160; i++)
        {
            var format = i % 2 == 0 ? DataFormat.NHWC : DataFormat.NCHW;
            int multiplier = new[] { 1, 2, 4, 2, 4, 3 }[random.Next(6)];
            var (kh, kw) = filters[random.Next(filters.Length)];
            int sh = random.Next(1, 4), sw = random.Next(1, 4), dh = random.Next(1, 3), dw = random.Next(1, 3);
            if (random.Next(2) == 0) { sw = 1; dw = 1; } // the sliding paths half the time
            int channels = new[] { 1, 2, 3, 4, 5, 8, 9, 12, 20, 33 }[random.Next(10)];
            // NHWC needs C * M >= the vector width for the SIMD path; small products go to the reference there.
            int height = random.Next(1, 24), width = new[] { 1, 3, 7, 8, 9, 15, 16, 17, 31, 40, 57 }[random.Next(11)], batch = random.Next(1, 3);
            var padding = new[] { PaddingMode.Same, PaddingMode.Valid, PaddingMode.Explicit }[random.Next(3)];
            var options = new ConvolutionOptions
            {
                DataFormat = format, Padding = padding, StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
                PadTop = random.Next(0, 3), PadBottom = random.Next(0, 3), PadLeft = random.Next(0, 4), PadRight = random.Next(0, 4),
            };
            long[] inputShape = format == DataFormat.NCHW ? [batch, channels, height, width] : [batch, height, width, channels];
            long[] filterShape = [kh, kw, channels, multiplier];
            ConvolutionGeometry geometry;
            try { geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options); }
            catch (ConvolutionArgumentException) { i--; continue; }
            yield return new TestCaseData(inputShape, filterShape, options, random.Next()).SetArgDisplayNames(
                $"{i}: {string.Join('x', inputShape)} f{string.Join('x', filterShape)} {format} {padding} s{sh}x{sw} d{dh}x{dw} -> {geometry.OutputHeight}x{geometry.OutputWidth}");
        }
    }

    /// <summary>
    /// The planar kernel's row-sliding 3x3 tiles (row stride 1 and 2: six rows at a time, five-row remainders,
    /// shorter remainders on the four-row tiles, rows narrower than a vector through the stack) and several
    /// row bands per plane (wide rows make short bands; the last band partial).
    /// </summary>
    private static IEnumerable<TestCaseData> PlanarSlidingCases()
    {
        int seed = 100;
        foreach (int strideHeight in new[] { 1, 2 })
        foreach (int height in new[] { 5, 6, 7, 11, 12, 13, 14, 25 })
        foreach (int width in new[] { 3, 7, 8, 9, 14, 17, 33 })
        foreach (var (padding, strideWidth, multiplier) in new[] { (PaddingMode.Same, 1, 1), (PaddingMode.Valid, 2, 2), (PaddingMode.Explicit, 1, 4) })
        {
            var options = new ConvolutionOptions
            {
                DataFormat = DataFormat.NCHW, Padding = padding, PadTop = 2, PadBottom = 1, PadLeft = 1, PadRight = 2,
                StrideHeight = strideHeight, StrideWidth = strideWidth,
            };
            if (padding == PaddingMode.Valid && width < 3) continue;
            yield return new TestCaseData(new long[] { 1, 3, height, width }, new long[] { 3, 3, 3, multiplier }, options, seed++)
                .SetArgDisplayNames($"NCHW 3x3 sh{strideHeight} sw{strideWidth} h{height} w{width} m{multiplier} {padding}");
        }
        foreach (var (height, width, strideHeight) in new[] { (70, 300, 1), (61, 517, 2), (40, 1100, 1) })
            yield return new TestCaseData(new long[] { 2, 2, height, width }, new long[] { 3, 3, 2, 2 },
                new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = strideHeight }, seed++)
                .SetArgDisplayNames($"NCHW bands h{height} w{width} sh{strideHeight}");
        yield return new TestCaseData(new long[] { 1, 2, 50, 700 }, new long[] { 5, 4, 2, 1 },
            new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideWidth = 3, DilationHeight = 2 }, seed++)
            .SetArgDisplayNames("NCHW bands 5x4 sw3 dh2");
    }

    [TestCaseSource(nameof(PlanarSlidingCases))]
    public void PlanarSlidingTilesAndBandsMatchTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        CompareEveryTier<float>(inputShape, filterShape, options, seed);
        CompareEveryTier<double>(inputShape, filterShape, options, seed);
    }

    [TestCaseSource(nameof(MultiplierAndPlanarCases))]
    public void MultiplierAndPlanarPathsMatchTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        CompareEveryTier<float>(inputShape, filterShape, options, seed);
        CompareEveryTier<double>(inputShape, filterShape, options, seed);
    }

    [TestCaseSource(nameof(SpecializedCases))]
    public void SpecializedPathsMatchTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        CompareEveryTier<float>(inputShape, filterShape, options, seed);
        CompareEveryTier<double>(inputShape, filterShape, options, seed);
    }

    [TestCaseSource(nameof(RandomCases))]
    public void FloatMatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed) =>
        CompareEveryTier<float>(inputShape, filterShape, options, seed);

    [TestCaseSource(nameof(RandomCases))]
    public void DoubleMatchesTheReferenceOnEveryTier(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed) =>
        CompareEveryTier<double>(inputShape, filterShape, options, seed);

    /// <summary>
    /// NCHW, multiplier 1, planes under 256 outputs: several channel blocks (C = 200 gives 66, 67, 67), uneven
    /// ones included (for float32 at 256 bits the stride-1 cases read in place instead; the other tiers and
    /// doubles take the blocks).
    /// </summary>
    [TestCase(200, 13, 11, 1, 1)]
    [TestCase(200, 7, 7, 2, 1)]
    [TestCase(131, 9, 14, 1, 2)]
    [TestCase(64, 5, 5, 1, 1)]
    public void SmallNchwPlanesInChannelBlocksMatchTheReference(int channels, int height, int width, int stride, int dilation)
    {
        var options = new ConvolutionOptions
        {
            DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride,
            DilationHeight = dilation, DilationWidth = dilation,
        };
        CompareEveryTier<float>([2, channels, height, width], [3, 3, channels, 1], options, channels + height);
        CompareEveryTier<double>([1, channels, height, width], [3, 3, channels, 1], options, channels + width);
    }

    [TestCase(3, 1, 40)]
    [TestCase(5, 1, 40)]
    [TestCase(5, 1, 6)]
    [TestCase(3, 2, 40)]
    [TestCase(3, 2, 9)]
    [TestCase(5, 2, 40)]
    [TestCase(5, 2, 9)]
    [TestCase(7, 1, 9)]
    [TestCase(7, 1, 40)]
    public void NonFiniteWeightsOverPaddingGiveNaNAsInTheReference(int filterWidth, int strideWidth, int width)
    {
        long[] inputShape = [1, 4, width, 16], filterShape = [3, filterWidth, 16, 1];
        var input = Enumerable.Repeat(1f, 4 * width * 16).ToArray();
        var filter = Enumerable.Repeat(0.5f, 3 * filterWidth * 16).ToArray();
        filter[0] = float.PositiveInfinity;                     // top-left tap of channel 0: reads padding at the top row and left column
        filter[(filterWidth + filterWidth - 1) * 16 + 3] = float.NaN; // middle-right tap of channel 3
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, StrideWidth = strideWidth };
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        var expected = new float[geometry.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, geometry);
        Assert.That(expected.Count(float.IsNaN), Is.GreaterThan(0), "the case must exercise NaN from padding");
        foreach (var isa in Tiers)
        {
            var got = new float[geometry.OutputElementCount];
            ConvolutionDispatcher.Run<float>(input, filter, got, geometry, isa);
            for (int i = 0; i < got.Length; i++)
                Assert.That(float.IsNaN(got[i]), Is.EqualTo(float.IsNaN(expected[i])), $"{isa}: NaN pattern differs at {i}");
        }
    }

    private static void CompareEveryTier<T>(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        // The 512-bit kernels (their own lane repeats, tiles and tails) even where Vector512 is not hardware
        // accelerated; the NHWC kernels need C * M lanes at least, the planar one any width.
        bool wide = geometry.OutputElementCount != 0 && (geometry.DataFormat == DataFormat.NCHW || geometry.OutputChannels >= Vector512<T>.Count);
        TierComparison.CompareEveryTier<T>(geometry, seed, wide ? (x, w, y, g) => FastDepthwiseConvolution.Run<Vector512<T>, T>(x, w, y, g) : null);
    }
}

/// <summary>The same call gives the same bits whatever the thread count, and on every repetition.</summary>
[NonParallelizable]
public sealed class FastDepthwiseDeterminismTests
{
    [TestCase(DataFormat.NHWC, 1)]
    [TestCase(DataFormat.NCHW, 3)]
    [TestCase(DataFormat.NHWC, 2)]
    [TestCase(DataFormat.NHWC, 4)]
    [TestCase(DataFormat.NCHW, 1)]
    [TestCase(DataFormat.NCHW, 2)]
    public void ResultsAreBitwiseIdenticalForEveryThreadCount(DataFormat format, int multiplier)
    {
        var random = new Random(7);
        long[] inputShape = format == DataFormat.NHWC ? [2, 45, 53, 24] : [2, 24, 45, 53];
        long[] filterShape = [3, 3, 24, multiplier];
        var options = new ConvolutionOptions { DataFormat = format, Padding = PaddingMode.Same };
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        var input = Enumerable.Range(0, (int)geometry.InputElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, (int)geometry.FilterElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
        {
            var output = new float[geometry.OutputElementCount];
            Convolution.DepthwiseConv2D<float>(input, inputShape, filter, filterShape, output, options);
            return output;
        });
    }

    /// <summary>
    /// An output right after or right before the input in memory runs its rows rotated between the threads
    /// (FastDepthwiseConvolution.Adjacent): the bits of an output elsewhere, for every thread count.
    /// </summary>
    [TestCase(1, false)]
    [TestCase(1, true)]
    [TestCase(2, false)]
    [TestCase(4, true)]
    public void AnOutputNextToTheInputGetsTheSameBits(int multiplier, bool outputFirst)
    {
        var random = new Random(9);
        long[] inputShape = [2, 28, 27, 32], filterShape = [3, 3, 32, multiplier];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        int inputCount = (int)geometry.InputElementCount, outputCount = (int)geometry.OutputElementCount;
        var input = Enumerable.Range(0, inputCount).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, (int)geometry.FilterElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        var apart = new float[outputCount];
        Convolution.DepthwiseConv2D<float>(input, inputShape, filter, filterShape, apart, options);
        ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
        {
            // One array: the input, then the output (or the other way round), with nothing between them.
            var both = new float[inputCount + outputCount];
            var inputPart = both.AsSpan(outputFirst ? outputCount : 0, inputCount);
            var outputPart = both.AsSpan(outputFirst ? 0 : inputCount, outputCount);
            input.CopyTo(inputPart);
            Convolution.DepthwiseConv2D<float>(inputPart, inputShape, filter, filterShape, outputPart, options);
            Assert.That(outputPart.ToArray(), Is.EqualTo(apart));
            return outputPart.ToArray();
        });
    }

    [Test]
    public void SmallNchwPlanesInChannelBlocksAreBitwiseIdenticalForEveryThreadCount()
    {
        var random = new Random(8);
        // 5x5: float32 3x3 planes this small read in place (NchwStride1InPlaceDeterminismTests) instead.
        long[] inputShape = [2, 576, 14, 14], filterShape = [5, 5, 576, 1];
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same };
        var input = Enumerable.Range(0, 2 * 576 * 14 * 14).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, 25 * 576).Select(_ => (float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options).Values);
    }
}
