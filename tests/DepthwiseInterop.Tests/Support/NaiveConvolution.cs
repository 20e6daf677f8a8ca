namespace DepthwiseInterop.Tests.Support;

/// <summary>
/// A deliberately naive oracle written without looking at the library's kernel or geometry code: it resolves
/// the padding itself, builds an explicitly zero-padded copy of the input, expands the filter with zero holes
/// for dilation, and then runs a plain strided correlation, all in <see cref="double"/> and in NHWC.
/// Depthwise and conv2d have separate inner loops (no reshape trick), so the two can be checked against
/// each other independently too.
/// </summary>
internal static class NaiveConvolution
{
    /// <summary>The oracle's answer: values and, per element, the sum of |x * w| over its terms (for tolerances).</summary>
    internal sealed record Result(double[] Values, double[] SumOfAbsoluteTerms, int OutHeight, int OutWidth, int OutChannels);

    /// <summary>Output size of one dimension as TensorFlow defines it, or null if TensorFlow rejects it.</summary>
    public static int? OutputSize(int paddedSize, int effectiveFilter, int stride)
    {
        // Windows that start at 0, stride, 2*stride, ... and end inside the padded input.
        if (paddedSize >= effectiveFilter) return (paddedSize - effectiveFilter) / stride + 1;
        // C++ truncation: a window that misses by less than a stride gives 0 outputs, not an error.
        return paddedSize - effectiveFilter > -stride ? 0 : null;
    }

    /// <summary>(before, after) zero padding of one dimension for TensorFlow's SAME mode.</summary>
    public static (int Before, int After) SamePadding(int inputSize, int effectiveFilter, int stride)
    {
        int outputs = (int)Math.Ceiling(inputSize / (double)stride);
        int total = Math.Max(0, (outputs - 1) * stride + effectiveFilter - inputSize);
        return (total / 2, total - total / 2); // the odd pixel goes after (bottom/right)
    }

    /// <summary>Runs the case on NHWC input <c>[B,H,W,C]</c> and the case's filter, returning NHWC output.</summary>
    public static Result Run(ConvCase c, double[] inputNhwc, double[] filter)
    {
        int effH = (c.KernelHeight - 1) * c.DilationHeight + 1;
        int effW = (c.KernelWidth - 1) * c.DilationWidth + 1;
        (int top, int bottom, int left, int right) = c.Padding switch
        {
            "VALID" => (0, 0, 0, 0),
            "EXPLICIT" => (c.PadTop, c.PadBottom, c.PadLeft, c.PadRight),
            _ => (SamePadding(c.Height, effH, c.StrideHeight).Before, SamePadding(c.Height, effH, c.StrideHeight).After,
                  SamePadding(c.Width, effW, c.StrideWidth).Before, SamePadding(c.Width, effW, c.StrideWidth).After),
        };

        // 1. Explicitly zero-padded input.
        int hp = c.Height + top + bottom, wp = c.Width + left + right, ch = c.Channels;
        var padded = new double[c.Batch * hp * wp * ch];
        for (int b = 0; b < c.Batch; b++)
        for (int y = 0; y < c.Height; y++)
        for (int x = 0; x < c.Width; x++)
        for (int k = 0; k < ch; k++)
            padded[((b * hp + y + top) * wp + x + left) * ch + k] = inputNhwc[((b * c.Height + y) * c.Width + x) * ch + k];

        // 2. Filter expanded with zero holes: [effH, effW, depth, last].
        int depth = c.FilterDepth, last = c.FilterLast;
        var dilated = new double[effH * effW * depth * last];
        for (int ky = 0; ky < c.KernelHeight; ky++)
        for (int kx = 0; kx < c.KernelWidth; kx++)
        for (int i = 0; i < depth; i++)
        for (int o = 0; o < last; o++)
        {
            dilated[(((ky * c.DilationHeight) * effW + kx * c.DilationWidth) * depth + i) * last + o] =
                filter[((ky * c.KernelWidth + kx) * depth + i) * last + o];
        }

        // 3. Plain strided correlation of the padded input with the dilated filter.
        int outH = OutputSize(hp, effH, c.StrideHeight) ?? throw new InvalidOperationException("negative output size");
        int outW = OutputSize(wp, effW, c.StrideWidth) ?? throw new InvalidOperationException("negative output size");
        int outC = c.Depthwise ? ch * last : last;
        var values = new double[c.Batch * outH * outW * outC];
        var sums = new double[values.Length];
        for (int b = 0; b < c.Batch; b++)
        for (int i = 0; i < outH; i++)
        for (int j = 0; j < outW; j++)
        for (int o = 0; o < outC; o++)
        {
            double sum = 0, abs = 0;
            for (int u = 0; u < effH; u++)
            for (int v = 0; v < effW; v++)
            {
                int rowBase = (b * hp + i * c.StrideHeight + u) * wp + j * c.StrideWidth + v;
                if (c.Depthwise)
                {
                    // Output channel o = channel * M + m reads only input channel `channel`.
                    int channel = o / last, m = o % last;
                    double term = padded[rowBase * ch + channel] * dilated[((u * effW + v) * depth + channel) * last + m];
                    sum += term;
                    abs += Math.Abs(term);
                }
                else
                {
                    // Groups are contiguous channel blocks: output o belongs to group o / (Cout / G).
                    int groups = ch / depth;
                    int group = o / (last / groups);
                    for (int i2 = 0; i2 < depth; i2++)
                    {
                        double term = padded[rowBase * ch + group * depth + i2] * dilated[((u * effW + v) * depth + i2) * last + o];
                        sum += term;
                        abs += Math.Abs(term);
                    }
                }
            }
            int at = ((b * outH + i) * outW + j) * outC + o;
            values[at] = sum;
            sums[at] = abs;
        }
        return new Result(values, sums, outH, outW, outC);
    }
}
