using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// bfloat16 pointwise conv2d (1x1, stride 1, no padding, one group, NHWC, an even number of input channels K, at least
/// 8 output channels N, and enough pixels: <see cref="MinimumPixels"/>) as a GEMM that reads the input in place:
/// output [pixels, N] = input [pixels, K] × filter [K, N]. Layout and blocking: the output channels are vectors of 8 in
/// blocks of one to three (<see cref="ChannelBlocks"/>); the pixels are cut into panels of <see cref="PanelPixels"/>; a
/// work item is one panel and one block. Its block's filter columns are widened to float32 <c>[k][vector][8]</c> in the
/// thread's buffer (kept while consecutive items share the block), and the panel is covered by tiles of P pixels × B
/// vectors of sums in registers (3×3, 6×2, or 8×1 when N is one vector): per input channel k, B weight vectors loaded
/// and one value broadcast per pixel. The broadcast is the input's 32-bit word holding channels k and k + 1 (k even):
/// shifted left for channel k, its lower half masked off for k + 1, one integer operation per broadcast where the
/// widening path writes and rereads a float32 copy of the input. 3×3 tiles, not the float32 kernel's 4×3, because the
/// mask takes the sixteenth register (4×3 with two shifts instead of the mask: no faster, measured). An odd K would need a
/// word past the row's end, so it stays on the widening path. A panel's last tile, when fewer than P pixels remain,
/// repeats the panel's last pixel (the same values to the same place). Every output sums k in order from zero, one
/// multiply-add per term, as the float32 kernel does, and is rounded once: the bits of the float32 path, rounded.
/// </summary>
internal static unsafe class BFloat16Pointwise
{
    /// <summary>Pixels per panel (a multiple of every tile's 3, 6 and 8), as the float32 kernel's panels.</summary>
    private const nint PanelPixels = 96;

    /// <summary>
    /// Pixels below which the widening path stays faster (measured, side by side, time ÷ float32's, this kernel against
    /// the widening path, 1 thread: 56x56 144->24 1.06 / 1.25, 24->144 1.10 / 1.29; 28x28 192->32 1.19 / 1.23, 32->192
    /// 1.15 / 1.27; but 14x14 384->64 1.16 / 1.11, 576->96 1.12 / 1.03, 96->576 1.15 / 1.07, 7x7 960->320 1.23 / 1.02):
    /// with few panels, each block's weights are widened for few pixels, and the widening path's input is small.
    /// </summary>
    private const long MinimumPixels = 4 * PanelPixels;

    /// <summary>Input channels whose block weights (K × 24 floats per thread) an array can hold; more take the widening path.</summary>
    private const long MaximumInputChannels = 1 << 24;

    /// <summary>Output channels per vector.</summary>
    private const nint Lanes = 8;

