using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// Streaming NHWC rows (RowStream.cs): which problems stream, and that a streaming call writes exactly what the
/// same rows compute in place, image by image (each image alone is far below the threshold), for row pairs, lone
/// rows, stride-2 rows and multiplier 2's split rows, whole or cut into ranges the way threads cut them.
/// </summary>
public sealed class RowStreamTests
{
    private static ConvolutionGeometry Geometry(long[] input, int filterSize, int multiplier, int stride) =>
        ShapeInference.DepthwiseConv2D(input, [filterSize, filterSize, input[3], multiplier],
            new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride });

    [TestCase(new long[] { 8, 56, 56, 144 }, 3, 1, 1, true)]
    [TestCase(new long[] { 8, 112, 112, 96 }, 3, 1, 2, true)]
    [TestCase(new long[] { 2, 112, 112, 96 }, 3, 1, 2, true)]   // 12.0 MB
    [TestCase(new long[] { 1, 56, 56, 144 }, 3, 1, 1, false)]   // 3.6 MB: stays in L3
    [TestCase(new long[] { 2, 56, 56, 144 }, 3, 1, 1, false)]   // 7.2 MB: stays in L3
    [TestCase(new long[] { 8, 112, 112, 32 }, 3, 1, 1, false)]  // two-line pixels: the prefetchers keep up
    [TestCase(new long[] { 8, 56, 56, 144 }, 5, 1, 1, false)]   // 5x5: enough arithmetic per byte
    [TestCase(new long[] { 16, 28, 28, 576 }, 3, 1, 1, false)]  // a pair's staging (128 KB) would leave L2
    public void StreamsLargeCallsWithManyLinesPerPixel(long[] input, int filterSize, int multiplier, int stride, bool streams) =>
        Assert.That(RowStream<float>.Streams(Geometry(input, filterSize, multiplier, stride)), Is.EqualTo(streams));

    [TestCase(new long[] { 8, 56, 56, 144 }, 1, 1)]  // row pairs
    [TestCase(new long[] { 7, 55, 55, 144 }, 1, 1)]  // odd heights: a lone last row per image
    [TestCase(new long[] { 4, 112, 112, 96 }, 1, 2)] // stride 2: single rows
    [TestCase(new long[] { 14, 30, 30, 96 }, 2, 1)]  // multiplier 2: split rows
    [TestCase(new long[] { 12, 37, 37, 97 }, 1, 1)]  // rows of 14,356 bytes: unaligned starts and a partial last vector to copy
    public void WritesWhatEachImageComputesInPlace(long[] input, int multiplier, int stride)
    {
        var g = Geometry(input, 3, multiplier, stride);
        Assert.That(RowStream<float>.Streams(g), Is.True, "the case must stream");
        var image = Geometry([1, input[1], input[2], input[3]], 3, multiplier, stride);
        Assert.That(RowStream<float>.Streams(image), Is.False, "one image must not stream");

        var random = new Random((int)(input[0] * input[3] + stride));
        var values = new float[g.InputElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        var filter = new float[g.FilterElementCount];
        for (int i = 0; i < filter.Length; i++) filter[i] = (float)(random.NextDouble() * 2 - 1);

        var expected = new float[g.OutputElementCount];
        for (long n = 0; n < g.Batch; n++)
            Rows(ref values[n * image.InputElementCount], filter, ref expected[n * image.OutputElementCount], image, multiplier, 0, image.OutputHeight);

        long rows = g.Batch * g.OutputHeight;
        foreach (long[] cuts in new[] { new[] { 0, rows }, new[] { 0, rows / 3 | 1, rows - 5, rows } })
        {
            var output = Enumerable.Repeat(float.NaN, (int)g.OutputElementCount).ToArray();
            for (int k = 0; k + 1 < cuts.Length; k++)
                Rows(ref values[0], filter, ref output[0], g, multiplier, cuts[k], cuts[k + 1]);
            Assert.That(output.AsSpan().SequenceEqual(expected), Is.True, $"cut at {string.Join(", ", cuts)}");
        }
    }

    [Test]
    public void DoublesStreamWithTheSameBitsOnEveryThreadCount()
    {
        long[] shape = [6, 40, 40, 96];
        long[] filterShape = [3, 3, 96, 1];
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var g = ShapeInference.DepthwiseConv2D(shape, filterShape, options);
        Assert.That(RowStream<double>.Streams(g), Is.True, "the case must stream");
        var random = new Random(6);
        var values = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        long imageElements = g.InputElementCount / g.Batch, outputImageElements = g.OutputElementCount / g.Batch;
        var expected = new double[g.OutputElementCount];
        for (long n = 0; n < g.Batch; n++)
            Convolution.DepthwiseConv2D<double>(values.AsSpan((int)(n * imageElements), (int)imageElements), [1, 40, 40, 96], filter, filterShape,
                expected.AsSpan((int)(n * outputImageElements), (int)outputImageElements), options);
        int saved = ComputeSettings.ThreadCount;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                ComputeSettings.ThreadCount = threads;
                var output = new double[g.OutputElementCount];
                Convolution.DepthwiseConv2D<double>(values, shape, filter, filterShape, output, options);
                Assert.That(output.AsSpan().SequenceEqual(expected), Is.True, $"{threads} threads");
            }
        }
        finally
        {
            ComputeSettings.ThreadCount = saved;
        }
    }

    private static void Rows(ref float input, float[] filter, ref float output, in ConvolutionGeometry g, int multiplier, long first, long end)
    {
        if (multiplier == 1)
            DepthwiseNhwcKernel.RunRows<Vector256<float>, float, RepeatNone>(ref input, ref filter[0], ref output, g, first, end);
        else
            DepthwiseNhwcKernel.RunRows<Vector256<float>, float, RepeatTwo>(ref input, ref filter[0], ref output, g, first, end);
    }
}
