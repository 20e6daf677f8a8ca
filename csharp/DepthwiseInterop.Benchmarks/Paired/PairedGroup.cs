namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// A ratio of two sides of a group, per round: time of side <paramref name="Numerator"/> ÷ time of side
/// <paramref name="Denominator"/> (indices into the group's sides). A <paramref name="RateShare"/> is the
/// denominator's GFLOP/s ÷ the numerator's instead (the time ratio times their flops per call), e.g. a
/// kernel's share of the FMA peak measured by the chains in the same rounds.
/// </summary>
public sealed record PairedRatio(string Label, int Numerator, int Denominator, bool RateShare = false);

/// <summary>
/// Sides timed against each other in the same rounds, and the ratios between them that the report needs.
/// The sides are made only when the group runs (<paramref name="CreateSides"/>), so one group's buffers and
/// ORT session exist at a time; it adds the inputs the sides read (shared, so no side owns them) to the list
/// it is given, which the runner frees after the sides. <paramref name="Threads"/> is what the native library
/// is set to for the group.
/// </summary>
public sealed record PairedGroup(string Suite, string Label, int Threads, Func<List<IDisposable>, List<PairedSide>> CreateSides,
    IReadOnlyList<PairedRatio> Ratios);
