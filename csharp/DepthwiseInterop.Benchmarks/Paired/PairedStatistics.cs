namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// Order statistics of the per-round values: the median and the quartiles by linear interpolation between
/// the closest ranks (numpy's default), so report.py and a reader recomputing from the JSON agree.
/// </summary>
public static class PairedStatistics
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>The <paramref name="percent"/>-th percentile (0 to 100) of <paramref name="values"/>, which must not be empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        if (percent is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(percent));
        var sorted = values.Order().ToArray();
        double rank = percent / 100 * (sorted.Length - 1);
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