    /// <summary>The problems the kernel computes: see the class summary (AVX2 tier only, as the other bfloat16 kernels).</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        isa == VectorIsa.Avx2 && Avx2.IsSupported && Fma.IsSupported
        && g.Kind == ConvolutionKind.Conv2D && g.DataFormat == DataFormat.NHWC && g.Groups == 1
        && g.FilterHeight == 1 && g.FilterWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0
        && g.InputChannels % 2 == 0 && g.InputChannels is > 0 and <= MaximumInputChannels && g.OutputChannels >= Lanes
        && g.Batch * g.OutputHeight * g.OutputWidth >= MinimumPixels;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g)
    {
        var blocks = new ChannelBlocks(g.OutputChannels);
        long pixels = g.Batch * g.OutputHeight * g.OutputWidth, panels = (pixels + PanelPixels - 1) / PanelPixels;
        long macs = pixels * g.InputChannels * g.OutputChannels;
        int threads = macs < NhwcRowBands.Conv2DParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        var job = new Job
        {
            Input = input, Filter = filter, Output = output, Blocks = blocks,
            Pixels = (nint)pixels, InputChannels = (nint)g.InputChannels, OutputChannels = (nint)g.OutputChannels,
        };
        WorkerPool.Shared.For(panels * blocks.Count, threads, &RunItems, &job);
    }

    /// <summary>
    /// Work items [first, end): item i is panel i / blocks, block i % blocks, so a panel's input stays in cache across its
    /// blocks. Each chunk of items widens a block's weights into its own buffer (K × 24 floats at most) when the block
    /// changes: once per item with several blocks, a few percent of the item's multiply-adds (one vector widened per 96).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems(void* context, long firstItem, long endItem)
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        float[] buffer = ArrayPool<float>.Shared.Rent(checked((int)(job.InputChannels * 3 * Lanes)));
        try
        {
            fixed (float* weights = buffer)
            {
                nint widened = -1;
                for (long item = firstItem; item < endItem; item++)
                {
                    nint panel = (nint)(item / job.Blocks.Count), block = (nint)(item % job.Blocks.Count);
                    nint first = panel * PanelPixels, end = Math.Min(first + PanelPixels, job.Pixels);
                    var (firstVector, width) = job.Blocks.Block(block);
                    if (block != widened) WidenWeights(job, weights, firstVector, width);
                    widened = block;
                    if (width == 3) Tiles<Size3, Size3>(job, weights, first, end, firstVector);
                    else if (width == 2) Tiles<Size6, Size2>(job, weights, first, end, firstVector);
                    else Tiles<Size8, Size1>(job, weights, first, end, firstVector);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The filter [K, N]'s columns of one block, widened: row k's vectors side by side, <c>[k][vector][8]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenWeights(in Job job, float* destination, nint firstVector, nint width)
    {
        nint c0 = job.Blocks.Channel(firstVector), c1 = job.Blocks.Channel(firstVector + 1), c2 = job.Blocks.Channel(firstVector + 2);
        nint n = job.OutputChannels;
        ushort* source = job.Filter, end = job.Filter + job.InputChannels * n;
        for (; source < end; source += n, destination += width * Lanes)
        {
            Avx.Store(destination, Widen(source + c0));
            if (width > 1) Avx.Store(destination + Lanes, Widen(source + c1));
            if (width > 2) Avx.Store(destination + 2 * Lanes, Widen(source + c2));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen(ushort* eight) => Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(eight), 16).AsSingle();

    /// <summary>Pixels [first, end) of one block (vectors from <paramref name="firstVector"/>), in tiles of P pixels.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TP, TB>(in Job job, float* weights, nint first, nint end, nint firstVector) where TP : struct, ITileSize where TB : struct, ITileSize
    {
        int P = TP.Value, B = TB.Value;
        nint k = job.InputChannels, n = job.OutputChannels, last = end - 1;
        nint c0 = job.Blocks.Channel(firstVector), c1 = job.Blocks.Channel(firstVector + 1), c2 = job.Blocks.Channel(firstVector + 2);
        nint rowStride = B * Lanes;
        for (nint t = first; t < end; t += P)
        {
            // Pixel j of the tile is t + j, or the panel's last pixel again past the end.
            ushort* r0 = job.Input + t * k;
            ushort* r1 = job.Input + Math.Min(t + 1, last) * k, r2 = job.Input + Math.Min(t + 2, last) * k;
            ushort* r3 = job.Input + Math.Min(t + 3, last) * k, r4 = job.Input + Math.Min(t + 4, last) * k;
            ushort* r5 = job.Input + Math.Min(t + 5, last) * k, r6 = job.Input + Math.Min(t + 6, last) * k;
            ushort* r7 = job.Input + Math.Min(t + 7, last) * k;
            Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
            Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
            Vector256<float> a40 = default, a41 = default, a50 = default, a51 = default;
            Vector256<float> a60 = default, a70 = default;
            float* w = weights;
            for (nint i = 0; i < k; i += 2, w += 2 * rowStride)
            {
                {
                    // Channel i: the word's lower half shifted up.
                    var w0 = Avx.LoadVector256(w);
                    var w1 = B > 1 ? Avx.LoadVector256(w + Lanes) : default;
                    var w2 = B > 2 ? Avx.LoadVector256(w + 2 * Lanes) : default;
                    Accumulate<TB>(Even(r0 + i), w0, w1, w2, ref a00, ref a01, ref a02);
                    if (P > 1) Accumulate<TB>(Even(r1 + i), w0, w1, w2, ref a10, ref a11, ref a12);
                    if (P > 2) Accumulate<TB>(Even(r2 + i), w0, w1, w2, ref a20, ref a21, ref a22);
                    if (P > 3) Accumulate<TB>(Even(r3 + i), w0, w1, w2, ref a30, ref a31, ref a32);
                    if (P > 4) Accumulate<TB>(Even(r4 + i), w0, w1, w2, ref a40, ref a41, ref a02);
                    if (P > 5) Accumulate<TB>(Even(r5 + i), w0, w1, w2, ref a50, ref a51, ref a02);
                    if (P > 6) Accumulate<TB>(Even(r6 + i), w0, w1, w2, ref a60, ref a01, ref a02);
                    if (P > 7) Accumulate<TB>(Even(r7 + i), w0, w1, w2, ref a70, ref a01, ref a02);
                }
                {
                    // Channel i + 1: the word's upper half.
                    float* v = w + rowStride;
                    var w0 = Avx.LoadVector256(v);
                    var w1 = B > 1 ? Avx.LoadVector256(v + Lanes) : default;
                    var w2 = B > 2 ? Avx.LoadVector256(v + 2 * Lanes) : default;
                    Accumulate<TB>(Odd(r0 + i), w0, w1, w2, ref a00, ref a01, ref a02);
                    if (P > 1) Accumulate<TB>(Odd(r1 + i), w0, w1, w2, ref a10, ref a11, ref a12);
                    if (P > 2) Accumulate<TB>(Odd(r2 + i), w0, w1, w2, ref a20, ref a21, ref a22);
                    if (P > 3) Accumulate<TB>(Odd(r3 + i), w0, w1, w2, ref a30, ref a31, ref a32);
                    if (P > 4) Accumulate<TB>(Odd(r4 + i), w0, w1, w2, ref a40, ref a41, ref a02);
                    if (P > 5) Accumulate<TB>(Odd(r5 + i), w0, w1, w2, ref a50, ref a51, ref a02);
                    if (P > 6) Accumulate<TB>(Odd(r6 + i), w0, w1, w2, ref a60, ref a01, ref a02);
                    if (P > 7) Accumulate<TB>(Odd(r7 + i), w0, w1, w2, ref a70, ref a01, ref a02);
                }
            }
            ushort* y = job.Output + t * n;
            Store<TB>(y, c0, c1, c2, a00, a01, a02);
            if (P > 1) Store<TB>(job.Output + Math.Min(t + 1, last) * n, c0, c1, c2, a10, a11, a12);
            if (P > 2) Store<TB>(job.Output + Math.Min(t + 2, last) * n, c0, c1, c2, a20, a21, a22);
            if (P > 3) Store<TB>(job.Output + Math.Min(t + 3, last) * n, c0, c1, c2, a30, a31, a32);
            if (P > 4) Store<TB>(job.Output + Math.Min(t + 4, last) * n, c0, c1, c2, a40, a41, a02);
            if (P > 5) Store<TB>(job.Output + Math.Min(t + 5, last) * n, c0, c1, c2, a50, a51, a02);
            if (P > 6) Store<TB>(job.Output + Math.Min(t + 6, last) * n, c0, c1, c2, a60, a01, a02);
            if (P > 7) Store<TB>(job.Output + Math.Min(t + 7, last) * n, c0, c1, c2, a70, a01, a02);
        }
    }

    /// <summary>Channel i (even) of a row, read as the word of channels i and i + 1, broadcast: its lower half shifted up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Even(ushort* word) => Avx2.ShiftLeftLogical(Avx2.BroadcastScalarToVector256((uint*)word), 16).AsSingle();

    /// <summary>Channel i + 1 of the same word: its upper half, the lower one masked off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Odd(ushort* word) =>
        Avx2.And(Avx2.BroadcastScalarToVector256((uint*)word), Vector256.Create(0xFFFF_0000u)).AsSingle();

    /// <summary>One input value times a weight row's B vectors into one pixel's sums (tiles with B &lt; 3 pass unused sums, untouched).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TB>(Vector256<float> x, Vector256<float> w0, Vector256<float> w1, Vector256<float> w2,
        ref Vector256<float> s0, ref Vector256<float> s1, ref Vector256<float> s2) where TB : struct, ITileSize
    {
        s0 = Fma.MultiplyAdd(w0, x, s0);
        if (TB.Value > 1) s1 = Fma.MultiplyAdd(w1, x, s1);
        if (TB.Value > 2) s2 = Fma.MultiplyAdd(w2, x, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TB>(ushort* pixel, nint c0, nint c1, nint c2, Vector256<float> s0, Vector256<float> s1, Vector256<float> s2)
        where TB : struct, ITileSize
    {
        BFloat16Lanes.StoreEight(pixel + c0, s0);
        if (TB.Value > 1) BFloat16Lanes.StoreEight(pixel + c1, s1);
        if (TB.Value > 2) BFloat16Lanes.StoreEight(pixel + c2, s2);
    }

    /// <summary>
    /// The output channels' vectors in blocks: of three (3×3 tiles), then of two (6×2 tiles) for a remainder of two
    /// vectors, or twice for a remainder of one (two 2-blocks in place of a 3 and a lone vector, whose 8×1 tile does one
    /// multiply-add per broadcast); a single vector is one block of one. The shifted-back last vector is always in the
    /// last block beside the one it overlaps, so no two work items write the same channels.
    /// </summary>
    private readonly struct ChannelBlocks
    {
        public readonly nint Channels, Vectors, Threes, Count;

        public ChannelBlocks(long channels)
        {
            Channels = (nint)channels;
            Vectors = (Channels + Lanes - 1) / Lanes;
            nint remainder = Vectors % 3;
            Threes = Vectors == 1 ? 0 : remainder == 1 ? Vectors / 3 - 1 : Vectors / 3;
            nint twos = Vectors == 1 ? 0 : (Vectors - 3 * Threes) / 2;
            Count = Vectors == 1 ? 1 : Threes + twos;
        }

        /// <summary>Block <paramref name="index"/>'s first vector and width.</summary>
        public (nint First, nint Width) Block(nint index) =>
            Vectors == 1 ? (0, 1) : index < Threes ? (3 * index, 3) : (3 * Threes + 2 * (index - Threes), 2);

        /// <summary>First channel of vector <paramref name="vector"/> (past the last vector: the last one's).</summary>
        public nint Channel(nint vector) => Math.Min(vector * Lanes, Channels - Lanes);
    }

    private struct Job
    {
        public ushort* Input, Filter, Output;
        public ChannelBlocks Blocks;
        public nint Pixels, InputChannels, OutputChannels;
    }
}
