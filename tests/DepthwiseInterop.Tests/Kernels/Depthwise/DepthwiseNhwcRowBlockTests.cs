using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The row blocks (DepthwiseNhwcKernel.RowBlocks.cs) read zeros, not memory, past the image's right edge: with the
/// input ending where an unreadable page starts, the last row's last block still computes what the same kernel
/// computes on an ordinary array. Five- and seven-wide filters (every row), and rows with less than a block of interior
/// columns of the other kinds: three and five wide at stride 2, and seven wide with a column dilation (the general loop).
/// (Values against the reference: FastDepthwiseConvolutionTests.)
/// </summary>
public sealed unsafe class DepthwiseNhwcRowBlockTests
{
    [TestCase(7, 16, 0, 5, 1, 1)]   // SAME: two padding columns on either side, one eight-pixel block
    [TestCase(9, 16, 4, 5, 1, 1)]   // explicit: four padding columns on the right, two blocks
    [TestCase(3, 24, 6, 5, 1, 1)]   // a row narrower than the filter
    [TestCase(17, 8, 2, 5, 1, 1)]   // a ten-pixel block inside, then an eight past the right edge
    [TestCase(13, 8, 0, 3, 2, 1)]   // stride 2, seven output columns: one block, its last column past the edge
    [TestCase(9, 8, 3, 7, 1, 2)]    // seven wide, dilation 2: the general loop's offsets
    [TestCase(15, 8, 0, 5, 2, 1)]   // five wide, stride 2: eight output columns, the block's last columns past the edge
    [TestCase(19, 8, 0, 7, 1, 1)]   // seven wide: three blocks, the last past the right edge
    public void BlocksReadNothingPastTheInputsEnd(int width, int channels, int padRight, int filterWidth, int stride, int dilation)
    {
        Assume.That(OperatingSystem.IsLinux(), "the guard page uses mmap and mprotect");
        var options = padRight == 0
            ? new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = stride, StrideWidth = stride, DilationWidth = dilation }
            : new ConvolutionOptions
            {
                Padding = PaddingMode.Explicit, PadTop = 2, PadBottom = 2, PadLeft = 2, PadRight = padRight,
                StrideHeight = stride, StrideWidth = stride, DilationWidth = dilation,
            };
        var g = ShapeInference.DepthwiseConv2D([1, 5, width, channels], [5, filterWidth, channels, 1], options);
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
