namespace DepthwiseInterop.Tests.Shapes;

/// <summary>
/// <see cref="ShapeInference"/>: output shapes and every error, each row citing the TensorFlow rule
/// (tf-semantics.md section, TF source, or TF test) it reproduces. Rows marked "library" check a deliberate
/// extension or a message of the library's own where TensorFlow has none.
/// </summary>
[TestFixture]
public class ShapeInferenceTests
{
    private const ConvolutionKind Conv = ConvolutionKind.Conv2D;
    private const ConvolutionKind Depthwise = ConvolutionKind.DepthwiseConv2D;
    private const long Big = 1L << 31; // int.MaxValue + 1

    private static ConvolutionOptions Options(PaddingMode padding = PaddingMode.Valid, long sh = 1, long sw = 1, long dh = 1, long dw = 1,
        long pt = 0, long pb = 0, long pl = 0, long pr = 0, DataFormat format = DataFormat.NHWC) => new()
    {
        Padding = padding, StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
        PadTop = pt, PadBottom = pb, PadLeft = pl, PadRight = pr, DataFormat = format,
    };

    private static ConvolutionOptions Explicit(long pt, long pb, long pl, long pr, DataFormat format = DataFormat.NHWC) =>
        Options(PaddingMode.Explicit, pt: pt, pb: pb, pl: pl, pr: pr, format: format);

    private static readonly ConvolutionOptions Valid = Options();
    private static readonly ConvolutionOptions Same = Options(PaddingMode.Same);
    private static readonly ConvolutionOptions ValidNchw = Options(format: DataFormat.NCHW);

    private static TestCaseData Row(string name, ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, long[] expected) =>
        new TestCaseData(kind, input, filter, options, expected).SetName(name);

