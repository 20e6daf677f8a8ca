using System.Numerics;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Native;

/// <summary>
/// Run-time instruction-set dispatch. This library is compiled for baseline x86-64 (128-bit vectors), so it
/// loads and computes on any x86-64 CPU. Beside it ship the same kernels compiled for x86-64-v3 (256-bit)
/// and x86-64-v4 (512-bit): at load time the widest variant that the CPU supports, that the cap
/// DEPTHWISE_INTEROP_MAX_ISA allows, and that is present beside this file is loaded, and validated problems
/// are handed to it. Without a variant, the kernels in this library run.
/// </summary>
internal static unsafe class KernelVariant
{
    private const uint ExpectedKernelAbi = 2;

    private static readonly delegate* unmanaged<int, void*, void*, void*, ConvolutionGeometry*, int> s_run;
    private static readonly delegate* unmanaged<int, void> s_setThreads;
    private static readonly delegate* unmanaged<int> s_isa;

    /// <summary>Path of the loaded variant, or null.</summary>
    public static string? LoadedPath { get; }

    static KernelVariant()
    {
        var cap = VectorIsaSelection.ParseCap(Environment.GetEnvironmentVariable(VectorIsaSelection.CapVariable));
        string? directory = Path.GetDirectoryName(OwnPath());
        if (directory is null) return;
        foreach (var (isa, supported, file) in new[]
                 {
                     (VectorIsa.Avx512, CpuFeatures.HasX86_64V4, "libdepthwise_interop_avx512.so"),
                     (VectorIsa.Avx2, CpuFeatures.HasX86_64V3, "libdepthwise_interop_avx2.so"),
                 })
        {
            string path = Path.Combine(directory, file);
            if (cap < isa || !supported || !File.Exists(path) || !NativeLibrary.TryLoad(path, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "dik_abi_version", out nint abi)
                || ((delegate* unmanaged<uint>)abi)() != ExpectedKernelAbi
                || !NativeLibrary.TryGetExport(handle, "dik_geometry_size", out nint size)
                || ((delegate* unmanaged<uint>)size)() != (uint)sizeof(ConvolutionGeometry)
                || !NativeLibrary.TryGetExport(handle, "dik_run", out nint run)
                || !NativeLibrary.TryGetExport(handle, "dik_set_num_threads", out nint setThreads)
                || !NativeLibrary.TryGetExport(handle, "dik_isa", out nint isaExport))
                continue;
            s_run = (delegate* unmanaged<int, void*, void*, void*, ConvolutionGeometry*, int>)run;
            s_setThreads = (delegate* unmanaged<int, void>)setThreads;
            s_isa = (delegate* unmanaged<int>)isaExport;
            LoadedPath = path;
            s_setThreads(ComputeSettings.ThreadCount);
            return;
        }
    }

    public static bool IsLoaded => s_run != null;

    /// <summary>The tier that computes: the variant's, else this library's.</summary>
    public static VectorIsa Isa => IsLoaded ? (VectorIsa)s_isa() : ComputeSettings.Isa;

    public static void SetThreadCount(int threads)
    {
        ComputeSettings.ThreadCount = threads;
        if (IsLoaded) s_setThreads(threads);
    }

    /// <summary>Runs a validated, non-empty problem in the variant.</summary>
    public static void Run<T>(int dtype, ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, ConvolutionGeometry geometry)
        where T : unmanaged
    {
        int code;
        fixed (T* inputPointer = input)
        fixed (T* filterPointer = filter)
        fixed (T* outputPointer = output)
            code = s_run(dtype, inputPointer, filterPointer, outputPointer, &geometry);
        if (code == 3) throw new OutOfMemoryException("the kernel could not allocate its scratch memory");
        if (code != 0) throw new InvalidOperationException($"kernel variant {LoadedPath} failed with code {code}");
    }

    /// <summary>This library's own file, found with dladdr on one of its functions.</summary>
    private static string? OwnPath()
    {
        if (!NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "dladdr", out nint dladdr)) return null;
        DlInfo info;
        nint self = (nint)(delegate* unmanaged<uint>)&InfoExports.AbiVersion;
        if (((delegate* unmanaged<nint, DlInfo*, int>)dladdr)(self, &info) == 0 || info.FileName == 0) return null;
        return Marshal.PtrToStringUTF8(info.FileName);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public nint FileName;
        public nint FileBase;
        public nint SymbolName;
        public nint SymbolAddress;
    }
}
