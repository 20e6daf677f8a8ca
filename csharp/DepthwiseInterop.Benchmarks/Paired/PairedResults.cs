namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>One side over the rounds: per-call time of its bursts (median and min over rounds), in µs.</summary>
public sealed record PairedSideResult(string Method, string Shape, int Threads, string Layout, int CallsPerBurst,
    double MedianUs, double MinUs, double Gflops);

/// <summary>
/// One ratio over the rounds: the median of the per-round ratios and their 25th and 75th percentiles;
/// <paramref name="Numerator"/> and <paramref name="Denominator"/> index the group's sides.
/// </summary>
public sealed record PairedRatioResult(string Label, int Numerator, int Denominator, bool RateShare,
    double Median, double P25, double P75, IReadOnlyList<double> PerRound);

/// <summary>A group's sides and ratios; <paramref name="QuietWaitMs"/>: the mean wait per burst for the other threads to stop (<see cref="QuietThreads"/>).</summary>
public sealed record PairedGroupResult(string Suite, string Label, int Threads, double Seconds, double QuietWaitMs,
    IReadOnlyList<PairedSideResult> Sides, IReadOnlyList<PairedRatioResult> Ratios);

/// <summary>
/// How the rounds are run: their number, the target time of one burst, the warm-up rounds, the shortest rest
/// before each burst and the longest wait for the process's other threads to stop (<see cref="QuietThreads"/>).
/// </summary>
public sealed record PairedSettings(int Rounds, double BurstMilliseconds, int WarmupRounds, double PauseMilliseconds,
    double QuietTimeoutMilliseconds)
{
    public static readonly PairedSettings Default = new(Rounds: 31, BurstMilliseconds: 10, WarmupRounds: 2,
        PauseMilliseconds: 1, QuietTimeoutMilliseconds: 200);
}
