namespace DepthwiseInterop;

/// <summary>
/// The one place that validates shapes and computes output geometry, for every front end (managed API, C ABI,
/// Python). Checks run in TensorFlow's order (Conv2DOp / DepthwiseConv2dNativeOp), so the first error reported
/// is the one TensorFlow reports, in its wording.
/// </summary>
public static class ShapeInference
{
    /// <summary>Shape inference for <c>tf.nn.conv2d</c>: input of rank 4 or more, filter <c>[KH, KW, Cin/groups, Cout]</c>.</summary>
    /// <exception cref="ConvolutionArgumentException">Invalid shapes or options.</exception>
    public static ConvolutionGeometry Conv2D(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, in ConvolutionOptions options)
    {
        options.Validate(ConvolutionKind.Conv2D);
        if (inputShape.Length < 4) throw Invalid($"input must be 4-dimensional{ShapeText.Compact(inputShape)}");
        if (filterShape.Length != 4) throw Invalid($"filter must be 4-dimensional: {ShapeText.Compact(filterShape)}");
        long inputElements = ElementCount(inputShape, "input");
        long filterElements = ElementCount(filterShape, "filter");

        var layout = TensorLayout.For(options.DataFormat);
        var inner = inputShape[^4..];
        for (int i = 0; i < 4; i++)
            if (filterShape[i] >= int.MaxValue) throw Invalid("filter too large");
        long inputChannels = inner[layout.ChannelAxis];
        long filterDepth = filterShape[2];
        if (inputChannels >= int.MaxValue) throw Invalid("Input depth too large");
        if (filterDepth <= 0) throw Invalid($"filter depth must be stricly positive, got {filterDepth}");
        if (inputChannels % filterDepth != 0)
            throw Invalid($"input depth must be evenly divisible by filter depth: {inputChannels} vs {filterDepth}");

        var spatial = Spatial(inputShape, filterShape, layout, options);
        long outputChannels = filterShape[3];
        long groups = inputChannels / filterDepth;
        long outputElements = Product(spatial.Batch, spatial.Rows.Size, spatial.Cols.Size, outputChannels, "output");

        // TensorFlow returns before looking at the filter any further when the output is empty, and returns
        // zeros when the input is empty (only padding is convolved).
        if (outputElements != 0 && inputElements != 0)
        {
            if (filterElements == 0)
                throw Invalid("filter must not have zero elements (i.e. all dimensions must be non-zero)");
            if (outputChannels % groups != 0 || outputChannels < groups)
                throw Invalid($"output depth must be evenly divisible by number of groups: {outputChannels} vs {groups}");
        }

        return Geometry(ConvolutionKind.Conv2D, options, inputShape.Length, spatial, inputChannels, filterShape,
            channelsPerGroup: filterDepth, groups, outputChannels, inputElements, filterElements, outputElements);
    }

