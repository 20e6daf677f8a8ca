using System.Numerics;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels;

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
        try
        {
            if (dtype == 1) Run<float>(input, filter, output, *geometry);
            else if (dtype == 2) Run<double>(input, filter, output, *geometry);
            else if (dtype == 3) Run<Half>(input, filter, output, *geometry);
            else if (dtype == 4) Run<BFloat16>(input, filter, output, *geometry);
            else return 2;
            return 0;
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

    private static void Run<T>(void* input, void* filter, void* output, in ConvolutionGeometry geometry) where T : unmanaged =>
        ConvolutionDispatcher.Run(
            new ReadOnlySpan<T>(input, (int)geometry.InputElementCount),
            new ReadOnlySpan<T>(filter, (int)geometry.FilterElementCount),
            new Span<T>(output, (int)geometry.OutputElementCount), geometry);
}
