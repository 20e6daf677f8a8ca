using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// What the bfloat16 depthwise kernels (<see cref="BFloat16DepthwisePairs"/>, <see cref="BFloat16DepthwiseStride2"/>,
/// <see cref="BFloat16DepthwiseFiveWide"/>) share, on 256-bit or 512-bit vectors (<c>TVector</c> is
/// <see cref="Vector256{T}"/> or <see cref="Vector512{T}"/> of float): a load of sixteen (thirty-two) channels, split into
/// the even channels (each 32-bit lane's low half shifted up) and the odd ones (its high half masked), both exact float32
/// vectors, with the filter permuted to match; and the way back, each sum rounded once and the two vectors repacked into
/// one store in channel order. The width is a type argument, so each kernel is compiled once per width, its branches on
/// the width resolved at compile time.
/// </summary>
internal static unsafe class BFloat16Lanes
{
    /// <summary>Channels per 256-bit load, the fewest a kernel takes: sixteen bfloat16 values, eight even and eight odd channels.</summary>
    public const int GroupChannels = 16;

    /// <summary>Channels per load of <typeparamref name="TVector"/>'s width: as many bfloat16 values as it has bytes ÷ 2.</summary>
    public static int ChannelsPerLoad<TVector>() where TVector : struct => Unsafe.SizeOf<TVector>() / sizeof(ushort);

