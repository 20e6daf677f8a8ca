using System.Runtime.InteropServices;
using System.Text;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Native;

/// <summary>Exports that describe the library and its errors.</summary>
internal static unsafe class InfoExports
{
    private static readonly byte* s_version = Utf8Constant(LibraryInfo.Version);

    [UnmanagedCallersOnly(EntryPoint = "di_abi_version")]
    public static uint AbiVersion() => LibraryInfo.AbiVersion;

    [UnmanagedCallersOnly(EntryPoint = "di_version_string")]
    public static byte* VersionString() => s_version;

    [UnmanagedCallersOnly(EntryPoint = "di_last_error_message")]
    public static byte* LastErrorMessage() => LastError.Pointer;

    [UnmanagedCallersOnly(EntryPoint = "di_status_string")]
    public static byte* StatusString(int status)
    {
        ReadOnlySpan<byte> name = (Status)status switch
        {
            Status.Ok => "DI_STATUS_OK\0"u8,
            Status.InvalidArgument => "DI_STATUS_INVALID_ARGUMENT\0"u8,
            Status.Unimplemented => "DI_STATUS_UNIMPLEMENTED\0"u8,
            Status.InvalidDtype => "DI_STATUS_INVALID_DTYPE\0"u8,
            Status.OutOfMemory => "DI_STATUS_OUT_OF_MEMORY\0"u8,
            Status.Internal => "DI_STATUS_INTERNAL\0"u8,
            _ => "DI_STATUS_UNKNOWN\0"u8,
        };
        fixed (byte* pointer = name) return pointer; // u8 literals live in read-only data and never move
    }

    [UnmanagedCallersOnly(EntryPoint = "di_set_num_threads")]
    public static int SetNumThreads(int threads)
    {
        KernelVariant.SetThreadCount(threads);
        return (int)Status.Ok;
    }

    [UnmanagedCallersOnly(EntryPoint = "di_get_num_threads")]
    public static int GetNumThreads() => ComputeSettings.ThreadCount;

    [UnmanagedCallersOnly(EntryPoint = "di_cpu_isa")]
    public static byte* CpuIsa() => s_isa;

    private static readonly byte* s_isa = Utf8Constant(VectorIsaSelection.Name(KernelVariant.Isa));

    /// <summary>A NUL-terminated copy that lives as long as the process.</summary>
    private static byte* Utf8Constant(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        byte* copy = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(copy, length));
        copy[length] = 0;
        return copy;
    }
}
