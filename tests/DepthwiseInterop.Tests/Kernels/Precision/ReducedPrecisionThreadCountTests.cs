using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The NHWC bands and NCHW depthwise channel blocks on 1, 2 and 3 threads: the pool cuts them into chunks
/// differently for each count, so a chunk's row window starts in different places, and results must still be the float32 kernel's bits
/// rounded once. Problems are large enough (over 2^18 multiply-adds for depthwise, 2^20 for conv2d) to run on the pool.
/// </summary>
[NonParallelizable]
public sealed class ReducedPrecisionThreadCountTests
{
    private static readonly int[] Threads = [1, 2, 3];

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(ConvolutionKind.DepthwiseConv2D, new long[] { 2, 40, 30, 29 }, new long[] { 3, 3, 40, 1 }, DataFormat.NCHW).SetArgDisplayNames("dw3x3 NCHW 2x40x30x29");
        yield return new TestCaseData(ConvolutionKind.DepthwiseConv2D, new long[] { 1, 36, 40, 29 }, new long[] { 3, 3, 36, 2 }, DataFormat.NCHW).SetArgDisplayNames("dw3x3 m2 NCHW 36x40x29");
        yield return new TestCaseData(ConvolutionKind.DepthwiseConv2D, new long[] { 2, 61, 47, 24 }, new long[] { 3, 3, 24, 1 }, DataFormat.NHWC).SetArgDisplayNames("dw3x3 2x61x47x24");
        yield return new TestCaseData(ConvolutionKind.DepthwiseConv2D, new long[] { 1, 40, 33, 16 }, new long[] { 5, 5, 16, 2 }, DataFormat.NHWC).SetArgDisplayNames("dw5x5 m2 40x33x16");
        yield return new TestCaseData(ConvolutionKind.Conv2D, new long[] { 2, 30, 20, 16 }, new long[] { 3, 3, 16, 16 }, DataFormat.NHWC).SetArgDisplayNames("conv3x3 2x30x20x16");
        yield return new TestCaseData(ConvolutionKind.Conv2D, new long[] { 2, 64, 40, 32 }, new long[] { 1, 1, 32, 24 }, DataFormat.NHWC).SetArgDisplayNames("pw1x1 2x64x40x32");
    }

    [TestCaseSource(nameof(Cases))]
    public void HalfBandsGiveTheFloat32BitsOnEveryThreadCount(ConvolutionKind kind, long[] inputShape, long[] filterShape, DataFormat format) =>
        Check<HalfFormat>(kind, inputShape, filterShape, format);

    [TestCaseSource(nameof(Cases))]
    public void BFloat16BandsGiveTheFloat32BitsOnEveryThreadCount(ConvolutionKind kind, long[] inputShape, long[] filterShape, DataFormat format) =>
        Check<BFloat16Format>(kind, inputShape, filterShape, format);

    private static void Check<TFormat>(ConvolutionKind kind, long[] inputShape, long[] filterShape, DataFormat format) where TFormat : IReducedPrecisionFormat
    {
        var g = ShapeInference.Infer(kind, inputShape, filterShape, new ConvolutionOptions { DataFormat = format, Padding = PaddingMode.Same, StrideHeight = 2 });
        var random = new Random(31);
        var input = ReducedPrecisionConvolutionTests.Narrowed<TFormat>(Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray());
        var filter = ReducedPrecisionConvolutionTests.Narrowed<TFormat>(Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        var inputSingle = new float[input.Length];
        var filterSingle = new float[filter.Length];
        TFormat.ToSingle(input, inputSingle);
        TFormat.ToSingle(filter, filterSingle);
        var single = new float[g.OutputElementCount];
        ConvolutionDispatcher.Run<float>(inputSingle, filterSingle, single, g, VectorIsa.Avx2);
        var expected = ReducedPrecisionConvolutionTests.Narrowed<TFormat>(single);

        int previous = WorkerPool.ThreadCount;
        try
        {
            foreach (int threads in Threads)
            foreach (var (band, conv2DBandsPerThread) in new[] { (300L, 0L), (300L, 1L), (ReducedPrecisionConvolution.DefaultBandInputElements, ReducedPrecisionConvolution.DefaultConv2DBandsPerThread) })
            {
                WorkerPool.ThreadCount = threads;
                var got = new ushort[expected.Length];
                ReducedPrecisionConvolution.Run<TFormat>(input, filter, got, g, VectorIsa.Avx2, band, conv2DBandsPerThread);
                Assert.That(got, Is.EqualTo(expected), $"{threads} threads, bands of {band} input elements, {conv2DBandsPerThread} conv2d bands per thread");
            }
        }
        finally
        {
            WorkerPool.ThreadCount = previous;
        }
    }
}
