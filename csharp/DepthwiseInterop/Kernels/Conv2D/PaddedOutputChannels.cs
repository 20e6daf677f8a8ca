using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// conv2d whose groups have fewer output channels than a 128-bit vector holds (a last layer to one or three channels,
/// a mask, an RGB image): the kernel vectorises along a group's output channels, so such problems fell back to the
/// scalar reference. Layout: the filter <c>[KH, KW, C / groups, O]</c> is widened to <c>P = Vector128&lt;T&gt;.Count</c>
/// output channels per group, the added ones all-zero filters (group g's channel j goes to g·P + j), the problem runs on
/// the SIMD kernel at that width into a scratch output, and each group's real channels are copied to the output (NHWC
/// per pixel, NCHW plane by plane). The kernel sums each output over its taps and input channels in an order that
/// does not depend on the other output channels, so the zero channels change nothing in the real ones, for any thread
/// count. Before, these ran at the reference's 1 GFLOP/s (C harness, 1 thread, 50 calls a process, process start
/// included): 224x224x64->3 3x3 159 ms a call, now 7.6 ms; 224x224x3->3 14 ms, now under 1 ms.
/// </summary>
internal static class PaddedOutputChannels
{
    /// <summary>Whether the problem's groups have at least one and fewer than a 128-bit vector of output channels.</summary>
    public static bool Applies<T>(in ConvolutionGeometry g) where T : unmanaged =>
        g.OutputChannelsPerGroup is > 0 and var perGroup && perGroup < Vector128<T>.Count;

    /// <summary>Computes the problem on widened filters, or returns false, writing nothing, where the kernel would not take them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long perGroup = g.OutputChannelsPerGroup, padded = Vector128<T>.Count, groups = g.Groups;
        long filterRows = g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup, pixels = g.Batch * g.OutputHeight * g.OutputWidth;
        var wide = g with
        {
            OutputChannels = groups * padded,
            FilterElementCount = filterRows * groups * padded,
            OutputElementCount = pixels * groups * padded,
        };
        if (g.OutputElementCount == 0 || wide.FilterElementCount > Array.MaxLength || wide.OutputElementCount > Array.MaxLength
            || FastConv2D.VectorBytes<T>(wide, isa) == 0)
            return false;
        T[] wideFilter = ArrayPool<T>.Shared.Rent((int)wide.FilterElementCount);
        T[] wideOutput = ArrayPool<T>.Shared.Rent((int)wide.OutputElementCount);
        try
        {
            var widened = wideFilter.AsSpan(0, (int)wide.FilterElementCount);
            widened.Clear();
            long outputs = g.OutputChannels, wideOutputs = wide.OutputChannels;
            for (long row = 0; row < filterRows; row++)
                for (long group = 0; group < groups; group++)
                    filter.Slice((int)(row * outputs + group * perGroup), (int)perGroup)
                        .CopyTo(widened.Slice((int)(row * wideOutputs + group * padded)));
            var computed = wideOutput.AsSpan(0, (int)wide.OutputElementCount);
            if (!FastConv2D.TryRun<T>(input, widened, computed, wide, isa)) return false;
            if (g.DataFormat == DataFormat.NCHW)
            {
                long plane = g.OutputHeight * g.OutputWidth;
                for (long image = 0; image < g.Batch; image++)
                    for (long group = 0; group < groups; group++)
                        computed.Slice((int)((image * wideOutputs + group * padded) * plane), (int)(perGroup * plane))
                            .CopyTo(output.Slice((int)((image * outputs + group * perGroup) * plane)));
            }
            else
            {
                // Element by element: a copy call per pixel cost more than the convolution of a 3-channel layer.
                ref T from = ref MemoryMarshal.GetReference(computed);
                ref T to = ref MemoryMarshal.GetReference(output);
                nint perGroupN = (nint)perGroup, paddedN = (nint)padded;
                for (long pixelGroup = 0; pixelGroup < pixels * groups; pixelGroup++)
                {
                    for (nint j = 0; j < perGroupN; j++) Unsafe.Add(ref to, j) = Unsafe.Add(ref from, j);
                    from = ref Unsafe.Add(ref from, paddedN);
                    to = ref Unsafe.Add(ref to, perGroupN);
                }
            }
            return true;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(wideFilter);
            ArrayPool<T>.Shared.Return(wideOutput);
        }
    }
}
