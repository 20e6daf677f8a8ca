namespace DepthwiseInterop.Tests.Shapes;

/// <summary>
/// One spatial dimension, against TensorFlow's <c>GetWindowedOutputSizeVerbose</c>
/// (core/framework/kernel_shape_util.cc @1142c5f5 lines 23-66; tf-semantics.md §3):
/// <code>
/// effective = (filter - 1) * dilation + 1
/// VALID:    out = (in - effective + stride) / stride                         pads 0
/// EXPLICIT: out = (in + before + after - effective + stride) / stride
/// SAME:     out = (in + stride - 1) / stride; need = max(0, (out - 1) * stride + effective - in);
///           before = need / 2; after = need - before
/// out &lt; 0: "Computed output size would be negative: ..."
/// </code>
/// with C++ int64 division, which truncates toward zero.
/// </summary>
[TestFixture]
public class WindowedOutputSizeTests
{
    // in, filter, dilation, stride -> size
    [TestCase(5, 3, 1, 1, 3, TestName = "VALID in5 k3 s1 gives 3")]
    [TestCase(5, 3, 1, 2, 2, TestName = "VALID in5 k3 s2 gives 2")]
    [TestCase(6, 3, 1, 2, 2, TestName = "VALID in6 k3 s2 gives 2 (ceil((in-k+1)/s))")]
    [TestCase(7, 3, 1, 2, 3, TestName = "VALID in7 k3 s2 gives 3")]
    [TestCase(9, 2, 1, 3, 3, TestName = "VALID in9 k2 s3 gives 3")]
    [TestCase(3, 3, 1, 1, 1, TestName = "VALID filter as large as the input gives 1")]
    [TestCase(1, 1, 1, 1, 1, TestName = "VALID in1 k1 gives 1")]
    [TestCase(1, 2, 1, 2, 0, TestName = "VALID in1 k2 s2 gives 0 without error (window misses by less than a stride)")]
    [TestCase(1, 3, 1, 3, 0, TestName = "VALID in1 k3 s3 gives 0 without error")]
    [TestCase(2, 3, 1, 1, 0, TestName = "VALID in2 k3 s1 gives 0 ((2-3+1)/1 = 0)")]
    [TestCase(0, 5, 1, 3, 0, TestName = "VALID in0 k5 s3 gives 0 (-2/3 truncates to 0)")]
    [TestCase(5, 3, 2, 1, 1, TestName = "VALID dilation 2 effective 5 on in5 gives 1")]
    [TestCase(4, 3, 2, 1, 0, TestName = "VALID dilation 2 effective 5 on in4 gives 0")]
    [TestCase(10, 3, 3, 2, 2, TestName = "VALID dilation 3 effective 7 s2 on in10 gives 2")]
    [TestCase(3, 0, 1, 1, 4, TestName = "VALID zero-tap filter has effective size 0 and gives in+1")]
    public void ValidOutputSizeUsesTruncatingDivisionAndNoPadding(long input, long filter, long dilation, long stride, long expected)
    {
        var result = WindowedOutputSize.Compute(input, filter, dilation, stride, PaddingMode.Valid, padBefore: 7, padAfter: 9);
        Assert.That(result, Is.EqualTo(new WindowedOutputSize(expected, 0, 0)), "VALID ignores the explicit pad arguments");
    }

    // in, filter, dilation, stride -> size, before, after
    [TestCase(5, 3, 1, 1, 5, 1, 1, TestName = "SAME in5 k3 s1 pads 1-1")]
    [TestCase(5, 4, 1, 1, 5, 1, 2, TestName = "SAME in5 k4 s1 odd pad 3 puts the extra pixel after")]
    [TestCase(5, 3, 1, 2, 3, 1, 1, TestName = "SAME in5 k3 s2 gives ceil(5/2)=3 pads 1-1")]
    [TestCase(6, 3, 1, 2, 3, 0, 1, TestName = "SAME in6 k3 s2 odd pad 1 goes after")]
    [TestCase(7, 1, 1, 3, 3, 0, 0, TestName = "SAME in7 k1 s3 needs no padding")]
    [TestCase(8, 1, 1, 3, 3, 0, 0, TestName = "SAME in8 k1 s3 negative need is clamped to 0")]
    [TestCase(1, 5, 1, 3, 1, 2, 2, TestName = "SAME in1 k5 s3 pads 2-2")]
    [TestCase(5, 3, 2, 1, 5, 2, 2, TestName = "SAME dilation 2 pads from the dilated extent 5")]
    [TestCase(5, 2, 2, 1, 5, 1, 1, TestName = "SAME k2 dilation 2 pads 1-1 (undilated k2 would pad 0-1)")]
    [TestCase(4, 2, 3, 1, 4, 1, 2, TestName = "SAME k2 dilation 3 effective 4 pads 1-2")]
    [TestCase(9, 3, 3, 2, 5, 3, 3, TestName = "SAME k3 dilation 3 s2 on in9 pads 3-3")]
    [TestCase(0, 3, 1, 1, 0, 1, 1, TestName = "SAME in0 gives 0 without error")]
    [TestCase(0, 3, 1, 2, 0, 0, 1, TestName = "SAME in0 s2 gives 0 without error")]
    public void SameOutputSizeIsCeilOfInputOverStrideWithTheOddPadAfter(
        long input, long filter, long dilation, long stride, long expected, long before, long after)
    {
        var result = WindowedOutputSize.Compute(input, filter, dilation, stride, PaddingMode.Same, padBefore: 7, padAfter: 9);
        Assert.That(result, Is.EqualTo(new WindowedOutputSize(expected, before, after)));
    }

