using System.Numerics;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Precision;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// Picks the kernel for a validated problem: the SIMD kernels of the selected vector tier where one fits,
/// the scalar reference otherwise; float16 and bfloat16 run on the float32 kernels through
/// <see cref="ReducedPrecisionConvolution"/>.
/// </summary>
internal static class ConvolutionDispatcher
{
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry)
        where T : unmanaged =>
        Run(input, filter, output, geometry, VectorIsaSelection.Selected);

    /// <summary>The same with an explicit tier (tests run every tier through this).</summary>
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry, VectorIsa isa)
        where T : unmanaged
    {
        if (geometry.OutputElementCount == 0) return;
        if (typeof(T) == typeof(float))
            RunFloatingPoint(MemoryMarshal.Cast<T, float>(input), MemoryMarshal.Cast<T, float>(filter), MemoryMarshal.Cast<T, float>(output), geometry, isa);
        else if (typeof(T) == typeof(double))
            RunFloatingPoint(MemoryMarshal.Cast<T, double>(input), MemoryMarshal.Cast<T, double>(filter), MemoryMarshal.Cast<T, double>(output), geometry, isa);
        else if (typeof(T) == typeof(Half))
            RunReducedPrecision<HalfFormat, T>(input, filter, output, geometry, isa);
        else if (typeof(T) == typeof(BFloat16))
            RunReducedPrecision<BFloat16Format, T>(input, filter, output, geometry, isa);
        else
            throw new ConvolutionNotSupportedException($"element type {typeof(T).Name} is not supported");
    }

    private static void RunFloatingPoint<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool fast = geometry.InputElementCount != 0 && (geometry.Kind == ConvolutionKind.DepthwiseConv2D
            ? FastDepthwiseConvolution.TryRun(input, filter, output, geometry, isa)
            : FastConv2D.TryRun(input, filter, output, geometry, isa));
        if (!fast) ReferenceConvolution.Run(input, filter, output, geometry);
    }

    private static void RunReducedPrecision<TFormat, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry,
        VectorIsa isa) where TFormat : IReducedPrecisionFormat where T : unmanaged
    {
        // Only padding to convolve: zeros whatever the filter holds, as for the other types (+0 is all-zero bits in both formats).
        if (geometry.InputElementCount == 0)
            output[..checked((int)geometry.OutputElementCount)].Clear();
        else
            ReducedPrecisionConvolution.Run<TFormat>(MemoryMarshal.Cast<T, ushort>(input), MemoryMarshal.Cast<T, ushort>(filter),
                MemoryMarshal.Cast<T, ushort>(output), geometry, isa);
    }
}
