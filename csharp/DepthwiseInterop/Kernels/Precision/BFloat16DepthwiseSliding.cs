using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Depthwise;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 NCHW depthwise 3x3 at stride 1 on rows wider than 16 columns, on the AVX-512 tier: the float32 tiles of
/// DepthwiseNchwKernel.Stride1Sliding.cs reading and writing bfloat16 in place. A load of sixteen columns is one
/// 256-bit load widened to float32 (one <c>vpermt2w</c> putting the bits in the upper half of each lane), a store
/// rounds each sum once to nearest even; the filter is widened to float32 once per call. The sums are float32's on
/// the widened inputs, so each output is that of the float32 kernel rounded once. Its work items are the float32
/// kernel's. (The 256-bit planar bfloat16 kernel, BFloat16DepthwisePlanar, took 1.6x float32's time on 56x56x144 once
/// float32 ran on these tiles.)
/// </summary>
internal static unsafe class BFloat16DepthwiseSliding
{
    /// <summary>Whether this kernel computes the problem on the tier <paramref name="isa"/>.</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        isa >= VectorIsa.Avx512 && Avx512BW.VL.IsSupported && Vector512.IsHardwareAccelerated
        && g.Kind == ConvolutionKind.DepthwiseConv2D && g.DataFormat == DataFormat.NCHW
        && g.OutputWidth > 16 && DepthwiseNchwKernel.TakesStride1Sliding<Vector512<float>, float>(g);

    private struct Job
    {
        public ushort* Input, Output;
        public float* Filter;
        public ConvolutionGeometry Geometry;
    }

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g)
    {
        int weights = checked((int)g.FilterElementCount);
        float[] widened = ArrayPool<float>.Shared.Rent(weights);
        try
        {
            BFloat16Format.ToSingle(new ReadOnlySpan<ushort>(filter, weights), widened.AsSpan(0, weights));
            long items = DepthwiseNchwKernel.WorkItems(g, Vector512<float>.Count, sizeof(float));
            int threads = g.OutputElementCount * g.FilterHeight * g.FilterWidth < NhwcRowBands.DepthwiseParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
            fixed (float* widenedPointer = widened)
            {
                var job = new Job { Input = input, Output = output, Filter = widenedPointer, Geometry = g };
                WorkerPool.Shared.For(items, threads, &RunItems, &job);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(widened);
        }
    }

    private static void RunItems(void* context, long firstItem, long endItem)
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        DepthwiseNchwKernel.RunBFloat16SlidingItems(job.Input, job.Filter, job.Output, job.Geometry, firstItem, endItem);
    }
}
