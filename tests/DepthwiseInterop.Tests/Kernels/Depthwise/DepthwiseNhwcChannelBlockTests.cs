using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The NHWC kernel run on blocks of output channels (the threaded split of small layers, NhwcChannelBlocks):
/// every block of every split writes exactly its channels, with the bits of the whole call, on every kind of
/// block the kernel has (row pairs, single rows of three- and five-wide filters, stride 2, dilation, edge pixels,
/// the narrow-row window copy) and multipliers 1, 2 and 4; and the split itself covers the channels once.
/// </summary>
public sealed class DepthwiseNhwcChannelBlockTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(20261127);
        foreach (var (filter, stride, dilation) in new[] { (3, 1, 1), (5, 1, 1), (3, 2, 1), (3, 1, 2), (2, 1, 1) })
        foreach (int multiplier in new[] { 1, 2, 4 })
        foreach (int width in new[] { 5, 9, 16 })
        {
            int channels = random.Next(16, 41) / multiplier * multiplier, height = random.Next(3, 9);
            var options = new ConvolutionOptions
            {
                Padding = random.Next(2) == 0 ? PaddingMode.Same : PaddingMode.Valid,
                StrideHeight = stride, StrideWidth = stride, DilationHeight = dilation, DilationWidth = dilation,
            };
            if (options.Padding == PaddingMode.Valid && (width < (filter - 1) * dilation + 1 || height < (filter - 1) * dilation + 1)) continue;
            yield return new TestCaseData(new long[] { random.Next(1, 3), height, width, channels / multiplier }, new long[] { filter, filter, channels / multiplier, multiplier }, options, random.Next())
                .SetArgDisplayNames($"{filter}x{filter} s{stride} d{dilation}", $"m{multiplier}", $"w{width} c{channels / multiplier}", $"{options.Padding}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ChannelBlocksGiveTheBitsOfTheWholeCall(long[] inputShape, long[] filterShape, ConvolutionOptions options, int seed)
    {
        var g = ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);
        switch (filterShape[3])
        {
            case 1: AssertBlocksChangeNoBit<Vector256<float>, float, RepeatNone>(g, seed); AssertBlocksChangeNoBit<Vector128<double>, double, RepeatNone>(g, seed); break;
            case 2: AssertBlocksChangeNoBit<Vector256<float>, float, RepeatTwo>(g, seed); AssertBlocksChangeNoBit<Vector256<double>, double, RepeatTwo>(g, seed); break;
            default: AssertBlocksChangeNoBit<Vector256<float>, float, RepeatFour>(g, seed); break;
        }
    }

    [TestCase(7, 960, 8, 2)]
    [TestCase(14, 384, 8, 2)]
    [TestCase(28, 192, 8, 2)]
    [TestCase(3, 40, 8, 4)]
    [TestCase(100, 64, 8, 2)]
    [TestCase(4, 8, 8, 2)]
    public void TheSplitCoversEveryChannelOnceInVectorAlignedBlocks(long rowItems, long channels, int lanes, int threads)
    {
        long blocks = NhwcChannelBlocks.For(rowItems, channels, lanes, threads);
        Assert.That(blocks, Is.InRange(1, Math.Max(1, channels / lanes)));
        Assert.That(NhwcChannelBlocks.For(rowItems, channels, lanes, threads: 1), Is.EqualTo(1), "one thread never splits");
        long next = 0;
        for (long block = 0; block < blocks; block++)
        {
            var (begin, end) = NhwcChannelBlocks.Range(block, blocks, channels, lanes);
            Assert.That(begin, Is.EqualTo(next), "contiguous");
            Assert.That(begin % lanes, Is.Zero, "starts on a vector");
            Assert.That(end - begin, Is.GreaterThanOrEqualTo(lanes), "at least a vector");
            next = end;
        }
        Assert.That(next, Is.EqualTo(channels));
        if (rowItems * blocks < 8 * threads && blocks < channels / (4 * lanes)) Assert.Fail($"{blocks} blocks leave too few items");
    }

    private static unsafe void AssertBlocksChangeNoBit<TVector, T, TRepeat>(in ConvolutionGeometry g, int seed)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T> where TRepeat : struct, IChannelRepeat
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var whole = new T[g.OutputElementCount];
        long rows = g.Batch * g.OutputHeight;
        int lanes = System.Runtime.CompilerServices.Unsafe.SizeOf<TVector>() / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        fixed (T* x = input)
        fixed (T* w = filter)
        {
            fixed (T* y = whole) DepthwiseNhwcKernel.RunRows<TVector, T, TRepeat>(ref *x, ref *w, ref *y, g, 0, rows);
            for (long blocks = 2; blocks <= g.OutputChannels / lanes; blocks++)
            {
                var split = Enumerable.Repeat(T.NaN, whole.Length).ToArray();
                fixed (T* y = split)
                    for (long block = 0; block < blocks; block++)
                    {
                        var (begin, end) = NhwcChannelBlocks.Range(block, blocks, g.OutputChannels, lanes);
                        DepthwiseNhwcKernel.RunRows<TVector, T, TRepeat>(ref *x, ref *w, ref *y, g, 0, rows, begin, end);
                    }
                for (int i = 0; i < whole.Length; i++)
                    if (!whole[i].Equals(split[i]))
                        Assert.Fail($"{typeof(TVector).Name}<{typeof(T).Name}>, {blocks} blocks: element {i} (channel {i % g.OutputChannels}) is {split[i]}, whole call {whole[i]}");
            }
        }
    }
}
