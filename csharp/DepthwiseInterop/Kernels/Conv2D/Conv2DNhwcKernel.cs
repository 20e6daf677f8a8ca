using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// Conv2d (dense, pointwise or grouped), NHWC: input <c>[N, H, W, C]</c>, output <c>[N, OH, OW, Cout]</c>, filter
/// <c>[KH, KW, C/G, Cout]</c> packed as <c>[group][vector block][ky][kx][ci][B vectors]</c> so that a block's
/// weights stream contiguously: once per call, or, when only one or two pixel panels reuse them, block by block
/// into a work item's scratch by the block's first tile, which reads them from the filter (prefetching a few rows
/// ahead: the filter usually comes from L3, and this saves a separate packing pass). Vectors run over output
/// channels; a tile keeps P output pixels × B channel vectors in registers (6×2, 4×3 or 8×1 in the 16 registers of
/// 128/256 bits; 6×4, 8×3, 8×2 or 8×1 in the 32 of 512 bits) and, per weight row (ky, kx, ci), loads B weight
/// vectors and broadcasts one input value per pixel: B + P loads feed P × B FMAs. Blocks are 2 vectors wide below
/// 512 bits (6×2 tiles), except at 256 bits with one or two panels, where they are 3 wide (4×3 tiles, a remainder
/// as 2-vector blocks): see <see cref="Plan.MaxBlock"/>. Groups of exactly one vector (grouped convs with as many
/// output channels per group as lanes) run in pairs of neighbouring groups below 512 bits, packed as one block of 2
/// vectors, in 6 × 2 tiles whose second vector broadcasts its input from the next group's channels: 14 loads per
/// 12 FMAs, but 12 independent sums instead of the 8 × 1 tile's 8 (see <see cref="Plan.GroupPairs"/>). The output pixels are cut into
/// panels of <see cref="PanelPixels"/>; a per-panel table gives each pixel its window origin, the pixels whose taps
/// all fall inside the input (interior) first, and the panel is covered with tiles of P and P − 1 pixels, so no
/// pixel is computed twice and tiles need not share a row. An interior tile runs all KH × KW × C/G weight rows in
/// one loop, the input offset of each row coming from a per-call offset table: no bounds tests and no per-tap loop
/// (a 1x1 filter reads input channel k for row k without the table: a pointwise conv is a plain GEMM over pixels ×
/// channels). A tile with an edge pixel goes tap by tap and points the taps in the padding at a zero buffer, so
/// they still multiply zero by the weight (TensorFlow semantics: a NaN or infinite weight over padding gives NaN).
/// A panel is walked once per channel block, so the block's weights stay in cache across it (in L2 when they exceed
/// L1: splitting K into L1-sized chunks, sums stored and reloaded, measured no faster on Zen 3, also as the median
/// of per-round old/new ratios on the loaded VM: 3x3 56x56x64->64 0.95-1.03 with 8-24 KiB chunks, pointwise
/// 7x7x960->320 0.90-0.97, the smaller chunks the slower; 48- or 192-pixel panels were slower too). A group's last
/// channel vector is shifted back to end at the group's last channel (recomputing identical values), so there are
/// no scalar tails. Every output sums its terms in the reference's order (filter row, filter column, input channel)
/// whatever tile computes it, so results do not depend on how the work is split between threads.
/// </summary>
internal static class Conv2DNhwcKernel
{
    /// <summary>Packed weights start on a cache line, so that no weight vector load straddles two lines.</summary>
    private const int AlignmentBytes = 64;

    /// <summary>Elements to rent beyond a packed buffer's length so that <see cref="Align{T}"/> stays inside it.</summary>
    public static unsafe int AlignmentElements<T>() where T : unmanaged => AlignmentBytes / sizeof(T);

    /// <summary>The first cache-line boundary at or after <paramref name="pointer"/> (null stays null).</summary>
    public static unsafe T* Align<T>(T* pointer) where T : unmanaged =>
        (T*)(((nuint)pointer + (AlignmentBytes - 1)) & ~(nuint)(AlignmentBytes - 1));

    /// <summary>
    /// Output pixels per panel: a multiple of every full tile's pixel count (4, 6, 8), so a panel's table has room
    /// for the last tile of a panel too small to split exactly. Large problems need no other size and no prefetch:
    /// dense 3x3 56x56x64->64 at batch 8 (input and output 6.4 MB each) ran at batch 1's speed per image, side by
    /// side (median of per-round ratios, 21-41 ABBA rounds, core 0, load 2.3-4.2): one batch-8 call against one
    /// batch-1 call 0.99-1.02x, against 8 batch-1 calls on 8 images or on one (warm) 0.97-1.01x, with the caches
    /// evicted before each call 0.99-1.01x; 2 threads 0.97-1.05x; the NativeAOT library's C ABI 0.99-1.01x. A panel
    /// reads ~25 KB of new input per ~90 µs, which the hardware prefetchers hide: asking L2 for the next panel's new
    /// input lines during its last block ran 0.93-0.98x warm (1.01-1.07x with caches evicted), 48- or 192-pixel
    /// panels 0.98-1.01x at batch 8, so none was kept.
    /// </summary>
    public const int PanelPixels = 96;

    /// <summary>
    /// Work items a multi-threaded call aims for per thread, each claimed on its own (see FastConv2D), so that a
    /// thread that finishes early, or one the shared machine preempts, leaves little to the other. Measured at 2
    /// threads against 4 items per thread in 8 chunks (46 alternated sessions on the loaded 2-vCPU VM): 56x56x64->64
    /// 3x3 best 1,217 against 1,288 µs, median of the sessions' minima 4% lower; pointwise 7x7x960->320 best 167
    /// against 179 µs; batch 8 alike at best, its medians 3-7% lower. 8 to 32 items per thread behaved alike.
    /// </summary>
    public const int ItemsPerThread = 16;

    /// <summary>
    /// How far ahead a packing tile prefetches filter rows (measured: 8, 16 and 32 all ~4% faster than none, 8
    /// steadiest; re-measured against 8 as the median of per-round ratios on the loaded VM, pointwise 7x7x960->320:
    /// 32 rows 1.06-1.10 in one session and 0.99-1.03 in the next, 7x7x320->1280 0.97-0.98, so no steady gain).
    /// </summary>
    private const int PrefetchRowsAhead = 8;

