using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Runs a depthwise convolution on the SIMD kernel: brings the input to NHWC with the channel multiplier
/// folded in (an NCHW input is transposed, and with M > 1 each input channel is repeated M times, so that
/// the filter <c>[KH, KW, C, M]</c> reads as <c>[KH, KW, C*M]</c> and the kernel sees multiplier 1), runs
/// the kernel over output rows, and transposes the output back for NCHW. Scratch buffers come from the
/// shared array pool.
/// </summary>
internal static class FastDepthwiseConvolution
{
    /// <summary>Computes the problem if a vector width of the selected tier fits its channels; false otherwise.</summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long channels = g.OutputChannels; // C * M
        // Blocks near the padding copy their input window (filter rows × block columns × channels) to
        // scratch; windows that large (huge dilations or strides) are left to the reference.
        long windowColumns = 7 * g.StrideWidth + (g.FilterWidth - 1) * g.DilationWidth + 1;
        if (windowColumns > 1 << 20 || g.FilterHeight * windowColumns > (1 << 24) / Math.Max(channels, 1)) return false;
        // The kernel runs on raw Vector128/256/512 (see RawVector for why not wrapper structs).
        if (isa >= VectorIsa.Avx512 && channels >= Vector512<T>.Count && Vector512.IsHardwareAccelerated)
            Run<Vector512<T>, T>(input, filter, output, g);
        else if (isa >= VectorIsa.Avx2 && channels >= Vector256<T>.Count && Vector256.IsHardwareAccelerated)
            Run<Vector256<T>, T>(input, filter, output, g);
        else if (isa >= VectorIsa.Sse2 && channels >= Vector128<T>.Count && Vector128.IsHardwareAccelerated)
            Run<Vector128<T>, T>(input, filter, output, g);
        else
            return false;
        return true;
    }

    private static void Run<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        long multiplier = g.OutputChannelsPerGroup;
        bool nchw = g.DataFormat == DataFormat.NCHW;
        var kernelGeometry = g with { InputChannels = g.OutputChannels, DataFormat = DataFormat.NHWC };

        T[]? inputScratch = null, outputScratch = null;
        try
        {
            ReadOnlySpan<T> nhwcInput = input;
            if (nchw || multiplier != 1)
            {
                inputScratch = ArrayPool<T>.Shared.Rent(checked((int)(g.Batch * g.InputHeight * g.InputWidth * g.OutputChannels)));
                LayoutConversion.ToInterleavedRepeated(ref MemoryMarshal.GetReference(input), ref inputScratch[0], (nint)g.Batch,
                    (nint)(g.InputHeight * g.InputWidth), (nint)g.InputChannels, (nint)multiplier, nchw);
                nhwcInput = inputScratch;
            }
            Span<T> nhwcOutput = output;
            if (nchw)
            {
                outputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.OutputElementCount));
                nhwcOutput = outputScratch.AsSpan(0, (int)g.OutputElementCount);
            }

            RunRowsInParallel<TVector, T>(nhwcInput, filter, nhwcOutput, kernelGeometry);

            if (nchw)
            {
                LayoutConversion.ToPlanar(ref MemoryMarshal.GetReference(nhwcOutput), ref MemoryMarshal.GetReference(output), (nint)g.Batch,
                    (nint)(g.OutputHeight * g.OutputWidth), (nint)g.OutputChannels);
            }
        }
        finally
        {
            if (inputScratch is not null) ArrayPool<T>.Shared.Return(inputScratch);
            if (outputScratch is not null) ArrayPool<T>.Shared.Return(outputScratch);
        }
    }

    /// <summary>Below this many multiply-adds a call stays on the caller's thread: waking a worker costs more.</summary>
    private const long ParallelThresholdMacs = 1L << 18;

    private unsafe struct RowJob<T> where T : unmanaged
    {
        public T* Input;
        public T* Filter;
        public T* Output;
        public ConvolutionGeometry Geometry;
    }

    private static unsafe void RunRowsInParallel<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged
    {
        long rows = g.Batch * g.OutputHeight;
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        fixed (T* inputPointer = input)
        fixed (T* filterPointer = filter)
        fixed (T* outputPointer = output)
        {
            var job = new RowJob<T> { Input = inputPointer, Filter = filterPointer, Output = outputPointer, Geometry = g };
            WorkerPool.Shared.For(rows, threads, &RunRows<TVector, T>, &job);
        }
    }

    private static unsafe void RunRows<TVector, T>(void* context, long firstRow, long endRow)
        where TVector : unmanaged where T : unmanaged
    {
        ref RowJob<T> job = ref Unsafe.AsRef<RowJob<T>>(context);
        DepthwiseNhwcKernel.RunRows<TVector, T>(ref *job.Input, ref *job.Filter, ref *job.Output, job.Geometry, firstRow, endRow);
    }
}
