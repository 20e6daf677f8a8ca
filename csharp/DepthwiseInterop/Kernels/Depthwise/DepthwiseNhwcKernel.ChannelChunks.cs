using System.Runtime.CompilerServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Row pairs in chunks of channels, for short rows of many channels on 512-bit vectors (a pixel of 1536 bytes or
/// more, rows of at most 32 pixels: MobileNetV2's 14x14x384, 14x14x576, 7x7x960). A range of output rows runs its
/// pairs once per chunk of channel vectors rather than once over all channels, the chunks as even as the vectors
/// allow, each at most eight vectors and at most 28 KiB over the four input rows a pair reads (4 × W × chunk bytes,
/// inside the 48 KiB L1 data cache): the next pair then finds the two input rows it shares with this one in L1
/// rather than L2. A chunk runs the same block kernels over a narrower span of channels (the plan's last channel
/// vector moved, pixels still C apart), so every output keeps its bits. Lone rows (odd heights, a range's ends) run
/// afterwards over all channels. Measured (C harness, chunked ÷ not, median of 31-41 alternated rounds, 1 thread,
/// Zen 5): 14x14x384 0.80-0.89, 14x14x576 0.90-0.94, 7x7x960 0.75-0.92, 28x28x576 0.82, 28x28x384 0.86-0.97; 2
/// threads 0.94-1.03. Not taken where it did not pay: the AVX2 tier's four-pixel blocks (1.00-1.04), pixels of 768
/// bytes or less (14x14x192 1.07-1.20, 28x28x192 1.02-1.08), rows of 56 (56x56x192 1.09-1.21, 56x56x960 1.13-1.26).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Bytes of a pixel's channels from which the pairs run in chunks.</summary>
    private const int ChunkedPixelBytes = 1536;
    /// <summary>Widest rows that run in chunks.</summary>
    private const int ChunkedWidth = 32;
    /// <summary>What the four input rows of a pair may hold of a chunk.</summary>
    private const int ChunkRowsBytes = 28 * 1024;
    /// <summary>Most channel bytes of a chunk (eight 512-bit vectors).</summary>
    private const int ChunkBytes = 512;

    /// <summary>Channel vectors a chunk holds at most for this problem, 0 where the pairs run over all channels at once.</summary>
    public static int ChannelChunkVectors<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        (int)ChannelChunkVectors<TVector, T>(new Plan(g, Count<TVector, T>()));

    private static unsafe nint ChannelChunkVectors<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged
    {
        if (sizeof(TVector) != 64 || p.Channels * sizeof(T) < ChunkedPixelBytes || p.Width > ChunkedWidth) return 0;
        nint bytes = Math.Min(ChunkRowsBytes / (4 * p.Width), ChunkBytes);
        return Math.Max(1, bytes / sizeof(TVector));
    }

    /// <summary>Output rows [firstRow, endRow): their pairs chunk by chunk of at most <paramref name="chunkVectors"/> channel vectors, then their lone rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PairsInChannelChunks<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in Plan p, nint firstRow, nint endRow,
        nint chunkVectors, InteriorColumns interior, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint lanes = Count<TVector, T>(), rowElements = p.OutputWidth * p.Channels;
        nint vectors = (p.Channels + lanes - 1) / lanes, chunks = (vectors + chunkVectors - 1) / chunkVectors;
        for (nint chunk = 0; chunk < chunks; chunk++)
        {
            // Vectors [vectors * chunk / chunks, vectors * (chunk + 1) / chunks); the last one ends at C (shifted back within the chunk).
            nint end = Math.Min(vectors * (chunk + 1) / chunks * lanes, p.Channels);
            nint first = Math.Min(vectors * chunk / chunks * lanes, end - lanes);
            var span = p.WithChannelSpan(end - first, lanes);
            for (nint row = firstRow; row < endRow;)
            {
                bool pair = StartsPair(p, row, endRow);
                if (pair)
                    RowPair<TVector, T, TRepeat>(ref Unsafe.Add(ref input, first), ref Unsafe.Add(ref filter, first),
                        ref Unsafe.Add(ref output, row * rowElements + first), span, row, ref zero);
                row += pair ? 2 : 1;
            }
        }
        for (nint row = firstRow; row < endRow;)
        {
            bool pair = StartsPair(p, row, endRow);
            if (!pair)
                Row<TVector, T, TRepeat>(ref input, ref filter, ref Unsafe.Add(ref output, row * rowElements), p, row, (nint)interior.Begin, (nint)interior.End, ref zero);
            row += pair ? 2 : 1;
        }
    }

    /// <summary>Whether <paramref name="row"/> and the next row of its image both lie in [row, endRow): the pairing rule of <see cref="RunRows{TVector, T, TRepeat}(ref T, ref T, ref T, in ConvolutionGeometry, long, long)"/>.</summary>
    private static bool StartsPair(in Plan p, nint row, nint endRow) => row + 1 < endRow && (row + 1) % p.OutputHeight != 0;
}
