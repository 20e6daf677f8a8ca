using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// Multiplier 2's split blocks on 128- and 256-bit vectors (vectors over input channels, de-interleaved weights,
/// outputs interleaved at the store): every remainder of four pixels with and without edge columns, rows over the
/// top and bottom padding, channel counts whose last input vector is shifted back, batches. Each case is checked
/// against the reference on every tier, and bitwise against the row pairs on the repeating loads, with the weights
/// prepared by the kernel or once by the caller and any split of the rows into calls. 512-bit vectors never split
/// (their row pairs' six- and seven-pixel blocks run multiplier 2).
/// </summary>
public sealed class DepthwiseNhwcSplitMultiplierTests
{
    private static IEnumerable<TestCaseData> SplitCases()
    {
        var random = new Random(20261128);
        // Widths 6..13 and 17 reach every remainder of four (0..3) with and without edge columns; heights make each
        // problem at least the split's minimum of pixels.
        foreach (int width in new[] { 6, 7, 8, 9, 10, 11, 12, 13, 17 })
        foreach (var (padding, explicitPads) in new (PaddingMode, long[]?)[]
                 { (PaddingMode.Same, null), (PaddingMode.Valid, null), (PaddingMode.Explicit, [1, 0, 0, 1]), (PaddingMode.Explicit, [2, 1, 1, 1]) })
        {
            // (Rows pair, and so split, from six output pixels a row.)
            if (padding == PaddingMode.Valid && width < 8 || explicitPads is [_, _, 0, 1] && width < 7) continue;
            // Mostly a vector of 256-bit float lanes or more; four to seven channels split only at 128 bits.
            int batch = random.Next(1, 3), channels = random.Next(0, 4) == 0 ? random.Next(4, 8) : random.Next(8, 22);
            var options = new ConvolutionOptions { Padding = padding };
            if (explicitPads is not null)
                options = options with { PadTop = explicitPads[0], PadBottom = explicitPads[1], PadLeft = explicitPads[2], PadRight = explicitPads[3] };
            int height = 3 + random.Next(0, 3);
            while (ShapeInference.DepthwiseConv2D([batch, height, width, channels], [3, 3, channels, 2], options).OutputElementCount < 600 * 2 * channels)
                height++;
            yield return new TestCaseData(new long[] { batch, height, width, channels }, options, random.Next())
                .SetArgDisplayNames($"{batch}x{height}x{width}x{channels}", $"{padding}{(explicitPads is null ? "" : "[" + string.Join(",", explicitPads) + "]")}");
        }
    }

    /// <summary>
    /// Wider rows and more channels: widths 8 to 25 (every remainder of four, six and seven pixels with and without
    /// edge columns), 16 to 40 input channels, whole last vectors and shifted back.
    /// </summary>
    private static IEnumerable<TestCaseData> WideSplitCases()
    {
        var random = new Random(20261127);
        int[] channelCounts = [16, 17, 20, 24, 25, 31, 32, 33, 40, 36, 19, 28];
        int index = 0;
        foreach (int width in Enumerable.Range(8, 18))
        foreach (var (padding, explicitPads) in new (PaddingMode, long[]?)[] { (PaddingMode.Same, null), (PaddingMode.Explicit, [1, 0, 0, 1]) })
        {
            int batch = random.Next(1, 3), channels = channelCounts[index++ % channelCounts.Length];
            var options = new ConvolutionOptions { Padding = padding };
            if (explicitPads is not null)
                options = options with { PadTop = explicitPads[0], PadBottom = explicitPads[1], PadLeft = explicitPads[2], PadRight = explicitPads[3] };
            int height = 3;
            while (ShapeInference.DepthwiseConv2D([batch, height, width, channels], [3, 3, channels, 2], options).OutputElementCount < 600 * 2 * channels)
                height++;
            yield return new TestCaseData(new long[] { batch, height, width, channels }, options, random.Next())
                .SetArgDisplayNames($"{batch}x{height}x{width}x{channels}", $"{padding}{(explicitPads is null ? "" : "[" + string.Join(",", explicitPads) + "]")}");
        }
    }

