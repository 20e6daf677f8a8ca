namespace DepthwiseInterop.Tests.Shapes;

/// <summary>
/// <see cref="ConvolutionOptions"/>: <see cref="ConvolutionOptions.FromTensorFlowAttributes"/> against TensorFlow's
/// attribute checks (conv_ops.cc InitConv2DParameters, depthwise_conv_op.cc constructor, util/padding.cc
/// CheckValidPadding; tf-semantics.md §2, §4.2) and <see cref="ConvolutionOptions.Validate"/>.
/// </summary>
[TestFixture]
public class ConvolutionOptionsTests
{
    private const ConvolutionKind Conv = ConvolutionKind.Conv2D;
    private const ConvolutionKind Depthwise = ConvolutionKind.DepthwiseConv2D;
    private const DataFormat Nhwc = DataFormat.NHWC;
    private const DataFormat Nchw = DataFormat.NCHW;
    private const PaddingMode Valid = PaddingMode.Valid;
    private const PaddingMode Same = PaddingMode.Same;
    private const PaddingMode Explicit = PaddingMode.Explicit;
    private const long Big = 1L << 31;

    private static readonly long[] Ones = [1, 1, 1, 1];
    private static readonly long[] NoPads = [];

    [Test]
    public void DefaultsAreUnitStridesAndDilationsValidPaddingAndNhwc()
    {
        var options = new ConvolutionOptions();
        Assert.Multiple(() =>
        {
            Assert.That((options.StrideHeight, options.StrideWidth, options.DilationHeight, options.DilationWidth), Is.EqualTo((1L, 1L, 1L, 1L)));
            Assert.That((options.PadTop, options.PadBottom, options.PadLeft, options.PadRight), Is.EqualTo((0L, 0L, 0L, 0L)));
            Assert.That(options.Padding, Is.EqualTo(PaddingMode.Valid));
            Assert.That(options.DataFormat, Is.EqualTo(DataFormat.NHWC));
            Assert.That(() => options.Validate(Conv), Throws.Nothing);
            Assert.That(() => options.Validate(Depthwise), Throws.Nothing);
        });
    }

    // §2.1 / §6: the attribute lists are in data_format order.
    [TestCase(Conv, Nhwc, new long[] { 1, 2, 3, 1 }, new long[] { 1, 4, 5, 1 }, TestName = "conv2d NHWC reads strides and dilations from indices 1 and 2")]
    [TestCase(Conv, Nchw, new long[] { 1, 1, 2, 3 }, new long[] { 1, 1, 4, 5 }, TestName = "conv2d NCHW reads strides and dilations from indices 2 and 3")]
    [TestCase(Depthwise, Nhwc, new long[] { 1, 2, 3, 1 }, new long[] { 1, 4, 5, 1 }, TestName = "depthwise NHWC accepts unequal strides (library extension)")]
    [TestCase(Depthwise, Nchw, new long[] { 1, 1, 2, 3 }, new long[] { 1, 1, 4, 5 }, TestName = "depthwise NCHW reads indices 2 and 3")]
    public void StridesAndDilationsComeFromTheSpatialPositionsOfTheLayout(ConvolutionKind kind, DataFormat format, long[] strides, long[] dilations)
    {
        var options = ConvolutionOptions.FromTensorFlowAttributes(kind, format, Same, strides, dilations, NoPads);
        Assert.That((options.StrideHeight, options.StrideWidth, options.DilationHeight, options.DilationWidth), Is.EqualTo((2L, 3L, 4L, 5L)));
        Assert.That((options.DataFormat, options.Padding), Is.EqualTo((format, Same)));
    }

    // §4.1: pairs in data_format order, NHWC [[0,0],[t,b],[l,r],[0,0]], NCHW [[0,0],[0,0],[t,b],[l,r]].
    [TestCase(Nhwc, new long[] { 0, 0, 1, 2, 3, 4, 0, 0 }, TestName = "NHWC explicit paddings are pairs 1 and 2")]
    [TestCase(Nchw, new long[] { 0, 0, 0, 0, 1, 2, 3, 4 }, TestName = "NCHW explicit paddings are pairs 2 and 3")]
    public void ExplicitPaddingsComeFromTheSpatialPairsOfTheLayout(DataFormat format, long[] paddings)
    {
        var options = ConvolutionOptions.FromTensorFlowAttributes(Conv, format, Explicit, Ones, Ones, paddings);
        Assert.That((options.PadTop, options.PadBottom, options.PadLeft, options.PadRight), Is.EqualTo((1L, 2L, 3L, 4L)));
        Assert.That(options.Padding, Is.EqualTo(Explicit));
    }

