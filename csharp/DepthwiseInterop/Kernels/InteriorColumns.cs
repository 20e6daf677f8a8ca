namespace DepthwiseInterop.Kernels;

/// <summary>
/// The output columns [Begin, End) whose every filter tap falls inside the input width: kernels run these
/// without bounds tests and handle the columns outside with padding.
/// </summary>
internal readonly record struct InteriorColumns(long Begin, long End)
{
    public static InteriorColumns Of(in ConvolutionGeometry g)
    {
        // Leftmost tap inside: ox * stride - padLeft >= 0.
        long begin = (g.PadLeft + g.StrideWidth - 1) / g.StrideWidth;
        // Rightmost tap inside: ox * stride - padLeft + (KW - 1) * dilation <= W - 1.
        long lastStart = g.InputWidth - 1 - (g.FilterWidth - 1) * g.DilationWidth + g.PadLeft;
        long end = lastStart < 0 ? 0 : lastStart / g.StrideWidth + 1;
        begin = Math.Min(begin, g.OutputWidth);
        end = Math.Clamp(end, begin, g.OutputWidth);
        return new InteriorColumns(begin, end);
    }
}
