using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Depthwise convolution on planar tensors: input <c>[N, C, H, W]</c>, filter <c>[KH, KW, C, M]</c>, output
/// <c>[N, C*M, OH, OW]</c>, any multiplier, stride, dilation and padding. Each (batch, input channel) plane is
/// a 2-D convolution with vectors along W. A work item is one band of output rows of one input plane (28 or
/// 56 rows; 14 or 21 on the 3x3 tiles where 28 would overflow the scratch target): its input rows are first
/// copied to a small scratch (about 16 KiB, stays in L1) between zero padding columns,
/// the columns split into <c>StrideWidth</c> phases (padded column j goes to phase <c>j % SW</c>, index
/// <c>j / SW</c>), so that for every stride the taps of a vector of adjacent output columns are one unaligned
/// load each and no bounds test is left in the inner loops. The copy serves all M output planes of the input
/// plane. (Software prefetch of the next band's rows during the current one measured 8-15% slower.)
/// Three-by-three filters at row stride 1 or 2 (no row dilation) run seven output rows × one vector with the nine
/// weights in registers, loading each input row's three tap vectors once for all the outputs that read it; each
/// output row's accumulator starts at its first tap and is stored after its last, so at most three
/// (two at stride 2) are live beside the weights and nothing spills. Five-by-five filters at stride 1 in float32 at 256
/// bits walk strips of two vectors down the band instead (DepthwiseNchwKernel.Sliding5x5.cs). Other filters run tiles of four output rows ×
/// two vectors (eight accumulators: enough independent FMA chains for the latency) with one broadcast weight per
/// tap. The last columns of a row, when OW is not a multiple of the tile, run as a tile shifted back to end at OW
/// (recomputing an overlap with the same bits); rows narrower than a vector are computed whole on the zero-padded
/// scratch into the stack and stored in part. Every output adds its taps in the reference's order (filter row,
/// then column) from zero, whatever tile computes it, so results do not depend on how the work is split between
/// threads. Taps over the padding multiply zeros, as in TensorFlow (a NaN weight there gives NaN). Float32 3x3 on
/// AVX2 skips the band copy and reads the input rows in place (same work items, same bits) at stride 2 without
/// left or top padding (DepthwiseNchwKernel.Stride2InPlace.cs) and at stride 1 (rows up to 16 wide:
/// DepthwiseNchwKernel.Stride1InPlace.cs; wider: DepthwiseNchwKernel.Stride1Wide.cs). On AVX-512, 512-bit tiles read
/// in place too, where they apply: 3x3 at stride 1 (DepthwiseNchwKernel.Stride1Sliding.cs, Stride1SlidingNarrow.cs,
/// FlatPlanes.cs) and stride 2 (Stride2Sliding.cs), any padding, and 5x5 on rows of 9 to 16
/// (Stride1FiveByFiveNarrow.cs).
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Scratch a band aims at (bytes): inside the 32 KiB L1 with room for the output rows.</summary>
    private const int BandBytes = 16 * 1024;
    private const int StackTaps = 64;

    /// <summary>The fixed split of the problem into work items (band × input plane); independent of threads.</summary>
    public readonly struct Plan
    {
        public readonly nint Height, Width, Channels, Multiplier, FilterHeight, FilterWidth, OutputHeight, OutputWidth;
        public readonly nint StrideHeight, StrideWidth, DilationHeight, DilationWidth, PadTop, PadLeft;
        /// <summary>Elements of one column phase of a scratch row: the computed columns plus the widest tap offset.</summary>
        public readonly nint PhaseWidth;
        /// <summary>Elements of one scratch row (all its phases).</summary>
        public readonly nint RowPitch;
        /// <summary>Output rows per band, and bands per plane.</summary>
        public readonly nint BandRows, Bands;

        public Plan(in ConvolutionGeometry g, int lanes, int elementSize)
        {
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.InputChannels; Multiplier = (nint)g.OutputChannelsPerGroup;
            FilterHeight = (nint)g.FilterHeight; FilterWidth = (nint)g.FilterWidth;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            StrideHeight = (nint)g.StrideHeight; StrideWidth = (nint)g.StrideWidth;
            DilationHeight = (nint)g.DilationHeight; DilationWidth = (nint)g.DilationWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft;
            nint computedColumns = (OutputWidth + lanes - 1) / lanes * lanes;
            PhaseWidth = computedColumns + (FilterWidth - 1) * DilationWidth / StrideWidth;
            RowPitch = StrideWidth * PhaseWidth;
            Sliding3x3 = SlidesThreeByThree(g);
            // Bands of a multiple of 28 rows (the tiles are four and seven rows high) and about BandBytes of
            // scratch, at most 56 rows. Where 28 rows overflow BandBytes (wide rows at row stride 2: 112x112
            // s2 made a 32 KiB band, all of L1), the seven-row tiles take bands of 14 or 21 rows instead.
            nint rows = BandBytes / elementSize / Math.Max(1, StrideHeight * RowPitch);
            rows = Sliding3x3 && rows < 28 ? Math.Max(rows / 7 * 7, 14) : Math.Clamp(rows / 28 * 28, 28, 56);
            BandRows = Math.Max(1, Math.Min(rows, OutputHeight));
            Bands = OutputHeight == 0 ? 0 : (OutputHeight + BandRows - 1) / BandRows;
        }

        /// <summary>Input rows (padded coordinates) a full band reads.</summary>
        public nint BandInputRows => (BandRows - 1) * StrideHeight + (FilterHeight - 1) * DilationHeight + 1;

        /// <summary>Scratch rows: a band's, plus the rows a seven-row tile past the band's end reads (it stores nothing there).</summary>
        public nint ScratchRows => BandInputRows + 7 * StrideHeight;

        /// <summary>Whether <see cref="Rows7Taps3x3{TVector, T}"/> or its stride-2 twin serves the problem (see <see cref="SlidesThreeByThree"/>).</summary>
        public readonly bool Sliding3x3;
    }

    /// <summary>Whether the seven-row 3x3 tiles serve the problem: 3x3, row stride 1 or 2, no row dilation (any column stride and dilation).</summary>
    public static bool SlidesThreeByThree(in ConvolutionGeometry g) =>
        g.FilterHeight == 3 && g.FilterWidth == 3 && g.StrideHeight is 1 or 2 && g.DilationHeight == 1;

    /// <summary>Work items of the problem: batch × input channels × bands.</summary>
    public static long WorkItems(in ConvolutionGeometry g, int lanes, int elementSize)
    {
        var p = new Plan(g, lanes, elementSize);
        return g.Batch * g.InputChannels * p.Bands;
    }

    /// <summary>Computes work items [firstItem, endItem).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunItems<TVector, T>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>();
        var p = new Plan(g, (int)lanes, Unsafe.SizeOf<T>());
        if (ReadsStride1InPlace<TVector, T>(p))
        {
            RunItemsStride1InPlace(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        if (ReadsFlatPlanes<TVector, T>(p))
        {
            RunItemsFlatPlanes(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        if (SlidesFiveByFiveNarrow<TVector, T>(p))
        {
            RunItemsFiveByFiveNarrow(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        if (SlidesStride2InPlace<TVector, T>(p))
        {
            RunItemsStride2Sliding(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        if (SlidesStride1InPlace<TVector, T>(p))
        {
            RunItemsStride1Sliding<float>(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        if (ReadsStride1WideInPlace<TVector, T>(p))
        {
            RunItemsStride1Wide(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                firstItem, endItem);
            return;
        }
        nint taps = p.FilterHeight * p.FilterWidth;
        int scratchElements = checked((int)(p.ScratchRows * p.RowPitch));
        T[] scratch = ArrayPool<T>.Shared.Rent(scratchElements);
        T[]? rentedWeights = taps > StackTaps ? ArrayPool<T>.Shared.Rent((int)taps) : null;
        nint[]? rentedOffsets = taps > StackTaps ? ArrayPool<nint>.Shared.Rent((int)taps) : null;
        Span<T> weights = rentedWeights ?? stackalloc T[StackTaps];
        Span<nint> offsets = rentedOffsets ?? stackalloc nint[StackTaps];
        try
        {
            // Tap (ky, kx) of output column ox reads scratch row oy * SH + ky * DH (band-relative), padded column
            // ox * SW + kx * DW: phase (kx * DW) % SW, index ox + (kx * DW) / SW.
            for (nint ky = 0; ky < p.FilterHeight; ky++)
                for (nint kx = 0; kx < p.FilterWidth; kx++)
                    offsets[(int)(ky * p.FilterWidth + kx)] = ky * p.DilationHeight * p.RowPitch
                        + kx * p.DilationWidth % p.StrideWidth * p.PhaseWidth + kx * p.DilationWidth / p.StrideWidth;
            ref T band = ref scratch[0];
            // The padding columns of every scratch row stay zero from here on (see FillBand).
            ZeroElements(ref band, 0, scratchElements);
            if (ReadsStride2InPlace<TVector, T>(p))
            {
                RunItemsStride2InPlace(ref Unsafe.As<T, float>(ref input), ref Unsafe.As<T, float>(ref filter), ref Unsafe.As<T, float>(ref output), p,
                    firstItem, endItem, ref Unsafe.As<T, float>(ref band), ref MemoryMarshal.GetReference(offsets));
                return;
            }
            nint planeIn = p.Height * p.Width, planeOut = p.OutputHeight * p.OutputWidth, outputChannels = p.Channels * p.Multiplier;
            bool slides5x5 = SlidesFiveByFive<TVector, T>(p);
            Vector256<float>* broadcastWeights = stackalloc Vector256<float>[slides5x5 ? 25 : 0];
            for (long item = firstItem; item < endItem; item++)
            {
                nint plane = (nint)(item / p.Bands), bandIndex = (nint)(item % p.Bands);
                nint batch = plane / p.Channels, channel = plane % p.Channels;
                nint firstRow = bandIndex * p.BandRows, endRow = Math.Min(firstRow + p.BandRows, p.OutputHeight);
                nint inputRows = (endRow - firstRow - 1) * p.StrideHeight + (p.FilterHeight - 1) * p.DilationHeight + 1;
                FillBand(ref Unsafe.Add(ref input, plane * planeIn), p, firstRow * p.StrideHeight - p.PadTop, inputRows, ref band);
                for (nint m = 0; m < p.Multiplier; m++)
                {
                    nint o = channel * p.Multiplier + m;
                    ref T y = ref Unsafe.Add(ref output, (batch * outputChannels + o) * planeOut + firstRow * p.OutputWidth);
                    if (slides5x5)
                    {
                        BroadcastFiveByFive(ref Unsafe.As<T, float>(ref filter), o, outputChannels, broadcastWeights);
                        fixed (T* bandPointer = &band, yPointer = &y)
                            SlidingFiveByFive((float*)bandPointer, p.RowPitch, endRow - firstRow, broadcastWeights, (float*)yPointer, p.OutputWidth);
                        continue;
                    }
                    for (nint k = 0; k < taps; k++) weights[(int)k] = Unsafe.Add(ref filter, k * outputChannels + o);
                    ComputeBand<TVector, T>(ref band, p, endRow - firstRow, ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(offsets), taps, ref y);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
            if (rentedWeights is not null) ArrayPool<T>.Shared.Return(rentedWeights);
            if (rentedOffsets is not null) ArrayPool<nint>.Shared.Return(rentedOffsets);
        }
    }

    /// <summary>
    /// Copies input rows [topRow, topRow + rows) of a plane to the band scratch, split into column phases.
    /// Only the positions that hold image columns are written: the padding columns of the scratch are zeroed
    /// once per call (<see cref="RunItems{TVector, T}"/>) and never written otherwise, and rows outside the
    /// image are zeroed whole.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillBand<T>(ref T plane, in Plan p, nint topRow, nint rows, ref T band) where T : unmanaged
    {
        nint stride = p.StrideWidth, phaseWidth = p.PhaseWidth, pitch = p.RowPitch, padLeft = p.PadLeft;
        nint columns = ImageColumns(p);
        for (nint r = 0; r < rows; r++)
        {
            nint iy = topRow + r;
            ref T row = ref Unsafe.Add(ref band, r * pitch);
            if ((nuint)iy >= (nuint)p.Height || columns == 0)
            {
                ZeroElements(ref row, 0, pitch);
                continue;
            }
            ref T source = ref Unsafe.Add(ref plane, iy * p.Width);
            if (stride == 1)
                CopyElements(ref source, ref Unsafe.Add(ref row, padLeft), columns);
            else if (stride == 2)
            {
                // Image column ix is padded column PadLeft + ix: even ix to phase PadLeft % 2 from index
                // PadLeft / 2, odd ix to the other phase from index (PadLeft + 1) / 2.
                nint evenPhase = padLeft & 1;
                Deinterleave(ref source, columns, ref Unsafe.Add(ref row, evenPhase * phaseWidth + padLeft / 2),
                    ref Unsafe.Add(ref row, (1 - evenPhase) * phaseWidth + (padLeft + 1) / 2));
            }
            else
            {
                for (nint ix = 0; ix < columns; ix++)
                {
                    nint j = padLeft + ix;
                    Unsafe.Add(ref row, j % stride * phaseWidth + j / stride) = Unsafe.Add(ref source, ix);
                }
            }
        }
    }

    /// <summary>Image columns that land inside the scratch (VALID or strided problems may leave some unread).</summary>
    private static nint ImageColumns(in Plan p) => Math.Clamp(p.RowPitch - p.PadLeft, 0, p.Width);

    /// <summary>Copies <paramref name="count"/> elements with 32-byte moves (the last one overlapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyElements<T>(ref T source, ref T destination, nint count) where T : unmanaged
    {
        nint bytes = count * Unsafe.SizeOf<T>();
        ref byte s = ref Unsafe.As<T, byte>(ref source), d = ref Unsafe.As<T, byte>(ref destination);
        if (bytes < 32)
        {
            for (nint i = 0; i < count; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
            return;
        }
        for (nint i = 0; i < bytes - 32; i += 32) Vector256.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        Vector256.LoadUnsafe(ref s, (nuint)(bytes - 32)).StoreUnsafe(ref d, (nuint)(bytes - 32));
    }

    /// <summary>Zeros elements [begin, end) of <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZeroElements<T>(ref T row, nint begin, nint end) where T : unmanaged
    {
        nint bytes = (end - begin) * Unsafe.SizeOf<T>();
        ref byte d = ref Unsafe.As<T, byte>(ref Unsafe.Add(ref row, begin));
        if (bytes < 32)
        {
            for (nint i = begin; i < end; i++) Unsafe.Add(ref row, i) = default;
            return;
        }
        for (nint i = 0; i < bytes - 32; i += 32) Vector256<byte>.Zero.StoreUnsafe(ref d, (nuint)i);
        Vector256<byte>.Zero.StoreUnsafe(ref d, (nuint)(bytes - 32));
    }

    /// <summary>even[k] = source[2k], odd[k] = source[2k + 1] for the first <paramref name="count"/> source elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Deinterleave<T>(ref T source, nint count, ref T even, ref T odd) where T : unmanaged
    {
        if (Avx2.IsSupported && typeof(T) == typeof(float) && count >= 16)
        {
            ref float s = ref Unsafe.As<T, float>(ref source);
            ref float e = ref Unsafe.As<T, float>(ref even), o = ref Unsafe.As<T, float>(ref odd);
            // Sixteen source elements at a time; the last step starts at an even index ending at or just before
            // the end (the overlap rewrites the same values), and an odd count leaves one even element.
            nint last = (count - 16) & ~(nint)1;
            for (nint i = 0; ; i += 16)
            {
                if (i > last) i = last;
                // a = [x0..x3 | x8..x11], b = [x4..x7 | x12..x15] (128-bit loads and inserts), so that the in-lane
                // picks give the evens and the odds in order: no cross-lane permute (vpermpd, which made this
                // copy most of the stride-2 time).
                Vector256<float> a = Vector256.Create(Vector128.LoadUnsafe(ref s, (nuint)i), Vector128.LoadUnsafe(ref s, (nuint)i + 8));
                Vector256<float> b = Vector256.Create(Vector128.LoadUnsafe(ref s, (nuint)i + 4), Vector128.LoadUnsafe(ref s, (nuint)i + 12));
                Avx.Shuffle(a, b, 0b10_00_10_00).StoreUnsafe(ref e, (nuint)(i / 2));
                Avx.Shuffle(a, b, 0b11_01_11_01).StoreUnsafe(ref o, (nuint)(i / 2));
                if (i == last) break;
            }
            if ((count & 1) != 0) Unsafe.Add(ref even, count / 2) = Unsafe.Add(ref source, count - 1);
            return;
        }
        if (Avx2.IsSupported && typeof(T) == typeof(double) && count >= 8)
        {
            ref double s = ref Unsafe.As<T, double>(ref source);
            ref double e = ref Unsafe.As<T, double>(ref even), o = ref Unsafe.As<T, double>(ref odd);
            nint last = (count - 8) & ~(nint)1;
            for (nint i = 0; ; i += 8)
            {
                if (i > last) i = last;
                // a = [x0 x1 | x4 x5], b = [x2 x3 | x6 x7]: the in-lane unpacks give the evens and the odds in order.
                Vector256<double> a = Vector256.Create(Vector128.LoadUnsafe(ref s, (nuint)i), Vector128.LoadUnsafe(ref s, (nuint)i + 4));
                Vector256<double> b = Vector256.Create(Vector128.LoadUnsafe(ref s, (nuint)i + 2), Vector128.LoadUnsafe(ref s, (nuint)i + 6));
                Avx.UnpackLow(a, b).StoreUnsafe(ref e, (nuint)(i / 2));
                Avx.UnpackHigh(a, b).StoreUnsafe(ref o, (nuint)(i / 2));
                if (i == last) break;
            }
            if ((count & 1) != 0) Unsafe.Add(ref even, count / 2) = Unsafe.Add(ref source, count - 1);
            return;
        }
        for (nint i = 0; i < count; i++)
        {
            if ((i & 1) == 0) Unsafe.Add(ref even, i / 2) = Unsafe.Add(ref source, i);
            else Unsafe.Add(ref odd, i / 2) = Unsafe.Add(ref source, i);
        }
    }

    /// <summary>Output rows [0, rows) of a band for one output plane; <paramref name="y"/> is its first output row.</summary>
    [SkipLocalsInit] // every element of the stack tile that is read was stored first: no need to zero it per call
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeBand<TVector, T>(ref T band, in Plan p, nint rows, ref T weights, ref nint offsets, nint taps, ref T y)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>(), width = p.OutputWidth, rowStep = p.StrideHeight * p.RowPitch;
        // Rows narrower than a vector are computed whole on the zero-padded scratch into the stack and stored in part.
        bool narrow = width < lanes;
        Span<T> tile = stackalloc T[8 * (int)lanes]; // up to eight rows of one vector
        ref T t = ref MemoryMarshal.GetReference(tile);
        nint r = 0;
        if (p.Sliding3x3)
        {
            // Seven rows at a time while five to seven remain; fewer go to the four-row tiles below (the same sums).
            for (; rows - r >= 5; r += 7)
            {
                nint count = Math.Min(7, rows - r);
                ref T x = ref Unsafe.Add(ref band, r * rowStep);
                ref T target = ref narrow ? ref t : ref Unsafe.Add(ref y, r * width);
                nint next = narrow ? lanes : width, columns = narrow ? lanes : width;
                if (p.StrideHeight == 1) Rows7Taps3x3<TVector, T>(ref x, p.RowPitch, ref weights, ref offsets, ref target, next, count, columns);
                else Rows7Taps3x3Stride2<TVector, T>(ref x, p.RowPitch, ref weights, ref offsets, ref target, next, count, columns);
                if (narrow)
                    for (nint i = 0; i < count; i++)
                        CopyElements(ref Unsafe.Add(ref t, i * lanes), ref Unsafe.Add(ref y, (r + i) * width), width);
            }
        }
        if (narrow)
        {
            // Eight rows per tile: the tile's two "columns" are rows r..r+3 and r+4..r+7.
            for (; r < rows; r += 8)
            {
                nint count = Math.Min(8, rows - r), first = Math.Min(4, count), second = count - first;
                Tile8<TVector, T>(ref Unsafe.Add(ref band, r * rowStep), RowSteps(rowStep, first), second > 0 ? 4 * rowStep : 0, RowSteps(rowStep, Math.Max(second, 1)),
                    ref weights, ref offsets, taps, ref t, lanes, 4 * lanes, first, second);
                for (nint i = 0; i < count; i++)
                    CopyElements(ref Unsafe.Add(ref t, i * lanes), ref Unsafe.Add(ref y, (r + i) * width), width);
            }
            return;
        }
        for (; r < rows; r += 4)
        {
            // Four rows per tile; a tile past the band's last row reads that row again and stores nothing.
            nint count = Math.Min(4, rows - r);
            var steps = RowSteps(rowStep, count);
            ref T x = ref Unsafe.Add(ref band, r * rowStep);
            ref T y0 = ref Unsafe.Add(ref y, r * width);
            nint ox = 0;
            for (; ox + 2 * lanes <= width; ox += 2 * lanes)
                Tile8<TVector, T>(ref Unsafe.Add(ref x, ox), steps, lanes, steps, ref weights, ref offsets, taps, ref Unsafe.Add(ref y0, ox), width, lanes, count, count);
            if (ox == width) continue;
            // The last columns: two vectors ending at OW, recomputing an overlap with the same bits (OW is at
            // least one vector wide here, and any multiple of the tile before).
            nint start = Math.Max(0, width - 2 * lanes), secondStart = width - lanes;
            Tile8<TVector, T>(ref Unsafe.Add(ref x, start), steps, secondStart - start, steps, ref weights, ref offsets, taps, ref Unsafe.Add(ref y0, start),
                width, secondStart - start, count, count);
        }
    }

    /// <summary>Offsets of rows 1, 2 and 3 of a tile of <paramref name="rows"/> rows; rows past the last read row 0.</summary>
    private static (nint, nint, nint) RowSteps(nint rowStep, nint rows) =>
        (rows > 1 ? rowStep : 0, rows > 2 ? 2 * rowStep : 0, rows > 3 ? 3 * rowStep : 0);

    /// <summary>
    /// Eight accumulators: four rows (<paramref name="stepsA"/> apart in the scratch, <paramref name="next"/> in
    /// the output) at two places, the second <paramref name="secondIn"/> further in the scratch and
    /// <paramref name="secondOut"/> in the output, with its own row steps; the first <paramref name="rowsA"/>
    /// and <paramref name="rowsB"/> rows of each are stored. No calls inside, so the accumulators stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile8<TVector, T>(ref T x, (nint, nint, nint) stepsA, nint secondIn, (nint, nint, nint) stepsB, ref T weights, ref nint offsets, nint taps,
        ref T y, nint next, nint secondOut, nint rowsA, nint rowsB)
        where TVector : unmanaged where T : unmanaged
    {
        var (a1, a2, a3) = stepsA;
        var (b1, b2, b3) = stepsB;
        b1 += secondIn; b2 += secondIn; b3 += secondIn;
        TVector p0 = default, p1 = default, p2 = default, p3 = default, q0 = default, q1 = default, q2 = default, q3 = default;
        for (nint k = 0; k < taps; k++)
        {
            TVector w = Splat<TVector, T>(ref Unsafe.Add(ref weights, k));
            ref T u = ref Unsafe.Add(ref x, Unsafe.Add(ref offsets, k));
            p0 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, 0), w, p0);
            q0 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, secondIn), w, q0);
            p1 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, a1), w, p1);
            q1 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, b1), w, q1);
            p2 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, a2), w, p2);
            q2 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, b2), w, q2);
            p3 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, a3), w, p3);
            q3 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, b3), w, q3);
        }
        // Second place first: where it overlaps the first (a shifted last block), both hold the same bits.
        ref T z = ref Unsafe.Add(ref y, secondOut);
        if (rowsB > 0) Store<TVector, T>(q0, ref z, 0);
        if (rowsB > 1) Store<TVector, T>(q1, ref z, next);
        if (rowsB > 2) Store<TVector, T>(q2, ref z, 2 * next);
        if (rowsB > 3) Store<TVector, T>(q3, ref z, 3 * next);
        Store<TVector, T>(p0, ref y, 0);
        if (rowsA > 1) Store<TVector, T>(p1, ref y, next);
        if (rowsA > 2) Store<TVector, T>(p2, ref y, 2 * next);
        if (rowsA > 3) Store<TVector, T>(p3, ref y, 3 * next);
    }

    /// <summary>
    /// Three-by-three filter, unit row stride and dilation: 7 output rows × one vector with the nine weights in
    /// registers, at most three accumulators live (with all seven zeroed up front and kept to the end, one weight
    /// went to the stack, reloaded twice per vector; starting each at its first tap and storing it after its last
    /// frees them: 1.02-1.06x on the tile alone), each of the 9 input rows' three tap vectors loaded once for
    /// every output row that reads it (27 loads for 63 FMAs, against 1.1 loads per FMA for
    /// <see cref="Tile8{TVector, T}"/>). Seven rows because MobileNet's planes (7, 14, 28, 56, 112) are multiples
    /// of seven. Each output still adds its taps in filter-row, then filter-column order. The first
    /// <paramref name="rows"/> outputs are stored, <paramref name="next"/> apart. Walks the whole row width (at
    /// least one vector) with the weights kept, the last vector shifted back to end at the width.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows7Taps3x3<TVector, T>(ref T x, nint pitch, ref T weights, ref nint offsets, ref T y, nint next, nint rows, nint width)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>();
        nint c0 = Unsafe.Add(ref offsets, 0), c1 = Unsafe.Add(ref offsets, 1), c2 = Unsafe.Add(ref offsets, 2);
        TVector w00 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 0)), w01 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 1)), w02 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 2));
        TVector w10 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 3)), w11 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 4)), w12 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 5));
        TVector w20 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 6)), w21 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 7)), w22 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 8));
        TVector zero = default;
        for (nint ox = 0; ; ox += lanes)
        {
            if (ox > width - lanes) ox = width - lanes;
            ref T yo = ref Unsafe.Add(ref y, ox);
            // Each accumulator starts from zero at its first tap (the FMA on a zero vector: the same bits as adding
            // to a zeroed one) and is stored after its last, so at most three are live and they, the nine weights
            // and the loaded vector fit the sixteen registers (all seven zeroed up front pushed weights to the stack).
            TVector a0, a1, a2, a3, a4, a5, a6;
            TVector v;
            ref T row = ref Unsafe.Add(ref x, ox);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w01, a0);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w02, a0);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w10, a0); a1 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w11, a0); a1 = MultiplyAdd<TVector, T>(v, w01, a1);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w12, a0); a1 = MultiplyAdd<TVector, T>(v, w02, a1);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w20, a0); a1 = MultiplyAdd<TVector, T>(v, w10, a1); a2 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w21, a0); a1 = MultiplyAdd<TVector, T>(v, w11, a1); a2 = MultiplyAdd<TVector, T>(v, w01, a2);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w22, a0); a1 = MultiplyAdd<TVector, T>(v, w12, a1); a2 = MultiplyAdd<TVector, T>(v, w02, a2);
            Store<TVector, T>(a0, ref yo, 0);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a1 = MultiplyAdd<TVector, T>(v, w20, a1); a2 = MultiplyAdd<TVector, T>(v, w10, a2); a3 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a1 = MultiplyAdd<TVector, T>(v, w21, a1); a2 = MultiplyAdd<TVector, T>(v, w11, a2); a3 = MultiplyAdd<TVector, T>(v, w01, a3);
            v = Load<TVector, T>(ref row, c2); a1 = MultiplyAdd<TVector, T>(v, w22, a1); a2 = MultiplyAdd<TVector, T>(v, w12, a2); a3 = MultiplyAdd<TVector, T>(v, w02, a3);
            if (rows > 1) Store<TVector, T>(a1, ref yo, 1 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a2 = MultiplyAdd<TVector, T>(v, w20, a2); a3 = MultiplyAdd<TVector, T>(v, w10, a3); a4 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a2 = MultiplyAdd<TVector, T>(v, w21, a2); a3 = MultiplyAdd<TVector, T>(v, w11, a3); a4 = MultiplyAdd<TVector, T>(v, w01, a4);
            v = Load<TVector, T>(ref row, c2); a2 = MultiplyAdd<TVector, T>(v, w22, a2); a3 = MultiplyAdd<TVector, T>(v, w12, a3); a4 = MultiplyAdd<TVector, T>(v, w02, a4);
            if (rows > 2) Store<TVector, T>(a2, ref yo, 2 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a3 = MultiplyAdd<TVector, T>(v, w20, a3); a4 = MultiplyAdd<TVector, T>(v, w10, a4); a5 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a3 = MultiplyAdd<TVector, T>(v, w21, a3); a4 = MultiplyAdd<TVector, T>(v, w11, a4); a5 = MultiplyAdd<TVector, T>(v, w01, a5);
            v = Load<TVector, T>(ref row, c2); a3 = MultiplyAdd<TVector, T>(v, w22, a3); a4 = MultiplyAdd<TVector, T>(v, w12, a4); a5 = MultiplyAdd<TVector, T>(v, w02, a5);
            if (rows > 3) Store<TVector, T>(a3, ref yo, 3 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a4 = MultiplyAdd<TVector, T>(v, w20, a4); a5 = MultiplyAdd<TVector, T>(v, w10, a5); a6 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a4 = MultiplyAdd<TVector, T>(v, w21, a4); a5 = MultiplyAdd<TVector, T>(v, w11, a5); a6 = MultiplyAdd<TVector, T>(v, w01, a6);
            v = Load<TVector, T>(ref row, c2); a4 = MultiplyAdd<TVector, T>(v, w22, a4); a5 = MultiplyAdd<TVector, T>(v, w12, a5); a6 = MultiplyAdd<TVector, T>(v, w02, a6);
            if (rows > 4) Store<TVector, T>(a4, ref yo, 4 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a5 = MultiplyAdd<TVector, T>(v, w20, a5); a6 = MultiplyAdd<TVector, T>(v, w10, a6);
            v = Load<TVector, T>(ref row, c1); a5 = MultiplyAdd<TVector, T>(v, w21, a5); a6 = MultiplyAdd<TVector, T>(v, w11, a6);
            v = Load<TVector, T>(ref row, c2); a5 = MultiplyAdd<TVector, T>(v, w22, a5); a6 = MultiplyAdd<TVector, T>(v, w12, a6);
            if (rows > 5) Store<TVector, T>(a5, ref yo, 5 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a6 = MultiplyAdd<TVector, T>(v, w20, a6);
            v = Load<TVector, T>(ref row, c1); a6 = MultiplyAdd<TVector, T>(v, w21, a6);
            v = Load<TVector, T>(ref row, c2); a6 = MultiplyAdd<TVector, T>(v, w22, a6);
            if (rows > 6) Store<TVector, T>(a6, ref yo, 6 * next);
            if (ox == width - lanes) break;
        }
    }

    /// <summary>
    /// As <see cref="Rows7Taps3x3{TVector, T}"/> at row stride 2: the 15 input rows of 7 output rows,
    /// each row's tap vectors loaded once for the one or two outputs that read them; at most two accumulators
    /// live (all seven kept at once put two weights on the stack, reloaded three times per vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows7Taps3x3Stride2<TVector, T>(ref T x, nint pitch, ref T weights, ref nint offsets, ref T y, nint next, nint rows, nint width)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>();
        nint c0 = Unsafe.Add(ref offsets, 0), c1 = Unsafe.Add(ref offsets, 1), c2 = Unsafe.Add(ref offsets, 2);
        TVector w00 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 0)), w01 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 1)), w02 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 2));
        TVector w10 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 3)), w11 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 4)), w12 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 5));
        TVector w20 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 6)), w21 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 7)), w22 = Splat<TVector, T>(ref Unsafe.Add(ref weights, 8));
        TVector zero = default;
        for (nint ox = 0; ; ox += lanes)
        {
            if (ox > width - lanes) ox = width - lanes;
            ref T yo = ref Unsafe.Add(ref y, ox);
            // Each accumulator starts from zero at its first tap (the FMA on a zero vector: the same bits as adding
            // to a zeroed one) and is stored after its last, so at most three are live and they, the nine weights
            // and the loaded vector fit the sixteen registers (all seven zeroed up front pushed weights to the stack).
            TVector a0, a1, a2, a3, a4, a5, a6;
            TVector v;
            ref T row = ref Unsafe.Add(ref x, ox);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w01, a0);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w02, a0);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w10, a0);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w11, a0);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w12, a0);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a0 = MultiplyAdd<TVector, T>(v, w20, a0); a1 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a0 = MultiplyAdd<TVector, T>(v, w21, a0); a1 = MultiplyAdd<TVector, T>(v, w01, a1);
            v = Load<TVector, T>(ref row, c2); a0 = MultiplyAdd<TVector, T>(v, w22, a0); a1 = MultiplyAdd<TVector, T>(v, w02, a1);
            Store<TVector, T>(a0, ref yo, 0);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a1 = MultiplyAdd<TVector, T>(v, w10, a1);
            v = Load<TVector, T>(ref row, c1); a1 = MultiplyAdd<TVector, T>(v, w11, a1);
            v = Load<TVector, T>(ref row, c2); a1 = MultiplyAdd<TVector, T>(v, w12, a1);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a1 = MultiplyAdd<TVector, T>(v, w20, a1); a2 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a1 = MultiplyAdd<TVector, T>(v, w21, a1); a2 = MultiplyAdd<TVector, T>(v, w01, a2);
            v = Load<TVector, T>(ref row, c2); a1 = MultiplyAdd<TVector, T>(v, w22, a1); a2 = MultiplyAdd<TVector, T>(v, w02, a2);
            if (rows > 1) Store<TVector, T>(a1, ref yo, 1 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a2 = MultiplyAdd<TVector, T>(v, w10, a2);
            v = Load<TVector, T>(ref row, c1); a2 = MultiplyAdd<TVector, T>(v, w11, a2);
            v = Load<TVector, T>(ref row, c2); a2 = MultiplyAdd<TVector, T>(v, w12, a2);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a2 = MultiplyAdd<TVector, T>(v, w20, a2); a3 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a2 = MultiplyAdd<TVector, T>(v, w21, a2); a3 = MultiplyAdd<TVector, T>(v, w01, a3);
            v = Load<TVector, T>(ref row, c2); a2 = MultiplyAdd<TVector, T>(v, w22, a2); a3 = MultiplyAdd<TVector, T>(v, w02, a3);
            if (rows > 2) Store<TVector, T>(a2, ref yo, 2 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a3 = MultiplyAdd<TVector, T>(v, w10, a3);
            v = Load<TVector, T>(ref row, c1); a3 = MultiplyAdd<TVector, T>(v, w11, a3);
            v = Load<TVector, T>(ref row, c2); a3 = MultiplyAdd<TVector, T>(v, w12, a3);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a3 = MultiplyAdd<TVector, T>(v, w20, a3); a4 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a3 = MultiplyAdd<TVector, T>(v, w21, a3); a4 = MultiplyAdd<TVector, T>(v, w01, a4);
            v = Load<TVector, T>(ref row, c2); a3 = MultiplyAdd<TVector, T>(v, w22, a3); a4 = MultiplyAdd<TVector, T>(v, w02, a4);
            if (rows > 3) Store<TVector, T>(a3, ref yo, 3 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a4 = MultiplyAdd<TVector, T>(v, w10, a4);
            v = Load<TVector, T>(ref row, c1); a4 = MultiplyAdd<TVector, T>(v, w11, a4);
            v = Load<TVector, T>(ref row, c2); a4 = MultiplyAdd<TVector, T>(v, w12, a4);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a4 = MultiplyAdd<TVector, T>(v, w20, a4); a5 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a4 = MultiplyAdd<TVector, T>(v, w21, a4); a5 = MultiplyAdd<TVector, T>(v, w01, a5);
            v = Load<TVector, T>(ref row, c2); a4 = MultiplyAdd<TVector, T>(v, w22, a4); a5 = MultiplyAdd<TVector, T>(v, w02, a5);
            if (rows > 4) Store<TVector, T>(a4, ref yo, 4 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a5 = MultiplyAdd<TVector, T>(v, w10, a5);
            v = Load<TVector, T>(ref row, c1); a5 = MultiplyAdd<TVector, T>(v, w11, a5);
            v = Load<TVector, T>(ref row, c2); a5 = MultiplyAdd<TVector, T>(v, w12, a5);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a5 = MultiplyAdd<TVector, T>(v, w20, a5); a6 = MultiplyAdd<TVector, T>(v, w00, zero);
            v = Load<TVector, T>(ref row, c1); a5 = MultiplyAdd<TVector, T>(v, w21, a5); a6 = MultiplyAdd<TVector, T>(v, w01, a6);
            v = Load<TVector, T>(ref row, c2); a5 = MultiplyAdd<TVector, T>(v, w22, a5); a6 = MultiplyAdd<TVector, T>(v, w02, a6);
            if (rows > 5) Store<TVector, T>(a5, ref yo, 5 * next);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a6 = MultiplyAdd<TVector, T>(v, w10, a6);
            v = Load<TVector, T>(ref row, c1); a6 = MultiplyAdd<TVector, T>(v, w11, a6);
            v = Load<TVector, T>(ref row, c2); a6 = MultiplyAdd<TVector, T>(v, w12, a6);
            row = ref Unsafe.Add(ref row, pitch);
            v = Load<TVector, T>(ref row, c0); a6 = MultiplyAdd<TVector, T>(v, w20, a6);
            v = Load<TVector, T>(ref row, c1); a6 = MultiplyAdd<TVector, T>(v, w21, a6);
            v = Load<TVector, T>(ref row, c2); a6 = MultiplyAdd<TVector, T>(v, w22, a6);
            if (rows > 6) Store<TVector, T>(a6, ref yo, 6 * next);
            if (ox == width - lanes) break;
        }
    }
}