    /// <summary>A panel table entry: window origin offset, first input row, first input column, output offset.</summary>
    private const int EntrySize = 4;

    /// <summary>The geometry as native-width locals, and the work decomposition, computed once per call.</summary>
    public readonly struct Plan
    {
        public readonly nint Height, Width, Channels, FilterHeight, FilterWidth, ChannelsPerGroup;
        public readonly nint OutputChannels, OutputChannelsPerGroup, OutputHeight, OutputWidth;
        public readonly nint StrideHeight, StrideWidth, DilationHeight, DilationWidth, PadTop, PadLeft;
        /// <summary>Output pixels over all images.</summary>
        public readonly nint Pixels;
        /// <summary>Input offsets between consecutive filter rows and filter columns.</summary>
        public readonly nint TapRow, TapColumn;
        /// <summary>Output rows and columns whose taps all fall inside the input.</summary>
        public readonly nint InteriorRowBegin, InteriorRowEnd, InteriorColumnBegin, InteriorColumnEnd;
        /// <summary>Weight rows per output channel: KH × KW × channels per group.</summary>
        public readonly nint Taps;
        /// <summary>Lanes per vector, and vectors per group (the last one shifted back).</summary>
        public readonly nint Lanes, Vectors;
        /// <summary>
        /// Widest block of vectors, and blocks per group: 4 at 512 bits; at 256 bits 3 (4 × 3 tiles) when the weights
        /// are not packed once per call (one or two panels, such as a 7x7 head's 49 pixels), else 2 (6 × 2 tiles); 2 at
        /// 128 bits. Measured side by side at 256 bits, 1 thread, on the loaded VM (median of per-round old/new
        /// ratios, 31-41 alternated rounds per session): 4 × 3 tiles (seven loads per 12 FMAs instead of eight) ran
        /// pointwise 7x7x960->320 0.99-1.07x as fast as 6 × 2 (1.06 in most of 8 sessions), 7x7x320->1280
        /// 1.04-1.09x, 7x7x160->960 1.08-1.13x, 10x10x256->88 1.04-1.06x, dense 3x3 7x7x512->512 1.13x, with the
        /// same minima (no gain on a quiet core). On many panels (14x14x96->576, 14x14x384->64, 56x56 pointwise,
        /// dense 3x3 56x56x64->64, filter packed once) they measured 0.96-1.06x, so those keep 6 × 2.
        /// </summary>
        public readonly nint MaxBlock, BlocksPerGroup;
        /// <summary>
        /// Whether the whole filter is packed once per call (many panels reuse it); otherwise the first tile of each
        /// block packs the block's weights into the work item's scratch as it reads them (one or two panels: this
        /// reads the filter once and keeps the packed copy in cache, instead of writing and reading back a packed
        /// copy of all of it).
        /// </summary>
        public readonly bool Packed;
        /// <summary>
        /// Whether groups of exactly one vector run in pairs of neighbouring groups (6 × 2 tiles, see
        /// <see cref="IBlockGroups"/>), a unit being a pair (the last alone when the group count is odd), packed
        /// as one block of two vectors: below 512 bits. Measured side by side at 256 bits, 1 thread, on the loaded
        /// VM (median of per-round ratios, 21-31 rounds): 3x3 28x28x256->256 in 32 groups 1.12-1.18x as fast as
        /// 8 × 1 tiles, 14x14x256 1.29x, 2 threads 1.12-1.18x. These kernels run at the pace of their loads
        /// (broadcasts included), not their FMAs: both tiles load 1.25 values per FMA, and one broadcast less per
        /// pixel (wrong sums, a probe) ran 1.5x. Tiles that walk input columns so that one broadcast feeds up to 3
        /// pixels (20 broadcasts, 36 weight loads per 36 FMAs, in two halves of 3 pixels) ran 0.88-0.90x as fast
        /// as the pairs, and fully unrolled ones were not inlined by the JIT.
        /// </summary>
        public readonly bool GroupPairs;
        /// <summary>Work items are panels × splits; a split is a contiguous range of units: (group, block), or group pairs.</summary>
        public readonly nint Panels, Splits, Units, Groups;
        /// <summary>
        /// Whether work items run split by split (each split's panels in turn) rather than panel by panel: a thread's run of
        /// items (see WorkerPool) then streams one split's weights over the whole input, rather than all weights over its
        /// share of the input; the larger of the two decides. At 2 threads, 3x3 14x14x256->256 (weights 2.4 MB, input 200 KB)
        /// split by split took 0.78x the time of panel by panel; pointwise 14x14x576->96 (weights 221 KB, input 451 KB) 1.13x.
        /// </summary>
        public readonly bool SplitMajor;

        public Plan(in ConvolutionGeometry g, int lanes, int vectorBytes, int threads)
        {
            Height = (nint)g.InputHeight; Width = (nint)g.InputWidth; Channels = (nint)g.InputChannels;
            FilterHeight = (nint)g.FilterHeight; FilterWidth = (nint)g.FilterWidth; ChannelsPerGroup = (nint)g.ChannelsPerGroup;
            OutputChannels = (nint)g.OutputChannels; OutputChannelsPerGroup = (nint)g.OutputChannelsPerGroup;
            OutputHeight = (nint)g.OutputHeight; OutputWidth = (nint)g.OutputWidth;
            StrideHeight = (nint)g.StrideHeight; StrideWidth = (nint)g.StrideWidth;
            DilationHeight = (nint)g.DilationHeight; DilationWidth = (nint)g.DilationWidth;
            PadTop = (nint)g.PadTop; PadLeft = (nint)g.PadLeft;
            Pixels = (nint)(g.Batch * g.OutputHeight * g.OutputWidth);
            TapRow = DilationHeight * Width * Channels;
            TapColumn = DilationWidth * Channels;
            Taps = FilterHeight * FilterWidth * ChannelsPerGroup;
            var columns = InteriorColumns.Of(g);
            var rows = InteriorColumns.Of(g with
            {
                InputWidth = g.InputHeight, FilterWidth = g.FilterHeight, StrideWidth = g.StrideHeight,
                DilationWidth = g.DilationHeight, PadLeft = g.PadTop, OutputWidth = g.OutputHeight,
            });
            (InteriorColumnBegin, InteriorColumnEnd) = ((nint)columns.Begin, (nint)columns.End);
            (InteriorRowBegin, InteriorRowEnd) = ((nint)rows.Begin, (nint)rows.End);
            Lanes = lanes;
            Vectors = (OutputChannelsPerGroup + lanes - 1) / lanes;
            Panels = (Pixels + PanelPixels - 1) / PanelPixels;
            Packed = Panels > 2;
            Groups = (nint)g.Groups;
            MaxBlock = BalancedMaxBlock(vectorBytes == 64 ? 4 : vectorBytes == 32 && !Packed ? 3 : 2, Vectors, Groups, Panels, threads);
            BlocksPerGroup = BlockCount(Vectors, MaxBlock);
            GroupPairs = Vectors == 1 && Groups > 1 && vectorBytes < 64;
            Units = GroupPairs ? (Groups + 1) / 2 : Groups * BlocksPerGroup;
            // Enough items for the threads to balance: split the channel blocks when there are few panels (small
            // images, such as 7x7 or 14x14; the pointwise 7x7x960->320 gets one block of 3 vectors, or of 2, per item, on
            // 256-bit vectors; on 512-bit, blocks of 2 vectors: see BalancedMaxBlock).
            Splits = threads <= 1 ? 1 : Math.Clamp((ItemsPerThread * threads + Panels - 1) / Panels, 1, Units);
            SplitMajor = (long)Groups * OutputChannelsPerGroup * Taps > g.InputElementCount;
        }

        public long Items => (long)Panels * Splits;

        /// <summary>
        /// The widest block, narrowed where the problem has fewer items than the threads want and their count does not
        /// share evenly: the pointwise 7x7x960->320 on 512-bit vectors is one panel of 5 blocks of 4 vectors, 3 items
        /// against 2 on 2 threads; in blocks of 2 vectors, 10 items, 5 each: 0.90x the time (C harness, 21 alternated
        /// rounds, twice; 1 thread unchanged). Every tile adds the taps of an output in the same order: same bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static nint BalancedMaxBlock(nint maxBlock, nint vectors, nint groups, nint panels, int threads)
        {
            if (threads <= 1 || panels * groups * BlockCount(vectors, maxBlock) >= ItemsPerThread * threads) return maxBlock;
            for (nint block = maxBlock; block >= 2; block--)
                if (panels * groups * BlockCount(vectors, block) % threads == 0) return block;
            return maxBlock;
        }

        /// <summary>Elements of the packed filter.</summary>
        public long PackedLength => (long)Groups * Vectors * Lanes * Taps;

        /// <summary>Elements of the weights of the widest block (3 vectors when the widest is 2: see <see cref="BlockCount"/>; a group pair's 2 fit).</summary>
        public long BlockLength => (long)Math.Max(MaxBlock, 3) * Lanes * Taps;
    }

