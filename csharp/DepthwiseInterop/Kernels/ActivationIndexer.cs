namespace DepthwiseInterop.Kernels;

/// <summary>Flat index of element (batch, row, column, channel) of an activation tensor in NHWC or NCHW.</summary>
internal readonly struct ActivationIndexer(DataFormat format, long height, long width, long channels)
{
    public long this[long batch, long row, long column, long channel] => format == DataFormat.NCHW
        ? ((batch * channels + channel) * height + row) * width + column
        : ((batch * height + row) * width + column) * channels + channel;
}
