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
/// output [pixels, N] = input [pixels, K] × filter [K, N]. Layout and blocking: the output channels are vectors (8 on
/// 256-bit vectors; 16 on 512-bit ones, on the AVX-512 tier from 16 output channels: <see cref="Wide"/>) in blocks of one
/// to three (<see cref="ChannelBlocks"/>); the pixels are cut into panels of <see cref="PanelPixels"/>; a work item is one
/// panel and one block. Its block's filter columns are widened to float32 <c>[k][vector][lanes]</c> in the thread's
/// buffer (kept while consecutive items share the block), and the panel is covered by tiles of P pixels × B vectors of
/// sums in registers (3×3, 6×2, or 8×1 when N is one vector): per input channel k, B weight vectors loaded and one value
/// broadcast per pixel. The broadcast is the input's 32-bit word holding channels k and k + 1 (k even): shifted left for
/// channel k, its lower half masked off for k + 1, one integer operation per broadcast where the widening path writes and
/// rereads a float32 copy of the input. 3×3 tiles, not the float32 kernel's 4×3, because the mask takes the sixteenth
/// register of 256-bit code (4×3 with two shifts instead of the mask: no faster, measured); the 512-bit code keeps the
/// same tiles. An odd K would need a word past the row's end, so it stays on the widening path. A panel's last tile,
/// when fewer than P pixels remain, repeats the panel's last pixel (the same values to the same place). Every output sums
/// k in order from zero, one multiply-add per term, as the float32 kernel does, and is rounded once: the bits of the
/// float32 path, rounded.
/// </summary>
/// <remarks>
/// On the AVX-512 tier of a Zen 5 (full-width FMA pipes), side by side against float32's 512-bit kernels (C ABI harness,
/// tensors on 16-byte boundaries, 41 alternated rounds, median of per-round ratios; the benchmark's 64-byte-aligned run
/// gives 56x56 144->24 0.98 / 0.93), 1 / 2 threads: 56x56 144->24 0.97 / 0.91, 24->144 1.11 / 0.66, 28x28
/// 192->32 0.97 / 0.80, 32->192 1.12 / 0.76, where the widening path took 1.28 / 1.26, 1.41 / 0.85, 1.27 / 1.42 and this
/// kernel's 256-bit code 1.55 / 1.46, 2.25 / 1.18, 1.96 / 1.64.
/// </remarks>
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

    /// <summary>Input channels whose block weights (K × 3 vectors of floats per thread) an array can hold; more take the widening path.</summary>
    private const long MaximumInputChannels = 1 << 24;

    /// <summary>Output channels per 256-bit vector, the fewest the kernel takes.</summary>
    private const nint Lanes = 8;

    /// <summary>The problems the kernel computes: see the class summary (AVX2 and AVX-512 tiers).</summary>
    public static bool Supports(in ConvolutionGeometry g, VectorIsa isa) =>
        isa >= VectorIsa.Avx2 && Avx2.IsSupported && Fma.IsSupported
        && g.Kind == ConvolutionKind.Conv2D && g.DataFormat == DataFormat.NHWC && g.Groups == 1
        && g.FilterHeight == 1 && g.FilterWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0
        && g.InputChannels % 2 == 0 && g.InputChannels is > 0 and <= MaximumInputChannels && g.OutputChannels >= Lanes
        && g.Batch * g.OutputHeight * g.OutputWidth >= MinimumPixels;

    /// <summary>Computes a problem <see cref="Supports"/> takes (all three tensors bfloat16 bits).</summary>
    public static void Run(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g, VectorIsa isa)
    {
        if (Wide(g, isa)) Run<Vector512<float>>(input, filter, output, g);
        else Run<Vector256<float>>(input, filter, output, g);
    }

    /// <summary>
    /// Whether a problem the kernel takes runs on 512-bit vectors of 16 output channels: the AVX-512 tier, where the float32
    /// path it competes with runs 512-bit kernels too, and at least 16 output channels.
    /// </summary>
    public static bool Wide(in ConvolutionGeometry g, VectorIsa isa) =>
        isa == VectorIsa.Avx512 && Avx512F.IsSupported && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated
        && g.OutputChannels >= Vector512<float>.Count;

    private static void Run<TVector>(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g) where TVector : struct
    {
        var blocks = new ChannelBlocks(g.OutputChannels, Unsafe.SizeOf<TVector>() / sizeof(float));
        long pixels = g.Batch * g.OutputHeight * g.OutputWidth, panels = (pixels + PanelPixels - 1) / PanelPixels;
        long macs = pixels * g.InputChannels * g.OutputChannels;
        int threads = macs < NhwcRowBands.Conv2DParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        var job = new Job
        {
            Input = input, Filter = filter, Output = output, Blocks = blocks,
            Pixels = (nint)pixels, InputChannels = (nint)g.InputChannels, OutputChannels = (nint)g.OutputChannels,
        };
        WorkerPool.Shared.For(panels * blocks.Count, threads, &RunItems<TVector>, &job);
    }

    /// <summary>
    /// Work items [first, end): item i is panel i / blocks, block i % blocks, so a panel's input stays in cache across its
    /// blocks. Each chunk of items widens a block's weights into its own buffer (K × 3 vectors at most) when the block
    /// changes: once per item with several blocks, a few percent of the item's multiply-adds (one vector widened per 96).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems<TVector>(void* context, long firstItem, long endItem) where TVector : struct
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        float[] buffer = ArrayPool<float>.Shared.Rent(checked((int)(job.InputChannels * 3 * job.Blocks.Lanes)));
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
                    if (block != widened) WidenWeights<TVector>(job, weights, firstVector, width);
                    widened = block;
                    if (width == 3) Tiles<TVector, Size3, Size3>(job, weights, first, end, firstVector);
                    else if (width == 2) Tiles<TVector, Size6, Size2>(job, weights, first, end, firstVector);
                    else Tiles<TVector, Size8, Size1>(job, weights, first, end, firstVector);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The filter [K, N]'s columns of one block, widened: row k's vectors side by side, <c>[k][vector][lanes]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenWeights<TVector>(in Job job, float* destination, nint firstVector, nint width) where TVector : struct
    {
        nint c0 = job.Blocks.Channel(firstVector), c1 = job.Blocks.Channel(firstVector + 1), c2 = job.Blocks.Channel(firstVector + 2);
        nint n = job.OutputChannels, lanes = Unsafe.SizeOf<TVector>() / sizeof(float);
        ushort* source = job.Filter, end = job.Filter + job.InputChannels * n;
        for (; source < end; source += n, destination += width * lanes)
        {
            Unsafe.Write(destination, Widen<TVector>(source + c0));
            if (width > 1) Unsafe.Write(destination + lanes, Widen<TVector>(source + c1));
            if (width > 2) Unsafe.Write(destination + 2 * lanes, Widen<TVector>(source + c2));
        }
    }

    /// <summary>A vector's worth of consecutive bfloat16 values widened to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Widen<TVector>(ushort* source) where TVector : struct =>
        typeof(TVector) == typeof(Vector512<float>)
            ? Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Avx.LoadVector256(source)), 16).AsSingle())
            : Unsafe.BitCast<Vector256<float>, TVector>(Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(source), 16).AsSingle());

    /// <summary>Pixels [first, end) of one block (vectors from <paramref name="firstVector"/>), in tiles of P pixels.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TVector, TP, TB>(in Job job, float* weights, nint first, nint end, nint firstVector)
        where TVector : struct where TP : struct, ITileSize where TB : struct, ITileSize
    {
        int P = TP.Value, B = TB.Value;
        // A constant of the instantiation (the blocks' lanes), so that weight offsets fold into the loads.
        nint lanes = Unsafe.SizeOf<TVector>() / sizeof(float);
        nint k = job.InputChannels, n = job.OutputChannels, last = end - 1;
        nint c0 = job.Blocks.Channel(firstVector), c1 = job.Blocks.Channel(firstVector + 1), c2 = job.Blocks.Channel(firstVector + 2);
        nint rowStride = B * lanes;
        for (nint t = first; t < end; t += P)
        {
            // Pixel j of the tile is t + j, or the panel's last pixel again past the end.
            ushort* r0 = job.Input + t * k;
            ushort* r1 = job.Input + Math.Min(t + 1, last) * k, r2 = job.Input + Math.Min(t + 2, last) * k;
            ushort* r3 = job.Input + Math.Min(t + 3, last) * k, r4 = job.Input + Math.Min(t + 4, last) * k;
            ushort* r5 = job.Input + Math.Min(t + 5, last) * k, r6 = job.Input + Math.Min(t + 6, last) * k;
            ushort* r7 = job.Input + Math.Min(t + 7, last) * k;
            TVector a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
            TVector a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
            TVector a40 = default, a41 = default, a50 = default, a51 = default;
            TVector a60 = default, a70 = default;
            float* w = weights;
            for (nint i = 0; i < k; i += 2, w += 2 * rowStride)
            {
                {
                    // Channel i: the word's lower half shifted up.
                    var w0 = Unsafe.Read<TVector>(w);
                    var w1 = B > 1 ? Unsafe.Read<TVector>(w + lanes) : default;
                    var w2 = B > 2 ? Unsafe.Read<TVector>(w + 2 * lanes) : default;
                    Accumulate<TVector, TB>(Even<TVector>(r0 + i), w0, w1, w2, ref a00, ref a01, ref a02);
                    if (P > 1) Accumulate<TVector, TB>(Even<TVector>(r1 + i), w0, w1, w2, ref a10, ref a11, ref a12);
                    if (P > 2) Accumulate<TVector, TB>(Even<TVector>(r2 + i), w0, w1, w2, ref a20, ref a21, ref a22);
                    if (P > 3) Accumulate<TVector, TB>(Even<TVector>(r3 + i), w0, w1, w2, ref a30, ref a31, ref a32);
                    if (P > 4) Accumulate<TVector, TB>(Even<TVector>(r4 + i), w0, w1, w2, ref a40, ref a41, ref a02);
                    if (P > 5) Accumulate<TVector, TB>(Even<TVector>(r5 + i), w0, w1, w2, ref a50, ref a51, ref a02);
                    if (P > 6) Accumulate<TVector, TB>(Even<TVector>(r6 + i), w0, w1, w2, ref a60, ref a01, ref a02);
                    if (P > 7) Accumulate<TVector, TB>(Even<TVector>(r7 + i), w0, w1, w2, ref a70, ref a01, ref a02);
                }
                {
                    // Channel i + 1: the word's upper half.
                    float* v = w + rowStride;
                    var w0 = Unsafe.Read<TVector>(v);
                    var w1 = B > 1 ? Unsafe.Read<TVector>(v + lanes) : default;
                    var w2 = B > 2 ? Unsafe.Read<TVector>(v + 2 * lanes) : default;
                    Accumulate<TVector, TB>(Odd<TVector>(r0 + i), w0, w1, w2, ref a00, ref a01, ref a02);
                    if (P > 1) Accumulate<TVector, TB>(Odd<TVector>(r1 + i), w0, w1, w2, ref a10, ref a11, ref a12);
                    if (P > 2) Accumulate<TVector, TB>(Odd<TVector>(r2 + i), w0, w1, w2, ref a20, ref a21, ref a22);
                    if (P > 3) Accumulate<TVector, TB>(Odd<TVector>(r3 + i), w0, w1, w2, ref a30, ref a31, ref a32);
                    if (P > 4) Accumulate<TVector, TB>(Odd<TVector>(r4 + i), w0, w1, w2, ref a40, ref a41, ref a02);
                    if (P > 5) Accumulate<TVector, TB>(Odd<TVector>(r5 + i), w0, w1, w2, ref a50, ref a51, ref a02);
                    if (P > 6) Accumulate<TVector, TB>(Odd<TVector>(r6 + i), w0, w1, w2, ref a60, ref a01, ref a02);
                    if (P > 7) Accumulate<TVector, TB>(Odd<TVector>(r7 + i), w0, w1, w2, ref a70, ref a01, ref a02);
                }
            }
            ushort* y = job.Output + t * n;
            Store<TVector, TB>(y, c0, c1, c2, a00, a01, a02);
            if (P > 1) Store<TVector, TB>(job.Output + Math.Min(t + 1, last) * n, c0, c1, c2, a10, a11, a12);
            if (P > 2) Store<TVector, TB>(job.Output + Math.Min(t + 2, last) * n, c0, c1, c2, a20, a21, a22);
            if (P > 3) Store<TVector, TB>(job.Output + Math.Min(t + 3, last) * n, c0, c1, c2, a30, a31, a32);
            if (P > 4) Store<TVector, TB>(job.Output + Math.Min(t + 4, last) * n, c0, c1, c2, a40, a41, a02);
            if (P > 5) Store<TVector, TB>(job.Output + Math.Min(t + 5, last) * n, c0, c1, c2, a50, a51, a02);
            if (P > 6) Store<TVector, TB>(job.Output + Math.Min(t + 6, last) * n, c0, c1, c2, a60, a01, a02);
            if (P > 7) Store<TVector, TB>(job.Output + Math.Min(t + 7, last) * n, c0, c1, c2, a70, a01, a02);
        }
    }

    /// <summary>Channel i (even) of a row, read as the word of channels i and i + 1, broadcast: its lower half shifted up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Even<TVector>(ushort* word) where TVector : struct =>
        typeof(TVector) == typeof(Vector512<float>)
            ? Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.ShiftLeftLogical(Vector512.Create(*(uint*)word), 16).AsSingle())
            : Unsafe.BitCast<Vector256<float>, TVector>(Avx2.ShiftLeftLogical(Avx2.BroadcastScalarToVector256((uint*)word), 16).AsSingle());

    /// <summary>Channel i + 1 of the same word: its upper half, the lower one masked off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Odd<TVector>(ushort* word) where TVector : struct =>
        typeof(TVector) == typeof(Vector512<float>)
            ? Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.And(Vector512.Create(*(uint*)word), Vector512.Create(0xFFFF_0000u)).AsSingle())
            : Unsafe.BitCast<Vector256<float>, TVector>(Avx2.And(Avx2.BroadcastScalarToVector256((uint*)word), Vector256.Create(0xFFFF_0000u)).AsSingle());

    /// <summary>One input value times a weight row's B vectors into one pixel's sums (tiles with B &lt; 3 pass unused sums, untouched).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TVector, TB>(TVector x, TVector w0, TVector w1, TVector w2,
        ref TVector s0, ref TVector s1, ref TVector s2) where TVector : struct where TB : struct, ITileSize
    {
        s0 = BFloat16Lanes.MultiplyAdd(w0, x, s0);
        if (TB.Value > 1) s1 = BFloat16Lanes.MultiplyAdd(w1, x, s1);
        if (TB.Value > 2) s2 = BFloat16Lanes.MultiplyAdd(w2, x, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TVector, TB>(ushort* pixel, nint c0, nint c1, nint c2, TVector s0, TVector s1, TVector s2)
        where TVector : struct where TB : struct, ITileSize
    {
        BFloat16Lanes.StoreConsecutive(pixel + c0, s0);
        if (TB.Value > 1) BFloat16Lanes.StoreConsecutive(pixel + c1, s1);
        if (TB.Value > 2) BFloat16Lanes.StoreConsecutive(pixel + c2, s2);
    }

    /// <summary>
    /// The output channels' vectors in blocks: of three (3×3 tiles), then of two (6×2 tiles) for a remainder of two
    /// vectors, or twice for a remainder of one (two 2-blocks in place of a 3 and a lone vector, whose 8×1 tile does one
    /// multiply-add per broadcast); a single vector is one block of one. The shifted-back last vector is always in the
    /// last block beside the one it overlaps, so no two work items write the same channels.
    /// </summary>
    private readonly struct ChannelBlocks
    {
        public readonly nint Channels, Lanes, Vectors, Threes, Count;

        public ChannelBlocks(long channels, int lanes)
        {
            Channels = (nint)channels;
            Lanes = lanes;
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