    [TestCaseSource(nameof(SplitCases))]
    [TestCaseSource(nameof(WideSplitCases))]
    public void SplitBlocksMatchTheReferenceOnEveryTier(long[] inputShape, ConvolutionOptions options, int seed)
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, inputShape[3], 2], options);
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<Vector128<float>, float, RepeatTwo>(geometry), Is.GreaterThan(0), "the problem runs split");
        TierComparison.CompareEveryTier<float>(geometry, seed, geometry.InputChannels >= Vector512<float>.Count
            ? (x, w, y, g) => FastDepthwiseConvolution.Run<Vector512<float>, float>(x, w, y, g) : null);
        TierComparison.CompareEveryTier<double>(geometry, seed, null);
    }

    [TestCaseSource(nameof(SplitCases))]
    [TestCaseSource(nameof(WideSplitCases))]
    public void SplitBlocksGiveTheBitsOfTheRowPairs(long[] inputShape, ConvolutionOptions options, int seed)
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, inputShape[3], 2], options);
        AssertSplitChangesNoBit<Vector128<float>, float>(geometry, seed);
        AssertSplitChangesNoBit<Vector256<float>, float>(geometry, seed);
        AssertSplitChangesNoBit<Vector512<float>, float>(geometry, seed);
        AssertSplitChangesNoBit<Vector128<double>, double>(geometry, seed);
        AssertSplitChangesNoBit<Vector256<double>, double>(geometry, seed);
        AssertSplitChangesNoBit<Vector512<double>, double>(geometry, seed);
    }

    [Test]
    public void NonFiniteWeightsOverThePaddingColumnsOfSplitBlocksGiveNaN()
    {
        // Output channel 5 (input channel 2, multiplier 1) has an infinite left-column weight, output channel 12 (input
        // channel 6, multiplier 0) an infinite right-column one: each gives NaN in exactly one output column.
        long[] inputShape = [1, 24, 26, 8];
        var input = Enumerable.Repeat(1f, 24 * 26 * 8).ToArray();
        var filter = Enumerable.Repeat(0.25f, 9 * 16).ToArray();
        filter[(1 * 3 + 0) * 16 + 5] = float.PositiveInfinity;
        filter[(1 * 3 + 2) * 16 + 12] = float.NegativeInfinity;
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, 8, 2], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<Vector256<float>, float, RepeatTwo>(geometry), Is.GreaterThan(0), "the problem runs split");
        var expected = new float[geometry.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, geometry);
        Assert.That(expected.Count(float.IsNaN), Is.EqualTo(2 * 24), "one NaN column per infinite weight");
        var got = new float[geometry.OutputElementCount];
        RunRows<Vector256<float>, float>(input, filter, got, geometry, geometry.OutputHeight, allowSplit: true);
        for (int i = 0; i < got.Length; i++)
            Assert.That(BitConverter.SingleToInt32Bits(got[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(expected[i])).Or.Matches<int>(_ => float.IsNaN(got[i]) && float.IsNaN(expected[i])), $"element {i}");
    }

    [Test]
    public void SmallProblemsAndNarrowChannelsStayOnTheRowPairs()
    {
        var small = ShapeInference.DepthwiseConv2D([1, 14, 14, 64], [3, 3, 64, 2], new ConvolutionOptions { Padding = PaddingMode.Same });
        var narrow = ShapeInference.DepthwiseConv2D([1, 32, 32, 4], [3, 3, 4, 2], new ConvolutionOptions { Padding = PaddingMode.Same });
        var large = ShapeInference.DepthwiseConv2D([1, 32, 32, 8], [3, 3, 8, 2], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<Vector256<float>, float, RepeatTwo>(small), Is.Zero, "196 pixels");
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<Vector256<float>, float, RepeatTwo>(narrow), Is.Zero, "fewer input channels than lanes");
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<Vector256<float>, float, RepeatTwo>(large), Is.EqualTo(9 * 2 * 8));
    }

    private static unsafe void AssertSplitChangesNoBit<TVector, T>(in ConvolutionGeometry g, int seed)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Unsafe.SizeOf<TVector>() == 64)
        {
            Assert.That(DepthwiseNhwcKernel.SplitWeightElements<TVector, T, RepeatTwo>(g), Is.Zero, "512-bit vectors run the row pairs");
            return;
        }
        if (g.InputChannels < RawVector.Count<TVector, T>()) return; // the split needs a vector of input channels
        Assert.That(DepthwiseNhwcKernel.SplitWeightElements<TVector, T, RepeatTwo>(g), Is.GreaterThan(0), "the problem runs split");
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var pairs = new T[g.OutputElementCount];
        RunRows<TVector, T>(input, filter, pairs, g, g.Batch * g.OutputHeight, allowSplit: false);
        string name = $"{typeof(TVector).Name}<{typeof(T).Name}>";
        // The kernel preparing its own weights, whole range and ranges of three rows.
        foreach (long rowsPerCall in new[] { g.Batch * g.OutputHeight, 3 })
        {
            var split = Enumerable.Repeat(T.CreateChecked(12345), pairs.Length).ToArray();
            RunRows<TVector, T>(input, filter, split, g, rowsPerCall, allowSplit: true);
            AssertSameBits(pairs, split, $"{name}, {rowsPerCall} rows per call");
        }
        // Weights prepared once by the caller, work items in ranges of one and of all.
        var prepared = new T[DepthwiseNhwcKernel.SplitWeightElements<TVector, T, RepeatTwo>(g)];
        DepthwiseNhwcKernel.PrepareSplitWeights<TVector, T, RepeatTwo>(filter, g, prepared);
        long items = DepthwiseNhwcKernel.WorkItems<TVector, T, RepeatTwo>(g);
        foreach (long itemsPerCall in new[] { 1, items })
        {
            var split = Enumerable.Repeat(T.CreateChecked(12345), pairs.Length).ToArray();
            fixed (T* x = input)
            fixed (T* w = filter)
            fixed (T* s = prepared)
            fixed (T* y = split)
            {
                for (long first = 0; first < items; first += itemsPerCall)
                    DepthwiseNhwcKernel.RunItems<TVector, T, RepeatTwo>(ref *x, ref *w, ref *y, g, first, Math.Min(items, first + itemsPerCall), s);
            }
            AssertSameBits(pairs, split, $"{name}, prepared weights, {itemsPerCall} items per call");
        }
    }

    private static void AssertSameBits<T>(T[] expected, T[] got, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(got[i]))
                Assert.Fail($"{what}: element {i} is {got[i]}, row pairs {expected[i]}");
    }

    private static unsafe void RunRows<TVector, T>(T[] input, T[] filter, T[] output, in ConvolutionGeometry g, long rowsPerCall, bool allowSplit)
        where TVector : unmanaged where T : unmanaged
    {
        long rows = g.Batch * g.OutputHeight;
        fixed (T* x = input)
        fixed (T* w = filter)
        fixed (T* y = output)
        {
            for (long first = 0; first < rows; first += rowsPerCall)
                DepthwiseNhwcKernel.RunRows<TVector, T, RepeatTwo>(ref *x, ref *w, ref *y, g, first, Math.Min(rows, first + rowsPerCall), null, allowSplit);
        }
    }
}
