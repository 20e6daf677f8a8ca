using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DepthwiseInterop.Kernels.Simd.RawVector;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Five-by-five filter at stride 1 (no dilation), float32 on 256-bit AVX2 vectors, on the band copied to the scratch
/// between zero columns (DepthwiseNchwKernel.cs): two vectors of eight output columns walk down the band side by side,
/// each input row's five tap vectors loaded once and added into the five output rows that read it (filter rows 4 to 0),
/// an output row stored after its last tap. Taps go column by column, each tap vector into all five rows before the next
/// is loaded, so one tap register, the ten sums of the two vectors and a weight fit the sixteen registers, with the 25
/// weights, broadcast once per output plane, as memory operands: 35 loads per 50 multiply-adds, and ten independent
/// sums where the four-row × two-vector tiles had eight, each reloading the band's rows for every tap row. Rows are
/// covered by pairs of vectors at 0, 16, 32, ..., the last pair shifted back to end at OW (with OW under 16, one pair
/// at 0 and OW − 8): recomputed columns get the same bits. Each output adds its 25 taps from zero in filter-row, then
/// filter-column order, as the other band kernels do: the same bits, whatever the path. The first and last four input
/// rows of a band, which start or finish output rows with some of the five missing, run as steps of their own with the
/// rows they feed fixed, so that the loop between tests none.
/// </summary>
/// <remarks>
/// Measured side by side against the four-row tiles it replaces (SAME, 1 thread, 21 alternated rounds, as a share of the
/// NHWC kernel's time on the same shape): 56x56x64 1.18-1.30x against 1.61-1.69x; 28x28x240 1.44-1.46x against 1.44x
/// and 14x14x672 1.30-1.36x against 1.30-1.36x (no gain: on small planes the band copy, the eight partial steps of every
/// strip and the recomputed columns weigh as much as the tiles' reloads). Tried and not kept: the taps unrolled with the
/// sums as separate locals (the JIT kept the sums in memory across the loop: 1.43-1.46x on 56x56), the partial steps as
/// calls of their own (the sums' address escaped: 2.5x).
/// </remarks>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Whether <see cref="SlidingFiveByFive"/> serves the problem's bands (rows narrower than a vector stay on the tiles).</summary>
    private static bool SlidesFiveByFive<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector256<float>) && Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported
        && p.FilterHeight == 5 && p.FilterWidth == 5 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.OutputWidth >= 8;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> computes the problem's bands with the sliding 5x5 strips.</summary>
    internal static bool TakesSliding5x5<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        SlidesFiveByFive<TVector, T>(new Plan(g, Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>The 25 weights of output channel <paramref name="o"/> (filter [5, 5, C, M]) broadcast to vectors, tap by tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BroadcastFiveByFive(ref float filter, nint o, nint outputChannels, Vector256<float>* weights)
    {
        for (nint k = 0; k < 25; k++) weights[k] = Vector256.Create(Unsafe.Add(ref filter, k * outputChannels + o));
    }

    /// <summary>Output rows [0, rows) of a band for one output plane; <paramref name="y"/> is its first output row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SlidingFiveByFive(float* band, nint pitch, nint rows, Vector256<float>* w, float* y, nint width)
    {
        if (width < 16)
        {
            FiveByFivePair(band, 0, width - 8, pitch, rows, w, y, width);
            return;
        }
        for (nint x = 0; ; x += 16)
        {
            nint at = Math.Min(x, width - 16);
            FiveByFivePair(band, at, at + 8, pitch, rows, w, y, width);
            if (at == width - 16) return;
        }
    }

    /// <summary>
    /// Columns a and b (eight each) of a band's output rows: input row t goes into output rows t − 4 (filter row 4, its
    /// last; then stored), t − 3, t − 2, t − 1 and t (filter row 0, from zero). The first and last four input rows skip
    /// the output rows that do not exist.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FiveByFivePair(float* band, nint a, nint b, nint pitch, nint rows, Vector256<float>* w, float* y, nint width)
    {
        var s = new FiveRowSums();
        if (rows < 4)
        {
            for (nint t = 0; t < rows + 4; t++) FiveByFiveStep(band + t * pitch, a, b, w, y + (t - 4) * width, ref s, ExistingRows(t, rows));
            return;
        }
        // The first four input rows start output rows 0..3, the last four finish the last four rows: each with its rows
        // fixed (bit k: output row t − k), so that no step tests them.
        FiveByFiveStep(band, a, b, w, y - 4 * width, ref s, 0b00001);
        FiveByFiveStep(band + pitch, a, b, w, y - 3 * width, ref s, 0b00011);
        FiveByFiveStep(band + 2 * pitch, a, b, w, y - 2 * width, ref s, 0b00111);
        FiveByFiveStep(band + 3 * pitch, a, b, w, y - width, ref s, 0b01111);
        for (nint t = 4; t < rows; t++) FiveByFiveStep(band + t * pitch, a, b, w, y + (t - 4) * width, ref s, 0b11111);
        float* last = band + rows * pitch, lastY = y + (rows - 4) * width;
        FiveByFiveStep(last, a, b, w, lastY, ref s, 0b11110);
        FiveByFiveStep(last + pitch, a, b, w, lastY + width, ref s, 0b11100);
        FiveByFiveStep(last + 2 * pitch, a, b, w, lastY + 2 * width, ref s, 0b11000);
        FiveByFiveStep(last + 3 * pitch, a, b, w, lastY + 3 * width, ref s, 0b10000);
    }

    /// <summary>Which of output rows t − 4 .. t exist in a band of <paramref name="rows"/> (bit k: row t − k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ExistingRows(nint t, nint rows)
    {
        int existing = 0;
        for (int k = 0; k < 5; k++)
            if (t - k >= 0 && t - k < rows) existing |= 1 << k;
        return existing;
    }

    /// <summary>The sums carried from one input row to the next: output rows t − 1 .. t − 4 (1 .. 4) of both vectors.</summary>
    private struct FiveRowSums
    {
        public Vector256<float> A1, A2, A3, A4, B1, B2, B3, B4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FiveByFiveStep(float* row, nint a, nint b, Vector256<float>* w, float* y, ref FiveRowSums s, int existing)
    {
        bool row4 = (existing & 16) != 0, row3 = (existing & 8) != 0, row2 = (existing & 4) != 0, row1 = (existing & 2) != 0, row0 = (existing & 1) != 0;
        Vector256<float> a0 = Vector256<float>.Zero, b0 = Vector256<float>.Zero;
        for (nint kx = 0; kx < 5; kx++)
        {
            var va = Avx.LoadVector256(row + a + kx);
            var vb = Avx.LoadVector256(row + b + kx);
            if (row4) { var wk = w[20 + kx]; s.A4 = Fma(va, wk, s.A4); s.B4 = Fma(vb, wk, s.B4); }
            if (row3) { var wk = w[15 + kx]; s.A3 = Fma(va, wk, s.A3); s.B3 = Fma(vb, wk, s.B3); }
            if (row2) { var wk = w[10 + kx]; s.A2 = Fma(va, wk, s.A2); s.B2 = Fma(vb, wk, s.B2); }
            if (row1) { var wk = w[5 + kx]; s.A1 = Fma(va, wk, s.A1); s.B1 = Fma(vb, wk, s.B1); }
            if (row0) { var wk = w[kx]; a0 = Fma(va, wk, a0); b0 = Fma(vb, wk, b0); }
        }
        if (row4)
        {
            Avx.Store(y + a, s.A4);
            Avx.Store(y + b, s.B4);
        }
        s.A4 = s.A3; s.A3 = s.A2; s.A2 = s.A1; s.A1 = a0;
        s.B4 = s.B3; s.B3 = s.B2; s.B2 = s.B1; s.B1 = b0;
    }
}
