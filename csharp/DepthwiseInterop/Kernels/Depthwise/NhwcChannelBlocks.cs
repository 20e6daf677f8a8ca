namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The channel split of threaded NHWC depthwise work. Rows (or row pairs) are the natural work items, but a
/// small layer has too few of them to keep every thread busy to the end (7x7: four row pairs for two threads'
/// eight chunks); the channels are then cut into blocks too, and a work item is (channel block, row item),
/// block-major so that one thread's consecutive items share input rows. Channels are independent and every
/// block computes them as the whole call would, so the split changes no bit.
/// </summary>
internal static class NhwcChannelBlocks
{
    /// <summary>Work items per thread the split aims at (the pool hands out about four chunks per thread).</summary>
    private const long ItemsPerThread = 8;
    /// <summary>Vectors a block keeps at least, so that its per-row setup stays small against its work.</summary>
    private const long MinimumVectors = 4;

    /// <summary>How many channel blocks for <paramref name="rowItems"/> row items on <paramref name="threads"/> threads.</summary>
    public static long For(long rowItems, long channels, int lanes, int threads)
    {
        if (threads <= 1 || rowItems >= ItemsPerThread * threads) return 1;
        long wanted = (ItemsPerThread * threads + rowItems - 1) / rowItems;
        return Math.Clamp(wanted, 1, Math.Max(1, channels / (MinimumVectors * lanes)));
    }

    /// <summary>Output channels [Begin, End) of block <paramref name="block"/>: Begin a multiple of the vector width, at least a vector each.</summary>
    public static (long Begin, long End) Range(long block, long blocks, long channels, int lanes)
    {
        long Boundary(long b) => b == blocks ? channels : b * channels / blocks / lanes * lanes;
        return (Boundary(block), Boundary(block + 1));
    }
}