    public static IEnumerable<TestCaseData> OutputShapeRows()
    {
        // conv2d
        yield return Row("conv2d VALID NHWC 3x3 k2x1 -> [1,2,3,2] (§3 VALID)", Conv, [1, 3, 3, 1], [2, 1, 1, 2], Valid, [1, 2, 3, 2]);
        yield return Row("conv2d VALID NCHW -> [1,2,2,3] (§6 NCHW = NHWC transposed, filter unchanged)", Conv, [1, 1, 3, 3], [2, 1, 1, 2], ValidNchw, [1, 2, 2, 3]);
        yield return Row("conv2d SAME s2 -> ceil(in over s) (§3 SAME)", Conv, [2, 5, 7, 3], [3, 3, 3, 4], Options(PaddingMode.Same, 2, 2), [2, 3, 4, 4]);
        yield return Row("conv2d SAME s2x3 NCHW (§3 SAME, §6)", Conv, [2, 3, 5, 7], [3, 3, 3, 4], Options(PaddingMode.Same, 2, 3, format: DataFormat.NCHW), [2, 4, 3, 3]);
        yield return Row("conv2d EXPLICIT pads larger than the filter (§3 EXPLICIT)", Conv, [1, 2, 2, 1], [2, 2, 1, 1], Explicit(3, 4, 5, 0), [1, 8, 6, 1]);
        yield return Row("conv2d EXPLICIT NCHW pads larger than the filter (§3, §6)", Conv, [1, 1, 2, 2], [2, 2, 1, 1], Explicit(3, 4, 5, 0, DataFormat.NCHW), [1, 1, 8, 6]);
        yield return Row("conv2d dilations 2x3 use the effective size (§3 effective)", Conv, [1, 7, 7, 1], [3, 3, 1, 1], Options(dh: 2, dw: 3), [1, 3, 1, 1]);
        yield return Row("conv2d SAME with dilation keeps the size (§3 SAME uses the dilated extent)", Conv, [1, 5, 6, 2], [3, 2, 2, 3], Options(PaddingMode.Same, dh: 3, dw: 2), [1, 5, 6, 3]);
        yield return Row("conv2d stride 2 with dilation 2 is allowed (§2.3)", Conv, [1, 8, 8, 1], [2, 2, 1, 1], Options(sh: 2, sw: 2, dh: 2, dw: 2), [1, 3, 3, 1]);
        yield return Row("conv2d unequal strides 1x2 (§2.1 independent per axis)", Conv, [1, 5, 5, 1], [1, 1, 1, 1], Options(sh: 1, sw: 2), [1, 5, 3, 1]);
        yield return Row("conv2d grouped 3 groups (§8 C % Cin_f == 0)", Conv, [1, 4, 4, 6], [3, 3, 2, 9], Valid, [1, 2, 2, 9]);
        yield return Row("conv2d grouped NCHW 2 groups (§8)", Conv, [1, 6, 4, 4], [1, 1, 3, 4], ValidNchw, [1, 4, 4, 4]);
        yield return Row("conv2d depthwise-like grouping Cin_f 1 (§8 identity)", Conv, [1, 3, 3, 4], [2, 2, 1, 8], Valid, [1, 2, 2, 8]);
        yield return Row("conv2d rank 5 keeps batch dims [2,5] (§7 testConv2DExpandedBatch)", Conv, [2, 5, 2, 3, 3], [2, 2, 3, 4], Valid, [2, 5, 1, 2, 4]);
        yield return Row("conv2d rank 5 NCHW keeps batch dims (§7 shape[:-3] is batch_shape)", Conv, [2, 5, 3, 2, 3], [1, 1, 3, 6], ValidNchw, [2, 5, 6, 2, 3]);
        yield return Row("conv2d rank 6 keeps batch dims (§7)", Conv, [2, 3, 1, 4, 4, 1], [3, 3, 1, 1], Valid, [2, 3, 1, 2, 2, 1]);
        yield return Row("conv2d rank 5 zero-size batch_shape (§7 zero-size batch_shape is fine)", Conv, [2, 0, 3, 3, 1], [3, 3, 1, 2], Same, [2, 0, 3, 3, 2]);
        yield return Row("conv2d rank 5 zero batch lets another batch dim be huge (§7)", Conv, [0, 1L << 40, 3, 3, 1], [3, 3, 1, 2], Valid, [0, 1L << 40, 1, 1, 2]);
        yield return Row("conv2d batch 0 (§10 testConv2DEmpty)", Conv, [0, 5, 5, 3], [3, 3, 3, 2], Same, [0, 5, 5, 2]);
        yield return Row("conv2d batch 0 with dilation (§10 testConv2DEmptyDilation)", Conv, [0, 5, 5, 3], [2, 2, 3, 2], Options(dh: 2, dw: 2), [0, 3, 3, 2]);
        yield return Row("conv2d padding-only output from empty input (§10 testConv2dOnlyPaddingReturnsZeros)", Conv, [1, 0, 2, 1], [1, 1, 1, 1], Explicit(1, 1, 1, 1), [1, 2, 4, 1]);
        yield return Row("conv2d VALID in1 k2 s2 gives size 0 without error (§3 truncating division)", Conv, [1, 1, 1, 1], [2, 2, 1, 1], Options(sh: 2, sw: 2), [1, 0, 0, 1]);
        yield return Row("conv2d VALID in2 k3 gives size 0 without error (§3)", Conv, [1, 2, 5, 1], [3, 1, 1, 1], Valid, [1, 0, 5, 1]);
        yield return Row("conv2d SAME empty height gives empty output (§3 SAME with in 0)", Conv, [1, 0, 3, 1], [3, 3, 1, 1], Same, [1, 0, 3, 1]);
        yield return Row("conv2d zero output channels (§10 nothing is checked)", Conv, [1, 3, 3, 2], [1, 1, 2, 0], Valid, [1, 3, 3, 0]);
        yield return Row("conv2d grouped zero output channels: empty output returns before the group check (§10)", Conv, [1, 3, 3, 2], [1, 1, 1, 0], Valid, [1, 3, 3, 0]);
        yield return Row("conv2d zero-element filter with empty output is no error (§10)", Conv, [0, 3, 3, 1], [0, 1, 1, 1], Valid, [0, 4, 3, 1]);

        // depthwise
        yield return Row("depthwise well-known example -> [1,2,3,2]", Depthwise, [1, 3, 3, 1], [2, 1, 1, 2], Valid, [1, 2, 3, 2]);
        yield return Row("depthwise multiplier 2 gives C*M channels, SAME s2x1 (§8, §3)", Depthwise, [2, 6, 6, 3], [3, 3, 3, 2], Options(PaddingMode.Same, 2, 1), [2, 3, 6, 6]);
        yield return Row("depthwise NCHW (§6)", Depthwise, [1, 3, 6, 6], [3, 3, 3, 2], ValidNchw, [1, 6, 4, 4]);
        yield return Row("depthwise unequal strides 1x3 (library extension)", Depthwise, [1, 7, 7, 2], [3, 3, 2, 1], Options(PaddingMode.Same, 1, 3), [1, 7, 3, 2]);
        yield return Row("depthwise stride 2 with dilation 2 is the true strided dilated shape (library, §2.3)", Depthwise, [1, 8, 8, 1], [2, 2, 1, 1], Options(sh: 2, sw: 2, dh: 2, dw: 2), [1, 3, 3, 1]);
        yield return Row("depthwise SAME dilation 2 keeps the size (§5 equals effective-filter SAME)", Depthwise, [1, 5, 5, 2], [3, 3, 2, 3], Options(PaddingMode.Same, dh: 2, dw: 2), [1, 5, 5, 6]);
        yield return Row("depthwise EXPLICIT pads larger than the filter (§4.3)", Depthwise, [1, 2, 3, 1], [1, 2, 1, 1], Explicit(4, 4, 0, 3), [1, 10, 5, 1]);
        yield return Row("depthwise batch 0 (§10)", Depthwise, [0, 4, 4, 2], [3, 3, 2, 2], Same, [0, 4, 4, 4]);
        yield return Row("depthwise multiplier 0 gives 0 channels", Depthwise, [1, 4, 4, 2], [3, 3, 2, 0], Valid, [1, 2, 2, 0]);
        yield return Row("depthwise channels 0 gives 0 channels", Depthwise, [1, 4, 4, 0], [1, 1, 0, 3], Valid, [1, 4, 4, 0]);
        yield return Row("depthwise padding-only output from empty input (§10)", Depthwise, [1, 0, 2, 1], [1, 1, 1, 1], Explicit(1, 1, 1, 1), [1, 2, 4, 1]);
        yield return Row("depthwise VALID in1 k2 s2 gives size 0 without error (§3)", Depthwise, [2, 1, 1, 3], [2, 2, 3, 1], Options(sh: 2, sw: 2), [2, 0, 0, 3]);
    }

