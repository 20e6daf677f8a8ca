using System.Buffers;
using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// An NCHW depthwise problem in 16 bits, block of channels by block of channels: a work item of the thread
/// pool is some consecutive input channels of one image, whose input planes and output planes (M per channel)
/// are contiguous. The item widens its input planes into a float32 buffer of about
/// <see cref="ReducedPrecisionJob.BandInputElements"/> elements, copies its channels' filter taps, runs the
/// float32 kernel on the block as a problem of its own and narrows its output planes, so each thread converts
/// what it computes while it is in its cache. Blocks are whole multiples of <see cref="ChannelGranule"/>
/// channels (or all of them) so that the float32 dispatcher picks the same kernel for a block as for the whole
/// problem (it looks at whether the channels fill a vector); every channel's output is computed alone, so a
/// block gives the whole problem's bits.
/// </summary>
internal static unsafe class NchwChannelBlocks
{
    /// <summary>The widest vector's float lanes (AVX-512).</summary>
    internal const long ChannelGranule = 16;
    private const long ParallelThresholdMacs = 1L << 18;

    public static void Run<TFormat>(ref ReducedPrecisionJob job) where TFormat : IReducedPrecisionFormat
    {
        ref readonly var g = ref job.Geometry;
        long plane = Math.Max(1, g.InputHeight * g.InputWidth);
        long channels = job.BandInputElements / plane / ChannelGranule * ChannelGranule;
        job.BandSize = Math.Clamp(channels, Math.Min(ChannelGranule, g.InputChannels), g.InputChannels);
        job.BandsPerImage = (g.InputChannels + job.BandSize - 1) / job.BandSize;
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        WorkerPool.Shared.For(g.Batch * job.BandsPerImage, threads, &RunBlocks<TFormat>, Unsafe.AsPointer(ref job));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlocks<TFormat>(void* context, long firstItem, long endItem) where TFormat : IReducedPrecisionFormat
    {
        ref ReducedPrecisionJob job = ref Unsafe.AsRef<ReducedPrecisionJob>(context);
        ref readonly var g = ref job.Geometry;
        long multiplier = g.OutputChannelsPerGroup;
        long inputPlane = g.InputHeight * g.InputWidth;
        long outputPlanes = multiplier * g.OutputHeight * g.OutputWidth; // per input channel
        long taps = g.FilterHeight * g.FilterWidth;
        long blockChannels = job.BandSize;
        float[] input = ArrayPool<float>.Shared.Rent(checked((int)(blockChannels * inputPlane)));
        float[] output = ArrayPool<float>.Shared.Rent(checked((int)(blockChannels * outputPlanes)));
        float[] filter = ArrayPool<float>.Shared.Rent(checked((int)(taps * blockChannels * multiplier)));
        try
        {
            for (long item = firstItem; item < endItem; item++)
            {
                long image = item / job.BandsPerImage;
                long firstChannel = item % job.BandsPerImage * blockChannels;
                long count = Math.Min(blockChannels, g.InputChannels - firstChannel);
                var block = g with
                {
                    Batch = 1,
                    InputChannels = count,
                    OutputChannels = count * multiplier,
                    Groups = count,
                    InputElementCount = count * inputPlane,
                    OutputElementCount = count * outputPlanes,
                    FilterElementCount = taps * count * multiplier,
                };
                var blockInput = input.AsSpan(0, (int)block.InputElementCount);
                TFormat.ToSingle(new ReadOnlySpan<ushort>(job.Input + (image * g.InputChannels + firstChannel) * inputPlane, blockInput.Length), blockInput);
                // Filter [KH, KW, C, M]: the block's channels are a run of C * M within each tap.
                for (long tap = 0; tap < taps; tap++)
                {
                    new ReadOnlySpan<float>(job.Filter + (tap * g.InputChannels + firstChannel) * multiplier, (int)(count * multiplier))
                        .CopyTo(filter.AsSpan((int)(tap * count * multiplier)));
                }
                var blockOutput = output.AsSpan(0, (int)block.OutputElementCount);
                ConvolutionDispatcher.Run<float>(blockInput, filter.AsSpan(0, (int)block.FilterElementCount), blockOutput, block, job.Isa);
                TFormat.FromSingle(blockOutput, new Span<ushort>(job.Output + (image * g.InputChannels + firstChannel) * outputPlanes, blockOutput.Length));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(output);
            ArrayPool<float>.Shared.Return(filter);
        }
    }
}
