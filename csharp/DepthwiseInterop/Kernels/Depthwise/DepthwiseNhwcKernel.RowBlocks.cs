using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// A single output row (every filter the row pairs do not take). Five- and seven-wide filters at unit column
/// stride, and rows of the other kinds with less than an eight-pixel block of interior columns, run the whole row, edge columns
/// included, in blocks of eight output pixels × one channel vector, or of the kind's wide width (twelve for
/// three-wide filters at unit stride, ten for five-wide), as few computed pixels as cover the row
/// (<see cref="BlockCounts"/>; a block computes its kernel's pixels whatever it stores). A block whose input
/// columns all lie inside the image reads them at a fixed step from its first column. A block past an edge reads
/// each input column of each filter row through a byte offset from the image, worked out once per block (filter
/// rows × the block's columns), columns and rows over the padding pointing at a zero row as long as a pixel's input
/// channels, so the channel loop has neither tests nor index arithmetic. Other rows keep interior blocks and
/// one-pixel edges (<see cref="InteriorBlocksAndEdgePixels"/>). Taps in the padding multiply zeros in every path,
/// in the reference's order, so all give the same bits. Measured side by side against the one-pixel edges and the
/// zero-padded window copies (a chunk of channels at a time) that narrow rows took before (AVX2, 1 thread; median
/// of 21 alternated rounds in one process, or of 8 alternated processes for the last three): 5x5 SAME 14x14x672
/// 1.30-1.38x, 28x28x240 1.43-1.48x, 56x56x72 1.17x, 14x14x96 multiplier 4 1.35x, 7x7x672 1.6-2.5x, 11x11x96
/// 2.6-3.1x, 112x112x32 1.00x; 3x3 stride 2 14x14x576 2.45x, 7x7x960 2.46x; 7x7 7x7x768 1.24x (general loop).
/// Seven-wide rows in these blocks against interior blocks and one-pixel edges, both on the seven-wide kernel
/// (ratios of two 21-round runs against the general loop): 56x56x96 1.27x, 28x28x192 1.33x, 14x14x384 1.78x (the wider kernels' edges are where whole rows in blocks
/// pay: more FMAs per column load than the three-wide ones, whose wider rows keep the one-pixel edges). A compare and branch
/// per column load instead of the offsets cost what the five-wide edge pixels saved (0.94-1.09x).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    /// <summary>Column offsets that stay on the stack (filter rows × a wide block's columns); more are rented.</summary>
    private const int StackColumnOffsets = 256;

    [SkipLocalsInit] // every offset read is written first
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TVector, T, TRepeat>(ref T input, ref T filter, ref T outputRowStart, in Plan p, nint row, nint interiorBegin, nint interiorEnd, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint batch = row / p.OutputHeight, outputRow = row % p.OutputHeight;
        nint topRow = outputRow * p.StrideHeight - p.PadTop;
        // Filter rows [rowsBegin, rowsEnd) read input rows inside the image; the others read padding.
        nint rowsBegin = topRow >= 0 ? 0 : Math.Min(p.FilterHeight, (-topRow + p.DilationHeight - 1) / p.DilationHeight);
        nint rowsEnd = topRow > p.Height - 1 ? 0 : Math.Min(p.FilterHeight, (p.Height - 1 - topRow) / p.DilationHeight + 1);
        bool rowsInside = rowsBegin == 0 && rowsEnd == p.FilterHeight;
        ref T image = ref Unsafe.Add(ref input, batch * p.Height * p.Width * p.InputChannels);
        // Tap row ky of a block inside the image reads it at the block's first column + (topRow + ky * DH) * W * C,
        // block column j j * C elements further.
        nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.DilationHeight * p.Width * p.InputChannels;
        if (p.Kind != SlidingKind.Width5 && p.Kind != SlidingKind.Width7 && interiorEnd - interiorBegin >= BlockPixels)
        {
            InteriorBlocksAndEdgePixels<TVector, T, TRepeat>(ref image, ref filter, ref outputRowStart, p, topRow, rowsBegin, rowsEnd, interiorBegin, interiorEnd, ref zero);
            return;
        }
        nint tableLength = p.FilterHeight * p.TableColumns;
        nint[]? rented = tableLength > StackColumnOffsets ? ArrayPool<nint>.Shared.Rent(checked((int)tableLength)) : null;
        Span<nint> table = rented ?? stackalloc nint[StackColumnOffsets];
        try
        {
            var (wides, eights) = BlockCounts(p.OutputWidth, p.WidePixels);
            for (nint block = 0, ox = 0; block < wides + eights; block++)
            {
                bool wide = block < wides;
                nint kernelPixels = wide ? p.WidePixels : BlockPixels, pixels = Math.Min(kernelPixels, p.OutputWidth - ox);
                nint leftColumn = ox * p.StrideWidth - p.PadLeft, columns = p.BlockColumns(kernelPixels);
                ref T y = ref Unsafe.Add(ref outputRowStart, ox * p.Channels);
                if (leftColumn >= 0 && leftColumn + columns <= p.Width)
                {
                    ref T window = ref Unsafe.Add(ref image, leftColumn * p.InputChannels);
                    if (rowsInside) Block<TVector, T, TRepeat, InsideImage, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, ref Unsafe.NullRef<nint>());
                    else Block<TVector, T, TRepeat, MayReadPadding, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, ref Unsafe.NullRef<nint>());
                }
                else
                {
                    nint padding = Unsafe.ByteOffset(ref image, ref zero), pixelBytes = p.InputChannels * Unsafe.SizeOf<T>();
                    for (nint ky = 0; ky < p.FilterHeight; ky++)
                    {
                        nint iy = topRow + ky * p.DilationHeight;
                        bool rowInside = (nuint)iy < (nuint)p.Height;
                        for (nint j = 0; j < columns; j++)
                        {
                            nint ix = leftColumn + j;
                            table[(int)(ky * p.TableColumns + j)] = rowInside && (nuint)ix < (nuint)p.Width ? (iy * p.Width + ix) * pixelBytes : padding;
                        }
                    }
                    Block<TVector, T, TRepeat, MayReadPadding, MayReadPadding>(wide, ref image, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels,
                        ref MemoryMarshal.GetReference(table));
                }
                ox += pixels;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<nint>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The row's interior columns (whose taps all fall inside the input width) in blocks that read at a fixed step,
    /// of the kind's wide width while they fit, then of eight; a remainder of a few pixels, and the edge columns, one
    /// pixel at a time (cheaper than recomputing most of a block), a larger remainder as a block shifted back to end
    /// at the interior's end. Blocks past the edges (the other path of <see cref="Row"/>) measured slower here, since
    /// their kernels load more per FMA than five-wide ones and the column offsets add a load to each (side by side
    /// against this path, 1 thread: 3x3 stride 2 112x112x96 0.83x, 56x56x144 1.05x; 7x7 56x56x96 0.92x, 28x28x192 1.00x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InteriorBlocksAndEdgePixels<TVector, T, TRepeat>(ref T image, ref T filter, ref T outputRowStart, in Plan p, nint topRow,
        nint rowsBegin, nint rowsEnd, nint interiorBegin, nint interiorEnd, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        for (nint ox = 0; ox < interiorBegin; ox++)
            EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref outputRowStart, ox * p.Channels));
        for (nint ox = interiorEnd; ox < p.OutputWidth; ox++)
            EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref outputRowStart, ox * p.Channels));
        nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.DilationHeight * p.Width * p.InputChannels;
        bool rowsInside = rowsBegin == 0 && rowsEnd == p.FilterHeight;
        for (nint ox = interiorBegin; ox < interiorEnd;)
        {
            bool wide = interiorEnd - ox >= p.WidePixels && p.WidePixels > BlockPixels;
            nint count = wide ? p.WidePixels : BlockPixels;
            if (ox > interiorEnd - count)
            {
                if (interiorEnd - ox <= EdgeRemainderPixels)
                {
                    for (; ox < interiorEnd; ox++)
                        EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref outputRowStart, ox * p.Channels));
                    break;
                }
                ox = interiorEnd - count;
            }
            ref T window = ref Unsafe.Add(ref image, (ox * p.StrideWidth - p.PadLeft) * p.InputChannels);
            ref T y = ref Unsafe.Add(ref outputRowStart, ox * p.Channels);
            if (rowsInside) Block<TVector, T, TRepeat, InsideImage, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, count, ref Unsafe.NullRef<nint>());
            else Block<TVector, T, TRepeat, MayReadPadding, InsideImage>(wide, ref window, rowOffset, rowStep, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, count, ref Unsafe.NullRef<nint>());
            ox += count;
        }
    }

    /// <summary>Interior remainders up to this many pixels run one pixel at a time rather than as a shifted block.</summary>
    private const int EdgeRemainderPixels = 3;

    /// <summary>
    /// Wide blocks, then eight-pixel ones, that cover a row of <paramref name="width"/> pixels computing the fewest
    /// (ties: more wide ones). Ten-pixel wide blocks: 7 one eight, 14 two eights (not a ten and an eight), 28 two
    /// tens and an eight, 112 eight tens and four eights; twelve-pixel ones: 14 two eights, 56 four twelves and an
    /// eight; without a wide kernel, eights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (nint Wides, nint Eights) BlockCounts(nint width, nint widePixels)
    {
        (nint Wides, nint Eights) best = (0, (width + BlockPixels - 1) / BlockPixels);
        if (widePixels == BlockPixels) return best;
        nint fewest = nint.MaxValue;
        // Eight blocks of eight compute as much as wide ones of any width that divides 64: more never helps.
        for (nint eights = 0; eights < 8; eights++)
        {
            nint wides = (Math.Max(0, width - BlockPixels * eights) + widePixels - 1) / widePixels;
            nint computed = wides * widePixels + eights * BlockPixels;
            if (computed < fewest) (best, fewest) = ((wides, eights), computed);
        }
        return best;
    }

    /// <summary>
    /// Runs the inner loop the plan's kind selects (the wide or the eight-pixel one) on every channel vector of a
    /// block: filter rows [rowsBegin, rowsEnd) read window + rowOffset + ky * rowStep with input column j at j * C
    /// further, the other filter rows the zero vector; or, past an edge, every input through <paramref name="columnOffsets"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TVector, T, TRepeat, TBounds, TColumns>(bool wide, ref T window, nint rowOffset, nint rowStep, nint rowsBegin, nint rowsEnd,
        ref T zero, ref T filter, in Plan p, ref T y, nint pixels, ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        nint step = p.InputChannels, last = p.LastChannelBlock;
        switch (p.Kind)
        {
            case SlidingKind.Width3 when wide: Sliding3Wide<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width3: Sliding3<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width5 when wide: Sliding5Wide<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width5: Sliding5<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width7: Sliding7<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width5Stride2: Sliding5Stride2<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            case SlidingKind.Width3Stride2: Sliding3Stride2<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
            default: General<TVector, T, TRepeat, TBounds, TColumns>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, 0, last, ref columnOffsets); break;
        }
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