    /// <summary>
    /// Shape inference for <c>tf.nn.depthwise_conv2d</c>: input of rank 4, filter <c>[KH, KW, C, M]</c>, output
    /// <c>C * M</c> channels. Dilation is applied directly (no space-to-batch), so strides and dilations
    /// above 1 together give the true strided dilated convolution.
    /// </summary>
    /// <exception cref="ConvolutionArgumentException">Invalid shapes or options.</exception>
    public static ConvolutionGeometry DepthwiseConv2D(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, in ConvolutionOptions options)
    {
        // tf.nn.depthwise_conv2d runs the op through nn_ops.with_space_to_batch, whose constructor wants a rank of at
        // least the last spatial dimension's index + 1 (3 in either layout for two rates) before it looks at the
        // rates' values; ranks 3 and 5 or more pass it and fail in the kernel below.
        if (inputShape.Length < 3)
            throw Invalid($"`input.shape.rank` must be at least 3. Received: input.shape={ShapeText.PythonTuple(inputShape)} with rank {inputShape.Length}");
        options.Validate(ConvolutionKind.DepthwiseConv2D);
        if (inputShape.Length != 4) throw Invalid($"input must be 4-dimensional{ShapeText.Compact(inputShape)}");
        if (filterShape.Length != 4) throw Invalid($"filter must be 4-dimensional: {ShapeText.Compact(filterShape)}");
        long inputElements = ElementCount(inputShape, "input");
        long filterElements = ElementCount(filterShape, "filter");

        var layout = TensorLayout.For(options.DataFormat);
        long inputChannels = inputShape[layout.ChannelAxis];
        if (inputChannels != filterShape[2])
            throw Invalid($"input and filter must have the same depth: {inputChannels} vs {filterShape[2]}");
        for (int i = 0; i < 4; i++)
            if (filterShape[i] >= int.MaxValue) throw Invalid("filter too large");
        if (inputChannels >= int.MaxValue) throw Invalid("Input depth too large");

        var spatial = Spatial(inputShape, filterShape, layout, options);
        long multiplier = filterShape[3];
        long outputChannels = Product(inputChannels, multiplier, 1, 1, "output depth");
        long outputElements = Product(spatial.Batch, spatial.Rows.Size, spatial.Cols.Size, outputChannels, "output");
        if (outputElements != 0 && inputElements != 0 && filterElements == 0)
            throw Invalid("filter must not have zero elements (i.e. all dimensions must be non-zero)");

        return Geometry(ConvolutionKind.DepthwiseConv2D, options, 4, spatial, inputChannels, filterShape,
            channelsPerGroup: 1, groups: inputChannels, outputChannels, inputElements, filterElements, outputElements);
    }

    /// <summary>
    /// Shape inference for <c>tf.nn.separable_conv2d</c>: a depthwise convolution of <paramref name="inputShape"/>
    /// with <paramref name="depthwiseFilterShape"/> <c>[KH, KW, C, M]</c> under <paramref name="options"/>, then a
    /// 1x1 VALID conv2d with stride 1 (same data format) with <paramref name="pointwiseFilterShape"/>
    /// <c>[1, 1, C * M, Cout]</c>. Checks run in TensorFlow's order (nn_impl.separable_conv2d): the pointwise
    /// filter's rank and leading dimensions (the Python wrapper's TensorShape checks, in their wording), then
    /// the depthwise op, then the pointwise Conv2D op (whose depth check relates <c>C * M</c> to the pointwise
    /// filter's third dimension; as with <see cref="Conv2D"/>, a divisor of <c>C * M</c> gives a grouped
    /// pointwise convolution).
    /// </summary>
    /// <exception cref="ConvolutionArgumentException">Invalid shapes or options.</exception>
    public static SeparableConvolutionGeometry SeparableConv2D(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> depthwiseFilterShape,
        ReadOnlySpan<long> pointwiseFilterShape, in ConvolutionOptions options)
    {
        // pointwise_filter.get_shape().with_rank(4), then dims[0] and dims[1] .assert_is_compatible_with(1).
        if (pointwiseFilterShape.Length != 4)
            throw Invalid($"Shape {ShapeText.PythonTuple(pointwiseFilterShape)} must have rank 4");
        for (int i = 0; i < 2; i++)
            if (pointwiseFilterShape[i] != 1) throw Invalid($"Dimensions {pointwiseFilterShape[i]} and 1 are not compatible");

        var depthwise = DepthwiseConv2D(inputShape, depthwiseFilterShape, options);
        Span<long> intermediateShape = stackalloc long[4];
        depthwise.WriteOutputShape(inputShape, intermediateShape);
        var pointwise = Conv2D(intermediateShape, pointwiseFilterShape, PointwiseOptions(options.DataFormat));
        return new SeparableConvolutionGeometry { Depthwise = depthwise, Pointwise = pointwise };
    }

    /// <summary>The pointwise stage of separable_conv2d: <c>conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID")</c>.</summary>
    internal static ConvolutionOptions PointwiseOptions(DataFormat dataFormat) => new() { DataFormat = dataFormat };

    /// <summary>Dispatches on <paramref name="kind"/>.</summary>
    public static ConvolutionGeometry Infer(ConvolutionKind kind, ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, in ConvolutionOptions options) =>
        kind == ConvolutionKind.Conv2D ? Conv2D(inputShape, filterShape, options) : DepthwiseConv2D(inputShape, filterShape, options);

