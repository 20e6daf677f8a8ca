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
/// slower at two threads, and again on Zen 5 with the current pool, each thread one half of the channel vectors over
/// all rows where seven row pairs share out 4:3: 14x14x576 1.34-2.1x the time, 7x7x960 1.4-1.7x); three-by-three filters at unit strides (any multiplier) run two rows of a
/// thread's range at a time, edge columns included (DepthwiseNhwcKernel.RowPairs.cs). Other rows are cut into blocks of eight output pixels × one channel
/// vector, so that each weight vector loaded feeds eight FMAs; for filters three or five wide at unit column
/// stride or at column stride 2 (DepthwiseNhwcKernel.FiveWideStride2.cs), and seven wide at unit stride
/// (DepthwiseNhwcKernel.SevenWide.cs), the weights of a filter row stay in registers and each input
/// column is loaded once for all the taps that read it (twelve pixels per block for three-wide filters, ten for
/// five-wide: more independent accumulators than the FMA latency needs); the last channel vector ends at C: no
/// scalar tails. Five- and seven-wide rows at unit column stride, and rows with less than a block of interior columns (those whose taps all fall
/// inside the input width), run entirely in blocks, those past an edge reading the padding's columns as zeros
/// through per-block column offsets (DepthwiseNhwcKernel.RowBlocks.cs); other rows run their interior in blocks (a
/// remainder of up to three pixels one pixel at a time, a larger one as a block shifted back to end at the
/// interior's end, recomputing an overlap) and their few edge columns one pixel at a time, taps outside the input
/// multiplying a zero vector. Filter rows over the top or bottom padding read a zero vector (column step 0) instead
/// of the image; blocks of rows with no filter row in the padding run an instantiation without that test
/// (<see cref="InsideImage"/>; 4-10% on stride-2, 5x5 and multiplier-4 shapes in a side-by-side harness). Taps in
/// the padding thus always multiply
/// zeros rather than being skipped, as in TensorFlow's kernels (a NaN or infinite weight over padding gives
/// NaN). Every output adds its taps in the reference's order (filter row, then column) whatever path
/// computes it, so results do not depend on how rows are split between threads. Calls too large for the
/// last-level cache with pixels of many cache lines read each unit's new input rows ahead and write its output
/// through an L2 staging buffer with non-temporal stores (RowStream.cs).
/// </summary>
internal static partial class DepthwiseNhwcKernel
{
    private const int BlockPixels = 8;
    private const int StackScratchElements = 2048;

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
    /// <c>channelChunkVectors</c>: how many channel vectors a chunk of the row pairs holds at most
    /// (DepthwiseNhwcKernel.ChannelChunks.cs): -1 as the problem's shape decides, 0 no chunks (tests set both ways).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // the scratch's zeros are cleared below and its split weights written before use: zeroing all 8 KiB per call cost 10% of a tiny call
    public static unsafe void RunRows<TVector, T, TRepeat>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstRow, long endRow,
        T* splitWeights, bool allowSplit, nint channelChunkVectors = -1)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        var p = new Plan(g, Count<TVector, T>());
        // Zeros read by taps over the padding (as many as a pixel's input channels, for the blocks past an edge,
        // see DepthwiseNhwcKernel.RowBlocks.cs), then multiplier 2's de-interleaved weights if this call prepares them.
        bool split = allowSplit && SplitsMultiplier<TVector, T, TRepeat>(p);
        int splitElements = split && splitWeights == null ? checked((int)SplitWeightElements(p)) : 0;
        int zeroElements = (int)Math.Max(Count<TVector, T>(), p.InputChannels);
        int scratchElements = zeroElements + splitElements;
        T[]? rented = scratchElements > StackScratchElements ? ArrayPool<T>.Shared.Rent(scratchElements) : null;
        Span<T> scratch = rented ?? stackalloc T[StackScratchElements];
        var stream = RowStream<T>.For(g);
        try
        {
            scratch.Slice(0, zeroElements).Clear();
            var interior = InteriorColumns.Of(g);
            nint rowElements = p.OutputWidth * p.Channels;
            // Pinned: the repeating loads of M > 1 take pointers (see ChannelRepeat), and blocks past an edge reach
            // the zeros by byte offsets from the image.
            fixed (T* pinned = scratch)
            fixed (T* pinnedInput = &input)
            {
                if (split && splitWeights == null)
                {
                    splitWeights = pinned + zeroElements;
                    SplitWeights(ref filter, p, ref *splitWeights);
                }
                bool pairs = !split && PairsRows<TRepeat>(p);
                nint chunkVectors = channelChunkVectors >= 0 ? channelChunkVectors : ChannelChunkVectors<TVector, T>(p);
                if (pairs && TRepeat.Multiplier == 1 && chunkVectors > 0 && !RowStream<T>.Streams(g))
                {
                    PairsInChannelChunks<TVector, T, TRepeat>(ref input, ref filter, ref output, p, (nint)firstRow, (nint)endRow, chunkVectors, interior, ref scratch[0]);
                    return;
                }
                for (nint row = (nint)firstRow; row < (nint)endRow;)
                {
                    // Two rows of the same image in the range run as a pair (see RowPairs); pairing changes no bit.
                    // A lone row (odd heights, or a range's end) on its own: on narrow rows its blocks past the edges ran
                    // as fast as rewriting it as a pair with the row before (7x7x960 1.00-1.11x, 5x5x512 1.00x, 1 and 2 threads).
                    nint rows = pairs && StartsPair(p, row, (nint)endRow) ? 2 : 1;
                    ref T rowOutput = ref Unsafe.Add(ref output, row * rowElements);
                    ref T y = ref stream.Begin(ref input, ref rowOutput, row, rows);
                    if (split)
                        SplitRow<TVector, T, TRepeat>(ref input, ref filter, ref *splitWeights, ref y, p, row, ref scratch[0]);
                    else if (rows == 2)
                        RowPair<TVector, T, TRepeat>(ref input, ref filter, ref y, p, row, ref scratch[0]);
                    else
                        Row<TVector, T, TRepeat>(ref input, ref filter, ref y, p, row, (nint)interior.Begin, (nint)interior.End, ref scratch[0]);
                    stream.End(ref rowOutput, rows * rowElements);
                    row += rows;
                }
            }
        }
        finally
        {
            stream.Dispose();
            if (rented is not null) ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One output pixel at an edge column, every channel vector of the plan's span (all C, or a chunk's, see
    /// DepthwiseNhwcKernel.ChannelChunks.cs): taps outside the input (either way) multiply a zero vector, in the
    /// reference's order. Four channel vectors at a time, so that four independent chains of FMAs hide their
    /// latency; the last vectors one at a time, the last one ending at the span's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void EdgePixel<TVector, T, TRepeat>(ref T image, in Plan p, nint topRow, nint ox, ref T filter, ref T y)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat
    {
        nint lanes = Count<TVector, T>(), channels = p.Channels, last = p.LastChannelBlock, height = p.Height, width = p.Width;
        // Input offsets: a pixel is InputChannels apart, and output channel c reads input channel c / M.
        nint inputChannels = p.InputChannels, m = TRepeat.Multiplier, inputLanes = lanes / m;
        nint filterHeight = p.FilterHeight, filterWidth = p.FilterWidth, dilationHeight = p.DilationHeight, dilationWidth = p.DilationWidth;
        nint leftColumn = ox * p.StrideWidth - p.PadLeft;
        nint c = 0, span = last + lanes;
        for (; c + 4 * lanes <= span; c += 4 * lanes)
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
        for (; c < span; c += lanes)
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

    /// <summary>Any filter width, stride and dilation: one weight vector per tap, feeding the eight pixels.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void General<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
        ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
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
                if (!TColumns.Inside)
                {
                    // Past an edge: pixel j's tap kx reads block column j * SW + kx * DW through its offset.
                    ref nint offsets = ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
                    for (nint kx = 0; kx < filterWidth; kx++)
                    {
                        TVector w = Load<TVector, T>(ref weights, 0);
                        ref nint taps = ref Unsafe.Add(ref offsets, kx * dilationWidth);
                        a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 0, 0, ref origin, ref taps), w, a0);
                        a1 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, strideWidth, 0, ref origin, ref taps), w, a1);
                        a2 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 2 * strideWidth, 0, ref origin, ref taps), w, a2);
                        a3 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 3 * strideWidth, 0, ref origin, ref taps), w, a3);
                        a4 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 4 * strideWidth, 0, ref origin, ref taps), w, a4);
                        a5 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 5 * strideWidth, 0, ref origin, ref taps), w, a5);
                        a6 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 6 * strideWidth, 0, ref origin, ref taps), w, a6);
                        a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref origin, 7 * strideWidth, 0, ref origin, ref taps), w, a7);
                        weights = ref Unsafe.Add(ref weights, column);
                    }
                    continue;
                }
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Sliding3<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
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
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column);
                weights = ref Unsafe.Add(ref weights, 3 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets), w2, a7);
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


    /// <summary>Five-wide filter, unit column stride: as <see cref="Sliding3{TVector, T, TRepeat, TBounds, TColumns}"/> with twelve columns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
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


    /// <summary>
    /// Three-wide filter, column stride 2: seventeen input columns, each loaded once (the even ones feed two pixels).
    /// Blocks of four pixels × two neighbouring channel vectors instead (each column's two loads one 64-byte line, weights
    /// as memory operands) ran 0.75-0.94x this loop's time as a standalone probe on VALID interiors, but 1.0-1.45x wired in
    /// here for multiplier 1 (56x56x144 and 112x112x96 SAME, AVX2, 1 thread, alternated processes): not kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Sliding3Stride2<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
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
                TVector w0 = Load<TVector, T>(ref weights, 0), w1 = Load<TVector, T>(ref weights, 1 * column), w2 = Load<TVector, T>(ref weights, 2 * column);
                weights = ref Unsafe.Add(ref weights, 3 * column);
                // Filter rows over the padding read a zero vector with a zero column step.
                ref T x = ref WindowRow<T, TBounds>(ref origin, rowOffset, rowStep, ky, rowsBegin, rowsEnd, ref zero, step, out nint s);
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets), w1, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                a1 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets), w1, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                a2 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets), w1, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                a3 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets), w1, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                a4 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets), w1, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 10, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                a5 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 11, s, ref origin, ref offsets), w1, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 12, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                a6 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 13, s, ref origin, ref offsets), w1, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 14, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 15, s, ref origin, ref offsets), w1, a7);
                a7 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 16, s, ref origin, ref offsets), w2, a7);
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


    /// <summary>Twelve pixels of <see cref="Sliding3{TVector, T, TRepeat, TBounds, TColumns}"/>: twelve accumulators (sixteen vector registers in all) hide the FMA latency of the taps chained into each output.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Sliding3Wide<TVector, T, TRepeat, TBounds, TColumns>(ref T window, nint rowOffset, nint rowStep, nint step, nint rowsBegin, nint rowsEnd, ref T zero, ref T filter, in Plan p, ref T y, nint pixels, nint firstChannel, nint lastChannel,
        ref nint columnOffsets)
        where TVector : unmanaged where T : unmanaged where TRepeat : struct, IChannelRepeat where TBounds : struct, IBlockBounds where TColumns : struct, IBlockBounds
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
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
                TVector v;
                a0 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 0, s, ref origin, ref offsets), w0, a0);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 1, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w1, a0); a1 = MultiplyAdd<TVector, T>(v, w0, a1);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 2, s, ref origin, ref offsets); a0 = MultiplyAdd<TVector, T>(v, w2, a0); a1 = MultiplyAdd<TVector, T>(v, w1, a1); a2 = MultiplyAdd<TVector, T>(v, w0, a2);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 3, s, ref origin, ref offsets); a1 = MultiplyAdd<TVector, T>(v, w2, a1); a2 = MultiplyAdd<TVector, T>(v, w1, a2); a3 = MultiplyAdd<TVector, T>(v, w0, a3);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 4, s, ref origin, ref offsets); a2 = MultiplyAdd<TVector, T>(v, w2, a2); a3 = MultiplyAdd<TVector, T>(v, w1, a3); a4 = MultiplyAdd<TVector, T>(v, w0, a4);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 5, s, ref origin, ref offsets); a3 = MultiplyAdd<TVector, T>(v, w2, a3); a4 = MultiplyAdd<TVector, T>(v, w1, a4); a5 = MultiplyAdd<TVector, T>(v, w0, a5);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 6, s, ref origin, ref offsets); a4 = MultiplyAdd<TVector, T>(v, w2, a4); a5 = MultiplyAdd<TVector, T>(v, w1, a5); a6 = MultiplyAdd<TVector, T>(v, w0, a6);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 7, s, ref origin, ref offsets); a5 = MultiplyAdd<TVector, T>(v, w2, a5); a6 = MultiplyAdd<TVector, T>(v, w1, a6); a7 = MultiplyAdd<TVector, T>(v, w0, a7);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 8, s, ref origin, ref offsets); a6 = MultiplyAdd<TVector, T>(v, w2, a6); a7 = MultiplyAdd<TVector, T>(v, w1, a7); a8 = MultiplyAdd<TVector, T>(v, w0, a8);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 9, s, ref origin, ref offsets); a7 = MultiplyAdd<TVector, T>(v, w2, a7); a8 = MultiplyAdd<TVector, T>(v, w1, a8); a9 = MultiplyAdd<TVector, T>(v, w0, a9);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 10, s, ref origin, ref offsets); a8 = MultiplyAdd<TVector, T>(v, w2, a8); a9 = MultiplyAdd<TVector, T>(v, w1, a9); a10 = MultiplyAdd<TVector, T>(v, w0, a10);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 11, s, ref origin, ref offsets); a9 = MultiplyAdd<TVector, T>(v, w2, a9); a10 = MultiplyAdd<TVector, T>(v, w1, a10); a11 = MultiplyAdd<TVector, T>(v, w0, a11);
                v = Column<TVector, T, TRepeat, TColumns>(ref x, 12, s, ref origin, ref offsets); a10 = MultiplyAdd<TVector, T>(v, w2, a10); a11 = MultiplyAdd<TVector, T>(v, w1, a11);
                a11 = MultiplyAdd<TVector, T>(Column<TVector, T, TRepeat, TColumns>(ref x, 13, s, ref origin, ref offsets), w2, a11);
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
                ref nint offsets = ref TColumns.Inside ? ref columnOffsets : ref Unsafe.Add(ref columnOffsets, ky * p.TableColumns);
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
        /// <summary>Any filter width, stride and dilation: <see cref="General{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        None,
        /// <summary>Three wide, column stride and dilation 1: <see cref="Sliding3{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width3,
        /// <summary>Five wide, column stride and dilation 1: <see cref="Sliding5{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width5,
        /// <summary>Three wide, column stride 2, dilation 1: <see cref="Sliding3Stride2{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width3Stride2,
        /// <summary>Five wide, column stride 2, dilation 1: <see cref="Sliding5Stride2{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width5Stride2,
        /// <summary>Seven wide, column stride and dilation 1: <see cref="Sliding7{TVector, T, TRepeat, TBounds, TColumns}"/>.</summary>
        Width7,
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
        public readonly SlidingKind Kind;
        /// <summary>Pixels of a row's wide blocks: more than eight where the kind has a wide variant (sixteen vector registers at most: at twelve pixels the stride-2 variant spills).</summary>
        public readonly nint WidePixels;
        /// <summary>Input columns a wide block reads: entries per filter row of the column offsets of a block past an edge.</summary>
        public readonly nint TableColumns;

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
            Kind = DilationWidth != 1 ? SlidingKind.None : (FilterWidth, StrideWidth) switch
            {
                (3, 1) => SlidingKind.Width3,
                (5, 1) => SlidingKind.Width5,
                (3, 2) => SlidingKind.Width3Stride2,
                (5, 2) => SlidingKind.Width5Stride2,
                (7, 1) => SlidingKind.Width7,
                _ => SlidingKind.None,
            };
            WidePixels = Kind switch { SlidingKind.Width3 => 12, SlidingKind.Width5 => 10, _ => BlockPixels };
            TableColumns = BlockColumns(WidePixels);
        }

        /// <summary>This plan over the first <paramref name="channels"/> channels only (at least a vector), pixels still <see cref="Channels"/> apart.</summary>
        public Plan WithChannelSpan(nint channels, nint vectorCount)
        {
            var copy = this;
            Unsafe.AsRef(in copy.LastChannelBlock) = channels - vectorCount;
            return copy;
        }

        /// <summary>Input columns a block of <paramref name="pixels"/> pixels reads.</summary>
        public nint BlockColumns(nint pixels) => (pixels - 1) * StrideWidth + (FilterWidth - 1) * DilationWidth + 1;
    }
}