    /// <summary>Blocks a group's vectors form: all of <c>maxBlock</c> vectors, then one or two narrower ones.</summary>
    private static nint BlockCount(nint vectors, nint maxBlock) => maxBlock switch
    {
        2 => vectors == 1 ? 1 : vectors / 2, // 2, 2, ..., 2 and a final 1 (only alone) or 3
        3 => (vectors + 2) / 3, // 3, ..., 3 and a final 2, or 2 + 2 for r = 1 (1 or 2 vectors: one block)
        _ => vectors % 4 == 1 && vectors > 1 ? vectors / 4 + 1 : (vectors + 3) / 4, // 4, ..., 4 and r, or 3 + 2 for r = 5
    };

    /// <summary>First vector and vector count of block <paramref name="index"/> of a group.</summary>
    private static (nint First, nint Size) Block(nint index, nint vectors, nint maxBlock)
    {
        if (maxBlock == 3)
        {
            // A remainder of one vector joins the last 3 as 2 + 2: a block of 1 would run 8 × 1 tiles, nine loads per 8 FMAs.
            if (vectors < 3) return (0, vectors);
            nint threes = vectors % 3 == 1 ? vectors / 3 - 1 : vectors / 3;
            return index < threes ? (3 * index, 3) : (3 * threes + 2 * (index - threes), 2);
        }
        if (maxBlock == 2)
        {
            if (vectors == 1) return (0, 1);
            return (2 * index, index == vectors / 2 - 1 && vectors % 2 == 1 ? 3 : 2);
        }
        nint full = vectors % 4 == 1 && vectors > 1 ? vectors / 4 - 1 : vectors / 4;
        if (index < full) return (4 * index, 4);
        nint tail = vectors - 4 * full;
        if (tail == 5) return index == full ? (4 * full, 3) : (4 * full + 3, 2);
        return (4 * full, tail);
    }

    /// <summary>
    /// Packs filter <c>[KH, KW, C/G, Cout]</c> as <c>[group][block][ky][kx][ci][vector of block][lane]</c>: the
    /// weights a tile reads, in the order it reads them. Vector j of a group holds its output channels
    /// <c>min(j × lanes, M − lanes)</c> onwards (M output channels per group). With <see cref="Plan.GroupPairs"/>,
    /// a pair is one block whose vector j is group 2i + j's (in the room of those two groups).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackFilter<TVector, T>(ReadOnlySpan<T> filter, Span<T> packed, in Plan p)
        where TVector : unmanaged where T : unmanaged => PackFilterRows<TVector, T>(filter, packed, p, 0, p.Taps);