    // in, filter, dilation, stride, before, after -> size
    [TestCase(3, 3, 1, 1, 1, 1, 3, TestName = "EXPLICIT 1-1 with k3 keeps the size")]
    [TestCase(3, 2, 1, 1, 5, 4, 11, TestName = "EXPLICIT pads larger than the filter grow the output")]
    [TestCase(0, 2, 1, 1, 1, 1, 1, TestName = "EXPLICIT empty input with padding gives 1")]
    [TestCase(0, 1, 1, 1, 1, 1, 2, TestName = "EXPLICIT empty input k1 pads 1-1 gives 2 (testConv2dOnlyPaddingReturnsZeros)")]
    [TestCase(4, 3, 1, 2, 0, 1, 2, TestName = "EXPLICIT asymmetric 0-1 s2")]
    [TestCase(2, 3, 2, 1, 1, 1, 0, TestName = "EXPLICIT dilation 2 effective 5 on in2 with pads 1-1 gives 0")]
    [TestCase(2, 3, 2, 1, 2, 1, 1, TestName = "EXPLICIT dilation 2 effective 5 on in2 with pads 2-1 gives 1")]
    [TestCase(1, 3, 1, 2, 0, 1, 0, TestName = "EXPLICIT window misses by less than a stride gives 0")]
    public void ExplicitOutputSizeCountsBothPads(long input, long filter, long dilation, long stride, long before, long after, long expected)
    {
        var result = WindowedOutputSize.Compute(input, filter, dilation, stride, PaddingMode.Explicit, before, after);
        Assert.That(result, Is.EqualTo(new WindowedOutputSize(expected, before, after)));
    }

    // kernel_shape_util.cc:58-63: the message quotes the raw input size (pads not added) and the effective size.
    [TestCase(1, 3, 1, 1, PaddingMode.Valid, 0, 0, "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 3, stride: 1]")]
    [TestCase(3, 3, 2, 1, PaddingMode.Valid, 0, 0, "Computed output size would be negative: -1 [input_size: 3, effective_filter_size: 5, stride: 1]")]
    [TestCase(0, 6, 1, 3, PaddingMode.Valid, 0, 0, "Computed output size would be negative: -1 [input_size: 0, effective_filter_size: 6, stride: 3]")]
    [TestCase(1, 8, 1, 2, PaddingMode.Valid, 0, 0, "Computed output size would be negative: -2 [input_size: 1, effective_filter_size: 8, stride: 2]")]
    [TestCase(2, 5, 1, 1, PaddingMode.Explicit, 1, 0, "Computed output size would be negative: -1 [input_size: 2, effective_filter_size: 5, stride: 1]")]
    [TestCase(1, 3, 1, 1, PaddingMode.Explicit, 0, 0, "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 3, stride: 1]")]
    public void NegativeOutputSizeIsRejectedWithTensorFlowsMessage(
        long input, long filter, long dilation, long stride, PaddingMode padding, long before, long after, string message)
    {
        Assert.That(() => WindowedOutputSize.Compute(input, filter, dilation, stride, padding, before, after),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    [Test]
    public void LargestSupportedParametersDoNotOverflow()
    {
        // The callers hold every value below 2^31; the dilated extent then needs about 2^62.
        const long max = int.MaxValue;
        long effective = (max - 1) * max + 1;
        Assert.Multiple(() =>
        {
            Assert.That(WindowedOutputSize.Compute(max, max, max, 1, PaddingMode.Same, 0, 0),
                Is.EqualTo(new WindowedOutputSize(max, (effective - 1) / 2, effective - 1 - (effective - 1) / 2)));
            Assert.That(WindowedOutputSize.Compute(max, 1, 1, max, PaddingMode.Explicit, max, max),
                Is.EqualTo(new WindowedOutputSize((3 * max - 1 + max) / max, max, max)));
            Assert.That(() => WindowedOutputSize.Compute(1, max, max, 1, PaddingMode.Valid, 0, 0),
                Throws.TypeOf<ConvolutionArgumentException>().With.Message.StartsWith("Computed output size would be negative: "));
        });
    }
}
