namespace DepthwiseInterop;

/// <summary>
/// The spatial parameters of one convolution: strides, dilations, padding and layout. Build it with an
/// object initializer (every stride and dilation defaults to 1, padding to VALID, layout to NHWC), or from
/// TensorFlow's four-element attribute lists with <see cref="FromTensorFlowAttributes"/>.
/// </summary>
public readonly record struct ConvolutionOptions
{
    /// <summary>Options with unit strides and dilations, VALID padding and NHWC layout.</summary>
    public ConvolutionOptions() { }

    /// <summary>Layout of input and output.</summary>
    public DataFormat DataFormat { get; init; } = DataFormat.NHWC;

    /// <summary>Padding mode; the four <c>Pad*</c> values are read only for <see cref="PaddingMode.Explicit"/>.</summary>
    public PaddingMode Padding { get; init; } = PaddingMode.Valid;

    /// <summary>Vertical stride, at least 1.</summary>
    public long StrideHeight { get; init; } = 1;

    /// <summary>Horizontal stride, at least 1.</summary>
    public long StrideWidth { get; init; } = 1;

    /// <summary>Vertical dilation rate, at least 1.</summary>
    public long DilationHeight { get; init; } = 1;

    /// <summary>Horizontal dilation rate, at least 1.</summary>
    public long DilationWidth { get; init; } = 1;

    /// <summary>Explicit zero rows above the input.</summary>
    public long PadTop { get; init; }

    /// <summary>Explicit zero rows below the input.</summary>
    public long PadBottom { get; init; }

    /// <summary>Explicit zero columns left of the input.</summary>
    public long PadLeft { get; init; }

    /// <summary>Explicit zero columns right of the input.</summary>
    public long PadRight { get; init; }

    /// <summary>
    /// Converts TensorFlow's op attributes (<c>strides</c> and <c>dilations</c> as four values and
    /// <c>explicit_paddings</c> as eight, all in <paramref name="dataFormat"/> order) and validates them with
    /// TensorFlow's rules and messages. <paramref name="explicitPaddings"/> may be empty unless the padding is
    /// explicit.
    /// </summary>
    /// <exception cref="ConvolutionArgumentException">An attribute TensorFlow would reject.</exception>
    public static ConvolutionOptions FromTensorFlowAttributes(
        ConvolutionKind kind,
        DataFormat dataFormat,
        PaddingMode padding,
        ReadOnlySpan<long> strides,
        ReadOnlySpan<long> dilations,
        ReadOnlySpan<long> explicitPaddings)
    {
        // TensorFlow's order (InitConv2DParameters): lengths, then strides, then dilations, then padding.
        CheckEnums(dataFormat, padding);
        var layout = TensorLayout.For(dataFormat);
        if (dilations.Length != 4) throw Invalid("Sliding window dilations field must specify 4 dimensions");
        if (strides.Length != 4) throw Invalid("Sliding window strides field must specify 4 dimensions");
        if (strides[layout.BatchAxis] != 1 || strides[layout.ChannelAxis] != 1)
            throw Invalid("Current implementation does not yet support strides in the batch and depth dimensions.");
        if (kind == ConvolutionKind.Conv2D && (strides[layout.HeightAxis] <= 0 || strides[layout.WidthAxis] <= 0))
            throw Invalid(NonPositiveStrideMessage(kind, strides[layout.HeightAxis], strides[layout.WidthAxis]));
        if (dilations[layout.BatchAxis] != 1 || dilations[layout.ChannelAxis] != 1)
            throw Invalid("Current implementation does not yet support dilations in the batch and depth dimensions.");
        if (dilations[layout.HeightAxis] <= 0 || dilations[layout.WidthAxis] <= 0)
            throw Invalid(NonPositiveDilationMessage(kind, dilations[layout.HeightAxis], dilations[layout.WidthAxis]));

        bool anyPadding = false;
        foreach (long pad in explicitPaddings) anyPadding |= pad != 0;
        if (padding != PaddingMode.Explicit && anyPadding)
            throw Invalid("explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT");
        if (padding == PaddingMode.Explicit)
        {
            if (explicitPaddings.Length != 8)
                throw Invalid($"explicit_paddings attribute must contain 8 values, but got: {explicitPaddings.Length}");
            foreach (long pad in explicitPaddings)
                if (pad < 0) throw Invalid("All elements of explicit_paddings must be nonnegative");
            if (explicitPaddings[2 * layout.BatchAxis] != 0 || explicitPaddings[2 * layout.BatchAxis + 1] != 0
                || explicitPaddings[2 * layout.ChannelAxis] != 0 || explicitPaddings[2 * layout.ChannelAxis + 1] != 0)
                throw Invalid("Nonzero explicit padding in the batch or depth dimensions is not supported");
        }

        var options = new ConvolutionOptions
        {
            DataFormat = dataFormat,
            Padding = padding,
            StrideHeight = strides[layout.HeightAxis],
            StrideWidth = strides[layout.WidthAxis],
            DilationHeight = dilations[layout.HeightAxis],
            DilationWidth = dilations[layout.WidthAxis],
            PadTop = padding == PaddingMode.Explicit ? explicitPaddings[2 * layout.HeightAxis] : 0,
            PadBottom = padding == PaddingMode.Explicit ? explicitPaddings[2 * layout.HeightAxis + 1] : 0,
            PadLeft = padding == PaddingMode.Explicit ? explicitPaddings[2 * layout.WidthAxis] : 0,
            PadRight = padding == PaddingMode.Explicit ? explicitPaddings[2 * layout.WidthAxis + 1] : 0,
        };
        options.Validate(kind);
        return options;
    }

    /// <summary>Checks every value against TensorFlow's rules (and this library's 32-bit parameter range).</summary>
    /// <exception cref="ConvolutionArgumentException">The first rule broken, in TensorFlow's words.</exception>
    public void Validate(ConvolutionKind kind)
    {
        CheckEnums(DataFormat, Padding);

        // Depthwise checks its strides where TensorFlow does: in the output size (WindowedOutputSize).
        if (kind == ConvolutionKind.Conv2D && (StrideHeight <= 0 || StrideWidth <= 0))
            throw Invalid(NonPositiveStrideMessage(kind, StrideHeight, StrideWidth));
        if (DilationHeight <= 0 || DilationWidth <= 0)
            throw Invalid(NonPositiveDilationMessage(kind, DilationHeight, DilationWidth));
        if (Padding == PaddingMode.Explicit && (PadTop < 0 || PadBottom < 0 || PadLeft < 0 || PadRight < 0))
            throw Invalid("All elements of explicit_paddings must be nonnegative");

        // TensorFlow keeps these attributes in 32 bits; holding them to that range keeps every later
        // product of two of them inside 64 bits.
        CheckRange("stride", StrideHeight, StrideWidth);
        CheckRange("dilation", DilationHeight, DilationWidth);
        if (Padding == PaddingMode.Explicit)
        {
            CheckRange("explicit padding", PadTop, PadBottom);
            CheckRange("explicit padding", PadLeft, PadRight);
        }
    }

    private static string NonPositiveStrideMessage(ConvolutionKind kind, long height, long width) =>
        kind == ConvolutionKind.Conv2D
            ? "Row and column strides should be larger than 0."
            : $"Stride must be > 0, but got {Math.Min(height, width)}";

    // Depthwise dilation is checked by TensorFlow's Python wrapper (with_space_to_batch), hence its wording.
    private static string NonPositiveDilationMessage(ConvolutionKind kind, long height, long width) =>
        kind == ConvolutionKind.Conv2D
            ? "Dilated rates should be larger than 0."
            : $"`dilation_rate` must be positive. Received: dilation_rate=[{height} {width}]";

    private static void CheckEnums(DataFormat dataFormat, PaddingMode padding)
    {
        if (dataFormat is not (DataFormat.NHWC or DataFormat.NCHW))
            throw Invalid($"Unknown data format {(int)dataFormat}: expected NHWC (0) or NCHW (1)");
        if (padding is not (PaddingMode.Valid or PaddingMode.Same or PaddingMode.Explicit))
            throw Invalid($"Unknown padding mode {(int)padding}: expected VALID (0), SAME (1) or EXPLICIT (2)");
    }

    private static void CheckRange(string what, long first, long second)
    {
        long largest = Math.Max(first, second);
        if (largest > int.MaxValue)
            throw Invalid($"{what} {largest} is too large: at most {int.MaxValue} is supported");
    }

    private static ConvolutionArgumentException Invalid(string message) => new(message);
}
