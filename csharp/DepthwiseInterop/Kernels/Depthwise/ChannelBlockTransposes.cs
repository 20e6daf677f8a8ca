using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// NCHW depthwise with multiplier 1 on planes too small for the planar kernel: the channels are cut into
/// blocks, and one work item transposes its block of planes to NHWC, runs the NHWC kernel on it and transposes
/// the result back, so a block's data stay in one core's cache from the first copy to the last. (Whole-tensor
/// transposes around a threaded kernel made two threads slower than one on this 2-vCPU VM: every copy read
/// what another core had just written: dw3x3 14x14x576 took 190 µs at 2 threads against 90 at 1; in blocks,
/// 80-105 at 2 threads and 105-110 at 1, where the smaller blocks cost some per-call overhead.) Channels are
/// independent and the NHWC kernel computes each output the same way whatever the channel count, so the split,
/// which follows the thread count, does not change any bit. Measured and not kept (1 thread, side by side, same
/// bits): blocks of a quarter or half this size 1.07-1.82x the time on dw5x5 14x14x672, twice it 1.04 (2 threads
/// 1.03); one vector's worth of planes interleaved into a zero-padded tile that stays in L1, eight pixels per
/// tile, 1.9-2.4x on 3x3 14x14x384, 14x14x576, 7x7x960 and 30x30x64 and 1.17x on the 5x5 (its transposes alone
/// cost what this path does); 5x5 planes read in place like the 3x3 ones (DepthwiseNchwKernel.Stride1InPlace.cs:
/// groups of seven rows, a filter row's five weights in registers, masked loads only at the edges, or a padded
/// copy of the plane) 0.90-1.15x this path's time, so no nearer the NHWC kernel's.
/// </summary>
internal static unsafe class ChannelBlockTransposes
{
    /// <summary>Input elements per block, about (with the output block, in L2); at least one block per thread.</summary>
    private const long TargetElements = 1 << 16;
    private const long ParallelThresholdMacs = 1L << 18;

    /// <summary>Whether this path takes the problem: multiplier 1, NCHW, vector transposes, at least a vector of channels.</summary>
    public static bool Supports<T>(in ConvolutionGeometry g, int lanes) =>
        g.DataFormat == DataFormat.NCHW && g.OutputChannelsPerGroup == 1 && g.InputChannels >= lanes && BlockTranspose.IsAccelerated<T>();

    private struct Job
    {
        public void* Input, Filter, Output;
        public ConvolutionGeometry Geometry;
        public long Blocks;
    }

    public static void Run<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged
    {
        // At least a vector of channels per block, for the NHWC kernel. (How many blocks changes no bit.)
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        long wanted = Math.Max(threads, (g.InputChannels * g.InputHeight * g.InputWidth + TargetElements - 1) / TargetElements);
        // A multiple of the threads: three blocks on two threads left one thread idle for a third of the time
        // (dw5x5 14x14x672 at 2 threads: 129 µs, 1.44x the NHWC kernel's time).
        wanted = (wanted + threads - 1) / threads * threads;
        long blocks = Math.Clamp(wanted, 1, g.InputChannels / RawVector.Count<TVector, T>());
        fixed (T* inputPointer = input)
        fixed (T* filterPointer = filter)
        fixed (T* outputPointer = output)
        {
            var job = new Job { Input = inputPointer, Filter = filterPointer, Output = outputPointer, Geometry = g, Blocks = blocks };
            WorkerPool.Shared.For(g.Batch * blocks, threads, &RunBlocks<TVector, T>, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlocks<TVector, T>(void* context, long firstItem, long endItem) where TVector : unmanaged where T : unmanaged
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        var g = job.Geometry;
        long channels = g.InputChannels, taps = g.FilterHeight * g.FilterWidth;
        long inputPlane = g.InputHeight * g.InputWidth, outputPlane = g.OutputHeight * g.OutputWidth;
        long widest = (channels + job.Blocks - 1) / job.Blocks + 1;
        T[] inputBlock = ArrayPool<T>.Shared.Rent(checked((int)(inputPlane * widest)));
        T[] outputBlock = ArrayPool<T>.Shared.Rent(checked((int)(outputPlane * widest)));
        T[] filterBlock = ArrayPool<T>.Shared.Rent(checked((int)(taps * widest)));
        try
        {
            for (long item = firstItem; item < endItem; item++)
            {
                long image = item / job.Blocks, block = item % job.Blocks;
                long first = block * channels / job.Blocks, count = (block + 1) * channels / job.Blocks - first;
                ref T imageInput = ref Unsafe.Add(ref Unsafe.AsRef<T>(job.Input), (nint)((image * channels + first) * inputPlane));
                ref T imageOutput = ref Unsafe.Add(ref Unsafe.AsRef<T>(job.Output), (nint)((image * channels + first) * outputPlane));
                ref T filter = ref Unsafe.AsRef<T>(job.Filter);
                // The block's filter: one contiguous run of its channels per tap.
                for (long t = 0; t < taps; t++)
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref filter, (nint)(t * channels + first)), (int)count)
                        .CopyTo(filterBlock.AsSpan((int)(t * count)));

                BlockTranspose.Transpose(ref imageInput, (nint)count, (nint)inputPlane, ref inputBlock[0]);
                var blockGeometry = g with
                {
                    Batch = 1, DataFormat = DataFormat.NHWC, InputChannels = count, OutputChannels = count, Groups = count,
                    InputElementCount = inputPlane * count, FilterElementCount = taps * count, OutputElementCount = outputPlane * count,
                };
                DepthwiseNhwcKernel.RunRows<TVector, T, RepeatNone>(ref inputBlock[0], ref filterBlock[0], ref outputBlock[0], blockGeometry,
                    0, g.OutputHeight);
                BlockTranspose.Transpose(ref outputBlock[0], (nint)outputPlane, (nint)count, ref imageOutput);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(inputBlock);
            ArrayPool<T>.Shared.Return(outputBlock);
            ArrayPool<T>.Shared.Return(filterBlock);
        }
    }
}
