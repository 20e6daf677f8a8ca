using DepthwiseInterop.Kernels.Precision;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// How a float16/bfloat16 conv2d is cut into bands (NhwcRowBands.Conv2DBandRows): at least the rows the size asks
/// for and the rows that make two bands per thread, then whole rounds of bands for the threads.
/// </summary>
public sealed class NhwcRowBandsTests
{
    [TestCase(1, 56, 18, 2, 14)]  // 18-row bands would make 18, 18, 18, 2: four bands of 14 instead
    [TestCase(1, 56, 9, 2, 14)]   // two bands per thread: 14 rows
    [TestCase(1, 7, 9, 2, 4)]     // a 7-row image still gives each of two threads a band: 4 and 3
    [TestCase(8, 56, 18, 2, 56)]  // eight images share out evenly: a band per image
    [TestCase(3, 56, 18, 2, 28)]  // three images on two threads: an even number of bands per image
    [TestCase(1, 56, 18, 1, 28)]  // one thread: two bands
    [TestCase(1, 1, 18, 2, 1)]    // one row
    public void Conv2DBandsFillWholeRoundsOfThreads(int batch, int height, int sizeRows, int threads, int expectedRows)
    {
        var g = ShapeInference.Conv2D([batch, height, height, 8], [3, 3, 8, 8], new ConvolutionOptions { Padding = PaddingMode.Same });
        long rows = NhwcRowBands.Conv2DBandRows(g, sizeRows, perThread: 2, threads);
        Assert.That(rows, Is.EqualTo(expectedRows));
        long bands = batch * ((height + rows - 1) / rows);
        Assert.That(bands % threads == 0 || bands < threads, Is.True, $"{bands} bands on {threads} threads");
    }
}
