using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The float32 NHWC depthwise rows kernel that <see cref="FastDepthwiseConvolution"/> would run on a problem, picked
/// once per call so that a 16-bit call's bands skip the dispatcher (its validation, planning and work split cost
/// as much as a small band's arithmetic). Null where the float32 call would take another path (too few channels
/// for a vector, a multiplier the kernel does not repeat in registers, huge windows): those bands keep the dispatcher.
/// The kernel sums each output in the same order whatever rows it is given, so the bits are the dispatcher's.
/// </summary>
internal static unsafe class NhwcDepthwiseRows
{
    public static delegate*<ref float, ref float, ref float, in ConvolutionGeometry, long, long, void> Select(in ConvolutionGeometry g, VectorIsa isa)
    {
        if (g.Kind != ConvolutionKind.DepthwiseConv2D || g.DataFormat != DataFormat.NHWC) return null;
        long channels = g.OutputChannels;
        // The same limit as FastDepthwiseConvolution's: beyond it the float32 call goes to the reference.
        long windowColumns = 7 * g.StrideWidth + (g.FilterWidth - 1) * g.DilationWidth + 1;
        if (windowColumns > 1 << 20 || g.FilterHeight * windowColumns > (1 << 24) / Math.Max(channels, 1)) return null;
        if (isa >= VectorIsa.Avx512 && channels >= Vector512<float>.Count && Vector512.IsHardwareAccelerated)
            return ForWidth<Vector512<float>>(g.OutputChannelsPerGroup);
        if (isa >= VectorIsa.Avx2 && channels >= Vector256<float>.Count && Vector256.IsHardwareAccelerated)
            return ForWidth<Vector256<float>>(g.OutputChannelsPerGroup);
        if (isa >= VectorIsa.Sse2 && channels >= Vector128<float>.Count && Vector128.IsHardwareAccelerated)
            return ForWidth<Vector128<float>>(g.OutputChannelsPerGroup);
        return null;
    }

    private static delegate*<ref float, ref float, ref float, in ConvolutionGeometry, long, long, void> ForWidth<TVector>(long multiplier)
        where TVector : unmanaged
    {
        if (multiplier == 1) return &DepthwiseNhwcKernel.RunRows<TVector, float, RepeatNone>;
        if (!ChannelRepeat.Supports(multiplier, RawVector.Count<TVector, float>())) return null;
        return multiplier == 2 ? &DepthwiseNhwcKernel.RunRows<TVector, float, RepeatTwo> : &DepthwiseNhwcKernel.RunRows<TVector, float, RepeatFour>;
    }
}
