using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's seven-row 3x3 band tiles (row stride 1 and 2), whose accumulators start at their first
/// tap and are stored after their last: bit for bit the fused multiply-adds of each output's taps in
/// filter-row, then filter-column order from zero, computed here one output at a time. Output heights end the
/// band on a group of five, six or seven rows (the tile's partial stores); widths narrower than a vector (the
/// stack tile), of exactly one vector, and not a multiple of it (the last vector shifted back); multipliers
/// 1, 2 and 4. Float32 at 256 bits takes the band here only where no in-place path does (a top padding row at
/// stride 2, outputs narrower than four or a column dilation at stride 1); 128-bit vectors and doubles always do.
/// </summary>
public sealed class NchwBandSevenRowTileTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        int seed = 700;
        // (height, width, stride, column dilation, multiplier): odd heights at stride 2 pad one row on top.
        var cases = new (int H, int W, int S, int D, int M)[]
        {
            (23, 25, 2, 1, 1), // 12 output rows: 7 + 5; 13 wide: the last vector shifted back
            (25, 16, 2, 1, 2), // 13 rows: 7 + 6; 8 wide: one vector
            (27, 13, 2, 1, 4), // 14 rows: 7 + 7; 7 wide: narrower than a vector
            (57, 39, 2, 1, 2), // 29 rows: 28-row bands, the last of one row (four-row tiles); 20 wide
            (12, 3, 1, 1, 2),  // 3 wide: narrower than the in-place tiles take; 7 + 5 rows
            (13, 20, 1, 2, 1), // column dilation 2: 7 + 6 rows, 20 wide
            (14, 11, 1, 2, 4), // 7 + 7 rows, 11 wide
        };
        foreach (var (h, w, s, d, m) in cases)
            yield return new TestCaseData(h, w, s, d, m, seed++).SetArgDisplayNames($"{h}x{w} s{s} dw{d} m{m}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Float32At256BitsTakesTheBandAndMatchesTheFusedTapOrder(int height, int width, int stride, int dilation, int multiplier, int seed)
    {
        var g = Geometry(height, width, stride, dilation, multiplier);
        Assert.That(DepthwiseNchwKernel.SlidesThreeByThree(g), "the seven-row tiles serve the problem");
        Assert.That(DepthwiseNchwKernel.TakesStride1InPlace<Vector256<float>, float>(g), Is.False, "not the in-place stride-1 tiles");
        Assert.That(DepthwiseNchwKernel.TakesStride1WideInPlace<Vector256<float>, float>(g), Is.False, "not the wide in-place tiles");
        Assert.That(DepthwiseNchwKernel.TakesStride2InPlace<Vector256<float>, float>(g), Is.False, "not the in-place stride-2 tiles");
        AssertMatchesFusedTapOrder<Vector256<float>, float>(g, seed);
    }

    [TestCaseSource(nameof(Cases))]
    public void OtherWidthsAndDoublesMatchTheFusedTapOrder(int height, int width, int stride, int dilation, int multiplier, int seed)
    {
        var g = Geometry(height, width, stride, dilation, multiplier);
        AssertMatchesFusedTapOrder<Vector128<float>, float>(g, seed);
        AssertMatchesFusedTapOrder<Vector512<float>, float>(g, seed);
        AssertMatchesFusedTapOrder<Vector256<double>, double>(g, seed);
    }

    private static ConvolutionGeometry Geometry(int height, int width, int stride, int dilation, int multiplier) =>
        ShapeInference.DepthwiseConv2D([1, 3, height, width], [3, 3, 3, multiplier], new ConvolutionOptions
        {
            DataFormat = DataFormat.NCHW, Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride,
            DilationHeight = 1, DilationWidth = dilation,
        });

    private static void AssertMatchesFusedTapOrder<TVector, T>(in ConvolutionGeometry g, int seed)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var got = Enumerable.Repeat(T.CreateChecked(12345), (int)g.OutputElementCount).ToArray();
        long items = DepthwiseNchwKernel.WorkItems(g, RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>());
        DepthwiseNchwKernel.RunItems<TVector, T>(ref input[0], ref filter[0], ref got[0], g, 0, items);
        var expected = FusedTapOrder(input, filter, g);
        for (int i = 0; i < expected.Length; i++)
            if (!got[i].Equals(expected[i]) || T.IsNegative(got[i]) != T.IsNegative(expected[i]))
                Assert.Fail($"{typeof(TVector).Name}: element {i} is {got[i]}, the fused taps give {expected[i]}");
    }

    /// <summary>Each output's taps (KH × KW) as fused multiply-adds from zero, filter row then column, padding taps on zeros.</summary>
    internal static T[] FusedTapOrder<T>(T[] input, T[] filter, in ConvolutionGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long filterHeight = g.FilterHeight, filterWidth = g.FilterWidth;
        long channels = g.InputChannels, multiplier = g.OutputChannelsPerGroup, outputChannels = channels * multiplier;
        var output = new T[g.OutputElementCount];
        for (long c = 0; c < channels; c++)
            for (long m = 0; m < multiplier; m++)
                for (long oy = 0; oy < g.OutputHeight; oy++)
                    for (long ox = 0; ox < g.OutputWidth; ox++)
                    {
                        T sum = T.Zero;
                        for (long ky = 0; ky < filterHeight; ky++)
                            for (long kx = 0; kx < filterWidth; kx++)
                            {
                                long iy = oy * g.StrideHeight + ky * g.DilationHeight - g.PadTop;
                                long ix = ox * g.StrideWidth + kx * g.DilationWidth - g.PadLeft;
                                T x = iy >= 0 && iy < g.InputHeight && ix >= 0 && ix < g.InputWidth ? input[(c * g.InputHeight + iy) * g.InputWidth + ix] : T.Zero;
                                sum = T.FusedMultiplyAdd(x, filter[(ky * filterWidth + kx) * outputChannels + c * multiplier + m], sum);
                            }
                        output[((c * multiplier + m) * g.OutputHeight + oy) * g.OutputWidth + ox] = sum;
                    }
        return output;
    }
}