    [TestCase(Valid, 0, TestName = "VALID with no explicit paddings")]
    [TestCase(Same, 0, TestName = "SAME with no explicit paddings")]
    [TestCase(Valid, 8, TestName = "VALID with eight zeros (library: the C ABI always passes eight values)")]
    [TestCase(Same, 8, TestName = "SAME with eight zeros (library: the C ABI always passes eight values)")]
    public void PaddingOtherThanExplicitAcceptsAnEmptyOrAllZeroList(PaddingMode padding, int count)
    {
        var options = ConvolutionOptions.FromTensorFlowAttributes(Depthwise, Nhwc, padding, Ones, Ones, new long[count]);
        Assert.That((options.PadTop, options.PadBottom, options.PadLeft, options.PadRight), Is.EqualTo((0L, 0L, 0L, 0L)));
        Assert.That(options.Padding, Is.EqualTo(padding));
    }

    private static TestCaseData Error(string name, ConvolutionKind kind, DataFormat format, PaddingMode padding,
        long[] strides, long[] dilations, long[] paddings, string message) =>
        new TestCaseData(kind, format, padding, strides, dilations, paddings, message).SetName(name);

    public static IEnumerable<TestCaseData> ErrorRows()
    {
        const string stridesLength = "Sliding window strides field must specify 4 dimensions";
        const string dilationsLength = "Sliding window dilations field must specify 4 dimensions";
        const string batchDepthStrides = "Current implementation does not yet support strides in the batch and depth dimensions.";
        const string batchDepthDilations = "Current implementation does not yet support dilations in the batch and depth dimensions.";
        const string conv2dStride = "Row and column strides should be larger than 0.";
        const string conv2dDilation = "Dilated rates should be larger than 0.";
        const string paddingCount = "explicit_paddings attribute must contain 8 values, but got: ";
        const string negativePadding = "All elements of explicit_paddings must be nonnegative";
        const string batchDepthPadding = "Nonzero explicit padding in the batch or depth dimensions is not supported";
        const string notExplicit = "explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT";

        // Lengths (§2.1 conv_ops.cc:328-331, §2.2 depthwise_conv_op.cc:278-280).
        yield return Error("conv2d 3 strides", Conv, Nhwc, Valid, [1, 1, 1], Ones, NoPads, stridesLength);
        yield return Error("conv2d no strides", Conv, Nhwc, Valid, [], Ones, NoPads, stridesLength);
        yield return Error("depthwise 5 strides", Depthwise, Nhwc, Valid, [1, 1, 1, 1, 1], Ones, NoPads, stridesLength);
        yield return Error("depthwise 2 strides", Depthwise, Nchw, Valid, [2, 2], Ones, NoPads, stridesLength);
        yield return Error("conv2d 2 dilations", Conv, Nhwc, Valid, Ones, [2, 2], NoPads, dilationsLength);
        yield return Error("depthwise Python-style 2 dilations (the ABI takes 4)", Depthwise, Nhwc, Valid, Ones, [2, 2], NoPads, dilationsLength);

        // Batch and depth strides (§2.1, §2.2): the positions follow data_format.
        yield return Error("conv2d NHWC batch stride", Conv, Nhwc, Valid, [2, 1, 1, 1], Ones, NoPads, batchDepthStrides);
        yield return Error("conv2d NHWC depth stride", Conv, Nhwc, Valid, [1, 1, 1, 2], Ones, NoPads, batchDepthStrides);
        yield return Error("conv2d NCHW depth stride is index 1", Conv, Nchw, Valid, [1, 2, 1, 1], Ones, NoPads, batchDepthStrides);
        yield return Error("depthwise NHWC batch stride", Depthwise, Nhwc, Valid, [3, 1, 1, 1], Ones, NoPads, batchDepthStrides);
        yield return Error("depthwise NCHW depth stride", Depthwise, Nchw, Same, [1, 2, 2, 2], Ones, NoPads, batchDepthStrides);
        yield return Error("zero batch stride is a batch stride", Conv, Nhwc, Valid, [0, 1, 1, 1], Ones, NoPads, batchDepthStrides);

        // Zero and negative strides: per-op wording (§2.1 conv_ops.cc:343; §2.2 / §3 "Stride must be > 0").
        yield return Error("conv2d zero row stride", Conv, Nhwc, Valid, [1, 0, 1, 1], Ones, NoPads, conv2dStride);
        yield return Error("conv2d negative column stride", Conv, Nchw, Valid, [1, 1, 1, -1], Ones, NoPads, conv2dStride);

        // Dilations (§2.1 conv_ops.cc:355; §2.2 recent `dilation_rate` wording, numpy-style list).
        yield return Error("conv2d NHWC batch dilation", Conv, Nhwc, Valid, Ones, [2, 1, 1, 1], NoPads, batchDepthDilations);
        yield return Error("conv2d NCHW depth dilation is index 1", Conv, Nchw, Valid, Ones, [1, 2, 1, 1], NoPads, batchDepthDilations);
        yield return Error("depthwise NHWC depth dilation", Depthwise, Nhwc, Valid, Ones, [1, 1, 1, 3], NoPads, batchDepthDilations);
        yield return Error("conv2d zero dilation", Conv, Nhwc, Valid, Ones, [1, 1, 0, 1], NoPads, conv2dDilation);
        yield return Error("conv2d negative dilation", Conv, Nchw, Valid, Ones, [1, 1, -1, 1], NoPads, conv2dDilation);
        yield return Error("depthwise zero dilation", Depthwise, Nhwc, Valid, Ones, [1, 0, 1, 1], NoPads, "`dilation_rate` must be positive. Received: dilation_rate=[0 1]");
        yield return Error("depthwise NCHW negative dilation", Depthwise, Nchw, Valid, Ones, [1, 1, 2, -1], NoPads, "`dilation_rate` must be positive. Received: dilation_rate=[2 -1]");

        // Explicit paddings (§4.2 padding.cc CheckValidPadding).
        yield return Error("EXPLICIT with 7 values", Conv, Nhwc, Explicit, Ones, Ones, [0, 0, 1, 1, 1, 1, 0], paddingCount + "7");
        yield return Error("EXPLICIT with 9 values", Depthwise, Nhwc, Explicit, Ones, Ones, new long[9], paddingCount + "9");
        yield return Error("EXPLICIT with none", Conv, Nchw, Explicit, Ones, Ones, NoPads, paddingCount + "0");
        yield return Error("EXPLICIT negative spatial pad", Conv, Nhwc, Explicit, Ones, Ones, [0, 0, 0, -1, 0, 0, 0, 0], negativePadding);
        yield return Error("EXPLICIT negativity is checked before batch and depth", Depthwise, Nhwc, Explicit, Ones, Ones, [-1, 0, 0, 0, 0, 0, 0, 0], negativePadding);
        yield return Error("EXPLICIT NHWC batch pad", Conv, Nhwc, Explicit, Ones, Ones, [1, 0, 0, 0, 0, 0, 0, 0], batchDepthPadding);
        yield return Error("EXPLICIT NHWC depth pad", Depthwise, Nhwc, Explicit, Ones, Ones, [0, 0, 0, 0, 0, 0, 0, 2], batchDepthPadding);
        yield return Error("EXPLICIT NCHW depth pad is pair 1", Conv, Nchw, Explicit, Ones, Ones, [0, 0, 3, 0, 0, 0, 0, 0], batchDepthPadding);
        yield return Error("VALID with a non-zero explicit padding", Conv, Nhwc, Valid, Ones, Ones, [0, 0, 1, 0, 0, 0, 0, 0], notExplicit);
        yield return Error("SAME with one non-zero value", Depthwise, Nhwc, Same, Ones, Ones, [5], notExplicit);
        yield return Error("VALID with three values", Conv, Nchw, Valid, Ones, Ones, [0, 0, 2], notExplicit);

        // Enum values outside the C ABI's range (library texts).
        yield return Error("unknown data format 2", Conv, (DataFormat)2, Valid, Ones, Ones, NoPads, "Unknown data format 2: expected NHWC (0) or NCHW (1)");
        yield return Error("unknown data format -1", Depthwise, (DataFormat)(-1), Valid, Ones, Ones, NoPads, "Unknown data format -1: expected NHWC (0) or NCHW (1)");
        yield return Error("unknown padding mode 3", Conv, Nhwc, (PaddingMode)3, Ones, Ones, NoPads, "Unknown padding mode 3: expected VALID (0), SAME (1) or EXPLICIT (2)");
        yield return Error("unknown enums are reported before any list", Conv, Nhwc, (PaddingMode)9, [1], [1], [1], "Unknown padding mode 9: expected VALID (0), SAME (1) or EXPLICIT (2)");

        // 32-bit range (library: TensorFlow keeps these attributes in 32 bits).
        yield return Error("stride above 32 bits", Conv, Nhwc, Valid, [1, 1, Big, 1], Ones, NoPads, "stride 2147483648 is too large: at most 2147483647 is supported");
        yield return Error("dilation above 32 bits", Depthwise, Nchw, Valid, Ones, [1, 1, Big, 1], NoPads, "dilation 2147483648 is too large: at most 2147483647 is supported");
        yield return Error("explicit padding above 32 bits", Conv, Nhwc, Explicit, Ones, Ones, [0, 0, 0, 0, 0, Big, 0, 0], "explicit padding 2147483648 is too large: at most 2147483647 is supported");
    }

