using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Support;

/// <summary>
/// What every in-place path of the planar NCHW kernel must show (the 256-bit and 512-bit float32 tiles that read the input
/// rows where they are, against the 128-bit vectors' band kernel): the band kernel's bits, whatever the split
/// into work items, within the reference's bound, and through the dispatcher on every tier.
/// </summary>
public static class PlanarInPlaceCheck
{
    public static void AssertMatchesBandKernelAndReference(in ConvolutionGeometry g, int seed) =>
        AssertMatchesBandKernelAndReference<Vector256<float>>(g, seed);

    /// <summary>The in-place path of <typeparamref name="TVector"/>'s width against the band kernel, the reference and every tier.</summary>
    public static void AssertMatchesBandKernelAndReference<TVector>(in ConvolutionGeometry g, int seed) where TVector : unmanaged
    {
        int lanes = RawVector.Count<TVector, float>();
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        long items = DepthwiseNchwKernel.WorkItems(g, lanes, sizeof(float));
        var inPlace = Run<TVector>(input, filter, g, [0, items]);
        var band = Run<Vector128<float>>(input, filter, g, [0, DepthwiseNchwKernel.WorkItems(g, 4, sizeof(float))]);
        Assert.That(inPlace, Is.EqualTo(band), "in place against the band kernel");
        // Work items one at a time and in uneven runs: the same bits.
        var singly = Run<TVector>(input, filter, g, Enumerable.Range(0, (int)items + 1).Select(i => (long)i).ToArray());
        Assert.That(singly, Is.EqualTo(inPlace), "one work item at a time");
        var split = Run<TVector>(input, filter, g, [0, items / 3, items / 3 + 1, items]);
        Assert.That(split, Is.EqualTo(inPlace), "uneven runs of work items");

        var expected = new float[g.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, g);
        var magnitude = new double[g.OutputElementCount];
        ReferenceConvolution.Run<double>(input.Select(v => (double)Math.Abs(v)).ToArray(), filter.Select(v => (double)Math.Abs(v)).ToArray(), magnitude, g);
        double epsilon = MathF.BitIncrement(1f) - 1f, taps = g.FilterHeight * g.FilterWidth;
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = 2 * taps * epsilon * magnitude[i]; // as in TierComparison: 2 · taps · eps · Σ|x·w|
            Assert.That(Math.Abs(inPlace[i] - (double)expected[i]), Is.LessThanOrEqualTo(bound), $"element {i}");
        }
        // And through the dispatcher on every tier (which takes this kernel or another path).
        TierComparison.CompareEveryTier<float>(g, seed, null);
    }

    /// <summary>
    /// A NaN weight on a tap over the top-left padding and an infinite one over the bottom-right: the in-place tiles
    /// multiply the padding's zeros as the reference does, so NaN lands exactly where the reference puts it.
    /// </summary>
    public static void AssertPaddingNaNsAsInTheReference(in ConvolutionGeometry g, int seed) =>
        AssertPaddingNaNsAsInTheReference<Vector256<float>>(g, seed);

    /// <summary>As above, on the in-place path of <typeparamref name="TVector"/>'s width.</summary>
    public static void AssertPaddingNaNsAsInTheReference<TVector>(in ConvolutionGeometry g, int seed) where TVector : unmanaged
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        long tapStride = g.OutputChannels; // filter [3, 3, C, M]: one tap holds C·M weights
        filter[0 * tapStride + 1] = float.NaN; // top-left tap of channel 1: over the padding for the first row and column
        filter[8 * tapStride + 2] = float.PositiveInfinity; // bottom-right tap of channel 2: infinity times a padding zero
        var expected = new float[g.OutputElementCount];
        ReferenceConvolution.Run<float>(input, filter, expected, g);
        var got = Run<TVector>(input, filter, g, [0, DepthwiseNchwKernel.WorkItems(g, RawVector.Count<TVector, float>(), sizeof(float))]);
        Assert.That(expected.Count(float.IsNaN), Is.GreaterThan(0), "the case must exercise NaN from padding");
        for (int i = 0; i < got.Length; i++)
            Assert.That(float.IsNaN(got[i]), Is.EqualTo(float.IsNaN(expected[i])), $"NaN pattern differs at {i}");
    }

    /// <summary>A 3x3 SAME NCHW problem of batch 2 through the public API: the same bits at every thread count.</summary>
    public static void AssertSameBitsForEveryThreadCount(int channels, int height, int width, int multiplier, int stride)
    {
        var random = new Random(channels + height);
        long[] inputShape = [2, channels, height, width], filterShape = [3, 3, channels, multiplier];
        var options = new ConvolutionOptions { DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride };
        var input = Enumerable.Range(0, 2 * channels * height * width).Select(_ => (float)random.NextDouble()).ToArray();
        var filterValues = Enumerable.Range(0, 9 * channels * multiplier).Select(_ => (float)random.NextDouble()).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() => Convolution.DepthwiseConv2D(input, inputShape, filterValues, filterShape, options).Values);
    }

    /// <summary>
    /// NCHW depthwise cases (batch, channels, height, width, multiplier, options, name) with a square filter of
    /// <paramref name="filterSize"/> as test data: input shape, filter shape, options and a seed counted up from
    /// <paramref name="firstSeed"/>.
    /// </summary>
    public static IEnumerable<TestCaseData> CaseData(int filterSize, int firstSeed,
        IEnumerable<(int N, int C, int H, int W, int M, ConvolutionOptions O, string Name)> cases)
    {
        int seed = firstSeed;
        foreach (var c in cases)
            yield return new TestCaseData(new long[] { c.N, c.C, c.H, c.W }, new long[] { filterSize, filterSize, c.C, c.M }, c.O, seed++)
                .SetArgDisplayNames(c.Name);
    }

    /// <summary>Runs the planar kernel's work items in the runs [cuts[k], cuts[k + 1]).</summary>
    public static float[] Run<TVector>(float[] input, float[] filter, in ConvolutionGeometry g, long[] cuts) where TVector : unmanaged
    {
        var output = Enumerable.Repeat(12345f, (int)g.OutputElementCount).ToArray();
        for (int k = 0; k + 1 < cuts.Length; k++)
            DepthwiseNchwKernel.RunItems<TVector, float>(ref input[0], ref filter[0], ref output[0], g, cuts[k], cuts[k + 1]);
        return output;
    }
}
