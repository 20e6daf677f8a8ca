using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The NHWC kernel's paired rows (3x3, unit strides; four-pixel blocks, six- or seven-pixel ones for multiplier 1 on
/// 512-bit vectors): blocks whose first or last column lies in
/// the padding, remainders run pixel by pixel, as a two- or three-pixel block or as a shifted block, padding rows above and below, images
/// whose row count is odd (no pair across two images). Each case is checked against the reference on every
/// tier, and bitwise against the same kernel run one row per call (which never pairs rows).
/// </summary>
public sealed class DepthwiseNhwcRowPairTests
{
    private static IEnumerable<TestCaseData> PairCases()
    {
        var random = new Random(20261126);
        // Widths 6..20 reach every remainder of six (0..5) and of four (0..3) with and without edge columns, 7, 14 and 21
        // the seven-pixel blocks (512-bit, multiplier 1); heights 1..7 reach pairs over the top and bottom padding and an
        // unpaired last row.
        foreach (int width in new[] { 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 20, 21 })
        foreach (var (padding, explicitPads) in new (PaddingMode, long[]?)[]
                 { (PaddingMode.Same, null), (PaddingMode.Valid, null), (PaddingMode.Explicit, [0, 0, 1, 0]), (PaddingMode.Explicit, [1, 0, 0, 1]), (PaddingMode.Explicit, [2, 1, 1, 1]) })
        {
            int height = random.Next(1, 8), batch = random.Next(1, 3), channels = random.Next(8, 41), multiplier = random.Next(1, 3);
            if (multiplier == 2) channels = (channels + 1) / 2;
            if (padding == PaddingMode.Valid && width < 8) continue;
            if (padding != PaddingMode.Same) height = Math.Max(height, 3 - (int)(explicitPads is null ? 0 : explicitPads[0] + explicitPads[1]));
            var options = new ConvolutionOptions { Padding = padding };
            if (explicitPads is not null)
                options = options with { PadTop = explicitPads[0], PadBottom = explicitPads[1], PadLeft = explicitPads[2], PadRight = explicitPads[3] };
            yield return new TestCaseData(new long[] { batch, height, width, channels }, multiplier, options, random.Next())
                .SetArgDisplayNames($"{batch}x{height}x{width}x{channels}", $"m{multiplier}", $"{padding}{(explicitPads is null ? "" : "[" + string.Join(",", explicitPads) + "]")}");
        }
        // Tall and wide enough for pairs whose four rows and blocks whose columns all lie inside the image (the
        // instantiation without padding tests) next to pairs and blocks over the padding.
        foreach (var (shape, multiplier, padding) in new (long[], int, PaddingMode)[]
                 { ([1, 9, 26, 24], 1, PaddingMode.Same), ([2, 10, 31, 12], 2, PaddingMode.Valid), ([1, 12, 38, 40], 1, PaddingMode.Valid), ([2, 8, 19, 9], 2, PaddingMode.Same) })
            yield return new TestCaseData(shape, multiplier, new ConvolutionOptions { Padding = padding }, random.Next())
                .SetArgDisplayNames(string.Join("x", shape), $"m{multiplier}", $"{padding}");
    }

    private static IEnumerable<TestCaseData> NarrowPairCases()
    {
        var random = new Random(20261127);
        // Four-pixel blocks of multipliers 2 and 4: widths 6..13 reach every remainder of four (0..3: one pixel at a
        // time, blocks of two and three) with and without edge columns; channel counts give whole and shifted last vectors.
        foreach (int multiplier in new[] { 2, 4 })
        foreach (int width in new[] { 6, 7, 8, 9, 10, 11, 12, 13 })
        foreach (var (padding, explicitPads) in new (PaddingMode, long[]?)[]
                 { (PaddingMode.Same, null), (PaddingMode.Valid, null), (PaddingMode.Explicit, [1, 0, 0, 1]), (PaddingMode.Explicit, [2, 1, 1, 1]) })
        {
            int height = random.Next(1, 8), batch = random.Next(1, 3), channels = random.Next(multiplier == 2 ? 4 : 2, 13);
            if (padding == PaddingMode.Valid && width < 8) continue;
            if (padding != PaddingMode.Same) height = Math.Max(height, 3 - (int)(explicitPads is null ? 0 : explicitPads[0] + explicitPads[1]));
            var options = new ConvolutionOptions { Padding = padding };
            if (explicitPads is not null)
                options = options with { PadTop = explicitPads[0], PadBottom = explicitPads[1], PadLeft = explicitPads[2], PadRight = explicitPads[3] };
            yield return new TestCaseData(new long[] { batch, height, width, channels }, multiplier, options, random.Next())
                .SetArgDisplayNames($"{batch}x{height}x{width}x{channels}", $"m{multiplier}", $"{padding}{(explicitPads is null ? "" : "[" + string.Join(",", explicitPads) + "]")}");
        }
        // Pairs and blocks wholly inside the image (no padding tests) next to ones over the padding.
        foreach (var (shape, multiplier, padding) in new (long[], int, PaddingMode)[]
                 { ([1, 9, 26, 6], 4, PaddingMode.Same), ([2, 10, 31, 5], 4, PaddingMode.Valid), ([1, 12, 23, 20], 2, PaddingMode.Same) })
            yield return new TestCaseData(shape, multiplier, new ConvolutionOptions { Padding = padding }, random.Next())
                .SetArgDisplayNames(string.Join("x", shape), $"m{multiplier}", $"{padding}");
    }

