using System.Runtime.InteropServices;

namespace DepthwiseInterop.Benchmarks;

/// <summary>di_conv_params of depthwise_interop.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ConvParams
{
    public uint StructSize;
    public int DataFormat;
    public int Padding;
    public int Reserved;
    public fixed long Strides[4];
    public fixed long Dilations[4];
    public fixed long ExplicitPaddings[8];
}

/// <summary>
/// The product path: libdepthwise_interop.so (NativeAOT) through its C ABI. The library is loaded from
/// $DEPTHWISE_INTEROP_LIBRARY, else from build/native/ of the first parent folder that has one.
/// </summary>
internal static unsafe partial class NativeApi
{
    public const string LibraryName = "depthwise_interop";
    public const string PathVariable = "DEPTHWISE_INTEROP_LIBRARY";
    public const string ThreadExport = "di_set_num_threads";
    public const int AbiVersion = 1;
    public const int DtypeFloat32 = 1;
    public const int DtypeFloat16 = 3;
    public const int DtypeBFloat16 = 4;
    public const int FormatNhwc = 0;
    public const int FormatNchw = 1;
    public const int PaddingSame = 1;

    private static readonly object Gate = new();
    private static nint handle;
    private static delegate* unmanaged<int, int> setNumThreads;
    private static delegate* unmanaged<int> getNumThreads;
    private static delegate* unmanaged<byte*> cpuIsa;

    public static string LibraryPath { get; private set; } = "";

    /// <summary>Whether the loaded library exports <c>di_set_num_threads(int32_t)</c>.</summary>
    public static bool HasThreadSetting
    {
        get { EnsureLoaded(); return setNumThreads != null; }
    }

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != 0) return;
            LibraryPath = Locate();
            nint loaded = NativeLibrary.Load(LibraryPath);
            NativeLibrary.SetDllImportResolver(typeof(NativeApi).Assembly,
                (name, _, _) => name == LibraryName ? loaded : 0);
            if (NativeLibrary.TryGetExport(loaded, ThreadExport, out nint export))
                setNumThreads = (delegate* unmanaged<int, int>)export;
            if (NativeLibrary.TryGetExport(loaded, "di_get_num_threads", out export))
                getNumThreads = (delegate* unmanaged<int>)export;
            if (NativeLibrary.TryGetExport(loaded, "di_cpu_isa", out export))
                cpuIsa = (delegate* unmanaged<byte*>)export;
            handle = loaded;
            uint abi = di_abi_version();
            if (abi != AbiVersion)
                throw new InvalidOperationException($"{LibraryPath} has ABI version {abi}; this benchmark speaks {AbiVersion}");
        }
    }

    /// <summary>Sets the library's thread count through <c>di_set_num_threads</c>; false when it has no such export.</summary>
    public static bool TrySetNumThreads(int threads)
    {
        EnsureLoaded();
        if (setNumThreads == null) return false;
        int status = setNumThreads(threads);   // di_status
        if (status != 0)
            throw new InvalidOperationException($"{ThreadExport}({threads}) returned {status}: {LastError()}");
        if (getNumThreads != null && getNumThreads() != threads)
            throw new InvalidOperationException($"{ThreadExport}({threads}) left di_get_num_threads() at {getNumThreads()}");
        return true;
    }

    /// <summary>The vector tier the library's kernels use (di_cpu_isa), or null when it has no such export.</summary>
    public static string? CpuIsa()
    {
        EnsureLoaded();
        return cpuIsa == null ? null : Marshal.PtrToStringUTF8((nint)cpuIsa());
    }

    public static string Version()
    {
        EnsureLoaded();
        return Marshal.PtrToStringUTF8((nint)di_version_string()) ?? "";
    }

    public static string LastError() => Marshal.PtrToStringUTF8((nint)di_last_error_message()) ?? "";

    /// <summary>Throws with the library's message unless <paramref name="status"/> is DI_STATUS_OK.</summary>
    public static void Check(int status, string function)
    {
        if (status != 0)
            throw new InvalidOperationException($"{function} failed with status {status}: {LastError()}");
    }

    private static string Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!File.Exists(fromEnvironment))
                throw new FileNotFoundException($"{PathVariable}={fromEnvironment}: no such file");
            return Path.GetFullPath(fromEnvironment);
        }
        var tried = new List<string>();
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "build", "native", "libdepthwise_interop.so");
                if (File.Exists(candidate)) return candidate;
                tried.Add(candidate);
            }
        }
        throw new FileNotFoundException(
            $"libdepthwise_interop.so not found: set {PathVariable} or run `make native`. Tried:\n  " + string.Join("\n  ", tried));
    }

    [LibraryImport(LibraryName)]
    public static partial uint di_abi_version();

    [LibraryImport(LibraryName)]
    public static partial byte* di_version_string();

    [LibraryImport(LibraryName)]
    public static partial byte* di_last_error_message();

    [LibraryImport(LibraryName)]
    public static partial int di_conv_params_init(ConvParams* parameters);

    [LibraryImport(LibraryName)]
    public static partial int di_depthwise_conv2d(
        int dtype,
        void* input, long inputCount, long* inputShape, int inputRank,
        void* filter, long filterCount, long* filterShape, int filterRank,
        ConvParams* parameters,
        void* output, long outputCount);

    [LibraryImport(LibraryName)]
    public static partial int di_conv2d(
        int dtype,
        void* input, long inputCount, long* inputShape, int inputRank,
        void* filter, long filterCount, long* filterShape, int filterRank,
        ConvParams* parameters,
        void* output, long outputCount);

    [LibraryImport(LibraryName)]
    public static partial int di_separable_conv2d(
        int dtype,
        void* input, long inputCount, long* inputShape, int inputRank,
        void* depthwiseFilter, long depthwiseFilterCount, long* depthwiseFilterShape, int depthwiseFilterRank,
        void* pointwiseFilter, long pointwiseFilterCount, long* pointwiseFilterShape, int pointwiseFilterRank,
        ConvParams* parameters,
        void* output, long outputCount);
}
