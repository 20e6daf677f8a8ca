using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Measures this machine's fp32 FMA peak of one core: 12 independent FMA chains (enough to cover the FMA
/// latency of current x86 cores with two FMA pipes) on the vectors of the library's tier, best of many
/// short trials, so that a time slice lost to another process on a shared VM lowers some trials, not the
/// best one. The roofline's FMA bound and the "% of FMA peak" column use it; performance.md's figure was
/// measured the same way on a different CPU (Zen 4). 512-bit chains where the library runs its avx512 tier:
/// Zen 4 double-pumps them (the same peak as 256-bit), but Zen 5 has full-width FMA pipes and twice the peak,
/// which a 256-bit measurement would hide.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 12;
    private const int IterationsPerTrial = 400_000;
    private const int Trials = 60;

    public sealed record Measurement(double FlopsPerSecond, string Vector, double MedianFlopsPerSecond, int Trials);

    /// <summary>Null when this CPU has no FMA the JIT can use (the roofline then keeps performance.md's figure).</summary>
    public static Measurement? MeasureOneCore()
    {
        if (!Fma.IsSupported || !Vector256.IsHardwareAccelerated) return null;
        RunChains(1000);   // compile and warm up before timing
        var rates = new List<double>(Trials);
        for (int trial = 0; trial < Trials; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            RunChains(IterationsPerTrial);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            rates.Add(Flops(IterationsPerTrial) / seconds);
        }
        rates.Sort();
        return new Measurement(rates[^1], Wide ? "Vector512 FMA" : "Vector256 FMA", rates[rates.Count / 2], Trials);
    }

    /// <summary>The paired mode's name for a side running the chains (<see cref="Paired.PairedSide.FmaChains"/>).</summary>
    public const string MethodName = "FmaPeak";

    /// <summary>512-bit chains: the native library computes on its avx512 tier and the JIT accelerates Vector512.</summary>
    private static bool Wide { get; } = Avx512F.IsSupported && Vector512.IsHardwareAccelerated && NativeApi.CpuIsa() == "avx512";

    /// <summary>The chains for <paramref name="iterations"/>, once: a burst of known flops (<see cref="Flops"/>).</summary>
    public static float RunChains(int iterations) => Wide ? Chains512(iterations) : Chains256(iterations);

    public static double Flops(int iterations) => 2.0 * Chains * (Wide ? Vector512<float>.Count : Vector256<float>.Count) * iterations;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(int iterations)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1.0f), a1 = Vector256.Create(1.1f), a2 = Vector256.Create(1.2f),
            a3 = Vector256.Create(1.3f), a4 = Vector256.Create(1.4f), a5 = Vector256.Create(1.5f),
            a6 = Vector256.Create(1.6f), a7 = Vector256.Create(1.7f), a8 = Vector256.Create(1.8f),
            a9 = Vector256.Create(1.9f), a10 = Vector256.Create(2.0f), a11 = Vector256.Create(2.1f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        // Consumed, so the chains are not dead code.
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(int iterations)
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1.0f), a1 = Vector512.Create(1.1f), a2 = Vector512.Create(1.2f),
            a3 = Vector512.Create(1.3f), a4 = Vector512.Create(1.4f), a5 = Vector512.Create(1.5f),
            a6 = Vector512.Create(1.6f), a7 = Vector512.Create(1.7f), a8 = Vector512.Create(1.8f),
            a9 = Vector512.Create(1.9f), a10 = Vector512.Create(2.0f), a11 = Vector512.Create(2.1f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector512.Sum(sum);
    }
}
