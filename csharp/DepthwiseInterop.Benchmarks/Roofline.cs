namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The warm roofline of /work/shared/reference/performance.md §1: max(flops ÷ FMA peak, bytes ÷ bandwidth of
/// the cache level that holds the working set). Bytes = input + filters + output; the benchmark loop reuses
/// the same tensors, so they stay warm. The FMA peak is this machine's, measured by <see cref="FmaPeak"/> in
/// the host (<see cref="UseMeasuredPeak"/>), else performance.md's Zen 4 figure; the cache bandwidths are
/// performance.md's Zen 4 measurements, so on another CPU the memory-bound percentages are indicative only.
/// </summary>
public static class Roofline
{
    private sealed record Level(string Name, long BytesPerCore, bool Shared, double OneCore, double TwoCores);

    /// <summary>performance.md §1: 117 GFLOP/s per core (Zen 4, AVX-512 and AVX2 alike).</summary>
    public const double ReferencePeakPerCore = 117e9;

    // Bandwidths in bytes/s: the "used" values of performance.md §1 (L1: the copy figure).
    private static readonly Level[] Levels =
    [
        new("L1", 32 * 1024, false, 232e9, 464e9),
        new("L2", 1024 * 1024, false, 115e9, 230e9),
        new("L3", 32L * 1024 * 1024, true, 95e9, 180e9),
        new("DRAM", long.MaxValue, true, 27e9, 34e9),
    ];

    /// <summary>fp32 FMA peak of one core in flop/s used by the columns; see <see cref="UseMeasuredPeak"/>.</summary>
    public static double PeakPerCore { get; private set; } = ReferencePeakPerCore;

    /// <summary>Where <see cref="PeakPerCore"/> comes from, for the report.</summary>
    public static string PeakSource { get; private set; } = "performance.md §1 (Zen 4)";

    public static void UseMeasuredPeak(FmaPeak.Measurement measured)
    {
        PeakPerCore = measured.FlopsPerSecond;
        PeakSource = $"measured on this machine ({measured.Vector}, best of {measured.Trials} trials)";
    }

    /// <summary>
    /// fp32 FMA peak in flop/s for 1 or 2 cores: the per-core peak times the cores (performance.md measured
    /// ~230 of 2 x 117 on two cores; a shared VM cannot measure two quiet cores at once reliably).
    /// </summary>
    public static double FmaPeakFlops(int threads) => Math.Clamp(threads, 1, 2) * PeakPerCore;

    /// <summary>The warm-roofline time in seconds and what bounds it ("FMA", "L1", "L2", "L3" or "DRAM").</summary>
    public static (double Seconds, string Bound) Warm(IBenchmarkShape shape, int threads)
    {
        threads = Math.Clamp(threads, 1, 2);
        long bytes = shape.Bytes;
        var level = Levels.First(l => l.Shared ? bytes <= l.BytesPerCore : (double)bytes / threads <= l.BytesPerCore);
        double memory = bytes / (threads == 1 ? level.OneCore : level.TwoCores);
        double compute = shape.Flops / FmaPeakFlops(threads);
        return compute >= memory ? (compute, "FMA") : (memory, level.Name);
    }
}
