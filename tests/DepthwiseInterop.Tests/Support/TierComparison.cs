using System.Numerics;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Support;

/// <summary>
/// Runs a validated problem on every vector tier (and, where the kernel takes it, on the 512-bit kernel in
/// software vectors) and compares each output with the scalar reference: |error| ≤ 2 · terms · eps · Σ|x·w|,
/// terms = KH · KW · channels per group (1 for depthwise). Shared by the conv2d and depthwise kernel tests.
/// </summary>
internal static class TierComparison
{
    private static readonly VectorIsa[] Tiers = [VectorIsa.Sse2, VectorIsa.Avx2, VectorIsa.Avx512];

    /// <summary>
    /// <paramref name="runWide"/> runs the 512-bit kernel on (input, filter, output, geometry), or is null when
    /// that kernel does not take this geometry.
    /// </summary>
    public static void CompareEveryTier<T>(in ConvolutionGeometry geometry, int seed, Action<T[], T[], T[], ConvolutionGeometry>? runWide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var expected = new T[g.OutputElementCount];
        ReferenceConvolution.Run<T>(input, filter, expected, g);
        var magnitude = new double[g.OutputElementCount];
        ReferenceConvolution.Run<double>(input.Select(v => Math.Abs(double.CreateChecked(v))).ToArray(),
            filter.Select(v => Math.Abs(double.CreateChecked(v))).ToArray(), magnitude, g);
        double epsilon = double.CreateChecked(T.BitIncrement(T.One) - T.One); // machine epsilon of T
        double terms = g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup;

        void Check(string tier, T[] got)
        {
            for (int i = 0; i < got.Length; i++)
            {
                double error = Math.Abs(double.CreateChecked(got[i]) - double.CreateChecked(expected[i]));
                double bound = 2 * terms * epsilon * magnitude[i];
                if (!(error <= bound))
                    Assert.Fail($"{tier}: element {i} is {got[i]}, reference {expected[i]}, |error| {error:g3} > {bound:g3}");
            }
        }

        foreach (var isa in Tiers)
        {
            var got = Enumerable.Repeat(T.CreateChecked(12345), expected.Length).ToArray();
            ConvolutionDispatcher.Run<T>(input, filter, got, g, isa);
            Check(isa.ToString(), got);
        }
        if (runWide is not null)
        {
            var wide = Enumerable.Repeat(T.CreateChecked(12345), expected.Length).ToArray();
            runWide(input, filter, wide, g);
            Check("512-bit kernel (software)", wide);
        }
    }
}
