using System.Numerics;
using DepthwiseInterop.Kernels.Reference;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// Picks the kernel for a validated problem. Today every dtype and shape runs the scalar reference; fast
/// kernels per dtype and instruction set plug in here, chosen at run time, with the reference as fallback.
/// </summary>
internal static class ConvolutionDispatcher
{
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ReferenceConvolution.Run(input, filter, output, geometry);
}