    private readonly record struct SpatialSizes(long Batch, long InputRows, long InputCols, WindowedOutputSize Rows, WindowedOutputSize Cols);

    private static SpatialSizes Spatial(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, TensorLayout layout, in ConvolutionOptions options)
    {
        var inner = inputShape[^4..];
        long inputRows = inner[layout.HeightAxis];
        long inputCols = inner[layout.WidthAxis];
        if (inputRows >= int.MaxValue) throw Invalid("Input rows too large");
        if (inputCols >= int.MaxValue) throw Invalid("Input cols too large");
        // The batch is the product of the leading dimensions; a zero among them makes it 0 however large the rest.
        long batch = inputShape[..^3].Contains(0L) ? 0 : 1;
        foreach (long dim in inputShape[..^3])
        {
            if (batch == 0) break;
            // batch <= int.MaxValue here, so the product cannot overflow once dim is known to be small (no division on every call).
            if (dim > int.MaxValue || batch * dim > int.MaxValue) throw Invalid("batch is too large");
            batch *= dim;
        }
        if (batch >= int.MaxValue) throw Invalid("batch is too large");

        var rows = WindowedOutputSize.Compute(inputRows, filterShape[0], options.DilationHeight, options.StrideHeight,
            options.Padding, options.PadTop, options.PadBottom);
        var cols = WindowedOutputSize.Compute(inputCols, filterShape[1], options.DilationWidth, options.StrideWidth,
            options.Padding, options.PadLeft, options.PadRight);
        return new SpatialSizes(batch, inputRows, inputCols, rows, cols);
    }

    private static ConvolutionGeometry Geometry(ConvolutionKind kind, in ConvolutionOptions options, int rank, SpatialSizes spatial,
        long inputChannels, ReadOnlySpan<long> filterShape, long channelsPerGroup, long groups, long outputChannels,
        long inputElements, long filterElements, long outputElements) => new()
    {
        Kind = kind,
        DataFormat = options.DataFormat,
        OutputRank = rank,
        Batch = spatial.Batch,
        InputHeight = spatial.InputRows,
        InputWidth = spatial.InputCols,
        InputChannels = inputChannels,
        FilterHeight = filterShape[0],
        FilterWidth = filterShape[1],
        ChannelsPerGroup = channelsPerGroup,
        Groups = groups,
        OutputHeight = spatial.Rows.Size,
        OutputWidth = spatial.Cols.Size,
        OutputChannels = outputChannels,
        StrideHeight = options.StrideHeight,
        StrideWidth = options.StrideWidth,
        DilationHeight = options.DilationHeight,
        DilationWidth = options.DilationWidth,
        PadTop = spatial.Rows.PadBefore,
        PadBottom = spatial.Rows.PadAfter,
        PadLeft = spatial.Cols.PadBefore,
        PadRight = spatial.Cols.PadAfter,
        InputElementCount = inputElements,
        FilterElementCount = filterElements,
        OutputElementCount = outputElements,
    };

    private static long ElementCount(ReadOnlySpan<long> shape, string name)
    {
        foreach (long dim in shape)
            if (dim < 0) throw Invalid($"{name} shape {ShapeText.Compact(shape)} has a negative dimension");
        long count = 1;
        foreach (long dim in shape)
        {
            // Two values below 2^31 cannot overflow: the division only runs for huge shapes (a 64-bit division per
            // dimension took about 7% of a tiny call's time).
            if (((ulong)count | (ulong)dim) >= 1UL << 31 && dim != 0 && count > long.MaxValue / dim)
            {
                // A zero anywhere makes the true product 0, however large the rest.
                if (shape.Contains(0L)) return 0;
                throw Invalid($"{name} shape {ShapeText.Compact(shape)} has more elements than fit in 64 bits");
            }
            count *= dim;
        }
        return count;
    }

    private static long Product(long a, long b, long c, long d, string name)
    {
        try
        {
            return checked(a * b * c * d);
        }
        catch (OverflowException)
        {
            if (a == 0 || b == 0 || c == 0 || d == 0) return 0;
            throw Invalid($"{name} would have more elements than fit in 64 bits");
        }
    }

    private static ConvolutionArgumentException Invalid(string message) => new(message);
}
