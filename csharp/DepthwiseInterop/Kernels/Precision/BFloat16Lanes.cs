using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// What the bfloat16 depthwise kernels (<see cref="BFloat16DepthwisePairs"/>, <see cref="BFloat16DepthwiseStride2"/>,
/// <see cref="BFloat16DepthwiseFiveWide"/>) share:
/// sixteen channels per 32-byte load, split into the even channels (each 32-bit lane's low half shifted up) and the odd
/// ones (its high half masked), both exact float32 vectors, with the filter permuted to match; and the way back, each
/// sum rounded once and the two vectors repacked into one store in channel order.
/// </summary>
internal static unsafe class BFloat16Lanes
{
    /// <summary>Channels per load: sixteen bfloat16 values, eight even and eight odd channels.</summary>
    public const int GroupChannels = 16;

    /// <summary>Sixteen channels at <paramref name="source"/> as float32: the even channels, then the odd ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(ushort* source, out Vector256<float> even, out Vector256<float> odd)
    {
        var bits = Avx.LoadVector256((uint*)source);
        even = Avx2.ShiftLeftLogical(bits, 16).AsSingle();
        odd = Avx2.And(bits, Vector256.Create(0xFFFF_0000u)).AsSingle();
    }

    /// <summary>
    /// Sixteen sums (even channels, odd channels) rounded to bfloat16 in channel order, one store. No NaN test: the
    /// rounding add (at most 0x8000) carries into the upper half only from a nonzero lower half, and every NaN these
    /// kernels store has a zero lower half, so the add leaves it as <see cref="BFloat16Format"/>'s rule does (upper half,
    /// quiet bit set): a NaN comes out of a multiply-add either as the default NaN (0xFFC00000) or as a widened bfloat16
    /// NaN operand, whose lower half is zero, quieted (bit 22); and every stored sum went through at least one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ushort* destination, Vector256<float> even, Vector256<float> odd) =>
        Avx.Store((uint*)destination, Pack(Round(even.AsUInt32()), Round(odd.AsUInt32())));

    /// <summary>Nearest, ties to even, in the upper half of each lane: the bits plus 0x7FFF plus the lowest kept bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Round(Vector256<uint> bits) =>
        Avx2.Add(Avx2.Add(bits, Vector256.Create(0x7FFFu)), Avx2.And(Avx2.ShiftRightLogical(bits, 16), Vector256<uint>.One));

    /// <summary>The even channels' upper halves into the lower halves, beside the odd channels' upper halves: channel order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pack(Vector256<uint> even, Vector256<uint> odd) =>
        Avx2.Or(Avx2.ShiftRightLogical(even, 16), Avx2.And(odd, Vector256.Create(0xFFFF_0000u)));

    /// <summary>A widened filter [taps, C] to the same layout with each group's even channels first, then its odd ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PermuteWeights(float* filter, Span<float> weights, int taps, int channels)
    {
        for (int tap = 0; tap < taps; tap++)
        for (int group = 0; group < channels; group += GroupChannels)
        for (int lane = 0; lane < GroupChannels / 2; lane++)
        {
            int at = tap * channels + group;
            weights[at + lane] = filter[at + 2 * lane];
            weights[at + GroupChannels / 2 + lane] = filter[at + 2 * lane + 1];
        }
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
