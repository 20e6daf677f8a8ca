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

public sealed record PairedGroupResult(string Suite, string Label, int Threads, double Seconds,
    IReadOnlyList<PairedSideResult> Sides, IReadOnlyList<PairedRatioResult> Ratios);

/// <summary>How the rounds are run: their number, the target time of one burst, the rest before each burst.</summary>
public sealed record PairedSettings(int Rounds, double BurstMilliseconds, int WarmupRounds, double PauseMilliseconds)
{
    public static readonly PairedSettings Default = new(Rounds: 31, BurstMilliseconds: 10, WarmupRounds: 2, PauseMilliseconds: 2);
}
