using System.Runtime.InteropServices;
using System.Text;

namespace DepthwiseInterop.Native;

/// <summary>
/// The calling thread's last error message, kept as a NUL-terminated UTF-8 string in native memory so that
/// the pointer handed to C stays valid until the next failure on the same thread.
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic] private static byte* s_message;
    [ThreadStatic] private static nuint s_capacity;

    public static byte* Pointer => s_message != null ? s_message : Empty;

    private static byte* Empty
    {
        get
        {
            fixed (byte* empty = "\0"u8) return empty; // a literal in the image's read-only data: never moves
        }
    }

    public static Status Set(Status status, string message)
    {
        int length = Encoding.UTF8.GetByteCount(message);
        nuint needed = (nuint)length + 1;
        if (needed > s_capacity)
        {
            byte* grown = (byte*)NativeMemory.Realloc(s_message, needed);
            if (grown == null) return status; // keep the previous message rather than fail while reporting
            s_message = grown;
            s_capacity = needed;
        }
        Encoding.UTF8.GetBytes(message, new Span<byte>(s_message, length));
        s_message[length] = 0;
        return status;
    }
}
