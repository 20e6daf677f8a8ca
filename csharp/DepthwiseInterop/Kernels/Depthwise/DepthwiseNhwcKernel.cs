using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Depthwise convolution, NHWC: input <c>[N, H, W, C]</c>, filter <c>[KH, KW, C, M]</c> read as
/// <c>[KH, KW, C*M]</c> (taps major, output channels contiguous, so it streams as it is: no packing), output
/// <c>[N, OH, OW, C*M]</c>. Vectors run over output channels; with multiplier M &gt; 1 a vector of output
/// channels reads L / M input channels, each repeated M times in registers by the <c>TRepeat</c> policy
/// (see <see cref="ChannelRepeat"/>), so the input is never expanded in memory. the code is written against raw <c>Vector128/256/512&lt;T&gt;</c> through
/// <see cref="Simd.RawVector"/> so that accumulators stay in registers (one FMA instruction each).
/// Work is split by output rows (batch × OH; splitting small layers' channels into blocks as well measured 10%
/// slower at two threads); three-by-three filters at unit strides (any multiplier) run two rows of a
/// thread's range at a time, edge columns included (DepthwiseNhwcKernel.RowPairs.cs; on narrow images an odd
/// last row pairs with the row before it); five-wide filters at unit column stride run whole rows, edge columns
/// included, in blocks of ten or eight pixels that read zeros past the image's edges (DepthwiseNhwcKernel.FiveWideRows.cs).
/// Otherwise the interior output columns of a row (those whose taps all
/// fall inside the input width) are cut into blocks of eight output pixels × one channel vector, so that each
/// weight vector loaded feeds eight FMAs; for filters three wide at unit column stride or at column stride 2
/// (and in the five-wide blocks), the weights of a filter row stay in registers and each input column is loaded
/// once for all the taps that read it (twelve pixels per block for three-wide filters, ten for five-wide: more
/// independent accumulators than the FMA latency needs). A remainder of up to three pixels runs one pixel at a
/// time; a larger one runs as a block shifted back to end at the interior's end, recomputing an overlap, and
/// the last channel vector likewise ends at C: no scalar tails. Filter rows over the top or
/// bottom padding read a zero vector (column step 0) instead of the image; blocks of rows with no filter row in
/// the padding run an instantiation without that test (<see cref="InsideImage"/>; 4-10% on stride-2, 5x5 and
/// multiplier-4 shapes in a side-by-side harness); the few output columns at the
/// left and right edges are computed one pixel at a time, taps outside the input multiplying a zero vector.
/// Rows narrower than a block inside the edges instead copy each block's window, one channel vector at a
/// time, into a zero-padded scratch and run the block code there. Taps in the padding thus always multiply
/// zeros rather than being skipped, as in TensorFlow's kernels (a NaN or infinite weight over padding gives
/// NaN). Every output adds its taps in the reference's order (filter row, then column) whatever path
/// computes it, so results do not depend on how rows are split between threads.
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    private const int BlockPixels = 8;
    private const int StackScratchElements = 2048;
    /// <summary>Interior remainders up to this many pixels run one pixel at a time rather than as a shifted block.</summary>
    private const int EdgeRemainderPixels = 3;

    /// <summary>Computes output rows [firstRow, endRow) of the flattened (batch, output row) space.</summary>
    /// <remarks>
    /// Needs <c>g.OutputChannels >= TVector.Count</c> and <typeparamref name="TRepeat"/> matching the channel
    /// multiplier; with M &gt; 1 the input must be pinned.
    /// </remarks>
    public static unsafe void RunRows<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstRow, long endRow)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat =>
        RunRows<TVector, T, TRepeat>(ref input, ref filter, ref output, g, firstRow, endRow, null, allowSplit: true);

    /// <summary>
    /// Computes output rows [firstRow, endRow) as the overload above does. <c>splitWeights</c>: multiplier 2's
    /// de-interleaved weights (<see cref="PrepareSplitWeights{TVector, T, TRepeat}"/>) when the caller prepared them once
    /// for all its calls, or null for this call to prepare its own if it needs them. <c>allowSplit</c> false runs
    /// multiplier 2 on the repeating loads even where the split blocks apply (tests compare the two).
    /// </summary>
    public static unsafe void RunRows<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstRow, long endRow,
        T* splitWeights, bool allowSplit)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        var p = new Plan(g, Count<TVector, T>());
        // The window scratch of the narrow-row path, then zeros read by taps over the padding (a vector, or as many
        // as a pixel's input channels for the five-wide edge blocks), then multiplier 2's de-interleaved weights if
        // this call prepares them.
        int windowElements = checked((int)(p.FilterHeight * p.WindowColumns * p.ChunkChannels));
        bool split = allowSplit && SplitsMultiplier<TRepeat>(p, Count<TVector, T>());
        int splitElements = split && splitWeights == null ? checked((int)SplitWeightElements(p)) : 0;
        int zeroElements = (int)Math.Max(Count<TVector, T>(), p.InputChannels);
        int scratchElements = windowElements + zeroElements + splitElements;
        T[]? rented = scratchElements > StackScratchElements ? ArrayPool<T>.Shared.Rent(scratchElements) : null;
        Span<T> scratch = rented ?? stackalloc T[StackScratchElements];
        try
        {
            scratch.Slice(windowElements, zeroElements).Clear();
            var interior = InteriorColumns.Of(g);
            // Pinned: the repeating loads of M > 1 take pointers (see ChannelRepeat), and the five-wide edge blocks reach
            // the zeros by byte offsets from the image (see RowInFiveWideBlocks).
            fixed (T* pinned = scratch)
            fixed (T* pinnedInput = &input)
            {
                if (split)
                {
                    if (splitWeights == null)
                    {
                        splitWeights = pinned + windowElements + zeroElements;
                        SplitWeights(ref filter, p, ref *splitWeights);
                    }
                    for (nint row = (nint)firstRow; row < (nint)endRow; row++)
                        SplitRow<TVector, T, TRepeat>(ref input, ref filter, ref *splitWeights, ref output, p, row, ref scratch[windowElements]);
                    return;
                }
                bool pairs = PairsRows<TRepeat>(p);
                bool pairLoneRows = pairs && interior.End - interior.Begin < BlockPixels;
                for (nint row = (nint)firstRow; row < (nint)endRow;)
                {
                    // Two rows of the same image in the range run as a pair (see RowPairs); pairing changes no bit.
                    if (pairs && row + 1 < (nint)endRow && (row + 1) % p.OutputHeight != 0)
                    {
                        RowPair<TVector, T, TRepeat>(ref input, ref filter, ref output, p, row, ref scratch[windowElements]);
                        row += 2;
                        continue;
                    }
                    // A lone row after a pair of the same image in this range (odd heights: 7x7, 15x15) runs as a
                    // pair with the row before, which this thread has just computed, when single rows this narrow
                    // would take the window copy: rewriting a row with the same bits costs less.
                    if (pairLoneRows && row - 1 >= (nint)firstRow && row % p.OutputHeight != 0)
                        RowPair<TVector, T, TRepeat>(ref input, ref filter, ref output, p, row - 1, ref scratch[windowElements]);
                    else
                        Row<TVector, T, TRepeat>(ref input, ref filter, ref output, p, row, (nint)interior.Begin, (nint)interior.End, ref scratch[0], ref scratch[windowElements]);
                    row++;
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<T>.Shared.Return(rented);
        }
    }

    private static void Row<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in Plan p, nint row, nint interiorBegin, nint interiorEnd,
        ref T scratch, ref T zero)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint batch = row / p.OutputHeight, outputRow = row % p.OutputHeight;
        nint topRow = outputRow * p.StrideHeight - p.PadTop;
        // Filter rows [rowsBegin, rowsEnd) read input rows inside the image; the others read padding.
        nint rowsBegin = topRow >= 0 ? 0 : Math.Min(p.FilterHeight, (-topRow + p.DilationHeight - 1) / p.DilationHeight);
        nint rowsEnd = topRow > p.Height - 1 ? 0 : Math.Min(p.FilterHeight, (p.Height - 1 - topRow) / p.DilationHeight + 1);
        ref T image = ref Unsafe.Add(ref input, batch * p.Height * p.Width * p.InputChannels);
        ref T outputRowStart = ref Unsafe.Add(ref output, row * p.OutputWidth * p.Channels);
        nint lanes = Count<TVector, T>();
        // Five-wide filters at unit column stride: whole rows in blocks that read zeros past the edges (DepthwiseNhwcKernel.FiveWideRows.cs).
        if (p.Kind == SlidingKind.Width5)
        {
            RowInFiveWideBlocks<TVector, T, TRepeat>(ref image, ref filter, ref outputRowStart, p, topRow, rowsBegin, rowsEnd, ref zero);
            return;
        }
        if (interiorEnd - interiorBegin >= BlockPixels)
        {
            for (nint ox = 0; ox < interiorBegin; ox++)
                EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref outputRowStart, ox * p.Channels));
            for (nint ox = interiorEnd; ox < p.OutputWidth; ox++)
                EdgePixel<TVector, T, TRepeat>(ref image, p, topRow, ox, ref filter, ref Unsafe.Add(ref outputRowStart, ox * p.Channels));
            // Tap row ky of a block reads the image at its columns' origin + (topRow + ky * DH) * W * C, input
            // column j of the block j * C elements further.
            nint rowOffset = topRow * p.Width * p.InputChannels, rowStep = p.DilationHeight * p.Width * p.InputChannels;
            // Blocks of p.WidePixels while they fit, then of eight; a remainder of a few pixels goes one pixel at
            // a time (cheaper than recomputing most of a block), a larger one to a block shifted back to end at
            // interiorEnd.
            for (nint ox = interiorBegin; ox < interiorEnd;)
            {
                nint count = interiorEnd - ox >= p.WidePixels ? p.WidePixels : BlockPixels;
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
                if (rowsBegin == 0 && rowsEnd == p.FilterHeight)
                    Compute<TVector, T, TRepeat, InsideImage>(ref Unsafe.Add(ref image, (ox * p.StrideWidth - p.PadLeft) * p.InputChannels), rowOffset, rowStep, p.InputChannels,
                        rowsBegin, rowsEnd, ref zero, ref filter, p, ref Unsafe.Add(ref outputRowStart, ox * p.Channels), count, 0, p.LastChannelBlock);
                else
                    Compute<TVector, T, TRepeat, MayReadPadding>(ref Unsafe.Add(ref image, (ox * p.StrideWidth - p.PadLeft) * p.InputChannels), rowOffset, rowStep, p.InputChannels,
                        rowsBegin, rowsEnd, ref zero, ref filter, p, ref Unsafe.Add(ref outputRowStart, ox * p.Channels), count, 0, p.LastChannelBlock);
                ox += count;
            }
            return;
        }
        // Rows whose interior holds less than one block: each block copies its window, a chunk of channels at
        // a time, to a zero-padded scratch (filter rows × window columns × chunk, which stays in L1).
        nint pixels = Math.Min(BlockPixels, p.OutputWidth), chunk = p.ChunkChannels;
        nint blockCount = (p.OutputWidth + BlockPixels - 1) / BlockPixels;
        for (nint block = 0; block < blockCount; block++)
        {
            nint ox = Math.Max(0, Math.Min(block * BlockPixels, p.OutputWidth - BlockPixels));
            nint leftColumn = ox * p.StrideWidth - p.PadLeft;
            nint first = Math.Clamp(leftColumn, 0, p.Width), end = Math.Clamp(leftColumn + p.WindowColumns, 0, p.Width);
            ref T y = ref Unsafe.Add(ref outputRowStart, ox * p.Channels);
            for (nint c = 0; ; c += chunk)
            {
                if (c > p.Channels - chunk) c = p.Channels - chunk;
                FillWindow(ref image, p, topRow, leftColumn, first, end, c / TRepeat.Multiplier, chunk / TRepeat.Multiplier, ref scratch);
                Compute<TVector, T, TRepeat, InsideImage>(ref scratch, 0, p.WindowColumns * (chunk / TRepeat.Multiplier), chunk / TRepeat.Multiplier, 0, p.FilterHeight, ref zero, ref filter, p, ref y, pixels, c, c + chunk - lanes);
                if (c == p.Channels - chunk) break;
            }
        }
    }

    /// <summary>
    /// Runs the inner loop the plan selects on channel vectors firstChannel..lastChannel of one block: filter
    /// rows [rowsBegin, rowsEnd) read window + (c - firstChannel) + rowOffset + ky * rowStep with input
    /// column j at j * step further; the other filter rows read <paramref name="zero"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compute<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        switch (p.Kind)
        {
            case SlidingKind.Width3 when pixels > BlockPixels: Sliding3Wide<TVector, T, TRepeat, TBounds>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, firstChannel, lastChannel); break;
            case SlidingKind.Width3: Sliding3<TVector, T, TRepeat, TBounds>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, firstChannel, lastChannel); break;
            case SlidingKind.Width3Stride2: Sliding3Stride2<TVector, T, TRepeat, TBounds>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, firstChannel, lastChannel); break;
            default: General<TVector, T, TRepeat, TBounds>(ref window, rowOffset, rowStep, step, rowsBegin, rowsEnd, ref zero, ref filter, p, ref y, pixels, firstChannel, lastChannel); break;
        }
    }

    /// <summary>
    /// One output pixel at an edge column, every channel vector: taps outside the input (either way) multiply
    /// a zero vector, in the reference's order. Four channel vectors at a time, so that four independent
    /// chains of FMAs hide their latency; the last vectors one at a time, the last one ending at C.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgePixel<TVector, T, TRepeat>(ref T image, in Plan p, nint topRow, nint ox, ref T filter, ref T y)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint lanes = Count<TVector, T>(), channels = p.Channels, last = p.LastChannelBlock, height = p.Height, width = p.Width;
        // Input offsets: a pixel is InputChannels apart, and output channel c reads input channel c / M.
        nint inputChannels = p.InputChannels, m = TRepeat.Multiplier, inputLanes = lanes / m;
        nint filterHeight = p.FilterHeight, filterWidth = p.FilterWidth, dilationHeight = p.DilationHeight, dilationWidth = p.DilationWidth;
        nint leftColumn = ox * p.StrideWidth - p.PadLeft;
        nint c = 0;
        for (; c + 4 * lanes <= channels; c += 4 * lanes)
        {
            TVector a0 = default, a1 = default, a2 = default, a3 = default;
            ref T weights = ref Unsafe.Add(ref filter, c);
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                nint iy = topRow + ky * dilationHeight;
                bool rowInside = (nuint)iy < (nuint)height;
                for (nint kx = 0; kx < filterWidth; kx++)
                {
                    nint ix = leftColumn + kx * dilationWidth;
                    TVector v0 = default, v1 = default, v2 = default, v3 = default;
                    if (rowInside && (nuint)ix < (nuint)width)
                    {
                        ref T x = ref Unsafe.Add(ref image, (iy * width + ix) * inputChannels + c / m);
                        v0 = TRepeat.Load<TVector, T>(ref x, 0); v1 = TRepeat.Load<TVector, T>(ref x, inputLanes);
                        v2 = TRepeat.Load<TVector, T>(ref x, 2 * inputLanes); v3 = TRepeat.Load<TVector, T>(ref x, 3 * inputLanes);
                    }
                    a0 = MultiplyAdd<TVector, T>(v0, Load<TVector, T>(ref weights, 0), a0);
                    a1 = MultiplyAdd<TVector, T>(v1, Load<TVector, T>(ref weights, lanes), a1);
                    a2 = MultiplyAdd<TVector, T>(v2, Load<TVector, T>(ref weights, 2 * lanes), a2);
                    a3 = MultiplyAdd<TVector, T>(v3, Load<TVector, T>(ref weights, 3 * lanes), a3);
                    weights = ref Unsafe.Add(ref weights, channels);
                }
            }
            Store<TVector, T>(a0, ref y, c); Store<TVector, T>(a1, ref y, c + lanes);
            Store<TVector, T>(a2, ref y, c + 2 * lanes); Store<TVector, T>(a3, ref y, c + 3 * lanes);
        }
        for (; c < channels; c += lanes)
        {
            if (c > last) c = last;
            TVector a = default;
            ref T weights = ref Unsafe.Add(ref filter, c);
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                nint iy = topRow + ky * dilationHeight;
                bool rowInside = (nuint)iy < (nuint)height;
                for (nint kx = 0; kx < filterWidth; kx++)
                {
                    nint ix = leftColumn + kx * dilationWidth;
                    TVector v = rowInside && (nuint)ix < (nuint)width ? TRepeat.Load<TVector, T>(ref image, (iy * width + ix) * inputChannels + c / m) : default;
                    a = MultiplyAdd<TVector, T>(v, Load<TVector, T>(ref weights, 0), a);
                    weights = ref Unsafe.Add(ref weights, channels);
                }
            }
            Store<TVector, T>(a, ref y, c);
        }
    }

    /// <summary>
    /// Copies channels [channel, channel + ChunkChannels) of one block's input window (every filter row × the
    /// block's columns, input columns [first, end) of the image) to the scratch, zeros outside the image.
    /// </summary>
    private static void FillWindow<T>(ref T image, in Plan p, nint topRow, nint leftColumn, nint first, nint end, nint channel, nint chunk, ref T scratch)
        where T : unmanaged
    {
        nint columns = p.WindowColumns, channels = p.InputChannels, width = p.Width;
        for (nint ky = 0; ky < p.FilterHeight; ky++)
        {
            nint iy = topRow + ky * p.DilationHeight;
            bool rowInside = (nuint)iy < (nuint)p.Height;
            for (nint j = 0; j < columns; j++)
            {
                var destination = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref scratch, (ky * columns + j) * chunk), (int)chunk);
                nint ix = leftColumn + j;
                if (rowInside && ix >= first && ix < end)
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref image, (iy * width + ix) * channels + channel), (int)chunk).CopyTo(destination);
                else
                    destination.Clear();
            }
        }
    }

    /// <summary>Any filter width, stride and dilation: one weight vector per tap, feeding the eight pixels.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void General<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, filterWidth = p.FilterWidth, lanes = Count<TVector, T>();
        nint strideWidth = p.StrideWidth, dilationWidth = p.DilationWidth;
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                nint pixel = strideWidth * s, tap = dilationWidth * s;
                for (nint kx = 0; kx < filterWidth; kx++)
                {
                    TVector w = Load<TVector, T>(ref weights, 0);
                    a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 0), w, a0);
                    a1 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, pixel), w, a1);
                    a2 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 2 * pixel), w, a2);
                    a3 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 3 * pixel), w, a3);
                    a4 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 4 * pixel), w, a4);
                    a5 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 5 * pixel), w, a5);
                    a6 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 6 * pixel), w, a6);
                    a7 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 7 * pixel), w, a7);
                    x = ref Unsafe.Add(ref x, tap);
                    weights = ref Unsafe.Add(ref weights, column);
                }
            }
            StoreBlock<TVector, T>(ref Unsafe.Add(ref y, c), column, pixels, a0, a1, a2, a3, a4, a5, a6, a7);
            if (c == lastChannel) break;
        }
    }

    /// <summary>Three-wide filter, unit column stride: the filter row's weights stay in registers and each of the ten input columns is loaded once.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sliding3<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column);
                weights = ref Unsafe.Add(ref weights, 3 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 0), w0, a0);
                v = TRepeat.Load<TVector, T>(ref x, 1 * s); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = TRepeat.Load<TVector, T>(ref x, 2 * s); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = TRepeat.Load<TVector, T>(ref x, 3 * s); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = TRepeat.Load<TVector, T>(ref x, 4 * s); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = TRepeat.Load<TVector, T>(ref x, 5 * s); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = TRepeat.Load<TVector, T>(ref x, 6 * s); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = TRepeat.Load<TVector, T>(ref x, 7 * s); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = TRepeat.Load<TVector, T>(ref x, 8 * s); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7);
                a7 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 9 * s), w2, a7);
            }
            ref T yc = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref yc, 0);
            if (pixels > 1) Store<TVector, T>(a1, ref yc, 1 * column);
            if (pixels > 2) Store<TVector, T>(a2, ref yc, 2 * column);
            if (pixels > 3) Store<TVector, T>(a3, ref yc, 3 * column);
            if (pixels > 4) Store<TVector, T>(a4, ref yc, 4 * column);
            if (pixels > 5) Store<TVector, T>(a5, ref yc, 5 * column);
            if (pixels > 6) Store<TVector, T>(a6, ref yc, 6 * column);
            if (pixels > 7) Store<TVector, T>(a7, ref yc, 7 * column);
            if (c == lastChannel) break;
        }
    }


    /// <summary>Five-wide filter, unit column stride: as <see cref="Sliding3{TVector, T, TRepeat, TBounds}"/> with twelve columns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sliding5<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
        ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column), w3 = Load<TVector, T>(ref weights, 3 * column), w4 = Load<TVector, T>(ref weights, 4 * column);
                weights = ref Unsafe.Add(ref weights, 5 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * FiveWideTableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w3, a0); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w4, a0); a1 = MultiplyAdd<TVector, T>(v, w3, a1); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w4, a1); a2 = MultiplyAdd<TVector, T>(v, w3, a2); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w4, a2); a3 = MultiplyAdd<TVector, T>(v, w3, a3); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w4, a3); a4 = MultiplyAdd<TVector, T>(v, w3, a4); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w4, a4); a5 = MultiplyAdd<TVector, T>(v, w3, a5); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w4, a5); a6 = MultiplyAdd<TVector, T>(v, w3, a6); a7 = MultiplyAdd<TVector, T>(v, w2, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 10, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w4, a6); a7 = MultiplyAdd<TVector, T>(v, w3, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 11, s, ref origin, ref offsets), w4, a7);
            }
            ref T yc = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref yc, 0);
            if (pixels > 1) Store<TVector, T>(a1, ref yc, 1 * column);
            if (pixels > 2) Store<TVector, T>(a2, ref yc, 2 * column);
            if (pixels > 3) Store<TVector, T>(a3, ref yc, 3 * column);
            if (pixels > 4) Store<TVector, T>(a4, ref yc, 4 * column);
            if (pixels > 5) Store<TVector, T>(a5, ref yc, 5 * column);
            if (pixels > 6) Store<TVector, T>(a6, ref yc, 6 * column);
            if (pixels > 7) Store<TVector, T>(a7, ref yc, 7 * column);
            if (c == lastChannel) break;
        }
    }


    /// <summary>Three-wide filter, column stride 2: seventeen input columns, each loaded once (the even ones feed two pixels).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sliding3Stride2<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column);
                weights = ref Unsafe.Add(ref weights, 3 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 0), w0, a0);
                a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 1 * s), w1, a0);
                v = TRepeat.Load<TVector, T>(ref x, 2 * s); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                a1 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 3 * s), w1, a1);
                v = TRepeat.Load<TVector, T>(ref x, 4 * s); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                a2 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 5 * s), w1, a2);
                v = TRepeat.Load<TVector, T>(ref x, 6 * s); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                a3 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 7 * s), w1, a3);
                v = TRepeat.Load<TVector, T>(ref x, 8 * s); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                a4 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 9 * s), w1, a4);
                v = TRepeat.Load<TVector, T>(ref x, 10 * s); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                a5 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 11 * s), w1, a5);
                v = TRepeat.Load<TVector, T>(ref x, 12 * s); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                a6 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 13 * s), w1, a6);
                v = TRepeat.Load<TVector, T>(ref x, 14 * s); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                a7 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 15 * s), w1, a7);
                a7 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 16 * s), w2, a7);
            }
            ref T yc = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref yc, 0);
            if (pixels > 1) Store<TVector, T>(a1, ref yc, 1 * column);
            if (pixels > 2) Store<TVector, T>(a2, ref yc, 2 * column);
            if (pixels > 3) Store<TVector, T>(a3, ref yc, 3 * column);
            if (pixels > 4) Store<TVector, T>(a4, ref yc, 4 * column);
            if (pixels > 5) Store<TVector, T>(a5, ref yc, 5 * column);
            if (pixels > 6) Store<TVector, T>(a6, ref yc, 6 * column);
            if (pixels > 7) Store<TVector, T>(a7, ref yc, 7 * column);
            if (c == lastChannel) break;
        }
    }


    /// <summary>Twelve pixels of <see cref="Sliding3{TVector, T, TRepeat, TBounds}"/>: twelve accumulators (sixteen vector registers in all) hide the FMA latency of the taps chained into each output.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sliding3Wide<TVector, T, TRepeat, TBounds>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column);
                weights = ref Unsafe.Add(ref weights, 3 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 0), w0, a0);
                v = TRepeat.Load<TVector, T>(ref x, 1 * s); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = TRepeat.Load<TVector, T>(ref x, 2 * s); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = TRepeat.Load<TVector, T>(ref x, 3 * s); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = TRepeat.Load<TVector, T>(ref x, 4 * s); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = TRepeat.Load<TVector, T>(ref x, 5 * s); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = TRepeat.Load<TVector, T>(ref x, 6 * s); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = TRepeat.Load<TVector, T>(ref x, 7 * s); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = TRepeat.Load<TVector, T>(ref x, 8 * s); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7); a8 = MultiplyAdd<TVector, T>(v, w0, a8);
                v = TRepeat.Load<TVector, T>(ref x, 9 * s); a7 = MultiplyAdd<TVector, T>(v, w2, a7); a8 = MultiplyAdd<TVector, T>(v, w1, a8); a9 = MultiplyAdd<TVector, T>(v, w0, a9);
                v = TRepeat.Load<TVector, T>(ref x, 10 * s); a8 = MultiplyAdd<TVector, T>(v, w2, a8); a9 = MultiplyAdd<TVector, T>(v, w1, a9); a10 = MultiplyAdd<TVector, T>(v, w0, a10);
                v = TRepeat.Load<TVector, T>(ref x, 11 * s); a9 = MultiplyAdd<TVector, T>(v, w2, a9); a10 = MultiplyAdd<TVector, T>(v, w1, a10); a11 = MultiplyAdd<TVector, T>(v, w0, a11);
                v = TRepeat.Load<TVector, T>(ref x, 12 * s); a10 = MultiplyAdd<TVector, T>(v, w2, a10); a11 = MultiplyAdd<TVector, T>(v, w1, a11);
                a11 = MultiplyAdd<TVector, T>(TRepeat.Load<TVector, T>(ref x, 13 * s), w2, a11);
            }
            ref T yc = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref yc, 0);
            if (pixels > 1) Store<TVector, T>(a1, ref yc, 1 * column);
            if (pixels > 2) Store<TVector, T>(a2, ref yc, 2 * column);
            if (pixels > 3) Store<TVector, T>(a3, ref yc, 3 * column);
            if (pixels > 4) Store<TVector, T>(a4, ref yc, 4 * column);
            if (pixels > 5) Store<TVector, T>(a5, ref yc, 5 * column);
            if (pixels > 6) Store<TVector, T>(a6, ref yc, 6 * column);
            if (pixels > 7) Store<TVector, T>(a7, ref yc, 7 * column);
            if (pixels > 8) Store<TVector, T>(a8, ref yc, 8 * column);
            if (pixels > 9) Store<TVector, T>(a9, ref yc, 9 * column);
            if (pixels > 10) Store<TVector, T>(a10, ref yc, 10 * column);
            if (pixels > 11) Store<TVector, T>(a11, ref yc, 11 * column);
            if (c == lastChannel) break;
        }
    }


    /// <summary>Ten pixels of <see cref="Sliding5{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sliding5Wide<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
        ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
    {
        nint column = p.Channels, filterHeight = p.FilterHeight, lanes = Count<TVector, T>();
        for (nint c = firstChannel; ; c += lanes)
        {
            if (c > lastChannel) c = lastChannel;
            ref T origin = ref Unsafe.Add(ref window, (c - firstChannel) / TRepeat.Multiplier);
            ref T weights = ref Unsafe.Add(ref filter, c);
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
            for (nint ky = 0; ky < filterHeight; ky++)
            {
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column), w3 = Load<TVector, T>(ref weights, 3 * column), w4 = Load<TVector, T>(ref weights, 4 * column);
                weights = ref Unsafe.Add(ref weights, 5 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * FiveWideTableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w3, a0); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w4, a0); a1 = MultiplyAdd<TVector, T>(v, w3, a1); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w4, a1); a2 = MultiplyAdd<TVector, T>(v, w3, a2); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w4, a2); a3 = MultiplyAdd<TVector, T>(v, w3, a3); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w4, a3); a4 = MultiplyAdd<TVector, T>(v, w3, a4); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w4, a4); a5 = MultiplyAdd<TVector, T>(v, w3, a5); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7); a8 = MultiplyAdd<TVector, T>(v, w0, a8);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w4, a5); a6 = MultiplyAdd<TVector, T>(v, w3, a6); a7 = MultiplyAdd<TVector, T>(v, w2, a7); a8 = MultiplyAdd<TVector, T>(v, w1, a8); a9 = MultiplyAdd<TVector, T>(v, w0, a9);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 10, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w4, a6); a7 = MultiplyAdd<TVector, T>(v, w3, a7); a8 = MultiplyAdd<TVector, T>(v, w2, a8); a9 = MultiplyAdd<TVector, T>(v, w1, a9);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 11, s, ref origin, ref offsets); a7 = MultiplyAdd<TVector, T>(v, w4, a7); a8 = MultiplyAdd<TVector, T>(v, w3, a8); a9 = MultiplyAdd<TVector, T>(v, w2, a9);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 12, s, ref origin, ref offsets); a8 = MultiplyAdd<TVector, T>(v, w4, a8); a9 = MultiplyAdd<TVector, T>(v, w3, a9);
                a9 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 13, s, ref origin, ref offsets), w4, a9);
            }
            ref T yc = ref Unsafe.Add(ref y, c);
            Store<TVector, T>(a0, ref yc, 0);
            if (pixels > 1) Store<TVector, T>(a1, ref yc, 1 * column);
            if (pixels > 2) Store<TVector, T>(a2, ref yc, 2 * column);
            if (pixels > 3) Store<TVector, T>(a3, ref yc, 3 * column);
            if (pixels > 4) Store<TVector, T>(a4, ref yc, 4 * column);
            if (pixels > 5) Store<TVector, T>(a5, ref yc, 5 * column);
            if (pixels > 6) Store<TVector, T>(a6, ref yc, 6 * column);
            if (pixels > 7) Store<TVector, T>(a7, ref yc, 7 * column);
            if (pixels > 8) Store<TVector, T>(a8, ref yc, 8 * column);
            if (pixels > 9) Store<TVector, T>(a9, ref yc, 9 * column);
            if (c == lastChannel) break;
        }
    }

    /// <summary>
    /// Row <paramref name="index"/> of a block's window (filter row, or input row of a pair) and its column step, or the
    /// zero vector with a zero column step when only rows [rowsBegin, rowsEnd) lie inside the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T InputRow<T>(ref T origin, nint rowOffset, nint rowStep, nint index, nint rowsBegin, nint rowsEnd, ref T zero, nint step, out nint columnStep)
    {
        if ((nuint)(index - rowsBegin) < (nuint)(rowsEnd - rowsBegin))
        {
            columnStep = step;
            return ref Unsafe.Add(ref origin, rowOffset + index * rowStep);
        }
        columnStep = 0;
        return ref zero;
    }

    /// <summary><see cref="InputRow"/> for a block whose rows may lie in the padding; a block inside the image needs no test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T WindowRow<T, TBounds>(ref T origin, nint rowOffset, nint rowStep, nint index, nint rowsBegin, nint rowsEnd, ref T zero, nint step,
        out nint columnStep) where TBounds : struct, IBlockBounds
    {
        if (TBounds.Inside)
        {
            columnStep = step;
            return ref Unsafe.Add(ref origin, rowOffset + index * rowStep);
        }
        return ref InputRow(ref origin, rowOffset, rowStep, index, rowsBegin, rowsEnd, ref zero, step, out columnStep);
    }

    /// <summary>Stores the first <paramref name="pixels"/> of a block's eight output vectors, <paramref name="next"/> elements apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock<TVector, T>(ref T y, nint next, nint pixels, TVector a0, TVector a1, TVector a2, TVector a3,
        TVector a4, TVector a5, TVector a6, TVector a7) where TVector : unmanaged where T : unmanaged
    {
        Store<TVector, T>(a0, ref y, 0);
        if (pixels > 1) Store<TVector, T>(a1, ref y, next);
        if (pixels > 2) Store<TVector, T>(a2, ref y, 2 * next);
        if (pixels > 3) Store<TVector, T>(a3, ref y, 3 * next);
        if (pixels > 4) Store<TVector, T>(a4, ref y, 4 * next);
        if (pixels > 5) Store<TVector, T>(a5, ref y, 5 * next);
        if (pixels > 6) Store<TVector, T>(a6, ref y, 6 * next);
        if (pixels > 7) Store<TVector, T>(a7, ref y, 7 * next);
    }

    /// <summary>Which inner loop a problem's column geometry selects.</summary>
    private enum SlidingKind
    {
        /// <summary>Any filter width, stride and dilation: <see cref="General{TVector, T, TRepeat, TBounds}"/>.</summary>
        None,
        /// <summary>Three wide, column stride and dilation 1: <see cref="Sliding3{TVector, T, TRepeat, TBounds}"/>.</summary>
        Width3,
        /// <summary>Five wide, column stride and dilation 1: <see cref="Sliding5{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width5,
        /// <summary>Three wide, column stride 2, dilation 1: <see cref="Sliding3Stride2{TVector, T, TRepeat, TBounds}"/>.</summary>
        Width3Stride2,
    }

    /// <summary>The geometry as native-width locals, computed once per call of <see cref="RunRows{TVector, T, TRepeat}(ref T, ref T, ref T, in ConvolutionGeometry, long, long)"/>.</summary>
    private readonly struct Plan
    {
        /// <summary>Channels is C * M (output channels, the filter's and output's pixel stride); InputChannels is C (the input's pixel stride).</summary>
        public readonly nint Height, Width, Channels, InputChannels, FilterHeight, FilterWidth, OutputHeight, OutputWidth;
        /// <summary>Output pixels of the whole problem (every image).</summary>
        public readonly long Pixels;
        public readonly nint StrideHeight, StrideWidth, DilationHeight, DilationWidth, PadTop, PadLeft;
        public readonly nint LastChannelBlock;
        /// <summary>Input columns one block of eight pixels reads.</summary>
        public readonly nint WindowColumns;
        public readonly SlidingKind Kind;
        /// <summary>Pixels of the interior's blocks while they fit: more than eight where the kind has a wide variant (sixteen vector registers at most: at twelve pixels the stride-2 variant spills).</summary>
        public readonly nint WidePixels;
        /// <summary>Channels the narrow-row path copies and computes at a time: eight vectors, or all of C if fewer.</summary>
        public readonly nint ChunkChannels;

        public Plan(in ConvolutionGeometry g, int vectorCount)
        {
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.OutputChannels; InputChannels = (nint)g.InputChannels;
            FilterHeight = (nint)g.FilterHeight; FilterWidth = (nint)g.FilterWidth;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            Pixels = g.Batch * g.OutputHeight * g.OutputWidth;
            StrideHeight = (nint)g.StrideHeight; StrideWidth = (nint)g.StrideWidth;
            DilationHeight = (nint)g.DilationHeight; DilationWidth = (nint)g.DilationWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft;
            LastChannelBlock = Channels - vectorCount;
            ChunkChannels = Math.Min(Channels, 8 * vectorCount);
            WindowColumns = (BlockPixels - 1) * StrideWidth + (FilterWidth - 1) * DilationWidth + 1;
            Kind = DilationWidth != 1 ? SlidingKind.None : (FilterWidth, StrideWidth) switch
            {
                (3, 1) => SlidingKind.Width3,
                (5, 1) => SlidingKind.Width5,
                (3, 2) => SlidingKind.Width3Stride2,
                _ => SlidingKind.None,
            };
            WidePixels = Kind == SlidingKind.Width3 ? 12 : BlockPixels;
        }
    }
}
