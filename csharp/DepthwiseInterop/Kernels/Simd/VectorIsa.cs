using System.Runtime.Intrinsics;

namespace DepthwiseInterop.Kernels.Simd;

/// <summary>The vector instruction tiers the kernels are built for, widest last.</summary>
public enum VectorIsa
{
    /// <summary>No vector kernels: the scalar reference only.</summary>
    Scalar = 0,
    /// <summary>128-bit vectors (SSE2 on x86-64).</summary>
    Sse2 = 1,
    /// <summary>256-bit vectors with FMA (AVX2).</summary>
    Avx2 = 2,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Avx512 = 3,
}

/// <summary>
/// Which tier this process uses: the widest one that runs on vector hardware here, capped by the environment
/// variable <c>DEPTHWISE_INTEROP_MAX_ISA</c> (<c>avx512</c>, <c>avx2</c>, <c>sse2</c> or <c>scalar</c>) so
/// that every tier can be tested on one machine.
/// </summary>
public static class VectorIsaSelection
{
    /// <summary>The environment variable that caps the tier.</summary>
    public const string CapVariable = "DEPTHWISE_INTEROP_MAX_ISA";

    /// <summary>The widest tier this process's code runs on vector hardware.</summary>
    public static VectorIsa Supported { get; } =
        Vector512.IsHardwareAccelerated ? VectorIsa.Avx512 :
        Vector256.IsHardwareAccelerated ? VectorIsa.Avx2 :
        Vector128.IsHardwareAccelerated ? VectorIsa.Sse2 : VectorIsa.Scalar;

    /// <summary>The tier in use: <see cref="Supported"/> capped by <see cref="CapVariable"/>.</summary>
    public static VectorIsa Selected { get; } = Min(Supported, ParseCap(Environment.GetEnvironmentVariable(CapVariable)));

    /// <summary>Lower-case name of a tier, as the cap variable spells it.</summary>
    public static string Name(VectorIsa isa) => isa switch
    {
        VectorIsa.Avx512 => "avx512",
        VectorIsa.Avx2 => "avx2",
        VectorIsa.Sse2 => "sse2",
        _ => "scalar",
    };

    /// <summary>The tier a cap value names; an unknown or empty value caps nothing.</summary>
    public static VectorIsa ParseCap(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "scalar" or "none" => VectorIsa.Scalar,
        "sse2" or "sse" or "sse4" or "sse4.2" => VectorIsa.Sse2,
        "avx2" or "avx" => VectorIsa.Avx2,
        _ => VectorIsa.Avx512,
    };

    private static VectorIsa Min(VectorIsa a, VectorIsa b) => a < b ? a : b;
}
