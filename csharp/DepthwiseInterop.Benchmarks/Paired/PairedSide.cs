namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// Which BenchmarkDotNet row a paired side stands for: the same (method, shape label, threads, layout) key
/// report.py reads from the CSVs, so a paired ratio can be shown beside the ratio of two BDN medians.
/// </summary>
public sealed record PairedKey(string Method, string Shape, int Threads, string Layout);

/// <summary>
/// One timed side of a paired group: the call it makes, the flops of one call (for GFLOP/s and the
/// FMA-peak share) and what to dispose when the group is done (a runner; null for the FMA peak's chains).
/// </summary>
public sealed class PairedSide(PairedKey key, Action call, double flops, IDisposable? owner) : IDisposable
{
    public PairedKey Key => key;

    public double Flops => flops;

    public void Call() => call();

    public void Dispose() => owner?.Dispose();

    /// <summary>A side that calls <paramref name="runner"/>; its layout is the runner's (ORT: NCHW).</summary>
    public static PairedSide Of(string method, IBenchmarkShape shape, int threads, IConvolutionRunner runner) =>
        new(new PairedKey(method, shape.ToString()!, threads, runner.Layout.ToString()), runner.Run, shape.Flops, runner);

    /// <summary>
    /// <see cref="FmaPeak"/>'s chains on one core, a call of ~20 µs, keyed by the group's shape so that each
    /// group's peak is its own: "% of the FMA peak measured in the same rounds".
    /// </summary>
    public static PairedSide FmaChains(IBenchmarkShape shape)
    {
        const int iterations = 10_000;
        return new(new PairedKey(FmaPeak.MethodName, shape.ToString()!, 1, ""),
            () => FmaPeak.RunChains(iterations), FmaPeak.Flops(iterations), owner: null);
    }
}
