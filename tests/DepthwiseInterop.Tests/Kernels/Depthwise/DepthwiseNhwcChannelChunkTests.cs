using System.Numerics;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The row pairs in chunks of channels (DepthwiseNhwcKernel.ChannelChunks.cs): which problems take them, and that
/// they change no bit, for chunks of one to eight vectors, channel counts whose last vector is whole or shifted back
/// (inside the last chunk), edge pixels and edge blocks, lone rows, batches and any split of the rows into calls.
/// </summary>
public sealed class DepthwiseNhwcChannelChunkTests
{
    private static IEnumerable<TestCaseData> ChunkCases()
    {
        var random = new Random(20261127);
        // Widths 6..20 reach every remainder of six and of four pixels; odd heights leave a lone row per image.
        int[] widths = [6, 7, 9, 11, 13, 14, 17, 20];
        int[] channelCounts = [40, 64, 100, 130, 33, 72, 200, 48];
        int[] chunkVectors = [1, 2, 3, 8];
        int index = 0;
        foreach (int width in widths)
        foreach (var (padding, explicitPads) in new (PaddingMode, long[]?)[]
                 { (PaddingMode.Same, null), (PaddingMode.Valid, null), (PaddingMode.Explicit, [1, 0, 0, 1]) })
        {
            if (padding == PaddingMode.Valid && width < 8) continue;
            int batch = random.Next(1, 3), height = random.Next(3, 9), channels = channelCounts[index % channelCounts.Length];
            int chunk = chunkVectors[index++ % chunkVectors.Length];
            var options = new ConvolutionOptions { Padding = padding };
            if (explicitPads is not null)
                options = options with { PadTop = explicitPads[0], PadBottom = explicitPads[1], PadLeft = explicitPads[2], PadRight = explicitPads[3] };
            yield return new TestCaseData(new long[] { batch, height, width, channels }, options, chunk, random.Next())
                .SetArgDisplayNames($"{batch}x{height}x{width}x{channels}", $"{padding}{(explicitPads is null ? "" : "[" + string.Join(",", explicitPads) + "]")}", $"chunks of {chunk}");
        }
    }

    [TestCaseSource(nameof(ChunkCases))]
    public void ChunksGiveTheBitsOfPairsOverAllChannels(long[] inputShape, ConvolutionOptions options, int chunkVectors, int seed)
    {
        var geometry = ShapeInference.DepthwiseConv2D(inputShape, [3, 3, inputShape[3], 1], options);
        AssertChunksChangeNoBit<Vector512<float>, float>(geometry, chunkVectors, seed);
        AssertChunksChangeNoBit<Vector256<float>, float>(geometry, chunkVectors, seed);
        AssertChunksChangeNoBit<Vector512<double>, double>(geometry, chunkVectors, seed);
        AssertChunksChangeNoBit<Vector128<double>, double>(geometry, chunkVectors, seed);
    }

    [Test]
    public void ShortRowsOfManyChannelsTakeChunksOn512BitVectorsOnly()
    {
        var same = new ConvolutionOptions { Padding = PaddingMode.Same };
        Assert.Multiple(() =>
        {
            // 28 KiB over four rows: 14 pixels of 512 bytes (the eight-vector cap), 28 pixels of 256, 7 pixels capped at 512.
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(ShapeInference.DepthwiseConv2D([1, 14, 14, 384], [3, 3, 384, 1], same)), Is.EqualTo(8));
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(ShapeInference.DepthwiseConv2D([1, 28, 28, 576], [3, 3, 576, 1], same)), Is.EqualTo(4));
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(ShapeInference.DepthwiseConv2D([1, 7, 7, 960], [3, 3, 960, 1], same)), Is.EqualTo(8));
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<double>, double>(ShapeInference.DepthwiseConv2D([1, 14, 14, 192], [3, 3, 192, 1], same)), Is.EqualTo(8), "1536 bytes of doubles");
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(ShapeInference.DepthwiseConv2D([1, 14, 14, 192], [3, 3, 192, 1], same)), Is.Zero, "768-byte pixels");
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(ShapeInference.DepthwiseConv2D([1, 56, 56, 960], [3, 3, 960, 1], same)), Is.Zero, "rows of 56");
            Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector256<float>, float>(ShapeInference.DepthwiseConv2D([1, 14, 14, 384], [3, 3, 384, 1], same)), Is.Zero, "256-bit vectors");
        });
    }

    [Test]
    public void AChunkedProblemMatchesTheReferenceOnEveryTier()
    {
        var geometry = ShapeInference.DepthwiseConv2D([2, 7, 9, 400], [3, 3, 400, 1], new ConvolutionOptions { Padding = PaddingMode.Same });
        Assert.That(DepthwiseNhwcKernel.ChannelChunkVectors<Vector512<float>, float>(geometry), Is.GreaterThan(0), "the problem runs in chunks");
        TierComparison.CompareEveryTier<float>(geometry, 7, (x, w, y, g) => FastDepthwiseConvolution.Run<Vector512<float>, float>(x, w, y, g));
    }

    private static unsafe void AssertChunksChangeNoBit<TVector, T>(in ConvolutionGeometry g, int chunkVectors, int seed)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
        var whole = new T[g.OutputElementCount];
        RunRows<TVector, T>(input, filter, whole, g, g.Batch * g.OutputHeight, chunkVectors: 0);
        foreach (long rowsPerCall in new[] { g.Batch * g.OutputHeight, 3, 1 })
        {
            var chunked = Enumerable.Repeat(T.CreateChecked(12345), whole.Length).ToArray();
            RunRows<TVector, T>(input, filter, chunked, g, rowsPerCall, chunkVectors);
            for (int i = 0; i < whole.Length; i++)
                if (!whole[i].Equals(chunked[i]))
                    Assert.Fail($"{typeof(TVector).Name}<{typeof(T).Name}>, {rowsPerCall} rows per call: element {i} is {chunked[i]}, over all channels {whole[i]}");
        }
    }

    private static unsafe void RunRows<TVector, T>(T[] input, T[] filter, T[] output, in ConvolutionGeometry g, long rowsPerCall, int chunkVectors)
        where TVector : unmanaged where T : unmanaged
    {
        long rows = g.Batch * g.OutputHeight;
        fixed (T* x = input)
        fixed (T* w = filter)
        fixed (T* y = output)
        {
            for (long first = 0; first < rows; first += rowsPerCall)
                DepthwiseNhwcKernel.RunRows<TVector, T, RepeatNone>(ref *x, ref *w, ref *y, g, first, Math.Min(rows, first + rowsPerCall), null, allowSplit: true, chunkVectors);
        }
    }
}