    [TestCaseSource(nameof(NarrowPairCases))]
    public void NarrowPairedRowsMatchTheReferenceOnEveryTier(long[] inputShape, int multiplier, ConvolutionOptions options, int seed) =>
        PairedRowsMatchTheReferenceOnEveryTier(inputShape, multiplier, options, seed);

    [TestCaseSource(nameof(NarrowPairCases))]
    public void NarrowPairedRowsGiveTheBitsOfRowsComputedOneAtATime(long[] inputShape, int multiplier, ConvolutionOptions options, int seed) =>
        PairedRowsGiveTheBitsOfRowsComputedOneAtATime(inputShape, multiplier, options, seed);

    [TestCaseSource(nameof(PairCases))]
    public void PairedRowsMatchTheReferenceOnEveryTier(long[] inputShape, int multiplier, ConvolutionOptions options, int seed)
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, inputShape[3], multiplier], options);
        bool wide = geometry.OutputChannels >= Vector512<float>.Count;
        TierComparison.CompareEveryTier<float>(geometry, seed, wide ? (x, w, y, g) => FastDepthwiseConvolution.Run<Vector512<float>, float>(x, w, y, g) : null);
    }

    [TestCaseSource(nameof(PairCases))]
    public void PairedRowsGiveTheBitsOfRowsComputedOneAtATime(long[] inputShape, int multiplier, ConvolutionOptions options, int seed)
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, inputShape[3], multiplier], options);
        if (multiplier == 1)
        {
            AssertPairsChangeNoBit<Vector128<float>, float, RepeatNone>(geometry, seed);
            AssertPairsChangeNoBit<Vector256<float>, float, RepeatNone>(geometry, seed);
            AssertPairsChangeNoBit<Vector128<double>, double, RepeatNone>(geometry, seed);
            if (geometry.OutputChannels >= Vector512<float>.Count) AssertPairsChangeNoBit<Vector512<float>, float, RepeatNone>(geometry, seed);
        }
        else if (multiplier == 4)
        {
            AssertPairsChangeNoBit<Vector128<float>, float, RepeatFour>(geometry, seed);
            AssertPairsChangeNoBit<Vector256<float>, float, RepeatFour>(geometry, seed);
            AssertPairsChangeNoBit<Vector256<double>, double, RepeatFour>(geometry, seed);
            if (geometry.OutputChannels >= Vector512<float>.Count) AssertPairsChangeNoBit<Vector512<float>, float, RepeatFour>(geometry, seed);
        }
        else
        {
            AssertPairsChangeNoBit<Vector128<float>, float, RepeatTwo>(geometry, seed);
            AssertPairsChangeNoBit<Vector256<float>, float, RepeatTwo>(geometry, seed);
            AssertPairsChangeNoBit<Vector256<double>, double, RepeatTwo>(geometry, seed);
            if (geometry.OutputChannels >= Vector512<float>.Count) AssertPairsChangeNoBit<Vector512<float>, float, RepeatTwo>(geometry, seed);
        }
    }

    [Test]
    public void NonFiniteWeightsOverThePaddingColumnsOfPairedBlocksGiveNaN()
    {
        // Left and right filter columns carry infinities: every output of the first and last column multiplies
        // one by a padding zero (NaN), the others do not; the 6-wide rows are two blocks with edge columns.
        long[] inputShape = [1, 6, 12, 8];
        var input = Enumerable.Repeat(1f, 6 * 12 * 8).ToArray();
        var filter = Enumerable.Repeat(0.25f, 9 * 8).ToArray();
        filter[(1 * 3 + 0) * 8 + 2] = float.PositiveInfinity; // middle row, left column, channel 2
        filter[(1 * 3 + 2) * 8 + 5] = float.NegativeInfinity; // middle row, right column, channel 5
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, 8, 1], new ConvolutionOptions { Padding = PaddingMode.Same });
        var expected = new float[geometry.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, geometry);
        Assert.That(expected.Count(float.IsNaN), Is.EqualTo(2 * 6), "one NaN column per infinite weight");
        var got = new float[geometry.OutputElementCount];
        RunRows<Vector256<float>, float, RepeatNone>(input, filter, got, geometry, rowsPerCall: geometry.OutputHeight);
        for (int i = 0; i < got.Length; i++)
            Assert.That(BitConverter.SingleToInt32Bits(got[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(expected[i])).Or.Matches<int>(_ => float.IsNaN(got[i]) && float.IsNaN(expected[i])), $"element {i}");
    }

    [TestCase(5)]
    [TestCase(6)]
    public unsafe void WorkItemsCoverEveryRowOnceInAnyRangesWithTheSameBits(int height)
    {
        // Three images: with an odd height the last item of each image is a single row, and item ranges cross images.
        var g = ShapeInference.DepthwiseConv2D([3, height, 9, 16], [3, 3, 16, 1], new ConvolutionOptions { Padding = PaddingMode.Same });
        long items = DepthwiseNhwcKernel.WorkItems<Vector256<float>, float, RepeatNone>(g);
        Assert.That(items, Is.EqualTo(3 * ((height + 1) / 2)), "rows of this problem pair");
        var random = new Random(height);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var filter = Enumerable.Range(0, 9 * 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var single = new float[g.OutputElementCount];
        RunRows<Vector256<float>, float, RepeatNone>(input, filter, single, g, rowsPerCall: 1);
        foreach (long itemsPerCall in new long[] { 1, 2, 3, items })
        {
            var got = Enumerable.Repeat(float.NaN, single.Length).ToArray();
            fixed (float* x = input)
            fixed (float* w = filter)
            fixed (float* y = got)
            {
                for (long first = 0; first < items; first += itemsPerCall)
                    DepthwiseNhwcKernel.RunItems<Vector256<float>, float, RepeatNone>(ref *x, ref *w, ref *y, g, first, Math.Min(items, first + itemsPerCall));
            }
            Assert.That(got.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(single.Select(BitConverter.SingleToInt32Bits)), $"{itemsPerCall} items per call");
        }
    }

    private static void AssertPairsChangeNoBit<TVector, T, TRepeat>(in ConvolutionGeometry g, int seed)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T> where TRepeat : struct, IChannelRepeat
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var single = new T[g.OutputElementCount];
        RunRows<TVector, T, TRepeat>(input, filter, single, g, rowsPerCall: 1);
        // Whole range (pairs everywhere they fit), and ranges of three rows (pairs starting on alternate parities).
        foreach (long rowsPerCall in new[] { g.Batch * g.OutputHeight, 3 })
        {
            var paired = Enumerable.Repeat(T.CreateChecked(12345), single.Length).ToArray();
            RunRows<TVector, T, TRepeat>(input, filter, paired, g, rowsPerCall);
            for (int i = 0; i < single.Length; i++)
                if (!single[i].Equals(paired[i]))
                    Assert.Fail($"{typeof(TVector).Name}<{typeof(T).Name}>, {rowsPerCall} rows per call: element {i} is {paired[i]}, one row at a time {single[i]}");
        }
    }

    private static unsafe void RunRows<TVector, T, TRepeat>(T[] input, T[] filter, T[] output, in ConvolutionGeometry g, long rowsPerCall)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        long rows = g.Batch * g.OutputHeight;
        fixed (T* x = input)
        fixed (T* w = filter)
        fixed (T* y = output)
        {
            for (long first = 0; first < rows; first += rowsPerCall)
                DepthwiseNhwcKernel.RunRows<TVector, T, TRepeat>(ref *x, ref *w, ref *y, g, first, Math.Min(rows, first + rowsPerCall));
        }
    }
}
