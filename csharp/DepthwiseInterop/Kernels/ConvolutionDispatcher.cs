using System.Numerics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// Picks the kernel for a validated problem: the SIMD kernels of the selected vector tier where one fits,
/// the scalar reference otherwise.
/// </summary>
internal static class ConvolutionDispatcher
{
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(input, filter, output, geometry, VectorIsaSelection.Selected);

    /// <summary>The same with an explicit tier (tests run every tier through this).</summary>
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (geometry.OutputElementCount == 0) return;
        bool fast = geometry.InputElementCount != 0 && (geometry.Kind == ConvolutionKind.DepthwiseConv2D
            ? FastDepthwiseConvolution.TryRun(input, filter, output, geometry, isa)
            : FastConv2D.TryRun(input, filter, output, geometry, isa));
        if (!fast) ReferenceConvolution.Run(input, filter, output, geometry);
    }
}
