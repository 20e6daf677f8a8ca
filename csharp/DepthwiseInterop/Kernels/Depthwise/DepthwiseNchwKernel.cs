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
/// a 2-D convolution with vectors along W. A work item is one band of output rows of one input plane: its
/// input rows are first copied to a small scratch (a few KiB, stays in L1) with the padding written as zeros
/// and the columns split into <c>StrideWidth</c> phases (padded column j goes to phase <c>j % SW</c>, index
/// <c>j / SW</c>), so that for every stride the taps of a vector of adjacent output columns are one unaligned
/// load each, and no bounds test or edge case is left in the inner loop. The copy is amortised over the M
/// output planes the input plane feeds. The inner loop computes tiles of two output rows × four vectors
/// (eight accumulators: enough independent FMA chains for the latency) with one broadcast weight per tap;
/// the last vector of a row, when OW is not a multiple of the vector, is computed whole on the zero-padded
/// scratch and stored in part. Every output adds its taps in the reference's order (filter row, then column)
/// from zero, whatever tile computes it, so results do not depend on how the work is split between threads.
/// Taps over the padding multiply zeros, as in TensorFlow (a NaN weight there gives NaN).
/// </summary>
internal static class DepthwiseNchwKernel
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
            // Even bands (the tile is two rows high) of about BandBytes of scratch, at most 64 rows.
            nint rows = BandBytes / elementSize / Math.Max(1, StrideHeight * RowPitch);
            rows = Math.Clamp(rows & ~(nint)1, 2, 64);
            BandRows = Math.Max(1, Math.Min(rows, OutputHeight));
            Bands = OutputHeight == 0 ? 0 : (OutputHeight + BandRows - 1) / BandRows;
        }

        /// <summary>Input rows (padded coordinates) a full band reads.</summary>
        public nint BandInputRows => (BandRows - 1) * StrideHeight + (FilterHeight - 1) * DilationHeight + 1;
    }

    /// <summary>Work items of the problem: batch × input channels × bands.</summary>
    public static long WorkItems(in ConvolutionGeometry g, int lanes, int elementSize)
    {
        var p = new Plan(g, lanes, elementSize);
        return g.Batch * g.InputChannels * p.Bands;
    }

    /// <summary>Computes work items [firstItem, endItem).</summary>
    public static void RunItems<TVector, T>(ref T input, ref T filter, ref T output, in ConvolutionGeometry g, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>();
        var p = new Plan(g, (int)lanes, Unsafe.SizeOf<T>());
        nint taps = p.FilterHeight * p.FilterWidth;
        int scratchElements = checked((int)(p.BandInputRows * p.RowPitch));
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
            nint planeIn = p.Height * p.Width, planeOut = p.OutputHeight * p.OutputWidth, outputChannels = p.Channels * p.Multiplier;
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
                    for (nint k = 0; k < taps; k++) weights[(int)k] = Unsafe.Add(ref filter, k * outputChannels + o);
                    ref T y = ref Unsafe.Add(ref output, (batch * outputChannels + o) * planeOut + firstRow * p.OutputWidth);
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
    /// Copies input rows [topRow, topRow + rows) of a plane (rows outside the image as zeros) to the band
    /// scratch, each padded with zeros left and right and split into column phases.
    /// </summary>
    private static void FillBand<T>(ref T plane, in Plan p, nint topRow, nint rows, ref T band) where T : unmanaged
    {
        nint stride = p.StrideWidth, phaseWidth = p.PhaseWidth, pitch = p.RowPitch;
        // Image columns that land inside the scratch (VALID or strided problems may leave some unread).
        nint columns = Math.Clamp(pitch - p.PadLeft, 0, p.Width);
        for (nint r = 0; r < rows; r++)
        {
            nint iy = topRow + r;
            var row = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref band, r * pitch), (int)pitch);
            if ((nuint)iy >= (nuint)p.Height || columns == 0)
            {
                row.Clear();
                continue;
            }
            var source = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref plane, iy * p.Width), (int)columns);
            if (stride == 1)
            {
                row[..(int)p.PadLeft].Clear();
                source.CopyTo(row[(int)p.PadLeft..]);
                row[(int)(p.PadLeft + columns)..].Clear();
                continue;
            }
            row.Clear();
            if (stride == 2)
            {
                // Image column ix is padded column PadLeft + ix: even ix to phase PadLeft % 2 from index
                // PadLeft / 2, odd ix to the other phase from index (PadLeft + 1) / 2.
                nint evenPhase = p.PadLeft & 1;
                Deinterleave(ref MemoryMarshal.GetReference(source), columns,
                    ref row[(int)(evenPhase * phaseWidth + p.PadLeft / 2)], ref row[(int)((1 - evenPhase) * phaseWidth + (p.PadLeft + 1) / 2)]);
                continue;
            }
            for (nint ix = 0; ix < columns; ix++)
            {
                nint j = p.PadLeft + ix;
                row[(int)(j % stride * phaseWidth + j / stride)] = source[(int)ix];
            }
        }
    }

    /// <summary>even[k] = source[2k], odd[k] = source[2k + 1] for the first <paramref name="count"/> source elements.</summary>
    private static void Deinterleave<T>(ref T source, nint count, ref T even, ref T odd) where T : unmanaged
    {
        nint i = 0;
        if (Avx2.IsSupported && typeof(T) == typeof(float))
        {
            ref float s = ref Unsafe.As<T, float>(ref source);
            for (; i + 16 <= count; i += 16)
            {
                Vector256<float> a = Vector256.LoadUnsafe(ref s, (nuint)i), b = Vector256.LoadUnsafe(ref s, (nuint)i + 8);
                // In-lane picks give [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute restores the order.
                Vector256<float> e = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
                Vector256<float> o = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
                e.StoreUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref even, i / 2)));
                o.StoreUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref odd, i / 2)));
            }
        }
        else if (Avx2.IsSupported && typeof(T) == typeof(double))
        {
            ref double s = ref Unsafe.As<T, double>(ref source);
            for (; i + 8 <= count; i += 8)
            {
                Vector256<double> a = Vector256.LoadUnsafe(ref s, (nuint)i), b = Vector256.LoadUnsafe(ref s, (nuint)i + 4);
                Vector256<double> e = Avx2.Permute4x64(Avx.UnpackLow(a, b), 0b11_01_10_00);
                Vector256<double> o = Avx2.Permute4x64(Avx.UnpackHigh(a, b), 0b11_01_10_00);
                e.StoreUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref even, i / 2)));
                o.StoreUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref odd, i / 2)));
            }
        }
        for (; i < count; i++)
        {
            if ((i & 1) == 0) Unsafe.Add(ref even, i / 2) = Unsafe.Add(ref source, i);
            else Unsafe.Add(ref odd, i / 2) = Unsafe.Add(ref source, i);
        }
    }

    /// <summary>Output rows [0, rows) of a band for one output plane; <paramref name="y"/> is its first output row.</summary>
    private static void ComputeBand<TVector, T>(ref T band, in Plan p, nint rows, ref T weights, ref nint offsets, nint taps, ref T y)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>(), width = p.OutputWidth, rowStep = p.StrideHeight * p.RowPitch;
        nint full = width - width % lanes;
        for (nint r = 0; r < rows; r += 2)
        {
            // A lone last row runs the two-row tile reading its own row twice and stores one.
            bool pair = r + 1 < rows;
            ref T x = ref Unsafe.Add(ref band, r * rowStep);
            ref T y0 = ref Unsafe.Add(ref y, r * width);
            nint second = pair ? rowStep : 0;
            nint ox = 0;
            for (; ox + 4 * lanes <= full; ox += 4 * lanes)
                Tile4<TVector, T>(ref Unsafe.Add(ref x, ox), second, ref weights, ref offsets, taps, ref Unsafe.Add(ref y0, ox), pair ? width : -1);
            for (; ox < width; ox += lanes)
                Tile1<TVector, T>(ref Unsafe.Add(ref x, ox), second, ref weights, ref offsets, taps, ref Unsafe.Add(ref y0, ox), pair ? width : -1,
                    Math.Min(lanes, width - ox));
        }
    }

    /// <summary>Two rows × four vectors; <paramref name="next"/> &lt; 0 stores the first row only.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tile4<TVector, T>(ref T x, nint second, ref T weights, ref nint offsets, nint taps, ref T y, nint next)
        where TVector : unmanaged where T : unmanaged
    {
        nint lanes = Count<TVector, T>();
        TVector a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        ref T x1 = ref Unsafe.Add(ref x, second);
        for (nint k = 0; k < taps; k++)
        {
            TVector w = Splat<TVector, T>(ref Unsafe.Add(ref weights, k));
            nint o = Unsafe.Add(ref offsets, k);
            ref T u = ref Unsafe.Add(ref x, o);
            ref T v = ref Unsafe.Add(ref x1, o);
            a0 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, 0), w, a0);
            a1 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, lanes), w, a1);
            a2 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, 2 * lanes), w, a2);
            a3 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref u, 3 * lanes), w, a3);
            b0 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref v, 0), w, b0);
            b1 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref v, lanes), w, b1);
            b2 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref v, 2 * lanes), w, b2);
            b3 = MultiplyAdd<TVector, T>(Load<TVector, T>(ref v, 3 * lanes), w, b3);
        }
        Store<TVector, T>(a0, ref y, 0); Store<TVector, T>(a1, ref y, lanes);
        Store<TVector, T>(a2, ref y, 2 * lanes); Store<TVector, T>(a3, ref y, 3 * lanes);
        if (next < 0) return;
        Store<TVector, T>(b0, ref y, next); Store<TVector, T>(b1, ref y, next + lanes);
        Store<TVector, T>(b2, ref y, next + 2 * lanes); Store<TVector, T>(b3, ref y, next + 3 * lanes);
    }

    /// <summary>Two rows × one vector, of which the first <paramref name="count"/> lanes are stored.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tile1<TVector, T>(ref T x, nint second, ref T weights, ref nint offsets, nint taps, ref T y, nint next, nint count)
        where TVector : unmanaged where T : unmanaged
    {
        TVector a = default, b = default;
        ref T x1 = ref Unsafe.Add(ref x, second);
        for (nint k = 0; k < taps; k++)
        {
            TVector w = Splat<TVector, T>(ref Unsafe.Add(ref weights, k));
            nint o = Unsafe.Add(ref offsets, k);
            a = MultiplyAdd<TVector, T>(Load<TVector, T>(ref x, o), w, a);
            b = MultiplyAdd<TVector, T>(Load<TVector, T>(ref x1, o), w, b);
        }
        StorePart<TVector, T>(a, ref y, count);
        if (next >= 0) StorePart<TVector, T>(b, ref Unsafe.Add(ref y, next), count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePart<TVector, T>(TVector value, ref T y, nint count) where TVector : unmanaged where T : unmanaged
    {
        if (count == Count<TVector, T>()) Store<TVector, T>(value, ref y);
        else StoreFirstLanes<TVector, T>(value, ref y, count);
    }

    /// <summary>The last vector of a row that OW does not fill: through the stack, the first lanes only.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreFirstLanes<TVector, T>(TVector value, ref T y, nint count) where TVector : unmanaged where T : unmanaged
    {
        Span<T> lanes = stackalloc T[Count<TVector, T>()];
        Store<TVector, T>(value, ref lanes[0]);
        lanes[..(int)count].CopyTo(MemoryMarshal.CreateSpan(ref y, (int)count));
    }
}
