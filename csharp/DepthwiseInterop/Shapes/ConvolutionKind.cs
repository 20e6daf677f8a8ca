namespace DepthwiseInterop;

/// <summary>Which TensorFlow op a shape or an error message belongs to; the two ops word some errors differently.</summary>
public enum ConvolutionKind
{
    /// <summary><c>tf.nn.conv2d</c> (dense or grouped).</summary>
    Conv2D = 0,

    /// <summary><c>tf.nn.depthwise_conv2d</c>.</summary>
    DepthwiseConv2D = 1,
}
