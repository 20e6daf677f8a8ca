namespace DepthwiseInterop.Native;

/// <summary>
/// Turns an exception into a status and a message. Every export catches everything: an exception that
/// escapes an UnmanagedCallersOnly method aborts the host process.
/// </summary>
internal static class ExceptionBoundary
{
    public static int ToStatus(Exception exception)
    {
        var status = exception switch
        {
            ConvolutionArgumentException or ArgumentException => Status.InvalidArgument,
            ConvolutionNotSupportedException or NotSupportedException => Status.Unimplemented,
            OutOfMemoryException or InsufficientExecutionStackException => Status.OutOfMemory,
            _ => Status.Internal,
        };
        string message = status == Status.Internal
            ? $"internal error ({exception.GetType().Name}): {exception.Message}"
            : exception.Message;
        return (int)LastError.Set(status, message);
    }

    public static int Fail(Status status, string message) => (int)LastError.Set(status, message);
}
