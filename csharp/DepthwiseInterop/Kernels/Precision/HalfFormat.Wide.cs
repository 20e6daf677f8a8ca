using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The same widening and narrowing on 512-bit vectors, for the <c>avx512</c> tier (<see cref="System.Numerics.Vector{T}"/>
/// stays 256 bits wide there): twice the values per operation. Bit for bit what the 256-bit methods give, so that an
/// element's bits do not depend on whether it fell in a wide vector, a narrow one or the tail.
/// </summary>
internal readonly partial struct HalfFormat
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Widen(Vector512<uint> half)
    {
        var shifted = half.AsInt32();
        var signed = ((shifted >> 3) & Vector512.Create(unchecked((int)0x8FFF_E000))).AsSingle();
        var scaled = (signed * Vector512.Create(Rebias).AsSingle()).AsUInt32();
        var infinityOrNaN = Vector512.GreaterThan(shifted & Vector512.Create(0x7FFF_0000), Vector512.Create(0x7BFF_FFFF));
        return scaled | (infinityOrNaN.AsUInt32() & Vector512.Create(0x7F80_0000u));
    }

    /// <summary>As the 256-bit method: the signs from a signed saturating pack of the float bits, one mask per 32 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ushort> Narrow(Vector512<uint> low, Vector512<uint> high)
    {
        var magnitudes = Avx512BW.PackUnsignedSaturate(NarrowMagnitude(low).AsInt32(), NarrowMagnitude(high).AsInt32());
        var signs = Avx512BW.PackSignedSaturate(low.AsInt32(), high.AsInt32()).AsUInt16() & Vector512.Create((ushort)0x8000);
        return SpanConversion.PackedInOrder(magnitudes | signs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> NarrowMagnitude(Vector512<uint> single)
    {
        var absolute = single & Vector512.Create(0x7FFF_FFFFu);
        var rounded = absolute.AsSingle() * Vector512.Create(ScaleToInfinity).AsSingle() * Vector512.Create(ScaleToZero).AsSingle();
        var exponent = (absolute & Vector512.Create(0x7F80_0000u)).AsInt32();
        var bias = Vector512.Max(exponent, Vector512.Create((int)(SmallestBias >>> 1))) + Vector512.Create(0x0780_0000);
        rounded += bias.AsSingle();
        // VMAXPS's NaN rule, as in the 256-bit method (Vector512.Max would propagate the NaN instead).
        var bits = Avx512F.Max(rounded, Vector512.Create(NaNStandIn).AsSingle()).AsUInt32();
        return ((bits >>> 13) & Vector512.Create(0x7C00u)) + (bits & Vector512.Create(0x0FFFu));
    }
}
