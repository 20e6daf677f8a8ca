using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Measures this machine's fp32 FMA peak of one core: 12 independent FMA chains (enough to cover the FMA
/// latency of current x86 cores with two FMA pipes) on the widest vectors the JIT accelerates, best of many
/// short trials, so that a time slice lost to another process on a shared VM lowers some trials, not the
/// best one. The roofline's FMA bound and the "% of FMA peak" column use it; performance.md's figure was
/// measured the same way on a different CPU (Zen 4).
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
        Chains256(1000);   // compile and warm up before timing
        var rates = new List<double>(Trials);
        for (int trial = 0; trial < Trials; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            Chains256(IterationsPerTrial);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            rates.Add(Flops(IterationsPerTrial) / seconds);
        }
        rates.Sort();
        return new Measurement(rates[^1], "Vector256 FMA", rates[rates.Count / 2], Trials);
    }

    /// <summary>The paired mode's name for a side running the chains (<see cref="Paired.PairedSide.FmaChains"/>).</summary>
    public const string MethodName = "FmaPeak";

    /// <summary>The chains for <paramref name="iterations"/>, once: a burst of known flops (<see cref="Flops"/>).</summary>
    public static float RunChains(int iterations) => Chains256(iterations);

    public static double Flops(int iterations) => 2.0 * Chains * Vector256<float>.Count * iterations;

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
}
