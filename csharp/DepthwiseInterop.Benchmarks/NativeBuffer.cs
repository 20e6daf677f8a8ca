using System.Runtime.InteropServices;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// A zeroed tensor buffer in native memory starting on a 64-byte (cache line) boundary, as TensorFlow's and
/// ONNX Runtime's CPU allocators give. A pinned managed array starts at an arbitrary multiple of 8 bytes that
/// changes from process to process, so the kernels' 32-byte loads and stores straddle cache lines a varying
/// share of the time: up to 25% on a 3x3 depthwise call, noise rather than a property of the kernel.
/// No finalizer: its owner (<see cref="TensorData"/>, a runner) disposes it.
/// </summary>
public sealed unsafe class NativeBuffer<T> : IDisposable where T : unmanaged
{
    private T* pointer;

    public NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        pointer = (T*)NativeMemory.AlignedAlloc((nuint)Bytes, NativeBuffer.Alignment);
        Span.Clear();
    }

    public int Length { get; }

    public long Bytes => (long)Length * sizeof(T);

    public T* Pointer => pointer != null ? pointer : throw new ObjectDisposedException(nameof(NativeBuffer<T>));

    public Span<T> Span => new(Pointer, Length);

    public void Dispose()
    {
        if (pointer == null) return;
        NativeMemory.AlignedFree(pointer);
        pointer = null;
    }
}

/// <summary>What every <see cref="NativeBuffer{T}"/> shares.</summary>
public static class NativeBuffer
{
    /// <summary>The boundary every tensor buffer starts on: a cache line, TensorFlow's and ONNX Runtime's CPU allocators' alignment.</summary>
    public const int Alignment = 64;
}
