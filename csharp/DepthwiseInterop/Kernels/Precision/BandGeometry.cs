namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// A band of output rows of one image as a problem of its own: its input is just the rows the band reads,
/// and the vertical padding is whatever part of the band's window lies outside the image. Each output
/// element of the band multiplies the same input values, padding zeros included, as in the whole problem.
/// </summary>
internal static class BandGeometry
{
    /// <summary>
    /// The band of <paramref name="rows"/> output rows from <paramref name="firstRow"/> of a problem with a
    /// non-empty input. It reads <paramref name="inputRows"/> image rows from <paramref name="firstInputRow"/>;
    /// when that is none (a band in the padding only), the band's input is one row that the caller fills with
    /// zeros, which multiplies like padding does.
    /// </summary>
    public static ConvolutionGeometry ForOutputRows(in ConvolutionGeometry g, long firstRow, long rows, out long firstInputRow, out long inputRows)
    {
        long windowStart = firstRow * g.StrideHeight - g.PadTop;
        long windowEnd = (firstRow + rows - 1) * g.StrideHeight - g.PadTop + (g.FilterHeight - 1) * g.DilationHeight + 1;
        firstInputRow = Math.Clamp(windowStart, 0, g.InputHeight);
        long endInputRow = Math.Clamp(windowEnd, firstInputRow, g.InputHeight);
        inputRows = endInputRow - firstInputRow;
        long bandInputRows = Math.Max(inputRows, 1);
        long padTop = inputRows == 0 ? 0 : firstInputRow - windowStart;
        return g with
        {
            Batch = 1,
            InputHeight = bandInputRows,
            OutputHeight = rows,
            PadTop = padTop,
            PadBottom = windowEnd - windowStart - padTop - bandInputRows,
            InputElementCount = bandInputRows * g.InputWidth * g.InputChannels,
            OutputElementCount = rows * g.OutputWidth * g.OutputChannels,
        };
    }
}
