namespace DepthwiseInterop;

/// <summary>
/// A validated convolution problem, resolved to one 4-D case: every batch dimension folded into
/// <see cref="Batch"/>, padding resolved to four numbers, and the element count of every tensor. Kernels read
/// only this; they never re-derive a size. Produced by <see cref="ShapeInference"/>.
/// </summary>
public readonly record struct ConvolutionGeometry
{
    /// <summary>The op this geometry was inferred for.</summary>
    public required ConvolutionKind Kind { get; init; }
    /// <summary>Layout of input and output.</summary>
    public required DataFormat DataFormat { get; init; }
    /// <summary>Rank of the output (the input's rank: conv2d keeps extra leading batch dimensions).</summary>
    public required int OutputRank { get; init; }

    /// <summary>Product of all batch dimensions.</summary>
    public required long Batch { get; init; }
    /// <summary>Input height.</summary>
    public required long InputHeight { get; init; }
    /// <summary>Input width.</summary>
    public required long InputWidth { get; init; }
    /// <summary>Input channels.</summary>
    public required long InputChannels { get; init; }

    /// <summary>Filter height (taps, before dilation).</summary>
    public required long FilterHeight { get; init; }
    /// <summary>Filter width (taps, before dilation).</summary>
    public required long FilterWidth { get; init; }
    /// <summary>Input channels each output channel reads: <c>C / groups</c> for conv2d, 1 for depthwise.</summary>
    public required long ChannelsPerGroup { get; init; }
    /// <summary>Number of channel groups: conv2d <c>C / filter.shape[2]</c>, depthwise <c>C</c>.</summary>
    public required long Groups { get; init; }

    /// <summary>Output height.</summary>
    public required long OutputHeight { get; init; }
    /// <summary>Output width.</summary>
    public required long OutputWidth { get; init; }
    /// <summary>Output channels: conv2d <c>filter.shape[3]</c>, depthwise <c>C * M</c> ordered <c>c * M + m</c>.</summary>
    public required long OutputChannels { get; init; }

    /// <summary>Vertical stride.</summary>
    public required long StrideHeight { get; init; }
    /// <summary>Horizontal stride.</summary>
    public required long StrideWidth { get; init; }
    /// <summary>Vertical dilation.</summary>
    public required long DilationHeight { get; init; }
    /// <summary>Horizontal dilation.</summary>
    public required long DilationWidth { get; init; }
    /// <summary>Zero rows above the input (resolved from SAME, EXPLICIT or VALID).</summary>
    public required long PadTop { get; init; }
    /// <summary>Zero rows below the input.</summary>
    public required long PadBottom { get; init; }
    /// <summary>Zero columns left of the input.</summary>
    public required long PadLeft { get; init; }
    /// <summary>Zero columns right of the input.</summary>
    public required long PadRight { get; init; }

    /// <summary>Elements of the input tensor.</summary>
    public required long InputElementCount { get; init; }
    /// <summary>Elements of the filter tensor.</summary>
    public required long FilterElementCount { get; init; }
    /// <summary>Elements of the output tensor.</summary>
    public required long OutputElementCount { get; init; }

    /// <summary>Output channels per group (conv2d) or the channel multiplier M (depthwise).</summary>
    public long OutputChannelsPerGroup => Groups == 0 ? 0 : OutputChannels / Groups;

    /// <summary>
    /// Writes the output shape: the input's leading batch dimensions followed by the three inner dimensions
    /// in <see cref="DataFormat"/> order.
    /// </summary>
    /// <param name="inputShape">The input shape this geometry was inferred from.</param>
    /// <param name="destination">At least <see cref="OutputRank"/> elements.</param>
    public void WriteOutputShape(ReadOnlySpan<long> inputShape, Span<long> destination)
    {
        if (inputShape.Length != OutputRank)
            throw new ArgumentException($"The input shape has rank {inputShape.Length}, but this geometry was inferred from rank {OutputRank}.", nameof(inputShape));
        if (destination.Length < OutputRank)
            throw new ArgumentException($"The destination holds {destination.Length} dimensions, but the output has {OutputRank}.", nameof(destination));
        inputShape[..^3].CopyTo(destination);
        var inner = destination.Slice(OutputRank - 3, 3);
        if (DataFormat == DataFormat.NCHW)
        {
            inner[0] = OutputChannels; inner[1] = OutputHeight; inner[2] = OutputWidth;
        }
        else
        {
            inner[0] = OutputHeight; inner[1] = OutputWidth; inner[2] = OutputChannels;
        }
    }

    /// <summary>The output shape as a new array; see <see cref="WriteOutputShape"/>.</summary>
    public long[] GetOutputShape(ReadOnlySpan<long> inputShape)
    {
        var shape = new long[OutputRank];
        WriteOutputShape(inputShape, shape);
        return shape;
    }
}
