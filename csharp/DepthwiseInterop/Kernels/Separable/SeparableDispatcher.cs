using System.Buffers;

namespace DepthwiseInterop.Kernels.Separable;

/// <summary>
/// Runs a validated separable problem: fused in bands of rows where <see cref="KernelBandFusion"/> (float and
/// double on the SIMD kernels) or else <see cref="FusedSeparableConvolution"/> takes it, otherwise the depthwise stage into a pooled intermediate and then the pointwise stage. Both give
/// the bits of the two ops called one after the other (the intermediate is rounded to the element type).
/// </summary>
internal static class SeparableDispatcher
{
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<T> pointwiseFilter, Span<T> output,
        in SeparableConvolutionGeometry geometry) where T : unmanaged =>
        Run(input, depthwiseFilter, pointwiseFilter, output, geometry, Simd.VectorIsaSelection.Selected);

    /// <summary>The same with an explicit tier, and the fused path allowed or not (tests compare both).</summary>
    public static void Run<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<T> pointwiseFilter, Span<T> output,
        in SeparableConvolutionGeometry geometry, Simd.VectorIsa isa, bool allowFused = true) where T : unmanaged
    {
        if (geometry.OutputElementCount == 0) return;
        RequireSupportedIntermediate(geometry);
        if (allowFused && KernelBandFusion.TryRun(input, depthwiseFilter, pointwiseFilter, output, geometry, isa)) return;
        if (allowFused && FusedSeparableConvolution.TryRun(input, depthwiseFilter, pointwiseFilter, output, geometry, isa)) return;
        RunInTwoStages(input, depthwiseFilter, pointwiseFilter, output, geometry, isa);
    }

    /// <summary>The unfused path holds the intermediate in one array; the limit applies to both paths alike.</summary>
    public static void RequireSupportedIntermediate(in SeparableConvolutionGeometry geometry)
    {
        if (geometry.IntermediateElementCount > Array.MaxLength)
            throw new ConvolutionNotSupportedException(
                $"the depthwise stage's output has {geometry.IntermediateElementCount} elements: at most {Array.MaxLength} elements per tensor are supported");
    }

    private static void RunInTwoStages<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<T> pointwiseFilter, Span<T> output,
        in SeparableConvolutionGeometry geometry, Simd.VectorIsa isa) where T : unmanaged
    {
        long intermediateCount = geometry.IntermediateElementCount;
        T[] rented = ArrayPool<T>.Shared.Rent((int)intermediateCount);
        try
        {
            var intermediate = rented.AsSpan(0, (int)intermediateCount);
            Stage(input, depthwiseFilter, intermediate, geometry.Depthwise, isa);
            Stage(intermediate, pointwiseFilter, output, geometry.Pointwise, isa);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }

        // The rules of a single op call: nothing to compute, or only padding to convolve (zeros, without
        // reading the tensors, as TensorFlow does).
        static void Stage(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry stage, Simd.VectorIsa isa)
        {
            if (stage.OutputElementCount == 0) return;
            if (stage.InputElementCount == 0) output.Clear();
            else ConvolutionDispatcher.Run(input, filter, output, stage, isa);
        }
    }
}
