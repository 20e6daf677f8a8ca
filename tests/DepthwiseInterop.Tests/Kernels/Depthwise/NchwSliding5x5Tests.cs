using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The planar kernel's sliding 5x5 strips (float32, 256 bits, stride 1): bit for bit the fused multiply-adds of each
/// output's 25 taps in filter-row, then filter-column order from zero, computed here one output at a time, on random
/// shapes that reach every part of them: bands of fewer than four rows (each step testing which rows exist), of four
/// or more (the fixed first and last four steps), several bands a plane (over 56 rows), rows of 8 to 15 columns (one pair
/// overlapping itself), exactly 16, and wider (pairs at 0, 16, ..., the last shifted back), SAME, VALID and explicit
/// padding, multipliers 1-3, with negative zeros, NaN and infinities (the fused tap order of
/// <see cref="NchwBandSevenRowTileTests.FusedTapOrder{T}"/>). Taken exactly where it applies.
/// </summary>
public sealed class NchwSliding5x5Tests
{
    private static ConvolutionGeometry Geometry(long[] inputShape, long multiplier, ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, [5, 5, inputShape[1], multiplier], options with { DataFormat = DataFormat.NCHW });

    [Test]
    public void TakesFiveByFiveUnitStrideFloat32At256BitsWithRowsOfEightOrMore()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        var taken = Geometry([1, 2, 9, 8], 1, same);
        bool hardware = Avx2.IsSupported && Fma.IsSupported;
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(taken), Is.EqualTo(hardware));
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector128<float>, float>(taken), Is.False, "128 bits");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector512<float>, float>(taken), Is.False, "512 bits");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<double>, double>(taken), Is.False, "float64");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(Geometry([1, 2, 9, 7], 1, same)), Is.False, "7 columns");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(Geometry([1, 2, 19, 20], 1, same with { StrideHeight = 2, StrideWidth = 2 })),
            Is.False, "stride 2");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(Geometry([1, 2, 19, 20], 1, same with { DilationWidth = 2 })),
            Is.False, "dilation");
        Assert.That(DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(
            ShapeInference.DepthwiseConv2D([1, 2, 9, 20], [3, 3, 2, 1], same with { DataFormat = DataFormat.NCHW })), Is.False, "3x3");
    }

    [Test]
    public void RandomShapesMatchTheFusedTapOrder()
    {
        Assume.That(Avx2.IsSupported && Fma.IsSupported, "the strips need AVX2 and FMA");
        var random = new Random(20261127);
        int taken = 0;
        for (int trial = 0; trial < 150; trial++)
        {
            long channels = random.Next(1, 4), multiplier = random.Next(1, 4);
            long height = trial % 10 == 0 ? random.Next(57, 90) : random.Next(1, 20), width = random.Next(4, 45);
            var options = random.Next(3) switch
            {
                0 => new ConvolutionOptions { Padding = PaddingMode.Same },
                1 => new ConvolutionOptions { Padding = PaddingMode.Valid },
                _ => new ConvolutionOptions
                {
                    Padding = PaddingMode.Explicit, PadTop = random.Next(0, 4), PadBottom = random.Next(0, 4), PadLeft = random.Next(0, 4), PadRight = random.Next(0, 4),
                },
            };
            if (options.Padding != PaddingMode.Same && (height + options.PadTop + options.PadBottom < 5 || width + options.PadLeft + options.PadRight < 5)) continue;
            var g = Geometry([1, channels, height, width], multiplier, options);
            if (!DepthwiseNchwKernel.TakesSliding5x5<Vector256<float>, float>(g)) continue;
            taken++;
            AssertMatchesFusedTapOrder(g, random, nonFinite: trial % 3 == 0, $"trial {trial}: {channels}x{height}x{width} m{multiplier} pads {g.PadTop},{g.PadBottom},{g.PadLeft},{g.PadRight}");
        }
        Assert.That(taken, Is.GreaterThan(90), "most trials must reach the strips");
    }

    private static void AssertMatchesFusedTapOrder(in ConvolutionGeometry g, Random random, bool nonFinite, string what)
    {
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        if (nonFinite)
        {
            input[random.Next(input.Length)] = float.NaN;
            input[random.Next(input.Length)] = -0f;
            filter[random.Next(filter.Length)] = float.PositiveInfinity;
            filter[random.Next(filter.Length)] = -0f;
        }
        // Guard elements past the output: no store may reach them.
        var got = Enumerable.Repeat(12345f, (int)g.OutputElementCount + 64).ToArray();
        long items = DepthwiseNchwKernel.WorkItems(g, 8, sizeof(float));
        DepthwiseNchwKernel.RunItems<Vector256<float>, float>(ref input[0], ref filter[0], ref got[0], g, 0, items);
        Assert.That(got.Skip((int)g.OutputElementCount), Is.All.EqualTo(12345f), $"{what}: a store past the output");
        var expected = NchwBandSevenRowTileTests.FusedTapOrder(input, filter, g);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(expected[i]) && !(float.IsNaN(got[i]) && float.IsNaN(expected[i])))
                Assert.Fail($"{what}: element {i} is {got[i]}, the fused taps give {expected[i]}");
    }
}