    /// <summary>A load's channels at <paramref name="source"/> as float32: the even channels, then the odd ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split<TVector>(ushort* source, out TVector even, out TVector odd) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            var bits = Vector512.Load((uint*)source);
            even = Unsafe.BitCast<Vector512<float>, TVector>(Vector512.ShiftLeft(bits, 16).AsSingle());
            odd = Unsafe.BitCast<Vector512<float>, TVector>((bits & Vector512.Create(0xFFFF_0000u)).AsSingle());
        }
        else
        {
            var bits = Avx.LoadVector256((uint*)source);
            even = Unsafe.BitCast<Vector256<float>, TVector>(Avx2.ShiftLeftLogical(bits, 16).AsSingle());
            odd = Unsafe.BitCast<Vector256<float>, TVector>(Avx2.And(bits, Vector256.Create(0xFFFF_0000u)).AsSingle());
        }
    }

    /// <summary>
    /// One tap into one pixel's sums: the even channels' weights <paramref name="tap"/> elements past <paramref name="w"/>, the
    /// odd ones' half a load further (the layout of <see cref="WidenWeights"/>). The offset stays a separate operand so that
    /// the JIT folds it into the loads' addresses (a pointer computed by the caller cost a lea per tap: 5x5 1.1x the time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tap<TVector>(TVector even, TVector odd, float* w, nint tap, ref TVector evenSum, ref TVector oddSum) where TVector : struct
    {
        evenSum = MultiplyAdd(even, Unsafe.Read<TVector>(w + tap), evenSum);
        oddSum = MultiplyAdd(odd, Unsafe.Read<TVector>(w + tap + Unsafe.SizeOf<TVector>() / sizeof(float)), oddSum);
    }

    /// <summary>Four consecutive pixels' sums (pixel p: even <c>e</c>p, odd <c>o</c>p) stored as <see cref="Store"/> does, pixels <paramref name="pixelStride"/> elements apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFourPixels(ushort* destination, nint pixelStride, Vector512<float> e0, Vector512<float> o0, Vector512<float> e1, Vector512<float> o1,
        Vector512<float> e2, Vector512<float> o2, Vector512<float> e3, Vector512<float> o3)
    {
        Store(destination, e0, o0);
        Store(destination + pixelStride, e1, o1);
        Store(destination + 2 * pixelStride, e2, o2);
        Store(destination + 3 * pixelStride, e3, o3);
    }

    /// <summary>
    /// A load's sums (even channels, odd channels) rounded to bfloat16 in channel order, one store. No NaN test: the
    /// rounding add (at most 0x8000) carries into the upper half only from a nonzero lower half, and every NaN these
    /// kernels store has a zero lower half, so the add leaves it as <see cref="BFloat16Format"/>'s rule does (upper half,
    /// quiet bit set): a NaN comes out of a multiply-add either as the default NaN (0xFFC00000) or as a widened bfloat16
    /// NaN operand, whose lower half is zero, quieted (bit 22); and every stored sum went through at least one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TVector>(ushort* destination, TVector even, TVector odd) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Pack(Round(Unsafe.BitCast<TVector, Vector512<uint>>(even)), Round(Unsafe.BitCast<TVector, Vector512<uint>>(odd))).Store((uint*)destination);
        }
        else
        {
            Avx.Store((uint*)destination, Pack(Round(Unsafe.BitCast<TVector, Vector256<uint>>(even)), Round(Unsafe.BitCast<TVector, Vector256<uint>>(odd))));
        }
    }

    /// <summary>
    /// A vector of sums of consecutive channels (8 or 16) rounded to bfloat16, one store of half its width (the NaN argument
    /// of <see cref="Store"/> holds for every caller: its sums come out of multiply-adds of widened bfloat16 values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreConsecutive<TVector>(ushort* destination, TVector sums) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Narrow(Unsafe.BitCast<TVector, Vector512<float>>(sums)).Store(destination);
        }
        else
        {
            var halves = Avx2.ShiftRightLogical(Round(Unsafe.BitCast<TVector, Vector256<uint>>(sums)), 16).AsInt32();
            Sse2.Store(destination, Sse41.PackUnsignedSaturate(halves.GetLower(), halves.GetUpper()));
        }
    }

    /// <summary>Sixteen float32 sums rounded to bfloat16 (nearest, ties to even; the premise of <see cref="Store"/>), in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ushort> Narrow(Vector512<float> sums) =>
        Avx512BW.PermuteVar32x16(Round(sums.AsUInt32()).AsUInt16(), UpperHalves).GetLower();

    /// <summary>
    /// The upper 16 bits of each 32-bit lane, in order, in the lower 256 bits: <c>vpermw</c>. (A shift and
    /// <c>vpmovdw</c>, which the compiler fuses with the store into <c>vpmovdw</c> to memory, where the profile of
    /// NCHW 56x56x144 gathered its samples: bfloat16 ÷ float32 1.44-1.46 there, against 1.40-1.42 with <c>vpermw</c>.)
    /// </summary>
    private static Vector512<ushort> UpperHalves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((ushort)1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    }

    /// <summary><paramref name="a"/> × <paramref name="b"/> + <paramref name="c"/>, fused (one rounding), on either width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector MultiplyAdd<TVector>(TVector a, TVector b, TVector c) where TVector : struct =>
        typeof(TVector) == typeof(Vector512<float>)
            ? Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.FusedMultiplyAdd(Unsafe.BitCast<TVector, Vector512<float>>(a),
                Unsafe.BitCast<TVector, Vector512<float>>(b), Unsafe.BitCast<TVector, Vector512<float>>(c)))
            : Unsafe.BitCast<Vector256<float>, TVector>(Fma.MultiplyAdd(Unsafe.BitCast<TVector, Vector256<float>>(a),
                Unsafe.BitCast<TVector, Vector256<float>>(b), Unsafe.BitCast<TVector, Vector256<float>>(c)));

    /// <summary>Nearest, ties to even, in the upper half of each lane: the bits plus 0x7FFF plus the lowest kept bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Round(Vector256<uint> bits) =>
        Avx2.Add(Avx2.Add(bits, Vector256.Create(0x7FFFu)), Avx2.And(Avx2.ShiftRightLogical(bits, 16), Vector256<uint>.One));

    /// <summary>The even channels' upper halves into the lower halves, beside the odd channels' upper halves: channel order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pack(Vector256<uint> even, Vector256<uint> odd) =>
        Avx2.Or(Avx2.ShiftRightLogical(even, 16), Avx2.And(odd, Vector256.Create(0xFFFF_0000u)));

    /// <summary><see cref="Round(Vector256{uint})"/> on 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Round(Vector512<uint> bits) =>
        bits + Vector512.Create(0x7FFFu) + (Vector512.ShiftRightLogical(bits, 16) & Vector512<uint>.One);

    /// <summary><see cref="Pack(Vector256{uint}, Vector256{uint})"/> on 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Pack(Vector512<uint> even, Vector512<uint> odd) =>
        Vector512.ShiftRightLogical(even, 16) | (odd & Vector512.Create(0xFFFF_0000u));

    /// <summary>
    /// A bfloat16 filter [taps, C] widened to float32 [taps, groups × one load], groups [<paramref name="firstGroup"/>,
    /// <paramref name="endGroup"/>) of it: group g's channels (from <see cref="ChannelGroups.Start"/>) split as the inputs
    /// are, even channels first, then the odd ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenWeights<TVector>(ushort* filter, Span<float> weights, int taps, in ChannelGroups groups, nint firstGroup, nint endGroup)
        where TVector : struct
    {
        nint channels = groups.Channels, stride = groups.TapStride, width = groups.Width;
        if (width != ChannelsPerLoad<TVector>()) throw new ArgumentException("the groups are not one load of this width", nameof(groups));
        if (weights.Length < taps * stride) throw new ArgumentException("the weights buffer is too short", nameof(weights));
        if (firstGroup < 0 || firstGroup > endGroup || endGroup > groups.Count) throw new ArgumentOutOfRangeException(nameof(endGroup));
        fixed (float* destination = weights)
        {
            for (nint tap = 0; tap < taps; tap++)
            for (nint group = firstGroup; group < endGroup; group++)
            {
                Split<TVector>(filter + tap * channels + groups.Start(group), out var even, out var odd);
                float* at = destination + tap * stride + group * width;
                Unsafe.Write(at, even);
                Unsafe.Write(at + width / 2, odd);
            }
        }
    }
}

