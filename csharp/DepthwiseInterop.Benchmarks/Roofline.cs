namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The warm roofline of /work/shared/reference/performance.md §1: max(flops ÷ FMA peak, bytes ÷ bandwidth of
/// the cache level that holds the working set), with that machine's measured numbers (AMD EPYC Zen 4 KVM
/// guest, 2 vCPUs). Bytes = input + filter + output. The benchmark loop reuses the same tensors, so they stay
/// warm. These constants describe that machine kind; on another CPU the percentages are indicative only.
/// </summary>
public static class Roofline
{
    private sealed record Level(string Name, long BytesPerCore, bool Shared, double OneCore, double TwoCores);

    // Bandwidths in bytes/s: the "used" values of performance.md §1 (L1: the copy figure).
    private static readonly Level[] Levels =
    [
        new("L1", 32 * 1024, false, 232e9, 464e9),
        new("L2", 1024 * 1024, false, 115e9, 230e9),
        new("L3", 32L * 1024 * 1024, true, 95e9, 180e9),
        new("DRAM", long.MaxValue, true, 27e9, 34e9),
    ];

    /// <summary>fp32 FMA peak in flop/s for 1 or 2 cores (117 GFLOP/s per core; ~230 measured on both).</summary>
    public static double FmaPeak(int threads) => threads >= 2 ? 230e9 : 117e9;

    /// <summary>The warm-roofline time in seconds and what bounds it ("FMA", "L1", "L2", "L3" or "DRAM").</summary>
    public static (double Seconds, string Bound) Warm(DepthwiseShape shape, int threads)
    {
        threads = Math.Clamp(threads, 1, 2);
        long bytes = shape.Bytes;
        var level = Levels.First(l => l.Shared ? bytes <= l.BytesPerCore : (double)bytes / threads <= l.BytesPerCore);
        double memory = bytes / (threads == 1 ? level.OneCore : level.TwoCores);
        double compute = shape.Flops / FmaPeak(threads);
        return compute >= memory ? (compute, "FMA") : (memory, level.Name);
    }
}
