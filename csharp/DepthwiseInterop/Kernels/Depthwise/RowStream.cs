using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// How NHWC rows meet memory when a call's input and output are too large to stay in the last-level cache (a
/// batch of large images) and a pixel's channels span several cache lines: each unit of output rows (a row or a
/// pair) first reads the input rows it is the first to need, one load per cache line in address order, so they
/// arrive at sequential bandwidth instead of as the scattered misses of a block's channel loop (which walks a
/// few pixels of up to four rows at once, each pixel several lines long); the unit then writes its rows to an
/// L2-resident staging buffer, copied out with non-temporal stores, which skip reading the output lines before
/// overwriting them. The values are the same; only where they are first written changes.
/// Measured (in place ÷ streaming, median of 21 alternated rounds, 3x3 SAME): N8 56x56x144 1.45-1.57 (2 threads
/// 1.37), N4 112x112x96 1.22, N8 112x112x96 stride 2 1.30-1.33 (2 threads 1.33), N32 14x14x384 1.34; each step
/// alone gained only 1.09-1.17 and the staging alone lost (0.91): the kernel must find both its input and its
/// output in L2. Where the hardware prefetchers already keep up, the two extra passes cost: two-line pixels
/// (N8 112x112x32 0.76), N8 80x80x48 0.99, N16 60x60x64 1.06, 5x5 and 7x7 filters (more arithmetic per byte:
/// 1.02-1.08), wide rows whose staging leaves L2 (N16 28x28x576, 128 KB a pair: 1.03), and every call whose
/// data stays in L3. Input plus output bytes, the size that decides: 56x56x144 N1 3.6 MB 0.83, N2 7.2 MB 0.65-0.86,
/// N3 10.8 MB 1.37, N4 14.5 MB 1.67; stride 2 80x80x96 N2 6.1 MB 0.58, N3 9.2 MB 0.74, 112x112x96 N2 12.0 MB
/// 1.30, 160x160x96 N1 12.3 MB 1.32; 56x56x96 N4 9.6 MB 1.09, N5 12.0 MB 1.19 (the 32 MB L3 is shared with other tenants).
/// Measured and not kept: software prefetches instead of the blocking reads (all of the next unit's lines at once
/// 0.72-0.88; spread over the blocks of the unit before 0.80), prefetching a block or two ahead inside the pair loop
/// without staging (N8 1.05-1.09, batch 1 from L3 0.81-0.92), and the same staging for the NCHW planar kernels
/// (0.58-0.83: their plane-by-plane reads and writes are sequential already).
/// </summary>
internal struct RowStream<T> where T : unmanaged
{
    /// <summary>Input plus output bytes of a call from which it streams (the crossover measured here lies between 9.2 and 10.8 MB).</summary>
    internal const long ThresholdBytes = 10L << 20;

    /// <summary>A pixel's input channels span at least this many bytes (six cache lines: 96 floats).</summary>
    private const long PixelBytes = 384;

    /// <summary>Largest staging for a unit's two output rows (a pair of 56 pixels × 144 channels).</summary>
    private const long StagingLimitBytes = 64L << 10;

    /// <summary>Filters taller than this do enough arithmetic per byte for the caches to keep up.</summary>
    private const long TallestFilter = 3;

    /// <summary>Rows per unit at most (a pair).</summary>
    private const int UnitRows = 2;

    private T[]? staging;
    private nint inputRowElements;
    /// <summary>The geometry a unit's input rows follow from.</summary>
    private nint height, outputHeight, strideHeight, padTop, filterSpan;
    /// <summary>Flattened (batch, input row) rows before this one were read by an earlier unit.</summary>
    private nint readEnd;

    /// <summary>Whether a problem of this geometry streams (see the type's summary).</summary>
    internal static unsafe bool Streams(in ConvolutionGeometry g) =>
        (g.InputElementCount + g.OutputElementCount) * sizeof(T) >= ThresholdBytes
        && g.InputChannels * sizeof(T) >= PixelBytes && g.FilterHeight <= TallestFilter
        && UnitRows * g.OutputWidth * g.OutputChannels * sizeof(T) <= StagingLimitBytes;

    /// <summary>The stream of one call of the rows kernel: staging rented when <see cref="Streams"/>, else writing in place.</summary>
    public static RowStream<T> For(in ConvolutionGeometry g)
    {
        if (!Streams(g)) return default;
        return new RowStream<T>
        {
            staging = ArrayPool<T>.Shared.Rent(checked((int)(UnitRows * g.OutputWidth * g.OutputChannels))),
            inputRowElements = (nint)(g.InputWidth * g.InputChannels),
            height = (nint)g.InputHeight, outputHeight = (nint)g.OutputHeight, strideHeight = (nint)g.StrideHeight, padTop = (nint)g.PadTop,
            filterSpan = (nint)((g.FilterHeight - 1) * g.DilationHeight + 1),
            readEnd = -1,
        };
    }

    /// <summary>
    /// Starts a unit of output rows [<paramref name="row"/>, + <paramref name="rows"/>) of the flattened (batch, output
    /// row) space, whose output begins at <paramref name="rowOutput"/>: reads the input rows it needs that no earlier
    /// unit read, and returns where the unit writes.
    /// </summary>
    public ref T Begin(ref T input, ref T rowOutput, nint row, nint rows)
    {
        if (staging is null) return ref rowOutput;
        // The unit's input rows, clipped to its image, as flattened (batch, input row) indices [begin, end).
        nint batch = row / outputHeight, top = row % outputHeight * strideHeight - padTop;
        nint bottom = top + (rows - 1) * strideHeight + filterSpan;
        nint begin = batch * height + Math.Clamp(top, 0, height), end = batch * height + Math.Clamp(bottom, 0, height);
        nint first = Math.Max(begin, readEnd);
        if (first < end)
        {
            ReadLines(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref input, first * inputRowElements)), (end - first) * inputRowElements * Unsafe.SizeOf<T>());
            readEnd = end;
        }
        return ref staging[0];
    }

    /// <summary>Ends the unit: copies its <paramref name="elements"/> staged outputs to <paramref name="rowOutput"/>.</summary>
    public unsafe void End(ref T rowOutput, nint elements)
    {
        if (staging is null) return;
        fixed (T* source = staging)
        fixed (T* destination = &rowOutput)
            CopyNonTemporal((byte*)source, (byte*)destination, elements * sizeof(T));
    }

    /// <summary>Orders the non-temporal stores before whatever the caller does next, and returns the staging.</summary>
    public void Dispose()
    {
        if (staging is null) return;
        if (Sse.IsSupported) Sse.StoreFence();
        ArrayPool<T>.Shared.Return(staging);
        staging = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadLines(ref byte start, nint bytes)
    {
        for (nint k = 0; k < bytes; k += 64)
            _ = Volatile.Read(ref Unsafe.Add(ref start, k));
    }

    /// <summary>A plain vector store up to the destination's first 16-byte boundary, aligned non-temporal ones after it, the last vector plain (overlapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CopyNonTemporal(byte* source, byte* destination, nint bytes)
    {
        nint lanes = Vector128<byte>.Count;
        if (bytes < 2 * lanes)
        {
            Buffer.MemoryCopy(source, destination, bytes, bytes);
            return;
        }
        Vector128.Store(Vector128.Load(source), destination);
        nint k = lanes - (nint)((nuint)destination & (nuint)(lanes - 1));
        for (; k + lanes <= bytes; k += lanes)
            Vector128.StoreAlignedNonTemporal(Vector128.Load(source + k), destination + k);
        Vector128.Store(Vector128.Load(source + bytes - lanes), destination + bytes - lanes);
    }
}