    [TestCaseSource(nameof(OutputShapeRows))]
    public void OutputShapeFollowsTensorFlow(ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, long[] expected)
    {
        var geometry = ShapeInference.Infer(kind, input, filter, options);
        Assert.That(geometry.GetOutputShape(input), Is.EqualTo(expected));
        Assert.That(geometry.OutputElementCount, Is.EqualTo(Product(expected)));
        Assert.That(geometry.Kind, Is.EqualTo(kind));
    }

    [TestCaseSource(nameof(OutputShapeRows))]
    public void InferDispatchesToTheOpOfTheKind(ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, long[] expected)
    {
        var direct = kind == Conv ? ShapeInference.Conv2D(input, filter, options) : ShapeInference.DepthwiseConv2D(input, filter, options);
        Assert.That(ShapeInference.Infer(kind, input, filter, options), Is.EqualTo(direct));
    }

    [Test]
    public void GeometryOfGroupedStridedDilatedSameConv2D()
    {
        // [1,6,5,4] with filter [4,3,2,6]: 2 groups of 2 channels, 3 outputs each. SAME, strides 2x1, dilations 1x2:
        // rows effective 4, out 3, need 2*2+4-6 = 2 -> 1/1; cols effective 5, out 5, need 4+5-5 = 4 -> 2/2.
        var g = ShapeInference.Conv2D([1, 6, 5, 4], [4, 3, 2, 6], Options(PaddingMode.Same, 2, 1, 1, 2));
        Assert.Multiple(() =>
        {
            Assert.That((g.Groups, g.ChannelsPerGroup, g.OutputChannelsPerGroup), Is.EqualTo((2L, 2L, 3L)));
            Assert.That((g.OutputHeight, g.OutputWidth, g.OutputChannels), Is.EqualTo((3L, 5L, 6L)));
            Assert.That((g.PadTop, g.PadBottom, g.PadLeft, g.PadRight), Is.EqualTo((1L, 1L, 2L, 2L)));
            Assert.That((g.StrideHeight, g.StrideWidth, g.DilationHeight, g.DilationWidth), Is.EqualTo((2L, 1L, 1L, 2L)));
            Assert.That((g.FilterHeight, g.FilterWidth), Is.EqualTo((4L, 3L)));
            Assert.That((g.InputElementCount, g.FilterElementCount, g.OutputElementCount), Is.EqualTo((120L, 144L, 90L)));
            Assert.That((g.Batch, g.InputHeight, g.InputWidth, g.InputChannels, g.OutputRank), Is.EqualTo((1L, 6L, 5L, 4L, 4)));
            Assert.That((g.Kind, g.DataFormat), Is.EqualTo((Conv, DataFormat.NHWC)));
        });
    }

