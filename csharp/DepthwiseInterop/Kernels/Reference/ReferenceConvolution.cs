using System.Numerics;
using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Reference;

/// <summary>
/// The scalar oracle for both ops: one output element at a time, every tap of its window, in a fixed order
/// (filter row, filter column, input channel). Layout: any <see cref="DataFormat"/>, through
/// <see cref="ActivationIndexer"/>; no blocking. Taps that fall in the padding read zero and are still
/// multiplied, as in TensorFlow's kernels, so an infinite or NaN weight at a padded tap gives NaN there too.
/// Fast kernels are tested against this.
/// </summary>
internal static class ReferenceConvolution
{
    /// <summary>Computes conv2d (dense or grouped) or depthwise: depthwise is grouped conv2d with one input
    /// channel per group and the filter <c>[KH, KW, C, M]</c> read as <c>[KH, KW, 1, C*M]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.OutputElementCount == 0) return;
        if (g.InputElementCount == 0)
        {
            // Only padding is left to convolve: TensorFlow returns zeros here whatever the filter holds.
            output[..checked((int)g.OutputElementCount)].Clear();
            return;
        }

        var inputAt = new ActivationIndexer(g.DataFormat, g.InputHeight, g.InputWidth, g.InputChannels);
        var outputAt = new ActivationIndexer(g.DataFormat, g.OutputHeight, g.OutputWidth, g.OutputChannels);
        long outputsPerGroup = g.OutputChannelsPerGroup;
        // Filter element (ky, kx, ci, o) sits at ((ky * KW + kx) * ChannelsPerGroup + ci) * OutputChannels + o
        // for both ops: for depthwise, ChannelsPerGroup = 1 and o = c * M + m.
        for (long b = 0; b < g.Batch; b++)
        for (long oy = 0; oy < g.OutputHeight; oy++)
        for (long ox = 0; ox < g.OutputWidth; ox++)
        for (long o = 0; o < g.OutputChannels; o++)
        {
            long firstInputChannel = o / outputsPerGroup * g.ChannelsPerGroup;
            T sum = T.Zero;
            for (long ky = 0; ky < g.FilterHeight; ky++)
            {
                long iy = oy * g.StrideHeight - g.PadTop + ky * g.DilationHeight;
                for (long kx = 0; kx < g.FilterWidth; kx++)
                {
                    long ix = ox * g.StrideWidth - g.PadLeft + kx * g.DilationWidth;
                    bool inside = iy >= 0 && iy < g.InputHeight && ix >= 0 && ix < g.InputWidth;
                    for (long ci = 0; ci < g.ChannelsPerGroup; ci++)
                    {
                        T x = inside ? input[(int)inputAt[b, iy, ix, firstInputChannel + ci]] : T.Zero;
                        T w = filter[(int)(((ky * g.FilterWidth + kx) * g.ChannelsPerGroup + ci) * g.OutputChannels + o)];
                        sum += x * w;
                    }
                }
            }
            output[(int)outputAt[b, oy, ox, o]] = sum;
        }
    }
}
