namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Before timing the half rows: each float16 / bfloat16 result against our own float32 result on the same
/// inputs rounded to the type and widened back (what the half kernel reads), element by element. A correct
/// half kernel accumulates in float32 and rounds once on store, so it may differ from that reference by one
/// rounding (the type's unit roundoff u times |y|, or the underflow step for values below float16's normal
/// range) plus a different float32 summation order: taps · 2^-24 · max(1, max |y|), taps being the products
/// summed per output. The same report and Result records as <see cref="Validation"/>.
/// </summary>
public static class HalfValidation
{
    public static List<Validation.Result> Run(BenchmarkSuite suite, TextWriter log)
    {
        var results = new List<Validation.Result>();
        foreach (var shape in suite.Shapes)
        {
            using var data = new TensorData(shape);
            foreach (var layout in new[] { Layout.NHWC, Layout.NCHW }.Where(l => HalfPrecisionBenchmarks.Measured(shape, l)))
            foreach (var type in HalfType.All)
            {
                float[] expected;
                using (var rounded = data.Select(type.Round))
                using (var float32 = new NativeRunner(rounded, layout))
                {
                    float32.Run();
                    expected = float32.Output.Span.ToArray();
                }
                using var half = new NativeHalfRunner(data, layout, type);
                half.Run();
                ReadOnlySpan<float> actual = half.Output.Span;
                double maxValue = expected.Max(v => Math.Abs((double)v));
                double accumulation = Taps(shape) * Math.ScaleB(1.0, -24) * Math.Max(1.0, maxValue);
                double maxDiff = 0, worst = 0;   // worst: largest |diff| ÷ its allowance
                for (int i = 0; i < expected.Length; i++)
                {
                    double diff = Math.Abs((double)actual[i] - expected[i]);
                    double allowed = type.UnitRoundoff * Math.Abs((double)expected[i]) + type.UnderflowError + accumulation;
                    maxDiff = Math.Max(maxDiff, diff);
                    worst = double.IsNaN(diff) ? double.NaN : Math.Max(worst, diff / allowed);
                    if (double.IsNaN(worst)) break;
                }
                bool ok = worst <= 1.0;   // NaN fails too
                results.Add(new Validation.Result(suite.Name, shape.ToString()!, type.Name, layout.ToString(), maxDiff, maxValue, ok));
                log.WriteLine($"  check {shape,-30} {type.Name,-14} {layout}: max |ours - fp32 on rounded inputs| = {maxDiff:E2} " +
                              $"(max |y| {maxValue:F2}; {worst:F2} of the allowance) {(ok ? "ok" : "MISMATCH")}");
            }
        }
        return results;
    }

    private static long Taps(IBenchmarkShape shape) => shape switch
    {
        DepthwiseShape s => (long)s.K * s.K,
        Conv2DShape s => (long)s.K * s.K * s.InputChannelsPerGroup,
        var s => throw new ArgumentException($"no half rows for {s.GetType().Name}"),
    };
}