    [Test]
    public void GeometryOfRankFiveConv2DFoldsTheBatchDimensions()
    {
        var g = ShapeInference.Conv2D([2, 5, 2, 3, 3], [2, 2, 3, 4], Valid);
        Assert.That((g.Batch, g.OutputRank, g.InputElementCount, g.OutputElementCount), Is.EqualTo((10L, 5, 180L, 80L)));
    }

    [Test]
    public void GeometryOfDepthwiseIsOneChannelPerGroup()
    {
        var g = ShapeInference.DepthwiseConv2D([2, 3, 5, 5], [3, 3, 3, 2], Options(PaddingMode.Same, format: DataFormat.NCHW));
        Assert.Multiple(() =>
        {
            Assert.That((g.Groups, g.ChannelsPerGroup, g.OutputChannels, g.OutputChannelsPerGroup), Is.EqualTo((3L, 1L, 6L, 2L)));
            Assert.That((g.PadTop, g.PadBottom, g.PadLeft, g.PadRight), Is.EqualTo((1L, 1L, 1L, 1L)));
            Assert.That((g.InputHeight, g.InputWidth, g.InputChannels, g.Batch), Is.EqualTo((5L, 5L, 3L, 2L)));
            Assert.That(g.DataFormat, Is.EqualTo(DataFormat.NCHW));
        });
    }

    [Test]
    public void ExplicitPadsReachTheGeometryAndOtherModesIgnoreThem()
    {
        var explicitGeometry = ShapeInference.Conv2D([1, 4, 4, 1], [1, 1, 1, 1], Explicit(1, 2, 3, 4));
        var validGeometry = ShapeInference.Conv2D([1, 4, 4, 1], [1, 1, 1, 1], Valid with { PadTop = 1, PadBottom = 2, PadLeft = 3, PadRight = 4 });
        Assert.That((explicitGeometry.PadTop, explicitGeometry.PadBottom, explicitGeometry.PadLeft, explicitGeometry.PadRight), Is.EqualTo((1L, 2L, 3L, 4L)));
        Assert.That((validGeometry.PadTop, validGeometry.PadBottom, validGeometry.PadLeft, validGeometry.PadRight), Is.EqualTo((0L, 0L, 0L, 0L)));
        Assert.That(validGeometry.GetOutputShape([1, 4, 4, 1]), Is.EqualTo(new long[] { 1, 4, 4, 1 }));
    }

