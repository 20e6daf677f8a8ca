using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// The copies that let NHWC kernels serve NCHW tensors and channel multipliers: a planar-to-interleaved
/// transpose that can repeat each channel, and its inverse. Both walk 32-channel × 64-pixel tiles, so that
/// the strided side of the copy stays within a few cache lines per tile; the plain transposes (no repeat) go to
/// <see cref="BlockTranspose"/> where it runs on vectors.
/// </summary>
internal static class LayoutConversion
{
    private const int TileChannels = 32;
    private const int TilePixels = 64;

    /// <summary>
    /// destination[b, p, c * repeat + r] = source[b, c, p] (NCHW to NHWC, each channel repeated), or
    /// destination[b, p, c * repeat + r] = source[b, p, c] when the source is already NHWC.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToInterleavedRepeated<T>(ref T source, ref T destination, nint batch, nint pixels, nint channels, nint repeat, bool sourcePlanar)
        where T : unmanaged
    {
        nint outChannels = channels * repeat;
        for (nint b = 0; b < batch; b++)
        {
            ref T image = ref Unsafe.Add(ref source, b * pixels * channels);
            ref T target = ref Unsafe.Add(ref destination, b * pixels * outChannels);
            if (sourcePlanar && repeat == 1 && BlockTranspose.IsAccelerated<T>())
            {
                ParallelTranspose.Run(ref image, channels, pixels, ref target);
                continue;
            }
            if (!sourcePlanar)
            {
                for (nint p = 0; p < pixels; p++)
                {
                    ref T from = ref Unsafe.Add(ref image, p * channels);
                    ref T to = ref Unsafe.Add(ref target, p * outChannels);
                    for (nint c = 0; c < channels; c++)
                    {
                        T value = Unsafe.Add(ref from, c);
                        for (nint r = 0; r < repeat; r++) Unsafe.Add(ref to, c * repeat + r) = value;
                    }
                }
                continue;
            }
            for (nint c0 = 0; c0 < channels; c0 += TileChannels)
            {
                nint c1 = Math.Min(c0 + TileChannels, channels);
                for (nint p0 = 0; p0 < pixels; p0 += TilePixels)
                {
                    nint p1 = Math.Min(p0 + TilePixels, pixels);
                    for (nint c = c0; c < c1; c++)
                    {
                        ref T plane = ref Unsafe.Add(ref image, c * pixels);
                        ref T column = ref Unsafe.Add(ref target, c * repeat);
                        if (repeat == 1)
                        {
                            for (nint p = p0; p < p1; p++)
                                Unsafe.Add(ref column, p * outChannels) = Unsafe.Add(ref plane, p);
                            continue;
                        }
                        for (nint p = p0; p < p1; p++)
                        {
                            T value = Unsafe.Add(ref plane, p);
                            ref T to = ref Unsafe.Add(ref column, p * outChannels);
                            for (nint r = 0; r < repeat; r++) Unsafe.Add(ref to, r) = value;
                        }
                    }
                }
            }
        }
    }

    /// <summary>destination[b, c, p] = source[b, p, c]: NHWC to NCHW.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPlanar<T>(ref T source, ref T destination, nint batch, nint pixels, nint channels) where T : unmanaged
    {
        for (nint b = 0; b < batch; b++)
        {
            ref T image = ref Unsafe.Add(ref source, b * pixels * channels);
            ref T target = ref Unsafe.Add(ref destination, b * pixels * channels);
            if (BlockTranspose.IsAccelerated<T>())
            {
                ParallelTranspose.Run(ref image, pixels, channels, ref target);
                continue;
            }
            for (nint c0 = 0; c0 < channels; c0 += TileChannels)
            {
                nint c1 = Math.Min(c0 + TileChannels, channels);
                for (nint p0 = 0; p0 < pixels; p0 += TilePixels)
                {
                    nint p1 = Math.Min(p0 + TilePixels, pixels);
                    for (nint c = c0; c < c1; c++)
                    {
                        ref T plane = ref Unsafe.Add(ref target, c * pixels);
                        ref T column = ref Unsafe.Add(ref image, c);
                        for (nint p = p0; p < p1; p++)
                            Unsafe.Add(ref plane, p) = Unsafe.Add(ref column, p * channels);
                    }
                }
            }
        }
    }
}