    /// <summary><see cref="PackFilter{TVector, T}"/> for the weight rows (ky, kx, ci) [<paramref name="firstRow"/>, <paramref name="endRow"/>) only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackFilterRows<TVector, T>(ReadOnlySpan<T> filter, Span<T> packed, in Plan p, nint firstRow, nint endRow)
        where TVector : unmanaged where T : unmanaged
    {
        ref T source = ref MemoryMarshal.GetReference(filter);
        ref T destination = ref MemoryMarshal.GetReference(packed);
        nint groups = p.Groups, lastVector = p.OutputChannelsPerGroup - p.Lanes;
        nint blockRows = p.Lanes * p.Taps; // a block of B vectors takes B × blockRows elements
        // Row by row (the source's order, so it streams), scattering each row's vectors to their blocks.
        for (nint row = firstRow; row < endRow; row++)
        {
            ref T sourceRow = ref Unsafe.Add(ref source, row * p.OutputChannels);
            for (nint group = 0; group < groups; group++)
            {
                ref T groupRow = ref Unsafe.Add(ref sourceRow, group * p.OutputChannelsPerGroup);
                if (p.GroupPairs && (group | 1) < groups)
                {
                    ref T pairRow = ref Unsafe.Add(ref destination, (group & ~1) * blockRows + row * 2 * p.Lanes + (group & 1) * p.Lanes);
                    RawVector.Store<TVector, T>(RawVector.Load<TVector, T>(in groupRow), ref pairRow);
                    continue;
                }
                ref T groupBlocks = ref Unsafe.Add(ref destination, group * p.Vectors * blockRows);
                for (nint b = 0; b < p.BlocksPerGroup; b++)
                {
                    var (first, size) = Block(b, p.Vectors, p.MaxBlock);
                    ref T target = ref Unsafe.Add(ref groupBlocks, first * blockRows + row * size * p.Lanes);
                    for (nint j = 0; j < size; j++)
                        RawVector.Store<TVector, T>(RawVector.Load<TVector, T>(in Unsafe.Add(ref groupRow, Math.Min((first + j) * p.Lanes, lastVector))),
                            ref Unsafe.Add(ref target, j * p.Lanes));
                }
            }
        }
    }

    /// <summary>
    /// Fills the offset table: for weight row k = (ky, kx, ci), the input offset of its tap from a pixel's window
    /// origin (interior tiles), then for the edge tiles, which point at each tap separately, just ci.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BuildOffsets(Span<int> offsets, in Plan p)
    {
        int k = 0;
        for (nint ky = 0; ky < p.FilterHeight; ky++)
        for (nint kx = 0; kx < p.FilterWidth; kx++)
        for (nint ci = 0; ci < p.ChannelsPerGroup; ci++, k++)
        {
            offsets[k] = checked((int)(ky * p.TapRow + kx * p.TapColumn + ci));
            offsets[(int)p.Taps + k] = (int)ci;
        }
    }