    private static TestCaseData Error(string name, ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, string message) =>
        new TestCaseData(kind, input, filter, options, message).SetName(name);

    public static IEnumerable<TestCaseData> ErrorRows()
    {
        // Ranks (§7; conv_ops.cc ComputeConv2DDimension, depthwise_conv_op.cc: no separator before the shape).
        yield return Error("conv2d rank 3 input (§7)", Conv, [2, 2, 1], [1, 1, 1, 1], Valid, "input must be 4-dimensional[2,2,1]");
        yield return Error("conv2d rank 0 input (§7)", Conv, [], [1, 1, 1, 1], Valid, "input must be 4-dimensional[]");
        yield return Error("depthwise rank 5 input: no batch dims for depthwise (§7)", Depthwise, [1, 1, 3, 3, 1], [1, 1, 1, 1], Valid, "input must be 4-dimensional[1,1,3,3,1]");
        yield return Error("depthwise rank 3 input (§7)", Depthwise, [3, 3, 1], [1, 1, 1, 1], Valid, "input must be 4-dimensional[3,3,1]");
        yield return Error("depthwise rank 2 input: with_space_to_batch's rank check", Depthwise, [3, 3], [1, 1, 1, 1], Valid,
            "`input.shape.rank` must be at least 3. Received: input.shape=(3, 3) with rank 2");
        yield return Error("depthwise rank 1 input", Depthwise, [5], [1, 1, 1, 1], Valid, "`input.shape.rank` must be at least 3. Received: input.shape=(5,) with rank 1");
        yield return Error("depthwise rank 0 input", Depthwise, [], [1, 1, 1, 1], Valid, "`input.shape.rank` must be at least 3. Received: input.shape=() with rank 0");
        yield return Error("depthwise rank 2 input before a zero dilation (the rank check comes first in with_space_to_batch)", Depthwise, [3, 3], [1, 1, 1, 1],
            Options(dh: 0, dw: 0), "`input.shape.rank` must be at least 3. Received: input.shape=(3, 3) with rank 2");
        yield return Error("depthwise NCHW rank 2 input", Depthwise, [3, 3], [1, 1, 1, 1], ValidNchw, "`input.shape.rank` must be at least 3. Received: input.shape=(3, 3) with rank 2");
        yield return Error("conv2d rank 3 filter (§7)", Conv, [1, 3, 3, 1], [3, 3, 1], Valid, "filter must be 4-dimensional: [3,3,1]");
        yield return Error("depthwise rank 5 filter (§7)", Depthwise, [1, 3, 3, 1], [1, 3, 3, 1, 1], Valid, "filter must be 4-dimensional: [1,3,3,1,1]");
        yield return Error("input rank is checked before filter rank", Conv, [3, 3, 1], [3, 3], Valid, "input must be 4-dimensional[3,3,1]");

        // Channels (§8).
        yield return Error("conv2d depth not divisible by filter depth (§8)", Conv, [1, 3, 3, 3], [1, 1, 2, 4], Valid, "input depth must be evenly divisible by filter depth: 3 vs 2");
        yield return Error("conv2d NCHW depth read from axis 1 (§8, §6)", Conv, [1, 3, 4, 4], [1, 1, 2, 4], ValidNchw, "input depth must be evenly divisible by filter depth: 3 vs 2");
        yield return Error("conv2d output depth not divisible by groups (§8)", Conv, [1, 3, 3, 4], [1, 1, 2, 3], Valid, "output depth must be evenly divisible by number of groups: 3 vs 2");
        yield return Error("conv2d fewer outputs than groups (§8 out_depth < num_groups)", Conv, [1, 3, 3, 4], [1, 1, 1, 2], Valid, "output depth must be evenly divisible by number of groups: 2 vs 4");
        yield return Error("conv2d filter depth 0 (§8, sic stricly)", Conv, [1, 3, 3, 3], [1, 1, 0, 4], Valid, "filter depth must be stricly positive, got 0");
        yield return Error("depthwise depth mismatch (§8)", Depthwise, [1, 3, 3, 2], [1, 1, 3, 1], Valid, "input and filter must have the same depth: 2 vs 3");
        yield return Error("depthwise NCHW depth mismatch (§8, §6)", Depthwise, [1, 2, 3, 3], [1, 1, 3, 1], ValidNchw, "input and filter must have the same depth: 2 vs 3");
        yield return Error("depthwise depth mismatch comes before the output size", Depthwise, [1, 1, 1, 2], [3, 3, 3, 1], Valid, "input and filter must have the same depth: 2 vs 3");
        yield return Error("conv2d depth divisibility comes before the output size", Conv, [1, 1, 1, 3], [3, 3, 2, 1], Valid, "input depth must be evenly divisible by filter depth: 3 vs 2");

        // Negative output size (§3).
        yield return Error("conv2d VALID rows negative (§3)", Conv, [1, 1, 1, 1], [3, 1, 1, 1], Valid, "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 3, stride: 1]");
        yield return Error("conv2d VALID cols negative (§3)", Conv, [1, 5, 2, 1], [1, 4, 1, 1], Valid, "Computed output size would be negative: -1 [input_size: 2, effective_filter_size: 4, stride: 1]");
        yield return Error("depthwise negative through dilation (§3 effective size)", Depthwise, [1, 3, 3, 1], [3, 1, 1, 1], Options(dh: 2), "Computed output size would be negative: -1 [input_size: 3, effective_filter_size: 5, stride: 1]");
        yield return Error("conv2d EXPLICIT negative quotes the unpadded input (§3)", Conv, [1, 1, 1, 1], [4, 1, 1, 1], Explicit(1, 0, 0, 0), "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 4, stride: 1]");
        yield return Error("conv2d NCHW rows negative (§3, §6)", Conv, [1, 1, 1, 5], [3, 1, 1, 1], ValidNchw, "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 3, stride: 1]");

        // Zero-element filters (§10).
        yield return Error("conv2d zero-element filter with non-empty output (§10)", Conv, [1, 3, 3, 1], [0, 1, 1, 1], Valid, "filter must not have zero elements (i.e. all dimensions must be non-zero)");
        yield return Error("depthwise zero-element filter with non-empty output (library: TF's depthwise kernel has no check, §10)", Depthwise, [1, 3, 3, 1], [1, 0, 1, 1], Valid, "filter must not have zero elements (i.e. all dimensions must be non-zero)");
        yield return Error("negative output size comes before the zero-element filter", Conv, [1, 1, 1, 1], [1, 3, 1, 0], Valid, "Computed output size would be negative: -1 [input_size: 1, effective_filter_size: 3, stride: 1]");

        // Depthwise strides fail in the output size computation, after the shape checks (§2.2, kernel_shape_util.cc).
        yield return Error("depthwise zero strides", Depthwise, [1, 3, 3, 1], [1, 1, 1, 1], new ConvolutionOptions { StrideHeight = 0, StrideWidth = 0 }, "Stride must be > 0, but got 0");
        yield return Error("depthwise negative strides", Depthwise, [1, 3, 3, 1], [1, 1, 1, 1], new ConvolutionOptions { StrideHeight = -2, StrideWidth = -2 }, "Stride must be > 0, but got -2");

        // Negative and overflowing dimensions (library: TensorShape cannot hold them, so TF has no text).
        yield return Error("negative input dimension (library)", Conv, [1, -1, 3, 1], [1, 1, 1, 1], Valid, "input shape [1,-1,3,1] has a negative dimension");
        yield return Error("negative filter dimension (library)", Conv, [1, 3, 3, 1], [3, -3, 1, 1], Valid, "filter shape [3,-3,1,1] has a negative dimension");
        yield return Error("depthwise negative multiplier (library)", Depthwise, [1, 3, 3, 1], [1, 1, 1, -2], Valid, "filter shape [1,1,1,-2] has a negative dimension");
        yield return Error("input with more than 2^63 elements (library)", Conv, [1L << 40, 1L << 40, 1, 1], [1, 1, 1, 1], Valid, "input shape [1099511627776,1099511627776,1,1] has more elements than fit in 64 bits");
        yield return Error("filter with more than 2^63 elements (library)", Depthwise, [1, 1, 1, 1], [1L << 32, 1L << 32, 1, 1], Valid, "filter shape [4294967296,4294967296,1,1] has more elements than fit in 64 bits");
        yield return Error("output with more than 2^63 elements (library)", Conv, [1, 1, 1, 1], [1, 1, 1, int.MaxValue - 1], Explicit(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue), "output would have more elements than fit in 64 bits");

        // Too-large dimensions (conv_ops.cc ComputeConv2DDimension / depthwise_conv_op.cc texts).
        yield return Error("conv2d filter rows too large (conv_ops.cc)", Conv, [1, 1, 1, 1], [Big, 1, 1, 1], Valid, "filter too large");
        yield return Error("depthwise filter cols too large", Depthwise, [1, 1, 1, 1], [1, Big, 1, 1], Valid, "filter too large");
        yield return Error("conv2d input depth too large (conv_ops.cc)", Conv, [1, 1, 1, Big], [1, 1, 1, 1], Valid, "Input depth too large");
        yield return Error("conv2d input rows too large", Conv, [1, Big, 1, 1], [1, 1, 1, 1], Valid, "Input rows too large");
        yield return Error("depthwise input cols too large", Depthwise, [1, 1, Big, 1], [1, 1, 1, 1], Valid, "Input cols too large");
        yield return Error("NCHW input rows too large", Conv, [1, 1, Big, 1], [1, 1, 1, 1], ValidNchw, "Input rows too large");
        yield return Error("conv2d batch too large", Conv, [Big, 1, 1, 1], [1, 1, 1, 1], Valid, "batch is too large");
        yield return Error("conv2d rank 5 batch product too large (§7 flattened batch)", Conv, [1L << 16, 1L << 16, 1, 1, 1], [1, 1, 1, 1], Valid, "batch is too large");

        // Options are validated first, as TensorFlow validates attributes when it builds the kernel.
        yield return Error("conv2d zero stride before shape errors (conv_ops.cc InitConv2DParameters)", Conv, [3, 3, 1], [1, 1, 1, 1], Options(sh: 0), "Row and column strides should be larger than 0.");
        yield return Error("depthwise zero stride (§2.2)", Depthwise, [1, 3, 3, 1], [1, 1, 1, 1], Options(sw: 0), "Stride must be > 0, but got 0");
        yield return Error("conv2d zero dilation (§2.1)", Conv, [1, 3, 3, 1], [1, 1, 1, 1], Options(dw: 0), "Dilated rates should be larger than 0.");
        yield return Error("depthwise zero dilation (§2.2 recent wording)", Depthwise, [1, 3, 3, 1], [1, 1, 1, 1], Options(dh: 1, dw: 0), "`dilation_rate` must be positive. Received: dilation_rate=[1 0]");
        yield return Error("negative explicit pad (§4.2)", Conv, [1, 3, 3, 1], [1, 1, 1, 1], Explicit(0, -1, 0, 0), "All elements of explicit_paddings must be nonnegative");
        yield return Error("stride above 32 bits (library)", Depthwise, [1, 3, 3, 1], [1, 1, 1, 1], Options(sh: Big), "stride 2147483648 is too large: at most 2147483647 is supported");
    }

