using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// Three-by-three filter at stride 1, SAME-like padding (one row and column a side, the output as large as the input),
/// on planes at most 8 wide and 256 pixels (MobileNet's 7x7), float32 on 512-bit AVX-512 vectors: a plane is read as
/// one flat run of <c>H × W</c> values, sixteen outputs a vector. On such a plane tap (ky, kx) of output o is input
/// <c>o + d</c>, <c>d = (ky - 1) W + kx - 1</c>, so each tap vector is the flat input moved by d lanes, made from the
/// previous, current and next vectors with <c>vpermt2ps</c> (one index vector per d, built once per call); the rows
/// above and below the image are the zeros before and after the run (the last vector's load masked to the plane), and
/// the columns left and right of it are lanes zeroed where the output column is the first or the last
/// (masks per vector, built once per call). One load and one store per sixteen outputs, every lane used but the last
/// vector's tail, where rows of 7 on 256-bit vectors of 8 (DepthwiseNchwKernel.Stride1InPlace.cs) computed a vector
/// of 8 per row of 7 and loaded each tap. Planes run one after another in one loop; their multiply-add chains overlap.
/// Each output adds its nine taps in filter-row, then filter-column order from zero with the same fused multiply-adds
/// as the band tiles, padding taps multiplying zeros, so the bits are the band kernel's (and NaN weights over the
/// padding give NaN). Planes of 7 rows and 5 to 7 columns go two at a time to DepthwiseNchwKernel.PlanePairs.cs.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Largest plane (pixels) the flat tiles take: their per-vector masks are built on the stack.</summary>
    private const int MaxFlatPlanePixels = 256;

    /// <summary>Whether <see cref="RunItemsFlatPlanes"/> serves the problem.</summary>
    private static bool ReadsFlatPlanes<TVector, T>(in Plan p) where TVector : unmanaged where T : unmanaged =>
        typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported
        && p.FilterHeight == 3 && p.FilterWidth == 3 && p.StrideHeight == 1 && p.StrideWidth == 1
        && p.DilationHeight == 1 && p.DilationWidth == 1 && p.PadTop == 1 && p.PadLeft == 1
        && p.OutputHeight == p.Height && p.OutputWidth == p.Width && p.Width < MinSlidingOutputWidth
        && p.Height * p.Width <= MaxFlatPlanePixels && p.Bands == 1;

    /// <summary>Whether <see cref="RunItems{TVector, T}"/> takes the flat 512-bit path for the problem.</summary>
    internal static bool TakesFlatPlanes<TVector, T>(in ConvolutionGeometry g) where TVector : unmanaged where T : unmanaged =>
        ReadsFlatPlanes<TVector, T>(new Plan(g, Simd.RawVector.Count<TVector, T>(), Unsafe.SizeOf<T>()));

    /// <summary>Computes work items [firstItem, endItem) (one plane each) of a problem <see cref="ReadsFlatPlanes"/> accepts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void RunItemsFlatPlanes(ref float input, ref float filter, ref float output, in Plan p, long firstItem, long endItem)
    {
        nint width = p.Width, pixels = p.Height * width, vectors = (pixels + 15) / 16, outputChannels = p.Channels * p.Multiplier;
        // Per vector: the lanes whose output column is not the first (kx = 0 taps read the image there) and not the last.
        int* notFirst = stackalloc int[MaxFlatPlanePixels / 16 * 16 + 16], notLast = stackalloc int[MaxFlatPlanePixels / 16 * 16 + 16];
        for (nint o = 0; o < vectors * 16; o++)
        {
            nint column = o % width;
            notFirst[o] = column != 0 ? -1 : 0;
            notLast[o] = column != width - 1 ? -1 : 0;
        }
        var plane = new FlatPlane(width, pixels, vectors, (float*)notFirst, (float*)notLast, outputChannels);
        fixed (float* pinnedInput = &input, pinnedOutput = &output, pinnedFilter = &filter)
        {
            for (long item = firstItem; item < endItem;)
            {
                // A run of planes of one image, every multiplier index of a plane before the next (as
                // DepthwiseNchwKernel.PlaneRuns.cs orders them): the output planes and their weights are consecutive.
                nint index = (nint)item, batch = index / p.Channels, channel = index % p.Channels;
                nint planes = (nint)Math.Min(endItem - item, p.Channels - channel);
                item += planes;
                nint o = channel * p.Multiplier;
                var run = new PlaneRun(pixels, pinnedFilter + o, outputChannels, 1, pixels, planes * p.Multiplier, p.Multiplier);
                float* x = pinnedInput + index * pixels, y = pinnedOutput + (batch * outputChannels + o) * pixels;
                if (TakesPlanePairs(p.Height, width)) PlanePairTaps(plane, run, x, y);
                else FlatPlaneRun(plane, run, x, y);
            }
        }
    }

    /// <summary>The planes of <paramref name="run"/> one at a time, on the tiles for the plane's width and vector count.</summary>
    private static unsafe void FlatPlaneRun(in FlatPlane f, in PlaneRun run, float* x, float* y)
    {
        if (f.Vectors == 4 && f.Width == 7) FlatPlaneTaps4<Width7>(f, run, x, y);
        else if (f.Vectors == 4 && f.Width == 8) FlatPlaneTaps4<Width8>(f, run, x, y);
        else switch (f.Width)
        {
            case 1: FlatPlaneTaps<Width1>(f, run, x, y); break;
            case 2: FlatPlaneTaps<Width2>(f, run, x, y); break;
            case 3: FlatPlaneTaps<Width3>(f, run, x, y); break;
            case 4: FlatPlaneTaps<Width4>(f, run, x, y); break;
            case 5: FlatPlaneTaps<Width5>(f, run, x, y); break;
            case 6: FlatPlaneTaps<Width6>(f, run, x, y); break;
            case 7: FlatPlaneTaps<Width7>(f, run, x, y); break;
            default: FlatPlaneTaps<Width8>(f, run, x, y); break;
        }
    }

    /// <summary>A flat plane's shape: its width, pixels, vectors of sixteen, the column masks, and the filter's tap stride.</summary>
    private readonly unsafe struct FlatPlane(nint width, nint pixels, nint vectors, float* notFirst, float* notLast, nint tapStride)
    {
        public readonly nint Width = width, Pixels = pixels, Vectors = vectors, TapStride = tapStride;
        public readonly float* NotFirst = notFirst, NotLast = notLast;
    }

    /// <summary>The planes of <paramref name="run"/>, the first from <paramref name="x0"/> to <paramref name="y0"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FlatPlaneTaps<TWidth>(in FlatPlane f, in PlaneRun run, float* x0, float* y0) where TWidth : struct, IPlaneWidth
    {
        nint t = f.TapStride, width = f.Width, vectors = f.Vectors, last = vectors - 1;
        Vector512<float> zero = Vector512<float>.Zero;
        // Tap d is lanes i + d of the previous:current pair (d < 0) or current:next (d > 0): valignd by 16 + d or d.
        const byte Full = 16;
        Vector512<float> tail = ColumnsBelow(f.Pixels - 16 * last);
        for (nint j = 0; j < run.Planes; j++)
        {
        float* x = x0 + run.InputOffset(j), w = run.Weights + j * run.WeightStep, y = y0 + j * run.OutputStep;
        BroadcastWeights(w, t, out var w00, out var w01, out var w02, out var w10, out var w11, out var w12, out var w20, out var w21, out var w22);
        Vector512<float> previous = zero;
        Vector512<float> current = last == 0 ? Avx512F.MaskLoad(x, tail, zero) : Vector512.Load(x);
        for (nint k = 0; k < vectors; k++)
        {
            Vector512<float> following = k + 1 < last ? Vector512.Load(x + 16 * (k + 1)) : k + 1 == last ? Avx512F.MaskLoad(x + 16 * (k + 1), tail, zero) : zero;
            Vector512<float> notFirst = Vector512.Load(f.NotFirst + 16 * k), notLast = Vector512.Load(f.NotLast + 16 * k);
            Vector512<float> a;
            a = Fma512(FlatShift(current, previous, (byte)(Full - 1 - TWidth.Value)) & notFirst, w00, zero);
            a = Fma512(FlatShift(current, previous, (byte)(Full - TWidth.Value)), w01, a);
            a = Fma512(FlatShift(current, previous, (byte)(Full + 1 - TWidth.Value)) & notLast, w02, a);
            a = Fma512(FlatShift(current, previous, Full - 1) & notFirst, w10, a);
            a = Fma512(current, w11, a);
            a = Fma512(FlatShift(following, current, 1) & notLast, w12, a);
            a = Fma512(FlatShiftOrSame(following, current, (byte)(TWidth.Value - 1)) & notFirst, w20, a);
            a = Fma512(FlatShift(following, current, (byte)TWidth.Value), w21, a);
            a = Fma512(FlatShift(following, current, (byte)(TWidth.Value + 1)) & notLast, w22, a);
            if (k < last) a.Store(y + 16 * k);
            else Avx512F.MaskStore(y + 16 * k, tail, a);
            previous = current;
            current = following;
        }
        }
    }

    /// <summary>
    /// <see cref="FlatPlaneTaps{TWidth}"/> for planes of four vectors (49 to 64 pixels: MobileNet's 7x7), the plane held in
    /// registers: each tap is applied to the four vectors in turn, so four multiply-add chains are in flight where the
    /// vector loop ran one chain of nine at a time (the next vector's chain waiting for the loop's branches and loads), and
    /// the column masks stay in registers across planes; the edge columns are masked once per plane on the input (its
    /// last column zeroed for the filter's first column, its first for the last) rather than on each of six shifted
    /// taps. The same taps in the same order: the same bits. 7x7x960, 1 thread (C harness, 31 alternated rounds,
    /// twice): 0.76-0.82x the vector loop's time, and the masks on the input 0.93x that.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FlatPlaneTaps4<TWidth>(in FlatPlane f, in PlaneRun run, float* x0, float* y0) where TWidth : struct, IPlaneWidth
    {
        nint t = f.TapStride;
        Vector512<float> zero = Vector512<float>.Zero;
        const byte Full = 16;
        byte width = (byte)TWidth.Value;
        Vector512<float> tail = ColumnsBelow(f.Pixels - 48);
        Vector512<float> f0 = Vector512.Load(f.NotFirst), f1 = Vector512.Load(f.NotFirst + 16), f2 = Vector512.Load(f.NotFirst + 32), f3 = Vector512.Load(f.NotFirst + 48);
        Vector512<float> l0 = Vector512.Load(f.NotLast), l1 = Vector512.Load(f.NotLast + 16), l2 = Vector512.Load(f.NotLast + 32), l3 = Vector512.Load(f.NotLast + 48);
        for (nint j = 0; j < run.Planes; j++)
        {
            float* x = x0 + run.InputOffset(j), w = run.Weights + j * run.WeightStep, y = y0 + j * run.OutputStep;
            Vector512<float> v0 = Vector512.Load(x), v1 = Vector512.Load(x + 16), v2 = Vector512.Load(x + 32), v3 = Avx512F.MaskLoad(x + 48, tail, zero);
            // Taps at filter column 0 read input column c - 1, which for output column 0 is the previous row's last
            // column: zeroing the input's last column once (p) stands for masking each such tap; column 2 likewise (q).
            Vector512<float> p0 = v0 & l0, p1 = v1 & l1, p2 = v2 & l2, p3 = v3 & l3;
            Vector512<float> q0 = v0 & f0, q1 = v1 & f1, q2 = v2 & f2, q3 = v3 & f3;
            Vector512<float> a0, a1, a2, a3, wk;
            // Filter row 0: taps d = -W - 1, -W, -W + 1 (previous:current pairs).
            wk = Vector512.Create(w[0]);
            a0 = Fma512(FlatShift(p0, zero, (byte)(Full - 1 - width)), wk, zero);
            a1 = Fma512(FlatShift(p1, p0, (byte)(Full - 1 - width)), wk, zero);
            a2 = Fma512(FlatShift(p2, p1, (byte)(Full - 1 - width)), wk, zero);
            a3 = Fma512(FlatShift(p3, p2, (byte)(Full - 1 - width)), wk, zero);
            wk = Vector512.Create(w[t]);
            a0 = Fma512(FlatShift(v0, zero, (byte)(Full - width)), wk, a0);
            a1 = Fma512(FlatShift(v1, v0, (byte)(Full - width)), wk, a1);
            a2 = Fma512(FlatShift(v2, v1, (byte)(Full - width)), wk, a2);
            a3 = Fma512(FlatShift(v3, v2, (byte)(Full - width)), wk, a3);
            wk = Vector512.Create(w[2 * t]);
            a0 = Fma512(FlatShift(q0, zero, (byte)(Full + 1 - width)), wk, a0);
            a1 = Fma512(FlatShift(q1, q0, (byte)(Full + 1 - width)), wk, a1);
            a2 = Fma512(FlatShift(q2, q1, (byte)(Full + 1 - width)), wk, a2);
            a3 = Fma512(FlatShift(q3, q2, (byte)(Full + 1 - width)), wk, a3);
            // Filter row 1: taps d = -1, 0, +1.
            wk = Vector512.Create(w[3 * t]);
            a0 = Fma512(FlatShift(p0, zero, Full - 1), wk, a0);
            a1 = Fma512(FlatShift(p1, p0, Full - 1), wk, a1);
            a2 = Fma512(FlatShift(p2, p1, Full - 1), wk, a2);
            a3 = Fma512(FlatShift(p3, p2, Full - 1), wk, a3);
            wk = Vector512.Create(w[4 * t]);
            a0 = Fma512(v0, wk, a0);
            a1 = Fma512(v1, wk, a1);
            a2 = Fma512(v2, wk, a2);
            a3 = Fma512(v3, wk, a3);
            wk = Vector512.Create(w[5 * t]);
            a0 = Fma512(FlatShift(q1, q0, 1), wk, a0);
            a1 = Fma512(FlatShift(q2, q1, 1), wk, a1);
            a2 = Fma512(FlatShift(q3, q2, 1), wk, a2);
            a3 = Fma512(FlatShift(zero, q3, 1), wk, a3);
            // Filter row 2: taps d = W - 1, W, W + 1 (current:next pairs).
            wk = Vector512.Create(w[6 * t]);
            a0 = Fma512(FlatShift(p1, p0, (byte)(width - 1)), wk, a0);
            a1 = Fma512(FlatShift(p2, p1, (byte)(width - 1)), wk, a1);
            a2 = Fma512(FlatShift(p3, p2, (byte)(width - 1)), wk, a2);
            a3 = Fma512(FlatShift(zero, p3, (byte)(width - 1)), wk, a3);
            wk = Vector512.Create(w[7 * t]);
            a0 = Fma512(FlatShift(v1, v0, width), wk, a0);
            a1 = Fma512(FlatShift(v2, v1, width), wk, a1);
            a2 = Fma512(FlatShift(v3, v2, width), wk, a2);
            a3 = Fma512(FlatShift(zero, v3, width), wk, a3);
            wk = Vector512.Create(w[8 * t]);
            a0 = Fma512(FlatShift(q1, q0, (byte)(width + 1)), wk, a0);
            a1 = Fma512(FlatShift(q2, q1, (byte)(width + 1)), wk, a1);
            a2 = Fma512(FlatShift(q3, q2, (byte)(width + 1)), wk, a2);
            a3 = Fma512(FlatShift(zero, q3, (byte)(width + 1)), wk, a3);
            a0.Store(y);
            a1.Store(y + 16);
            a2.Store(y + 32);
            Avx512F.MaskStore(y + 48, tail, a3);
        }
    }

    /// <summary>
    /// <c>valignd</c> of <paramref name="next"/>:<paramref name="current"/> by <paramref name="columns"/>, a constant once
    /// <see cref="FlatPlaneTaps{TWidth}"/> is instantiated for its width and this is inlined.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FlatShift(Vector512<float> next, Vector512<float> current, byte columns)
    {
#pragma warning disable CA1857 // constant per instantiation: the analyzer cannot see through the generic width
        return Avx512F.AlignRight32(next.AsInt32(), current.AsInt32(), columns).AsSingle();
#pragma warning restore CA1857
    }

    /// <summary>Tap columns d = W - 1 on: the current vector itself where W is 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FlatShiftOrSame(Vector512<float> next, Vector512<float> current, byte columns) =>
        columns == 0 ? current : FlatShift(next, current, columns);

    /// <summary>A flat plane's width, a constant of each instantiation (the shifts are <c>valignd</c> immediates).</summary>
    private interface IPlaneWidth
    {
        static abstract int Value { get; }
    }

    private struct Width1 : IPlaneWidth { public static int Value => 1; }
    private struct Width2 : IPlaneWidth { public static int Value => 2; }
    private struct Width3 : IPlaneWidth { public static int Value => 3; }
    private struct Width4 : IPlaneWidth { public static int Value => 4; }
    private struct Width5 : IPlaneWidth { public static int Value => 5; }
    private struct Width6 : IPlaneWidth { public static int Value => 6; }
    private struct Width7 : IPlaneWidth { public static int Value => 7; }
    private struct Width8 : IPlaneWidth { public static int Value => 8; }
}
