using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The five-wide row blocks (DepthwiseNhwcKernel.FiveWideRows.cs) read zeros, not memory, past the image's right
/// edge: with the input ending where an unreadable page starts, the last row's last block still computes what the
/// same kernel computes on an ordinary array. (Values against the reference: FastDepthwiseConvolutionTests.)
/// </summary>
public sealed unsafe class DepthwiseNhwcFiveWideRowTests
{
    [TestCase(7, 16, 0)]   // SAME: two padding columns on either side, one eight-pixel block
    [TestCase(9, 16, 4)]   // explicit: four padding columns on the right, two blocks
    [TestCase(3, 24, 6)]   // a row narrower than the filter
    [TestCase(17, 8, 2)]   // a ten-pixel block inside, then an eight past the right edge
    public void BlocksReadNothingPastTheInputsEnd(int width, int channels, int padRight)
    {
        Assume.That(OperatingSystem.IsLinux(), "the guard page uses mmap and mprotect");
        var options = padRight == 0
            ? new ConvolutionOptions { Padding = PaddingMode.Same }
            : new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 2, PadBottom = 2, PadLeft = 2, PadRight = padRight };
        var g = ShapeInference.DepthwiseConv2D([1, 5, width, channels], [5, 5, channels, 1], options);
        var random = new Random(width * channels + padRight);
        var values = Enumerable.Range(0, (int)g.InputElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var filter = Enumerable.Range(0, (int)g.FilterElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var expected = new float[g.OutputElementCount];
        DepthwiseNhwcKernel.RunRows<Vector256<float>, float, RepeatNone>(ref values[0], ref filter[0], ref expected[0], g, 0, g.OutputHeight);

        GuardPage.RunOnInputEndingAtGuard(values, at =>
        {
            var output = Enumerable.Repeat(12345f, (int)g.OutputElementCount).ToArray();
            DepthwiseNhwcKernel.RunRows<Vector256<float>, float, RepeatNone>(ref *(float*)at, ref filter[0], ref output[0], g, 0, g.OutputHeight);
            Assert.That(output, Is.EqualTo(expected));
        });
    }
}
