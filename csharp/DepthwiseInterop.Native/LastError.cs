using System.Runtime.InteropServices;
using System.Text;

namespace DepthwiseInterop.Native;

/// <summary>
/// The calling thread's last error message, a NUL-terminated UTF-8 string in native memory, so that the
/// pointer handed to C stays valid until the next failure on the same thread. Every buffer is registered
/// with its owning thread; when a thread first needs a buffer, the buffers of threads that have exited are
/// freed, so that programs that start and end many threads do not accumulate them.
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic] private static byte* s_message;
    [ThreadStatic] private static int s_capacity;

    private static readonly Lock s_registryLock = new();
    private static readonly List<(Thread Owner, nint Buffer)> s_registry = [];

    public static byte* Pointer
    {
        get
        {
            if (s_message != null) return s_message;
            fixed (byte* empty = "\0"u8) return empty; // a literal in the image's read-only data: never moves
        }
    }

    public static Status Set(Status status, string message)
    {
        int length = Encoding.UTF8.GetByteCount(message);
        if (length + 1 > s_capacity && !Grow(length + 1)) return status; // keep the old message rather than fail while reporting
        Encoding.UTF8.GetBytes(message, new Span<byte>(s_message, length));
        s_message[length] = 0;
        return status;
    }

    private static bool Grow(int needed)
    {
        int capacity = Math.Max(needed, 512);
        byte* buffer = (byte*)NativeMemory.Alloc((nuint)capacity);
        if (buffer == null) return false;
        var current = Thread.CurrentThread;
        lock (s_registryLock)
        {
            if (s_message == null)
            {
                // A thread's first buffer: reclaim those of threads that have ended.
                for (int i = s_registry.Count - 1; i >= 0; i--)
                {
                    if (s_registry[i].Owner.IsAlive) continue;
                    NativeMemory.Free((void*)s_registry[i].Buffer);
                    s_registry.RemoveAt(i);
                }
                s_registry.Add((current, (nint)buffer));
            }
            else
            {
                int index = s_registry.FindIndex(entry => entry.Buffer == (nint)s_message);
                s_registry[index] = (current, (nint)buffer);
                NativeMemory.Free(s_message);
            }
        }
        s_message = buffer;
        s_capacity = capacity;
        return true;
    }
}