    [TestCaseSource(nameof(ErrorRows))]
    public void InvalidProblemIsRejectedWithTheExactMessage(ConvolutionKind kind, long[] input, long[] filter, ConvolutionOptions options, string message)
    {
        Assert.That(() => ShapeInference.Infer(kind, input, filter, options),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    // ---- Known library bugs: these fail today (see the report). ----

    [Test]
    public void Conv2DWithZeroInputChannelsGivesAnOutputOfZerosLikeTensorFlow()
    {
        // Input [1,2,2,0], filter [1,1,1,2]: 0 % 1 == 0, so TensorFlow's ComputeConv2DDimension accepts it, the
        // output [1,2,2,2] is non-empty and the input is empty, so Conv2DOp::Compute returns zeros
        // (conv_ops_impl.h "If the input is empty, result can only be due to padding"). The library computes
        // groups = 0 / 1 = 0 and then divides by it (outputChannels % groups): DivideByZeroException.
        ConvolutionGeometry geometry = default;
        Assert.That(() => geometry = ShapeInference.Conv2D([1, 2, 2, 0], [1, 1, 1, 2], Valid), Throws.Nothing);
        Assert.That(geometry.GetOutputShape([1, 2, 2, 0]), Is.EqualTo(new long[] { 1, 2, 2, 2 }));
    }

    [Test]
    public void Conv2DWithEmptyInputSkipsTheGroupCheckLikeTensorFlow()
    {
        // conv_ops_impl.h Conv2DOp::Compute returns zeros for an empty input before LaunchConv2DOp, where the
        // "output depth must be evenly divisible by number of groups" check lives. [1,0,2,2] * [1,1,1,3] with
        // pads 1 -> [1,2,4,3] of zeros in TensorFlow; the library rejects it.
        Assert.That(() => ShapeInference.Conv2D([1, 0, 2, 2], [1, 1, 1, 3], Explicit(1, 1, 1, 1)), Throws.Nothing);
    }

    [Test]
    public void Conv2DWithEmptyInputSkipsTheZeroElementFilterCheckLikeTensorFlow()
    {
        // Same place: "filter must not have zero elements" is checked in LaunchConv2DOp, after the empty-input
        // early return. [1,0,2,1] * [0,1,1,1] with pads 1 -> [1,3,4,1] of zeros in TensorFlow.
        ConvolutionGeometry geometry = default;
        Assert.That(() => geometry = ShapeInference.Conv2D([1, 0, 2, 1], [0, 1, 1, 1], Explicit(1, 1, 1, 1)), Throws.Nothing);
        Assert.That(geometry.GetOutputShape([1, 0, 2, 1]), Is.EqualTo(new long[] { 1, 3, 4, 1 }));
    }

    [TestCase(Conv, new long[] { 1, int.MaxValue, 0, 1 }, "Input rows too large")]
    [TestCase(Depthwise, new long[] { 1, 0, int.MaxValue, 1 }, "Input cols too large")]
    [TestCase(Conv, new long[] { int.MaxValue, 1, 0, 1 }, "batch is too large")]
    public void DimensionOfExactlyIntMaxIsTooLargeLikeFastBoundsCheck(ConvolutionKind kind, long[] input, string message)
    {
        // TensorFlow checks FastBoundsCheck(dim, std::numeric_limits<int>::max()), i.e. 0 <= dim < 2^31 - 1
        // (conv_ops.cc ComputeConv2DDimension, depthwise_conv_op.cc): 2^31 - 1 itself is rejected. The library
        // rejects only dim > int.MaxValue.
        Assert.That(() => ShapeInference.Infer(kind, input, [1, 1, 1, 1], Valid),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    [Test]
    public void DepthwiseReportsShapeErrorsBeforeAZeroStrideLikeTensorFlow()
    {
        // tf-semantics.md §2.2: a zero depthwise stride "passes the equality test and then fails in the
        // output-size computation", i.e. in DepthwiseConv2dNativeOp::Compute after the rank and depth checks.
        Assert.That(() => ShapeInference.DepthwiseConv2D([1, 3, 3, 2], [1, 1, 3, 1], Options(sh: 0, sw: 0)),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("input and filter must have the same depth: 2 vs 3"));
    }

    private static long Product(long[] shape)
    {
        long product = 1;
        foreach (long d in shape) product *= d;
        return product;
    }
}
