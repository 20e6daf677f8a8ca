using System.Numerics;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Separable;

namespace DepthwiseInterop.Native.Kernels;

/// <summary>
/// The internal ABI of a kernel variant: the same kernels as the main library, compiled for a wider
/// instruction set. libdepthwise_interop loads a variant only when the CPU has that instruction set, and
/// calls it only with problems it has already validated; nothing here validates or is public.
/// </summary>
internal static unsafe class KernelExports
{
    /// <summary>Bumped with any change of these signatures or of <see cref="ConvolutionGeometry"/>'s layout.</summary>
    public const uint KernelAbiVersion = 2;

    [UnmanagedCallersOnly(EntryPoint = "dik_abi_version")]
    public static uint AbiVersion() => KernelAbiVersion;

    [UnmanagedCallersOnly(EntryPoint = "dik_geometry_size")]
    public static uint GeometrySize() => (uint)sizeof(ConvolutionGeometry);

    [UnmanagedCallersOnly(EntryPoint = "dik_isa")]
    public static int Isa() => (int)ComputeSettings.Isa;

    [UnmanagedCallersOnly(EntryPoint = "dik_set_num_threads")]
    public static void SetNumThreads(int threads) => ComputeSettings.ThreadCount = threads;

    /// <summary>Runs a validated problem; 0 on success, else a non-zero code (the caller reports an internal error).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dik_run")]
    public static int Run(int dtype, void* input, void* filter, void* output, ConvolutionGeometry* geometry)
    {
        var run = new OpRun { Input = input, Filter = filter, Output = output, Geometry = geometry };
        return Guarded(dtype, ref run);
    }

    /// <summary>Runs a validated separable problem (the caller has checked the size limits); codes as for dik_run.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dik_run_separable")]
    public static int RunSeparable(int dtype, void* input, void* depthwiseFilter, void* pointwiseFilter, void* output, SeparableConvolutionGeometry* geometry)
    {
        var run = new SeparableRun { Input = input, DepthwiseFilter = depthwiseFilter, PointwiseFilter = pointwiseFilter, Output = output, Geometry = geometry };
        return Guarded(dtype, ref run);
    }

    /// <summary>0 on success, 2 for an unknown type code, 3 when out of memory, 1 for any other failure.</summary>
    private static int Guarded<TRun>(int dtype, ref TRun run) where TRun : struct, IElementTypeAction
    {
        try
        {
            return ElementTypes.TryInvoke(dtype, ref run) ? 0 : 2;
        }
        catch (OutOfMemoryException)
        {
            return 3;
        }
        catch (Exception)
        {
            return 1;
        }
    }

    private struct OpRun : IElementTypeAction
    {
        public void* Input, Filter, Output;
        public ConvolutionGeometry* Geometry;

        public readonly void Invoke<T>() where T : unmanaged =>
            ConvolutionDispatcher.Run(
                new ReadOnlySpan<T>(Input, (int)Geometry->InputElementCount),
                new ReadOnlySpan<T>(Filter, (int)Geometry->FilterElementCount),
                new Span<T>(Output, (int)Geometry->OutputElementCount), *Geometry);
    }

    private struct SeparableRun : IElementTypeAction
    {
        public void* Input, DepthwiseFilter, PointwiseFilter, Output;
        public SeparableConvolutionGeometry* Geometry;

        public readonly void Invoke<T>() where T : unmanaged =>
            SeparableDispatcher.Run(
                new ReadOnlySpan<T>(Input, (int)Geometry->InputElementCount),
                new ReadOnlySpan<T>(DepthwiseFilter, (int)Geometry->DepthwiseFilterElementCount),
                new ReadOnlySpan<T>(PointwiseFilter, (int)Geometry->PointwiseFilterElementCount),
                new Span<T>(Output, (int)Geometry->OutputElementCount), *Geometry);
    }
}
