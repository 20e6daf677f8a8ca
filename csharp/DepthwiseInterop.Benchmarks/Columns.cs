using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Derived columns from the median: GFLOP/s (2·MACs ÷ time), its percentage of the FMA peak, and the warm
/// roofline of <see cref="Roofline"/> (its time, its bound, and the measured time's percentage of it). They are
/// computed in the host process, after the run, so they use the host's measured peak. report.py reads them
/// from the CSV.
/// </summary>
public sealed class DerivedColumn : IColumn
{
    private readonly Func<IBenchmarkShape, int, double?, string> value;

    private DerivedColumn(string id, string name, string legend, int priority, Func<IBenchmarkShape, int, double?, string> value)
    {
        Id = id;
        ColumnName = name;
        Legend = legend;
        PriorityInCategory = priority;
        this.value = value;
    }

    public static IColumn[] All { get; } =
    [
        new DerivedColumn("GFlops", "GFLOP/s", "2·MACs ÷ median time", 0,
            (s, _, median) => median is { } t ? Format(s.Flops / t) : "NA"),
        new DerivedColumn("PctFmaPeak", "% FMA peak", "GFLOP/s ÷ fp32 FMA peak of this row's thread count (Roofline.PeakSource)", 1,
            (s, threads, median) => median is { } t ? Format(100 * s.Flops / (t * 1e-9) / Roofline.FmaPeakFlops(threads)) : "NA"),
        new DerivedColumn("RooflineUs", "Roofline [us]", "warm roofline of performance.md §1 for this row's thread count", 2,
            (s, threads, _) => Format(Roofline.Warm(s, threads).Seconds * 1e6)),
        new DerivedColumn("Bound", "Bound", "what bounds the warm roofline: FMA, or the cache level holding input+filters+output", 3,
            (s, threads, _) => Roofline.Warm(s, threads).Bound),
        new DerivedColumn("PctRoofline", "% roofline", "warm roofline time ÷ median time", 4,
            (s, threads, median) => median is { } t ? Format(100 * Roofline.Warm(s, threads).Seconds * 1e9 / t) : "NA"),
    ];

    public string Id { get; }
    public string ColumnName { get; }
    public string Legend { get; }
    public int PriorityInCategory { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var shape = (IBenchmarkShape)benchmarkCase.Parameters["Shape"];
        int threads = (int)benchmarkCase.Parameters["Threads"];
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;   // nanoseconds
        return value(shape, threads, medianNs);
    }

    private static string Format(double v) => v.ToString(v >= 100 ? "F1" : "F2", CultureInfo.InvariantCulture);

    public override string ToString() => ColumnName;
}