    /// <summary>
    /// Computes work items [firstItem, endItem) (item = panel × splits + split). <paramref name="zero"/> holds at
    /// least <see cref="Plan.ChannelsPerGroup"/> zeros (twice that with <see cref="Plan.GroupPairs"/>); <paramref name="packed"/> is from <see cref="PackFilter{TVector, T}"/>.
    /// </summary>
    public static unsafe void RunItems<TVector, T>(ref T input, ref T filter, ref T packed, ref T zero, ref int offsets, ref T output, in Plan p, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        T[]? blockScratch = p.Packed ? null : ArrayPool<T>.Shared.Rent(checked((int)p.BlockLength + AlignmentElements<T>()));
        try
        {
            fixed (T* scratch = blockScratch)
                RunItems<TVector, T>(ref input, ref filter, ref packed, ref zero, ref offsets, ref output, p, firstItem, endItem, ref *Align(scratch));
        }
        finally
        {
            if (blockScratch is not null) ArrayPool<T>.Shared.Return(blockScratch);
        }
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems<TVector, T>(ref T input, ref T filter, ref T packed, ref T zero, ref int interiorOffsets, ref T output, in Plan p,
        long firstItem, long endItem, ref T blockScratch)
        where TVector : unmanaged where T : unmanaged
    {
        Span<nint> table = stackalloc nint[PanelPixels * EntrySize];
        ref nint entries = ref MemoryMarshal.GetReference(table);
        nint builtPanel = -1, count = 0, interiorEnd = 0;
        for (nint item = (nint)firstItem; item < (nint)endItem; item++)
        {
            var (split, panel) = p.SplitMajor ? (item / p.Panels, item % p.Panels) : (item % p.Splits, item / p.Splits);
            if (panel != builtPanel)
            {
                (count, interiorEnd) = BuildTable(ref entries, p, panel);
                builtPanel = panel;
            }
            nint unitEnd = (split + 1) * p.Units / p.Splits;
            for (nint unit = split * p.Units / p.Splits; unit < unitEnd; unit++)
            {
                nint group = p.GroupPairs ? 2 * unit : unit / p.BlocksPerGroup;
                // A pair's two one-vector groups run as a block of 2 (a lone last group as a block of 1).
                var (first, size) = p.GroupPairs ? (0, group + 1 < p.Groups ? 2 : 1) : Block(unit % p.BlocksPerGroup, p.Vectors, p.MaxBlock);
                // A 1x1 filter reads input channel k for weight row k: no offset table load per row.
                bool oneTap = p.FilterHeight * p.FilterWidth == 1;
                if (p.Packed)
                {
                    ref T weights = ref Unsafe.Add(ref packed, (group * p.Vectors + first) * p.Lanes * p.Taps);
                    if (oneTap) RunBlock<TVector, T, ChannelOffsets, PackedWeights>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first, size);
                    else RunBlock<TVector, T, TableOffsets, PackedWeights>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first, size);
                }
                else
                {
                    // The block's first tile packs its weights into the scratch as it reads them from the filter: a
                    // separate packing pass (filter read, scratch written, then read back) cost ~5% more here.
                    if (oneTap) RunBlock<TVector, T, ChannelOffsets, PackingWeights>(ref input, ref zero, ref interiorOffsets, ref blockScratch, ref filter, ref output, p, ref entries, count, interiorEnd, group, first, size);
                    else RunBlock<TVector, T, TableOffsets, PackingWeights>(ref input, ref zero, ref interiorOffsets, ref blockScratch, ref filter, ref output, p, ref entries, count, interiorEnd, group, first, size);
                }
            }
        }
    }

    /// <summary>One block's tiles over a panel, in the tile shape for the block's width.</summary>
    private static void RunBlock<TVector, T, TO, TW>(ref T input, ref T zero, ref int interiorOffsets, ref T weights, ref T filter, ref T output, in Plan p,
        ref nint entries, nint count, nint interiorEnd, nint group, nint first, nint size)
        where TVector : unmanaged where T : unmanaged where TO : struct, ITapOffsets where TW : struct, IWeightSource
    {
        if (Unsafe.SizeOf<TVector>() == 64)
        {
            if (size == 4) Panel<TVector, T, TO, TW, Size6, Size5, Size4, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else if (size == 3) Panel<TVector, T, TO, TW, Size8, Size7, Size3, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else if (size == 2) Panel<TVector, T, TO, TW, Size8, Size7, Size2, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else Panel<TVector, T, TO, TW, Size8, Size7, Size1, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
        }
        else
        {
            if (size == 2 && p.GroupPairs) Panel<TVector, T, TO, TW, Size6, Size5, Size2, GroupPair>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else if (size == 2) Panel<TVector, T, TO, TW, Size6, Size5, Size2, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else if (size == 3) Panel<TVector, T, TO, TW, Size4, Size3, Size3, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
            else Panel<TVector, T, TO, TW, Size8, Size7, Size1, OneGroup>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, count, interiorEnd, group, first);
        }
    }

    /// <summary>
    /// Fills the table of one panel: interior pixels first, then edge pixels, then copies of the last entry up
    /// to <see cref="PanelPixels"/>. Returns the pixel count and the end of the entries that are interior.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (nint Count, nint InteriorEnd) BuildTable(ref nint entries, in Plan p, nint panel)
    {
        nint firstPixel = panel * PanelPixels, count = Math.Min(PanelPixels, p.Pixels - firstPixel);
        nint ox = firstPixel % p.OutputWidth, row = firstPixel / p.OutputWidth;
        nint oy = row % p.OutputHeight, batch = row / p.OutputHeight;
        nint front = 0, back = count - 1, output = firstPixel * p.OutputChannels, step = p.StrideWidth * p.Channels;
        for (nint done = 0; done < count;)
        {
            // One output row segment: interior pixels are the columns [InteriorBegin, InteriorEnd) of an interior row.
            nint end = Math.Min(p.OutputWidth, ox + count - done);
            nint iy = oy * p.StrideHeight - p.PadTop, ix = ox * p.StrideWidth - p.PadLeft;
            bool interiorRow = oy >= p.InteriorRowBegin && oy < p.InteriorRowEnd;
            nint origin = ((batch * p.Height + iy) * p.Width + ix) * p.Channels;
            for (; ox < end; ox++)
            {
                bool interior = interiorRow && ox >= p.InteriorColumnBegin && ox < p.InteriorColumnEnd;
                ref nint entry = ref Unsafe.Add(ref entries, (interior ? front++ : back--) * EntrySize);
                entry = origin;
                Unsafe.Add(ref entry, 1) = iy;
                Unsafe.Add(ref entry, 2) = ix;
                Unsafe.Add(ref entry, 3) = output;
                origin += step;
                ix += p.StrideWidth;
                output += p.OutputChannels;
                done++;
            }
            if (ox == p.OutputWidth)
            {
                ox = 0;
                if (++oy == p.OutputHeight) { oy = 0; batch++; }
            }
        }
        ref nint last = ref Unsafe.Add(ref entries, (count - 1) * EntrySize);
        for (nint i = count; i < PanelPixels; i++)
            for (nint k = 0; k < EntrySize; k++)
                Unsafe.Add(ref entries, i * EntrySize + k) = Unsafe.Add(ref last, k);
        // With no edge pixel, the copies are interior too.
        return (count, front == count ? PanelPixels : front);
    }

    /// <summary>
    /// Covers the <paramref name="count"/> = n pixels of a panel with a tiles of <typeparamref name="TP"/> pixels and
    /// b = (−n mod P) tiles of <typeparamref name="TQ"/> = P − 1 pixels, n = aP + b(P − 1), so that no pixel is
    /// computed twice; that needs n ≥ b(P − 1) (always true from n = (P − 1)²), and smaller panels end with a tile
    /// that repeats its last pixel (the table's copies).
    /// </summary>
    private static void Panel<TVector, T, TO, TW, TP, TQ, TB, TG>(ref T input, ref T zero, ref int interiorOffsets, ref T weights, ref T filter, ref T output, in Plan p,
        ref nint entries, nint count, nint interiorEnd, nint group, nint firstVector)
        where TVector : unmanaged where T : unmanaged where TO : struct, ITapOffsets where TW : struct, IWeightSource where TP : struct, ITileSize where TQ : struct, ITileSize where TB : struct, ITileSize where TG : struct, IBlockGroups
    {
        nint smallTiles = (TP.Value - count % TP.Value) % TP.Value;
        if (smallTiles * TQ.Value > count) smallTiles = 0;
        nint large = count - smallTiles * TQ.Value;
        // With weights still in the filter, the first tile packs them as it reads them; the others read the packed copy.
        nint packing = TW.FromFilter && large > 0 ? Math.Min(TP.Value, large) : 0;
        if (packing != 0)
            Tiles<TVector, T, TO, TW, TP, TB, TG>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref entries, packing, interiorEnd, group, firstVector);
        Tiles<TVector, T, TO, PackedWeights, TP, TB, TG>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref Unsafe.Add(ref entries, packing * EntrySize),
            large - packing, interiorEnd - packing, group, firstVector);
        if (smallTiles != 0)
        {
            ref nint small = ref Unsafe.Add(ref entries, large * EntrySize);
            nint smallPacking = TW.FromFilter && large == 0 ? TQ.Value : 0;
            if (smallPacking != 0)
                Tiles<TVector, T, TO, TW, TQ, TB, TG>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref small, smallPacking, interiorEnd - large, group, firstVector);
            Tiles<TVector, T, TO, PackedWeights, TQ, TB, TG>(ref input, ref zero, ref interiorOffsets, ref weights, ref filter, ref output, p, ref Unsafe.Add(ref small, smallPacking * EntrySize),
                smallTiles * TQ.Value - smallPacking, interiorEnd - large - smallPacking, group, firstVector);
        }
    }

    /// <summary>
    /// The tiles over <paramref name="count"/> panel table entries for one block: <typeparamref name="TP"/> pixels ×
    /// <typeparamref name="TB"/> vectors each, weights packed from <paramref name="weights"/> on (or read from
    /// <paramref name="filter"/> and packed there, see <see cref="IWeightSource"/>). The loops are written for up to
    /// 8 × 4; the type arguments fold the unused accumulators away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tiles<TVector, T, TO, TW, TP, TB, TG>(ref T input, ref T zero, ref int interiorOffsets, ref T weights, ref T filter, ref T output, in Plan p,
        ref nint entries, nint count, nint interiorEnd, nint group, nint firstVector)
        where TVector : unmanaged where T : unmanaged where TO : struct, ITapOffsets where TW : struct, IWeightSource where TP : struct, ITileSize where TB : struct, ITileSize where TG : struct, IBlockGroups
    {
        int P = TP.Value, B = TB.Value;
        nint lanes = RawVector.Count<TVector, T>(), lastVector = p.OutputChannelsPerGroup - lanes;
        nint groupOutput = group * p.OutputChannelsPerGroup, groupInput = group * p.ChannelsPerGroup;
        nint c0 = groupOutput + Math.Min(firstVector * lanes, lastVector);
        // A group pair's second vector is the next group's (whose input is a group's channels on, see pairInput).
        nint c1 = TG.Pair ? groupOutput + p.OutputChannelsPerGroup : groupOutput + Math.Min((firstVector + 1) * lanes, lastVector);
        nint pairInput = TG.Pair ? p.ChannelsPerGroup : 0;
        nint c2 = groupOutput + Math.Min((firstVector + 2) * lanes, lastVector);
        nint c3 = groupOutput + Math.Min((firstVector + 3) * lanes, lastVector);
        // Weight vector j of row k: packed, at k * B + j vectors; in the filter, at column cj of row k.
        nint rowStride = TW.FromFilter ? p.OutputChannels : B * lanes;
        nint weight1 = TW.FromFilter ? c1 - c0 : lanes, weight2 = TW.FromFilter ? c2 - c0 : 2 * lanes, weight3 = TW.FromFilter ? c3 - c0 : 3 * lanes;
        // Reading the filter, the packing tile asks for the row PrefetchRowsAhead rows on (its first and last byte).
        nint aheadBytes = PrefetchRowsAhead * rowStride * sizeof(T);
        nint lastByte = ((B > 3 ? weight3 : B > 2 ? weight2 : B > 1 ? weight1 : 0) + lanes - 1) * sizeof(T);
        for (nint t = 0; t < count; t += P)
        {
            ref nint e = ref Unsafe.Add(ref entries, t * EntrySize);
            bool interior = t + P <= interiorEnd;
            TVector a00 = default, a01 = default, a02 = default, a03 = default;
            TVector a10 = default, a11 = default, a12 = default, a13 = default;
            TVector a20 = default, a21 = default, a22 = default, a23 = default;
            TVector a30 = default, a31 = default, a32 = default, a33 = default;
            TVector a40 = default, a41 = default, a42 = default, a43 = default;
            TVector a50 = default, a51 = default, a52 = default, a53 = default;
            TVector a60 = default, a61 = default, a62 = default, a63 = default;
            TVector a70 = default, a71 = default, a72 = default, a73 = default;
            // Interior pixels read tap k of their window at s + k (s = the window origin, fixed for the tile);
            // edge pixels get s per tap: the tap's input, or the zero buffer.
            ref T s0 = ref zero, s1 = ref zero, s2 = ref zero, s3 = ref zero;
            ref T s4 = ref zero, s5 = ref zero, s6 = ref zero, s7 = ref zero;
            if (interior)
            {
                s0 = ref Unsafe.Add(ref input, e + groupInput);
                if (P > 1) s1 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 1 * EntrySize) + groupInput);
                if (P > 2) s2 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 2 * EntrySize) + groupInput);
                if (P > 3) s3 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 3 * EntrySize) + groupInput);
                if (P > 4) s4 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 4 * EntrySize) + groupInput);
                if (P > 5) s5 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 5 * EntrySize) + groupInput);
                if (P > 6) s6 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 6 * EntrySize) + groupInput);
                if (P > 7) s7 = ref Unsafe.Add(ref input, Unsafe.Add(ref e, 7 * EntrySize) + groupInput);
            }
            ref T w = ref TW.FromFilter ? ref Unsafe.Add(ref filter, c0) : ref weights;
            ref T packTarget = ref weights;
            // Interior tiles run every weight row in one loop, the input offset of row k coming from the
            // offset table (no per-tap loop: short runs such as 8 channels per group would pay a loop exit,
            // usually mispredicted, every few iterations; nor is the table load what limits long runs: interior
            // tiles tap by tap, reading channel k − run start without the table, ran dense 3x3 56x56x64->64
            // 0.98-1.00x as fast, batch 1 and 8, 31-41 ABBA rounds); edge tiles run one tap at a time.
            ref int offsets = ref interior ? ref interiorOffsets : ref Unsafe.Add(ref interiorOffsets, p.Taps);
            nint runs = interior ? 1 : p.FilterHeight * p.FilterWidth;
            nint runLength = interior ? p.Taps : p.ChannelsPerGroup;
            nint k = 0, ky = 0, kx = 0;
            for (nint run = 0; run < runs; run++)
            {
                if (!interior)
                {
                    nint dy = ky * p.DilationHeight, dx = kx * p.DilationWidth, tap = ky * p.TapRow + kx * p.TapColumn + groupInput;
                    s0 = ref Source(ref input, ref zero, ref e, p, tap, dy, dx);
                    if (P > 1) s1 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 1 * EntrySize), p, tap, dy, dx);
                    if (P > 2) s2 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 2 * EntrySize), p, tap, dy, dx);
                    if (P > 3) s3 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 3 * EntrySize), p, tap, dy, dx);
                    if (P > 4) s4 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 4 * EntrySize), p, tap, dy, dx);
                    if (P > 5) s5 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 5 * EntrySize), p, tap, dy, dx);
                    if (P > 6) s6 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 6 * EntrySize), p, tap, dy, dx);
                    if (P > 7) s7 = ref Source(ref input, ref zero, ref Unsafe.Add(ref e, 7 * EntrySize), p, tap, dy, dx);
                    if (++kx == p.FilterWidth) { kx = 0; ky++; }
                }
                // Two weight rows per iteration, the second body reading row k + 1 (written out, as the tile is, since a
                // helper taking the accumulators by reference spilled them); an odd last row leaves after the first body.
                // Side by side, 31 alternated rounds, 1 thread: pointwise 56x56x144->24 1.08-1.09x, 56x56x24->144 1.09,
                // 7x7x960->320 1.08-1.12, 3x3 28x28x128->128 1.05-1.07, 56x56x64->64 1.01-1.03; 2 threads 1.01-1.07.
                // Same bits: each output still adds row k before row k + 1.
                for (nint endRun = k + runLength; k < endRun; k += 2)
                {
                    {
                        nint i = TO.Channel ? k : Unsafe.Add(ref offsets, k), i1 = i + pairInput;
                        TVector w0 = RawVector.Load<TVector, T>(in w);
                        TVector w1 = B > 1 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight1)) : default;
                        TVector w2 = B > 2 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight2)) : default;
                        TVector w3 = B > 3 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight3)) : default;
                        if (TW.FromFilter)
                        {
                            PrefetchRow((byte*)Unsafe.AsPointer(ref w) + aheadBytes, lastByte);
                            RawVector.Store<TVector, T>(w0, ref packTarget);
                            if (B > 1) RawVector.Store<TVector, T>(w1, ref packTarget, lanes);
                            if (B > 2) RawVector.Store<TVector, T>(w2, ref packTarget, 2 * lanes);
                            if (B > 3) RawVector.Store<TVector, T>(w3, ref packTarget, 3 * lanes);
                            packTarget = ref Unsafe.Add(ref packTarget, B * lanes);
                        }
                        TVector x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s0, i));
                        a00 = RawVector.MultiplyAdd<TVector, T>(w0, x, a00);
                        if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s0, i1));
                        if (B > 1) a01 = RawVector.MultiplyAdd<TVector, T>(w1, x, a01);
                        if (B > 2) a02 = RawVector.MultiplyAdd<TVector, T>(w2, x, a02);
                        if (B > 3) a03 = RawVector.MultiplyAdd<TVector, T>(w3, x, a03);
                        if (P > 1)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s1, i));
                            a10 = RawVector.MultiplyAdd<TVector, T>(w0, x, a10);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s1, i1));
                            if (B > 1) a11 = RawVector.MultiplyAdd<TVector, T>(w1, x, a11);
                            if (B > 2) a12 = RawVector.MultiplyAdd<TVector, T>(w2, x, a12);
                            if (B > 3) a13 = RawVector.MultiplyAdd<TVector, T>(w3, x, a13);
                        }
                        if (P > 2)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s2, i));
                            a20 = RawVector.MultiplyAdd<TVector, T>(w0, x, a20);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s2, i1));
                            if (B > 1) a21 = RawVector.MultiplyAdd<TVector, T>(w1, x, a21);
                            if (B > 2) a22 = RawVector.MultiplyAdd<TVector, T>(w2, x, a22);
                            if (B > 3) a23 = RawVector.MultiplyAdd<TVector, T>(w3, x, a23);
                        }
                        if (P > 3)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s3, i));
                            a30 = RawVector.MultiplyAdd<TVector, T>(w0, x, a30);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s3, i1));
                            if (B > 1) a31 = RawVector.MultiplyAdd<TVector, T>(w1, x, a31);
                            if (B > 2) a32 = RawVector.MultiplyAdd<TVector, T>(w2, x, a32);
                            if (B > 3) a33 = RawVector.MultiplyAdd<TVector, T>(w3, x, a33);
                        }
                        if (P > 4)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s4, i));
                            a40 = RawVector.MultiplyAdd<TVector, T>(w0, x, a40);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s4, i1));
                            if (B > 1) a41 = RawVector.MultiplyAdd<TVector, T>(w1, x, a41);
                            if (B > 2) a42 = RawVector.MultiplyAdd<TVector, T>(w2, x, a42);
                            if (B > 3) a43 = RawVector.MultiplyAdd<TVector, T>(w3, x, a43);
                        }
                        if (P > 5)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s5, i));
                            a50 = RawVector.MultiplyAdd<TVector, T>(w0, x, a50);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s5, i1));
                            if (B > 1) a51 = RawVector.MultiplyAdd<TVector, T>(w1, x, a51);
                            if (B > 2) a52 = RawVector.MultiplyAdd<TVector, T>(w2, x, a52);
                            if (B > 3) a53 = RawVector.MultiplyAdd<TVector, T>(w3, x, a53);
                        }
                        if (P > 6)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s6, i));
                            a60 = RawVector.MultiplyAdd<TVector, T>(w0, x, a60);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s6, i1));
                            if (B > 1) a61 = RawVector.MultiplyAdd<TVector, T>(w1, x, a61);
                            if (B > 2) a62 = RawVector.MultiplyAdd<TVector, T>(w2, x, a62);
                            if (B > 3) a63 = RawVector.MultiplyAdd<TVector, T>(w3, x, a63);
                        }
                        if (P > 7)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s7, i));
                            a70 = RawVector.MultiplyAdd<TVector, T>(w0, x, a70);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s7, i1));
                            if (B > 1) a71 = RawVector.MultiplyAdd<TVector, T>(w1, x, a71);
                            if (B > 2) a72 = RawVector.MultiplyAdd<TVector, T>(w2, x, a72);
                            if (B > 3) a73 = RawVector.MultiplyAdd<TVector, T>(w3, x, a73);
                        }
                        w = ref Unsafe.Add(ref w, rowStride);
                    }
                    if (k + 1 == endRun)
                    {
                        k++;
                        break;
                    }
                    {
                        nint i = TO.Channel ? k + 1 : Unsafe.Add(ref offsets, k + 1), i1 = i + pairInput;
                        TVector w0 = RawVector.Load<TVector, T>(in w);
                        TVector w1 = B > 1 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight1)) : default;
                        TVector w2 = B > 2 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight2)) : default;
                        TVector w3 = B > 3 ? RawVector.Load<TVector, T>(in Unsafe.Add(ref w, weight3)) : default;
                        if (TW.FromFilter)
                        {
                            PrefetchRow((byte*)Unsafe.AsPointer(ref w) + aheadBytes, lastByte);
                            RawVector.Store<TVector, T>(w0, ref packTarget);
                            if (B > 1) RawVector.Store<TVector, T>(w1, ref packTarget, lanes);
                            if (B > 2) RawVector.Store<TVector, T>(w2, ref packTarget, 2 * lanes);
                            if (B > 3) RawVector.Store<TVector, T>(w3, ref packTarget, 3 * lanes);
                            packTarget = ref Unsafe.Add(ref packTarget, B * lanes);
                        }
                        TVector x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s0, i));
                        a00 = RawVector.MultiplyAdd<TVector, T>(w0, x, a00);
                        if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s0, i1));
                        if (B > 1) a01 = RawVector.MultiplyAdd<TVector, T>(w1, x, a01);
                        if (B > 2) a02 = RawVector.MultiplyAdd<TVector, T>(w2, x, a02);
                        if (B > 3) a03 = RawVector.MultiplyAdd<TVector, T>(w3, x, a03);
                        if (P > 1)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s1, i));
                            a10 = RawVector.MultiplyAdd<TVector, T>(w0, x, a10);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s1, i1));
                            if (B > 1) a11 = RawVector.MultiplyAdd<TVector, T>(w1, x, a11);
                            if (B > 2) a12 = RawVector.MultiplyAdd<TVector, T>(w2, x, a12);
                            if (B > 3) a13 = RawVector.MultiplyAdd<TVector, T>(w3, x, a13);
                        }
                        if (P > 2)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s2, i));
                            a20 = RawVector.MultiplyAdd<TVector, T>(w0, x, a20);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s2, i1));
                            if (B > 1) a21 = RawVector.MultiplyAdd<TVector, T>(w1, x, a21);
                            if (B > 2) a22 = RawVector.MultiplyAdd<TVector, T>(w2, x, a22);
                            if (B > 3) a23 = RawVector.MultiplyAdd<TVector, T>(w3, x, a23);
                        }
                        if (P > 3)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s3, i));
                            a30 = RawVector.MultiplyAdd<TVector, T>(w0, x, a30);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s3, i1));
                            if (B > 1) a31 = RawVector.MultiplyAdd<TVector, T>(w1, x, a31);
                            if (B > 2) a32 = RawVector.MultiplyAdd<TVector, T>(w2, x, a32);
                            if (B > 3) a33 = RawVector.MultiplyAdd<TVector, T>(w3, x, a33);
                        }
                        if (P > 4)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s4, i));
                            a40 = RawVector.MultiplyAdd<TVector, T>(w0, x, a40);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s4, i1));
                            if (B > 1) a41 = RawVector.MultiplyAdd<TVector, T>(w1, x, a41);
                            if (B > 2) a42 = RawVector.MultiplyAdd<TVector, T>(w2, x, a42);
                            if (B > 3) a43 = RawVector.MultiplyAdd<TVector, T>(w3, x, a43);
                        }
                        if (P > 5)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s5, i));
                            a50 = RawVector.MultiplyAdd<TVector, T>(w0, x, a50);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s5, i1));
                            if (B > 1) a51 = RawVector.MultiplyAdd<TVector, T>(w1, x, a51);
                            if (B > 2) a52 = RawVector.MultiplyAdd<TVector, T>(w2, x, a52);
                            if (B > 3) a53 = RawVector.MultiplyAdd<TVector, T>(w3, x, a53);
                        }
                        if (P > 6)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s6, i));
                            a60 = RawVector.MultiplyAdd<TVector, T>(w0, x, a60);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s6, i1));
                            if (B > 1) a61 = RawVector.MultiplyAdd<TVector, T>(w1, x, a61);
                            if (B > 2) a62 = RawVector.MultiplyAdd<TVector, T>(w2, x, a62);
                            if (B > 3) a63 = RawVector.MultiplyAdd<TVector, T>(w3, x, a63);
                        }
                        if (P > 7)
                        {
                            x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s7, i));
                            a70 = RawVector.MultiplyAdd<TVector, T>(w0, x, a70);
                            if (TG.Pair) x = RawVector.Splat<TVector, T>(in Unsafe.Add(ref s7, i1));
                            if (B > 1) a71 = RawVector.MultiplyAdd<TVector, T>(w1, x, a71);
                            if (B > 2) a72 = RawVector.MultiplyAdd<TVector, T>(w2, x, a72);
                            if (B > 3) a73 = RawVector.MultiplyAdd<TVector, T>(w3, x, a73);
                        }
                        w = ref Unsafe.Add(ref w, rowStride);
                    }
                }
            }
            Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 3), c0, c1, c2, c3, a00, a01, a02, a03);
            if (P > 1) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 1 * EntrySize + 3), c0, c1, c2, c3, a10, a11, a12, a13);
            if (P > 2) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 2 * EntrySize + 3), c0, c1, c2, c3, a20, a21, a22, a23);
            if (P > 3) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 3 * EntrySize + 3), c0, c1, c2, c3, a30, a31, a32, a33);
            if (P > 4) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 4 * EntrySize + 3), c0, c1, c2, c3, a40, a41, a42, a43);
            if (P > 5) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 5 * EntrySize + 3), c0, c1, c2, c3, a50, a51, a52, a53);
            if (P > 6) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 6 * EntrySize + 3), c0, c1, c2, c3, a60, a61, a62, a63);
            if (P > 7) Store<TVector, T, TB>(ref output, Unsafe.Add(ref e, 7 * EntrySize + 3), c0, c1, c2, c3, a70, a71, a72, a73);
        }
    }

    /// <summary>Asks for the cache lines of a row's first byte and of its byte at <paramref name="lastByte"/> (a prefetch never faults, even past the filter's end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(byte* row, nint lastByte)
    {
        if (!Sse.IsSupported) return;
        Sse.Prefetch0(row);
        Sse.Prefetch0(row + lastByte);
    }

    /// <summary>Where an edge pixel reads tap (dy, dx) from: the input, or the zero buffer if the tap is in the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T Source<T>(ref T input, ref T zero, ref nint entry, in Plan p, nint tap, nint dy, nint dx)
    {
        nint iy = Unsafe.Add(ref entry, 1) + dy, ix = Unsafe.Add(ref entry, 2) + dx;
        if ((nuint)iy < (nuint)p.Height && (nuint)ix < (nuint)p.Width) return ref Unsafe.Add(ref input, entry + tap);
        return ref zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TVector, T, TB>(ref T output, nint pixel, nint c0, nint c1, nint c2, nint c3,
        TVector a0, TVector a1, TVector a2, TVector a3)
        where TVector : unmanaged where T : unmanaged where TB : struct, ITileSize
    {
        ref T y = ref Unsafe.Add(ref output, pixel);
        RawVector.Store<TVector, T>(a0, ref Unsafe.Add(ref y, c0));
        if (TB.Value > 1) RawVector.Store<TVector, T>(a1, ref Unsafe.Add(ref y, c1));
        if (TB.Value > 2) RawVector.Store<TVector, T>(a2, ref Unsafe.Add(ref y, c2));
        if (TB.Value > 3) RawVector.Store<TVector, T>(a3, ref Unsafe.Add(ref y, c3));
    }
}
