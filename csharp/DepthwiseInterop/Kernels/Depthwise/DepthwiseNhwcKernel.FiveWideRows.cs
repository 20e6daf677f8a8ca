using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Rows of five-wide filters at unit column stride and dilation, edge columns included: ten-pixel blocks, then
/// eight-pixel ones, as few computed pixels as cover the row (<see cref="FiveWideBlocks"/>). A block whose input
/// columns all lie inside the image reads them at a fixed step, as the interior blocks of other filters do; a
/// block past an edge reads each input column of each filter row through a byte offset from the image, worked
/// out once per block (filter rows × fourteen columns), columns and rows over the padding pointing at a zero row
/// as long as a pixel's input channels, so that the channel loop has neither tests nor index arithmetic. Each
/// output still adds its taps in the reference's order from zero, padding taps multiplying zeros, so the bits
/// are those of the one-pixel edge code and window copies these blocks replace. Measured side by side (AVX2,
/// median of 21 alternated rounds, 1 thread, 5x5 SAME): 14x14x672 1.30-1.38x, 28x28x240 1.43-1.48x, 56x56x72
/// 1.17x, 14x14x96 multiplier 4 1.35x, 7x7x672 1.6-2.5x, 11x11x96 2.6-3.1x, 112x112x32 1.00x; 2 threads alike.
/// A compare and branch per column load instead of the offsets cost what the edge pixels saved (0.94-1.09x).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Entries per filter row of a block's column offsets: the ten-pixel kernel's fourteen input columns.</summary>
    private const int FiveWideTableColumns = FiveWideBlockPixels + 4;

    /// <summary>Pixels of the wide five-column kernel (<see cref="Sliding5Wide{TVector, T, TRepeat, TBounds, TColumns}"/>).</summary>
    private const int FiveWideBlockPixels = 10;

    /// <summary>Filter heights whose column offsets stay on the stack (taller filters rent them).</summary>
    private const int FiveWideStackFilterRows = 16;

    /// <summary>One output row (<paramref name="outputRowStart"/>) of an image; its filter rows [rowsBegin, rowsEnd) read inside the image.</summary>
    [SkipLocalsInit] // every offset read is written first
    private static void RowInFiveWideBlocks<TVector, T, TRepeat>(ref T image, ref T filter, ref T outputRowStart, in Plan p, nint topRow,
        nint rowsBegin, nint rowsEnd, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint tableLength = p.FilterHeight * FiveWideTableColumns;
        nint[]? rented = p.FilterHeight > FiveWideStackFilterRows ? ArrayPool<nint>.Shared.Rent((int)tableLength) : null;
        Span<nint> table = rented ?? stackalloc nint[FiveWideStackFilterRows * FiveWideTableColumns];
        try
        {
            nint width = p.OutputWidth;
            var (tens, eights) = FiveWideBlocks(width);
            nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.DilationHeight * p.Width * p.InputChannels;
            bool rowsInside = rowsBegin == 0 && rowsEnd == p.FilterHeight;
            for (nint block = 0, ox = 0; block < tens + eights; block++)
            {
                bool wide = block < tens;
                nint pixels = Math.Min(wide ? FiveWideBlockPixels : BlockPixels, width - ox);
                // Input columns the kernel reads, whatever the block's width: its pixel count plus the filter's four.
                nint kernelColumns = (wide ? FiveWideBlockPixels : BlockPixels) + 4;
                nint leftColumn = ox - p.PadLeft;
                ref T y = ref Unsafe.Add(ref outputRowStart, ox * p.Channels);
                if (leftColumn >= 0 && leftColumn + kernelColumns <= p.Width)
                {
                    ref T window = ref Unsafe.Add(ref image, leftColumn * p.InputChannels);
                    if (rowsInside) FiveWideBlock<TVector, T, TRepeat, InsideImage, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, ref Unsafe.NullRef<nint>());
                    else FiveWideBlock<TVector, T, TRepeat, MayReadPadding, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, ref Unsafe.NullRef<nint>());
                    ox += pixels;
                    continue;
                }
                // A block past an edge reads every input through its byte offset from the image, columns and rows
                // outside it through the zeros' offset (as long as a pixel's channels, so any channel offset stays in them).
                nint padding = Unsafe.ByteOffset(ref image, ref zero), pixelBytes = p.InputChannels * Unsafe.SizeOf<T>();
                for (nint ky = 0; ky < p.FilterHeight; ky++)
                {
                    nint iy = topRow + ky * p.DilationHeight;
                    bool rowInside = (nuint)iy < (nuint)p.Height;
                    for (nint j = 0; j < kernelColumns; j++)
                    {
                        nint ix = leftColumn + j;
                        table[(int)(ky * FiveWideTableColumns + j)] = rowInside && (nuint)ix < (nuint)p.Width ? (iy * p.Width + ix) * pixelBytes : padding;
                    }
                }
                FiveWideBlock<TVector, T, TRepeat, MayReadPadding, MayReadPadding>(wide, ref image, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels,
                    ref MemoryMarshal.GetReference(table));
                ox += pixels;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<nint>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Ten-pixel blocks, then eight-pixel ones, that cover a row of <paramref name="width"/> pixels computing the fewest:
    /// each block computes its kernel's ten or eight pixels whatever it stores (7: one eight; 14: two eights, not
    /// a ten and an eight; 28: two tens and an eight; 112: eight tens and four eights; an odd width one pixel more).
    /// </summary>
    private static (nint Tens, nint Eights) FiveWideBlocks(nint width)
    {
        (nint Tens, nint Eights) best = (0, 0);
        nint fewest = nint.MaxValue;
        // Five eights compute what four tens do: more never helps.
        for (nint eights = 0; eights < 5; eights++)
        {
            nint tens = (Math.Max(0, width - BlockPixels * eights) + FiveWideBlockPixels - 1) / FiveWideBlockPixels;
            nint computed = tens * FiveWideBlockPixels + eights * BlockPixels;
            if (computed < fewest) (best, fewest) = ((tens, eights), computed);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FiveWideBlock<TVector, T, TRepeat, TBounds, TColumns>(bool wide, ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd,
        ref T zero, ref T filter, in Plan p, ref T y, nint pixels, ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        if (wide)
            Sliding5Wide<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, p.InputChannels, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0,
                p.LastChannelBlock, ref columnOffsets);
        else
            Sliding5<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, p.InputChannels, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0,
                p.LastChannelBlock, ref columnOffsets);
    }

    /// <summary>
    /// Input column <paramref name="column"/> of a block's window row <paramref name="x"/> (columns <paramref name="step"/> apart);
    /// for a block past an edge, the input at byte offset <paramref name="offsets"/>[column] from <paramref name="origin"/>
    /// (the image at the block's channel), the zeros for columns and rows outside the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Column<TVector, T, TRepeat, TColumns>(ref T x, nint column, nint step, ref T origin, ref nint offsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TColumns : struct, IBlockBounds =>
        TColumns.Inside
            ? TRepeat.Load<TVector, T>(ref x, column * step)
            : TRepeat.Load<TVector, T>(ref Unsafe.AddByteOffset(ref origin, Unsafe.Add(ref offsets, column)), 0);
}
