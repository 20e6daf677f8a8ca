using System.Runtime.CompilerServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Rows of five-wide filters at unit column stride and dilation whose interior (the output columns whose taps all
/// fall inside the input) holds less than an eight-pixel block, edge columns included: the row is cut into as few
/// blocks as the ten-pixel kernel needs, of nearly equal widths (the eight-pixel kernel when every block fits in
/// eight), and a block whose input columns run past either side of the image reads the zero vector for those
/// columns (<see cref="Column{TVector, T, TRepeat, TColumns}"/>). Such rows otherwise copied each block's window,
/// a chunk of channels at a time, into a zero-padded scratch, and the wider rows' edge pixels ran one at a time.
/// Each output still adds its taps in the reference's order from zero, padding taps multiplying zeros, so the
/// bits are those of the window copies. Measured side by side (AVX2, median of 21 alternated rounds, 1 and 2
/// threads): 7x7x672 1.6-2.5x, 7x7x160 2.9x, 11x11x96 2.6-3.1x, 9x9x32 multiplier 4 2.0x, 5x5x64 1.5x. On wider
/// rows the column test in every load (a compare and branch per input column) cost what the edge pixels save:
/// whole 14x14x672 and 28x28x240 rows in these blocks ran 0.96-1.09x, multiplier 2 0.94x, so they keep the
/// unchecked interior blocks and one-pixel edges.
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>One output row (<paramref name="outputRowStart"/>) of an image; its filter rows [rowsBegin, rowsEnd) read inside the image.</summary>
    private static void RowInFiveWideBlocks<TVector, T, TRepeat>(ref T image, ref T filter, ref T outputRowStart, in Plan p, nint topRow,
        nint rowsBegin, nint rowsEnd, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint width = p.OutputWidth, blocks = (width + FiveWideBlockPixels - 1) / FiveWideBlockPixels;
        bool wide = width > BlockPixels * blocks;
        // Input columns the kernel reads, whatever the block's width: its pixel count plus the filter's four.
        nint kernelColumns = (wide ? FiveWideBlockPixels : BlockPixels) + 4;
        nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.DilationHeight * p.Width * p.InputChannels;
        bool rowsInside = rowsBegin == 0 && rowsEnd == p.FilterHeight;
        for (nint block = 0; block < blocks; block++)
        {
            nint ox = block * width / blocks, pixels = (block + 1) * width / blocks - ox;
            nint leftColumn = ox - p.PadLeft;
            // Block columns [begin, end) lie inside the image; the window starts at column begin, so that no
            // reference is formed before the image.
            nint begin = Math.Max(0, -leftColumn), end = Math.Clamp(p.Width - leftColumn, begin, kernelColumns);
            ref T window = ref Unsafe.Add(ref image, (leftColumn + begin) * p.InputChannels);
            ref T y = ref Unsafe.Add(ref outputRowStart, ox * p.Channels);
            if (begin == 0 && end == kernelColumns)
            {
                if (rowsInside) FiveWideBlock<TVector, T, TRepeat, InsideImage, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, 0);
                else FiveWideBlock<TVector, T, TRepeat, MayReadPadding, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, 0);
            }
            else if (rowsInside)
                FiveWideBlock<TVector, T, TRepeat, InsideImage, MayReadPadding>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, begin, end);
            else
                FiveWideBlock<TVector, T, TRepeat, MayReadPadding, MayReadPadding>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, begin, end);
        }
    }

    /// <summary>Pixels of the wide five-column kernel (<see cref="Sliding5Wide{TVector, T, TRepeat, TBounds, TColumns}"/>).</summary>
    private const int FiveWideBlockPixels = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FiveWideBlock<TVector, T, TRepeat, TBounds, TColumns>(bool wide, ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd,
        ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint columnsBegin, nint columnsEnd)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        if (wide)
            Sliding5Wide<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, p.InputChannels, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0,
                p.LastChannelBlock, columnsBegin, columnsEnd);
        else
            Sliding5<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, p.InputChannels, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0,
                p.LastChannelBlock, columnsBegin, columnsEnd);
    }

    /// <summary>
    /// Input column <paramref name="column"/> of a block's window row <paramref name="x"/> (columns <paramref name="step"/> apart).
    /// With column bounds, only columns [columnsBegin, columnsEnd) are read, <paramref name="x"/> pointing at
    /// column columnsBegin; the others read the zero vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Column<TVector, T, TRepeat, TColumns>(ref T x, nint column, nint step, nint columnsBegin, nint columnsEnd, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TColumns : struct, IBlockBounds
    {
        if (TColumns.Inside) return TRepeat.Load<TVector, T>(ref x, column * step);
        return (nuint)(column - columnsBegin) < (nuint)(columnsEnd - columnsBegin)
            ? TRepeat.Load<TVector, T>(ref x, (column - columnsBegin) * step)
            : TRepeat.Load<TVector, T>(ref zero, 0);
    }
}
