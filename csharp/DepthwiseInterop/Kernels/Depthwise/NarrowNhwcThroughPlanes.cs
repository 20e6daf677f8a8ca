using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// NHWC depthwise with fewer output channels (C × M) than a 128-bit vector holds, such as a filter over a grayscale
/// or RGB image: the NHWC kernels vectorise along channels and cannot take it, so it runs on the planar kernel, which
/// vectorises along W. Layout: the input goes to NCHW in a scratch (none for one channel, whose NHWC and NCHW layouts
/// are the same bytes), the planar kernel computes NCHW output planes, and these are interleaved back into the NHWC
/// output (none for one output channel). The planar kernel adds each output's taps in the reference's order, as the
/// NHWC kernels do. Before, these problems fell back to the scalar reference (C harness, 1 thread, NHWC beside the same
/// problem in NCHW): 224x224x1 3x3 took 2.0 ms against 7.8 µs in NCHW, now 5.7 µs; 224x224x3 5.6 ms, now 54 µs, of
/// which the copies are two thirds (the NCHW problem takes 16-18 µs; the copies of two or three channels are 512-bit
/// permutes, see BlockTranspose); 224x224x1 M = 2 4.1 ms, now 17 µs. From four output channels the NHWC kernels take
/// the problem on 128- or 256-bit vectors; sending 4 to 15 channels through the planes as well took 0.98-1.63x their
/// time (224x224 with 4, 5 and 8 channels, 112x112 with 9 and 12, 56x56 with 8 and 15, 28x28 with 12; both builds in
/// one process), the copies costing more than the planar kernel saves.
/// </summary>
internal static class NarrowNhwcThroughPlanes
{
    /// <summary>Whether the problem is NHWC with fewer output channels than a 128-bit vector of <typeparamref name="T"/>.</summary>
    public static bool Applies<T>(in ConvolutionGeometry g) where T : unmanaged =>
        g.DataFormat == DataFormat.NHWC && g.OutputChannels < Vector128<T>.Count;

    /// <summary>
    /// Computes the problem through NCHW, or returns false, writing nothing, where the planar kernel would not take
    /// it (the caller's other paths then do) or a scratch would be larger than an array.
    /// </summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, Simd.VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planar = g with { DataFormat = DataFormat.NCHW };
        long inputElements = g.InputElementCount, outputElements = g.OutputElementCount;
        if (inputElements == 0 || outputElements == 0 || inputElements > Array.MaxLength || outputElements > Array.MaxLength
            || !FastDepthwiseConvolution.TakesPlanar<T>(planar))
            return false;
        bool copyInput = g.InputChannels > 1, copyOutput = g.OutputChannels > 1;
        T[]? inputScratch = copyInput ? ArrayPool<T>.Shared.Rent((int)inputElements) : null;
        T[]? outputScratch = copyOutput ? ArrayPool<T>.Shared.Rent((int)outputElements) : null;
        try
        {
            ReadOnlySpan<T> planarInput = input;
            if (inputScratch is not null)
            {
                LayoutConversion.ToPlanar(ref MemoryMarshal.GetReference(input), ref inputScratch[0], (nint)g.Batch,
                    (nint)(g.InputHeight * g.InputWidth), (nint)g.InputChannels);
                planarInput = inputScratch.AsSpan(0, (int)inputElements);
            }
            Span<T> planarOutput = outputScratch is null ? output : outputScratch.AsSpan(0, (int)outputElements);
            if (!FastDepthwiseConvolution.TryRun(planarInput, filter, planarOutput, planar, isa)) return false;
            if (outputScratch is not null)
                LayoutConversion.ToInterleavedRepeated(ref outputScratch[0], ref MemoryMarshal.GetReference(output), (nint)g.Batch,
                    (nint)(g.OutputHeight * g.OutputWidth), (nint)g.OutputChannels, repeat: 1, sourcePlanar: true);
            return true;
        }
        finally
        {
            if (inputScratch is not null) ArrayPool<T>.Shared.Return(inputScratch);
            if (outputScratch is not null) ArrayPool<T>.Shared.Return(outputScratch);
        }
    }
}