/// <summary>
/// A bfloat16 kernel's channels in groups of one load (sixteen or thirty-two), the last one shifted back to end at the
/// last channel when the count is not a multiple of the group (it recomputes a few channels with the same bits); and how work items share
/// them: in units of whole groups, the shifted last group travelling with its neighbour, so that no two items write
/// the same channels.
/// </summary>
internal readonly struct ChannelGroups
{
    /// <summary>Channels (at least one group), channels per group, groups, and units (groups, less one when the last is shifted back).</summary>
    public readonly nint Channels, Width, Count, Units;
    /// <summary>Units per work item, and work items per output row (or row pair).</summary>
    public readonly nint UnitsPerItem, ItemsPerRow;

    /// <param name="channels">Channels, at least <paramref name="width"/>.</param>
    /// <param name="width">Channels per group: one load (<see cref="BFloat16Lanes.ChannelsPerLoad{TVector}"/>).</param>
    /// <param name="rows">Output rows (or row pairs) of the call.</param>
    /// <param name="threads">Threads the call runs on.</param>
    /// <param name="itemsPerThread">Work items to aim for per thread: with fewer rows than that, each row's groups are split between items.</param>
    public ChannelGroups(long channels, int width, long rows, int threads, long itemsPerThread)
    {
        Channels = (nint)channels;
        Width = width;
        Count = (Channels + width - 1) / width;
        Units = Channels % width == 0 ? Count : Count - 1;
        long splits = threads == 1 ? 1 : Math.Clamp((itemsPerThread * threads + rows - 1) / rows, 1, Units);
        UnitsPerItem = (nint)((Units + splits - 1) / splits);
        ItemsPerRow = (Units + UnitsPerItem - 1) / UnitsPerItem;
    }

    /// <summary>Elements between two taps' weights in the permuted filter.</summary>
    public nint TapStride => Count * Width;

    /// <summary>First channel of group <paramref name="group"/>.</summary>
    public nint Start(nint group) => Math.Min(group * Width, Channels - Width);

    /// <summary>Groups [First, End) of a row's work item <paramref name="split"/>.</summary>
    public (nint First, nint End) ItemGroups(nint split)
    {
        nint firstUnit = split * UnitsPerItem, endUnit = Math.Min(Units, firstUnit + UnitsPerItem);
        return (firstUnit, endUnit == Units ? Count : endUnit);
    }
}

/// <summary>Whether a block's first (or last) input column lies in the padding, so that it reads the zero row instead.</summary>
internal interface IColumnPadding
{
    static abstract bool IsPadding { get; }
}

internal readonly struct ColumnInside : IColumnPadding
{
    public static bool IsPadding => false;
}

internal readonly struct ColumnPadding : IColumnPadding
{
    public static bool IsPadding => true;
}

/// <summary>A kernel whose blocks run in instantiations by which of a block's end columns lie in the padding (<see cref="EdgeBlocks"/>).</summary>
internal interface IEdgeBlocks<TRows> where TRows : struct
{
    /// <summary>Blocks [firstBlock, endBlock) of a row, in the instantiation for their left and right columns.</summary>
    static abstract void Blocks<TLeft, TRight>(in TRows rows, nint firstBlock, nint endBlock) where TLeft : struct, IColumnPadding where TRight : struct, IColumnPadding;
}

/// <summary>A row of blocks of which at most the first reads the left padding column and at most the last the right one.</summary>
internal static class EdgeBlocks
{
    /// <summary>Blocks [0, <paramref name="blocks"/>): the edge ones in their instantiations, the rest as one range without tests.</summary>
    public static void Run<TKernel, TRows>(in TRows rows, nint blocks, bool padLeft, bool padRight) where TKernel : struct, IEdgeBlocks<TRows> where TRows : struct
    {
        nint first = 0, end = blocks;
        if (padLeft)
        {
            if (blocks == 1 && padRight)
            {
                TKernel.Blocks<ColumnPadding, ColumnPadding>(rows, 0, 1);
                return;
            }
            TKernel.Blocks<ColumnPadding, ColumnInside>(rows, 0, 1);
            first = 1;
        }
        if (padRight) end = blocks - 1;
        if (first < end) TKernel.Blocks<ColumnInside, ColumnInside>(rows, first, end);
        if (padRight) TKernel.Blocks<ColumnInside, ColumnPadding>(rows, blocks - 1, blocks);
    }
}
