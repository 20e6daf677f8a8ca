namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Before timing anything: every implementation of ours and layout must agree with ONNX Runtime on every shape
/// (which also checks the hand-written ONNX models, pads and weight layouts included). Runs in the host
/// process, once.
/// </summary>
public static class Validation
{
    /// <summary>One of our rows: its benchmark method name, its layout, and how to make its runner.</summary>
    public sealed record Implementation(string Name, Layout Layout, Func<TensorData, IConvolutionRunner> Create);

    public sealed record Result(string Op, string Shape, string Implementation, string Layout, double MaxAbsDiff, double MaxAbsValue, bool Ok);

    public const double Tolerance = 1e-4;

    public static List<Result> Run(BenchmarkSuite suite, TextWriter log)
    {
        var results = new List<Result>();
        foreach (var shape in suite.Shapes)
        {
            using var data = new TensorData(shape);
            float[] expectedNchw;
            using (var ort = new OnnxRuntimeRunner(data, threads: 1))
            {
                ort.Run();
                expectedNchw = ort.Output.Span.ToArray();
            }
            var expectedNhwc = new float[expectedNchw.Length];
            TensorData.NchwToNhwc(expectedNchw, expectedNhwc, shape.N, shape.OutC, shape.OutH, shape.OutW);

            foreach (var implementation in suite.Implementations)
            {
                var expected = implementation.Layout == Layout.NHWC ? expectedNhwc : expectedNchw;
                using var runner = implementation.Create(data);
                runner.Run();
                ReadOnlySpan<float> actual = runner.Output.Span;
                double maxDiff = 0, maxValue = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
                    maxValue = Math.Max(maxValue, Math.Abs((double)expected[i]));
                }
                bool ok = maxDiff <= Tolerance * Math.Max(1.0, maxValue);   // NaN fails too
                results.Add(new Result(suite.Name, shape.ToString()!, implementation.Name, implementation.Layout.ToString(), maxDiff, maxValue, ok));
                log.WriteLine($"  check {shape,-30} {implementation.Name,-14} {implementation.Layout}: max |ours - ORT| = {maxDiff:E2} " +
                              $"(max |ORT| {maxValue:F2}) {(ok ? "ok" : "MISMATCH")}");
            }
        }
        return results;
    }
}