    [TestCaseSource(nameof(ErrorRows))]
    public void InvalidAttributesAreRejectedWithTheExactMessage(ConvolutionKind kind, DataFormat format, PaddingMode padding,
        long[] strides, long[] dilations, long[] paddings, string message)
    {
        Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(kind, format, padding, strides, dilations, paddings),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    [Test]
    public void TheSameListIsValidOrNotDependingOnTheLayout()
    {
        // Index 1 is H in NHWC but C in NCHW; pair 1 of the paddings likewise.
        Assert.Multiple(() =>
        {
            Assert.That(ConvolutionOptions.FromTensorFlowAttributes(Conv, Nhwc, Valid, [1, 2, 1, 1], Ones, NoPads).StrideHeight, Is.EqualTo(2));
            Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(Conv, Nchw, Valid, [1, 2, 1, 1], Ones, NoPads),
                Throws.TypeOf<ConvolutionArgumentException>());
            Assert.That(ConvolutionOptions.FromTensorFlowAttributes(Conv, Nhwc, Explicit, Ones, Ones, [0, 0, 3, 0, 0, 0, 0, 0]).PadTop, Is.EqualTo(3));
            Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(Conv, Nchw, Explicit, Ones, Ones, [0, 0, 3, 0, 0, 0, 0, 0]),
                Throws.TypeOf<ConvolutionArgumentException>());
        });
    }

    [Test]
    public void LargestThirtyTwoBitValuesAreAccepted()
    {
        const long max = int.MaxValue;
        var options = ConvolutionOptions.FromTensorFlowAttributes(Depthwise, Nhwc, Explicit, [1, max, max, 1], [1, max, max, 1],
            [0, 0, max, max, max, max, 0, 0]);
        Assert.That((options.StrideHeight, options.DilationWidth, options.PadTop, options.PadRight), Is.EqualTo((max, max, max, max)));
    }

    // Check order: TensorFlow reports the first broken rule; these rows agree with the library today.
    [TestCase(Conv, Explicit, new long[] { 2, 1, 1, 1 }, new long[] { 1, 0, 1, 1 }, new long[] { -1 },
        "Current implementation does not yet support strides in the batch and depth dimensions.", TestName = "batch stride before zero dilation and padding")]
    [TestCase(Conv, Explicit, new long[] { 1, 1, 1, 1 }, new long[] { 2, 1, 1, 1 }, new long[] { 0, 0, 1 },
        "Current implementation does not yet support dilations in the batch and depth dimensions.", TestName = "batch dilation before the padding count")]
    [TestCase(Depthwise, Explicit, new long[] { 1, 0, 0, 1 }, new long[] { 1, 1, 1, 1 }, new long[] { 0, 0, -1, 0, 0, 0, 0, 0 },
        "All elements of explicit_paddings must be nonnegative", TestName = "depthwise padding before zero stride (the stride is only checked in Compute)")]
    [TestCase(Conv, Explicit, new long[] { 1, 1, 1, 1 }, new long[] { 1, 1, 1, 1 }, new long[] { 0, 0, -1, 0, 0, 0, 0, 9 },
        "All elements of explicit_paddings must be nonnegative", TestName = "negative padding before batch or depth padding")]
    public void FirstBrokenRuleIsReportedInTensorFlowsOrder(ConvolutionKind kind, PaddingMode padding, long[] strides, long[] dilations, long[] paddings, string message)
    {
        Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(kind, Nhwc, padding, strides, dilations, paddings),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    // InitConv2DParameters (conv_ops.cc, tf-semantics.md §2.1 :328 then :331, :343, :355, then CheckValidPadding):
    // dilations length, strides length, stride N/C, stride > 0, dilation N/C, dilation > 0, padding.
    // The library checks both lengths strides first, and both N/C rules (and the paddings) before either
    // positivity rule, so these report a different first error than TensorFlow.
    [TestCase(new long[] { 1, 1, 1 }, new long[] { 1, 1, 1 }, new long[0],
        "Sliding window dilations field must specify 4 dimensions", TestName = "conv2d dilations length before strides length")]
    [TestCase(new long[] { 1, 0, 1, 1 }, new long[] { 2, 1, 1, 1 }, new long[0],
        "Row and column strides should be larger than 0.", TestName = "conv2d zero stride before batch dilation")]
    [TestCase(new long[] { 1, 0, 1, 1 }, new long[] { 1, 1, 1, 1 }, new long[] { 0, 0, -1, 0, 0, 0, 0, 0 },
        "Row and column strides should be larger than 0.", TestName = "conv2d zero stride before negative padding")]
    [TestCase(new long[] { 1, 1, 1, 1 }, new long[] { 1, 0, 1, 1 }, new long[] { 0, 0, 1 },
        "Dilated rates should be larger than 0.", TestName = "conv2d zero dilation before the padding count")]
    public void Conv2DAttributeErrorsFollowInitConv2DParametersOrder(long[] strides, long[] dilations, long[] paddings, string message)
    {
        Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(Conv, Nhwc, Explicit, strides, dilations, paddings),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    [Test]
    public void ValidateRejectsNonPositiveConv2DStrides()
    {
        var options = new ConvolutionOptions { StrideHeight = 2, StrideWidth = -3 };
        Assert.That(() => options.Validate(Conv),
            Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("Row and column strides should be larger than 0."));
    }

    [Test]
    public void DepthwiseStridesAreLeftToTheOutputSizeCheckAsInTensorFlow()
    {
        // tf-semantics.md §2.2: a zero depthwise stride fails only in GetWindowedOutputSizeVerbose.
        var options = new ConvolutionOptions { StrideHeight = 0, StrideWidth = 0 };
        Assert.That(() => options.Validate(Depthwise), Throws.Nothing);
        Assert.That(() => ConvolutionOptions.FromTensorFlowAttributes(Depthwise, Nhwc, Valid, [1, 0, 0, 1], Ones, NoPads), Throws.Nothing);
    }

    [TestCase(Conv, "Dilated rates should be larger than 0.")]
    [TestCase(Depthwise, "`dilation_rate` must be positive. Received: dilation_rate=[0 3]")]
    public void ValidateWordsDilationErrorsPerOp(ConvolutionKind kind, string message)
    {
        var options = new ConvolutionOptions { DilationHeight = 0, DilationWidth = 3 };
        Assert.That(() => options.Validate(kind), Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo(message));
    }

    [Test]
    public void ValidateRejectsNegativePadsOnlyWhenTheyAreRead()
    {
        var pads = new ConvolutionOptions { PadTop = -1, PadBottom = Big, PadLeft = 0, PadRight = 0 };
        Assert.Multiple(() =>
        {
            Assert.That(() => (pads with { Padding = Valid }).Validate(Conv), Throws.Nothing);
            Assert.That(() => (pads with { Padding = Same }).Validate(Depthwise), Throws.Nothing);
            Assert.That(() => (pads with { Padding = Explicit }).Validate(Conv),
                Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("All elements of explicit_paddings must be nonnegative"));
            Assert.That(() => (pads with { Padding = Explicit, PadTop = 0 }).Validate(Conv),
                Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("explicit padding 2147483648 is too large: at most 2147483647 is supported"));
        });
    }

    [Test]
    public void ValidateRejectsUnknownEnumsSetThroughInitializers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new ConvolutionOptions { DataFormat = (DataFormat)5 }.Validate(Conv),
                Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("Unknown data format 5: expected NHWC (0) or NCHW (1)"));
            Assert.That(() => new ConvolutionOptions { Padding = (PaddingMode)(-2) }.Validate(Depthwise),
                Throws.TypeOf<ConvolutionArgumentException>().With.Message.EqualTo("Unknown padding mode -2: expected VALID (0), SAME (1) or EXPLICIT (2)"));
        });
    }

    [Test]
    public void OptionsAreValuesComparedByContent()
    {
        var a = ConvolutionOptions.FromTensorFlowAttributes(Conv, Nhwc, Explicit, [1, 2, 2, 1], Ones, [0, 0, 1, 1, 1, 1, 0, 0]);
        var b = new ConvolutionOptions { Padding = Explicit, StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a with { PadRight = 2 }, Is.Not.EqualTo(b));
    }
}
