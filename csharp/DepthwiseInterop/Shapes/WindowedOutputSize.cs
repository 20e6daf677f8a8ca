namespace DepthwiseInterop;

/// <summary>
/// Output size and padding of one spatial dimension, exactly as TensorFlow's
/// <c>GetWindowedOutputSizeVerbose</c> (core/framework/kernel_shape_util.cc) computes them, including C++'s
/// truncating division: a VALID window that misses the input by less than a stride gives size 0, not an error.
/// </summary>
internal readonly record struct WindowedOutputSize(long Size, long PadBefore, long PadAfter)
{
    /// <remarks>
    /// Callers pass values already range-checked (sizes, strides, dilations and pads below 2^31), so no
    /// product or sum here can overflow 64 bits.
    /// </remarks>
    public static WindowedOutputSize Compute(
        long inputSize, long filterSize, long dilation, long stride, PaddingMode padding, long padBefore, long padAfter)
    {
        if (stride <= 0) throw new ConvolutionArgumentException($"Stride must be > 0, but got {stride}");
        if (dilation < 1) throw new ConvolutionArgumentException($"Dilation rate must be >= 1, but got {dilation}");
        long effectiveFilterSize = (filterSize - 1) * dilation + 1;
        WindowedOutputSize result;
        switch (padding)
        {
            case PaddingMode.Valid:
                result = new((inputSize - effectiveFilterSize + stride) / stride, 0, 0);
                break;
            case PaddingMode.Explicit:
                result = new((inputSize + padBefore + padAfter - effectiveFilterSize + stride) / stride, padBefore, padAfter);
                break;
            default:
                long size = (inputSize + stride - 1) / stride;
                long padNeeded = Math.Max(0, (size - 1) * stride + effectiveFilterSize - inputSize);
                result = new(size, padNeeded / 2, padNeeded - padNeeded / 2);
                break;
        }
        if (result.Size < 0)
        {
            throw new ConvolutionArgumentException(
                $"Computed output size would be negative: {result.Size} [input_size: {inputSize}, " +
                $"effective_filter_size: {effectiveFilterSize}, stride: {stride}]");
        }
        return result;
    }
}
