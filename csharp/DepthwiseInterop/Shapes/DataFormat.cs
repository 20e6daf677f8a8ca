namespace DepthwiseInterop;

/// <summary>
/// Memory layout of the activation tensors (input and output). Filters do not change with it: a conv2d
/// filter is always <c>[KH, KW, Cin/groups, Cout]</c> and a depthwise filter always <c>[KH, KW, C, M]</c>,
/// as in TensorFlow.
/// </summary>
public enum DataFormat
{
    /// <summary>Batch, height, width, channels (TensorFlow's default).</summary>
    NHWC = 0,

    /// <summary>Batch, channels, height, width: defined as NHWC transposed, for both input and output.</summary>
    NCHW = 1,
}
