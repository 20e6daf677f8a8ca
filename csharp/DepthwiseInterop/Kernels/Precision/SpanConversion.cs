using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The loops shared by the 16-bit formats: whole 512-bit vectors on the <c>avx512</c> tier, then whole vectors of
/// <see cref="Vector{T}"/> (256 bits on the <c>avx2</c> and <c>avx512</c> tiers), and the tail through one stack vector,
/// so a tail element gets exactly the bits the vector body would give it.
/// </summary>
internal static class SpanConversion
{
    /// <summary>
    /// Whether the loops start on 512-bit vectors: the <c>avx512</c> tier (half the operations of the 256-bit ones; float16
    /// NHWC depthwise 3x3, where the conversions are most of the time, took 0.70-0.76x the time of 256-bit conversions at 1 and 2
    /// threads, NCHW 0.69x, 5x5 0.86x).
    /// </summary>
    private static readonly bool WideVectors = Vector512.IsHardwareAccelerated && Avx512BW.IsSupported && VectorIsaSelection.Selected == VectorIsa.Avx512;

    /// <summary>Moves 16-bit lanes to the upper halves of 32-bit lanes and applies <typeparamref name="TWiden"/>'s bit transform.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen<TWiden>(ReadOnlySpan<ushort> source, Span<float> destination) where TWiden : IWidenBits
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        int step = Vector<ushort>.Count;
        ref ushort from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (WideVectors)
            for (; i <= source.Length - Vector512<ushort>.Count; i += Vector512<ushort>.Count) WidenWide<TWiden>(ref Unsafe.Add(ref from, i), ref Unsafe.Add(ref to, i));
        for (; i <= source.Length - step; i += step) WidenOne<TWiden>(ref Unsafe.Add(ref from, i), ref Unsafe.Add(ref to, i));
        if (i == source.Length) return;
        Span<ushort> tailIn = stackalloc ushort[step];
        Span<float> tailOut = stackalloc float[step];
        tailIn.Clear();
        source[i..].CopyTo(tailIn);
        WidenOne<TWiden>(ref tailIn[0], ref tailOut[0]);
        tailOut[..(source.Length - i)].CopyTo(destination[i..]);
    }

    /// <summary>Applies <typeparamref name="TNarrow"/>'s rounding to 32-bit lanes and narrows them to 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Narrow<TNarrow>(ReadOnlySpan<float> source, Span<ushort> destination) where TNarrow : INarrowBits
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        int step = Vector<ushort>.Count;
        ref float from = ref MemoryMarshal.GetReference(source);
        ref ushort to = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (WideVectors)
            for (; i <= source.Length - Vector512<ushort>.Count; i += Vector512<ushort>.Count) NarrowWide<TNarrow>(ref Unsafe.Add(ref from, i), ref Unsafe.Add(ref to, i));
        for (; i <= source.Length - step; i += step) NarrowOne<TNarrow>(ref Unsafe.Add(ref from, i), ref Unsafe.Add(ref to, i));
        if (i == source.Length) return;
        Span<float> tailIn = stackalloc float[step];
        Span<ushort> tailOut = stackalloc ushort[step];
        tailIn.Clear();
        source[i..].CopyTo(tailIn);
        NarrowOne<TNarrow>(ref tailIn[0], ref tailOut[0]);
        tailOut[..(source.Length - i)].CopyTo(destination[i..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenOne<TWiden>(ref ushort from, ref float to) where TWiden : IWidenBits
    {
        ToUpperHalves(Vector.LoadUnsafe(ref from), out Vector<uint> low, out Vector<uint> high);
        Vector.StoreUnsafe(Vector.AsVectorSingle(TWiden.Widen(low)), ref to);
        Vector.StoreUnsafe(Vector.AsVectorSingle(TWiden.Widen(high)), ref to, (nuint)Vector<uint>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NarrowOne<TNarrow>(ref float from, ref ushort to) where TNarrow : INarrowBits
    {
        var low = Vector.AsVectorUInt32(Vector.LoadUnsafe(ref from));
        var high = Vector.AsVectorUInt32(Vector.LoadUnsafe(ref from, (nuint)Vector<uint>.Count));
        Vector.StoreUnsafe(TNarrow.Narrow(low, high), ref to);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenWide<TWiden>(ref ushort from, ref float to) where TWiden : IWidenBits
    {
        // The unpacks work within 128-bit lanes: a quadword permutation first puts values 0-15 in the low quadwords.
        var ordered = Avx512F.PermuteVar8x64(Vector512.LoadUnsafe(ref from).AsUInt64(), Vector512.Create(0ul, 4, 1, 5, 2, 6, 3, 7)).AsUInt16();
        var low = Avx512BW.UnpackLow(Vector512<ushort>.Zero, ordered).AsUInt32();
        var high = Avx512BW.UnpackHigh(Vector512<ushort>.Zero, ordered).AsUInt32();
        TWiden.Widen(low).AsSingle().StoreUnsafe(ref to);
        TWiden.Widen(high).AsSingle().StoreUnsafe(ref to, (nuint)Vector512<uint>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NarrowWide<TNarrow>(ref float from, ref ushort to) where TNarrow : INarrowBits
    {
        var low = Vector512.LoadUnsafe(ref from).AsUInt32();
        var high = Vector512.LoadUnsafe(ref from, (nuint)Vector512<uint>.Count).AsUInt32();
        TNarrow.Narrow(low, high).StoreUnsafe(ref to);
    }

    /// <summary>The 512-bit <see cref="PackLowHalves(Vector{uint}, Vector{uint})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<ushort> PackLowHalves(Vector512<uint> low, Vector512<uint> high) =>
        PackedInOrder(Avx512BW.PackUnsignedSaturate(low.AsInt32(), high.AsInt32()));

    /// <summary>
    /// A 512-bit pack's result in order: the packs interleave their operands by 128-bit lane (low's lane 0, high's lane
    /// 0, low's lane 1, ...), so one quadword permutation puts low's values first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<ushort> PackedInOrder(Vector512<ushort> packed) =>
        Avx512F.PermuteVar8x64(packed.AsUInt64(), Vector512.Create(0ul, 2, 4, 6, 1, 3, 5, 7)).AsUInt16();

    /// <summary>
    /// Each 16-bit lane of <paramref name="packed"/> in the upper half of a 32-bit lane, lower half zero: with AVX2,
    /// interleaving with zeros after a quadword swap that puts the lanes in order (two operations for 16 lanes,
    /// against zero-extension's three plus a shift per 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ToUpperHalves(Vector<ushort> packed, out Vector<uint> low, out Vector<uint> high)
    {
        if (Vector<byte>.Count == 32 && Avx2.IsSupported)
        {
            var ordered = Avx2.Permute4x64(packed.AsVector256().AsUInt64(), 0b11_01_10_00).AsUInt16();
            low = Avx2.UnpackLow(Vector256<ushort>.Zero, ordered).AsUInt32().AsVector();
            high = Avx2.UnpackHigh(Vector256<ushort>.Zero, ordered).AsUInt32().AsVector();
            return;
        }
        Vector.Widen(packed, out low, out high);
        low <<= 16;
        high <<= 16;
    }

    /// <summary>
    /// The low 16 bits of each lane of <paramref name="low"/> then <paramref name="high"/>, whose lanes hold no
    /// more than 16 bits: so a saturating pack (plus the lane-order fix of the 256-bit one) can stand in for
    /// <see cref="Vector.Narrow(Vector{uint}, Vector{uint})"/>, which masks both inputs first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<ushort> PackLowHalves(Vector<uint> low, Vector<uint> high)
    {
        if (Vector<byte>.Count == 32 && Avx2.IsSupported)
        {
            var packed = Avx2.PackUnsignedSaturate(low.AsVector256().AsInt32(), high.AsVector256().AsInt32());
            return Avx2.Permute4x64(packed.AsUInt64(), 0b11_01_10_00).AsUInt16().AsVector();
        }
        return Vector.Narrow(low, high);
    }
}

/// <summary>16-bit pattern (in the upper half of a 32-bit lane, the lower half zero) to float32 bits.</summary>
internal interface IWidenBits
{
    static abstract Vector<uint> Widen(Vector<uint> bits);

    static abstract Vector512<uint> Widen(Vector512<uint> bits);
}

/// <summary>
/// Two vectors of float32 bits to their 16-bit patterns, in order (both at once, so that a format can test or pack the
/// pair together; <see cref="SpanConversion.PackLowHalves(Vector{uint}, Vector{uint})"/> packs lanes that hold their pattern in the low half).
/// </summary>
internal interface INarrowBits
{
    static abstract Vector<ushort> Narrow(Vector<uint> low, Vector<uint> high);

    static abstract Vector512<ushort> Narrow(Vector512<uint> low, Vector512<uint> high);
}
