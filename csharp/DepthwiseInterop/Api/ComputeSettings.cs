using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop;

/// <summary>Process-wide settings of the kernels: thread count and the vector tier in use.</summary>
public static class ComputeSettings
{
    /// <summary>
    /// Threads one call may use, the caller's included (default: <c>DEPTHWISE_INTEROP_NUM_THREADS</c>, else the
    /// processor count). Setting 0 or less restores the default. Results do not depend on it.
    /// </summary>
    public static int ThreadCount
    {
        get => WorkerPool.ThreadCount;
        set => WorkerPool.ThreadCount = value;
    }

    /// <summary>The vector tier the kernels use (capped by <c>DEPTHWISE_INTEROP_MAX_ISA</c>).</summary>
    public static VectorIsa Isa => VectorIsaSelection.Selected;

    /// <summary>Name of <see cref="Isa"/>: <c>avx512</c>, <c>avx2</c>, <c>sse2</c> or <c>scalar</c>.</summary>
    public static string IsaName => VectorIsaSelection.Name(Isa);
}
