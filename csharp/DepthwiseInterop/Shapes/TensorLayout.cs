namespace DepthwiseInterop;

/// <summary>Where batch, height, width and channels sit in a 4-D tensor of the given <see cref="DataFormat"/>.</summary>
internal readonly record struct TensorLayout(int BatchAxis, int HeightAxis, int WidthAxis, int ChannelAxis)
{
    public static readonly TensorLayout Nhwc = new(0, 1, 2, 3);
    public static readonly TensorLayout Nchw = new(0, 2, 3, 1);

    public static TensorLayout For(DataFormat format) => format == DataFormat.NCHW ? Nchw : Nhwc;
}
