namespace DepthwiseInterop;

/// <summary>
/// A validated <c>tf.nn.separable_conv2d</c> problem: the depthwise stage (the caller's strides, padding and
/// dilations) and the pointwise stage (a 1x1 VALID conv2d with stride 1 on the depthwise output). Produced by
/// <see cref="ShapeInference.SeparableConv2D"/>.
/// </summary>
public readonly record struct SeparableConvolutionGeometry
{
    /// <summary>The depthwise stage: input to intermediate <c>[N, OH, OW, C * M]</c>.</summary>
    public required ConvolutionGeometry Depthwise { get; init; }

    /// <summary>The pointwise stage: intermediate to output <c>[N, OH, OW, Cout]</c>.</summary>
    public required ConvolutionGeometry Pointwise { get; init; }

    /// <summary>Elements of the input tensor.</summary>
    public long InputElementCount => Depthwise.InputElementCount;
    /// <summary>Elements of the depthwise filter.</summary>
    public long DepthwiseFilterElementCount => Depthwise.FilterElementCount;
    /// <summary>Elements of the pointwise filter.</summary>
    public long PointwiseFilterElementCount => Pointwise.FilterElementCount;
    /// <summary>Elements of the intermediate (depthwise output) tensor.</summary>
    public long IntermediateElementCount => Depthwise.OutputElementCount;
    /// <summary>Elements of the output tensor.</summary>
    public long OutputElementCount => Pointwise.OutputElementCount;
    /// <summary>Rank of the output (4).</summary>
    public int OutputRank => Pointwise.OutputRank;

    /// <summary>Writes the output shape (rank 4, in the data format's order); see <see cref="ConvolutionGeometry.WriteOutputShape"/>.</summary>
    public void WriteOutputShape(ReadOnlySpan<long> inputShape, Span<long> destination) => Pointwise.WriteOutputShape(inputShape, destination);

    /// <summary>The output shape as a new array.</summary>
    public long[] GetOutputShape(ReadOnlySpan<long> inputShape) => Pointwise.GetOutputShape(inputShape);
}
