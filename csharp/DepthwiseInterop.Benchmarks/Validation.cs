namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Before timing anything: every implementation and layout must agree with ONNX Runtime on every shape
/// (which also checks the hand-written ONNX model, pads included). Runs in the host process, once.
/// </summary>
public static class Validation
{
    public sealed record Result(string Shape, string Implementation, string Layout, double MaxAbsDiff, double MaxAbsValue, bool Ok);

    public const double Tolerance = 1e-4;

    public static List<Result> Run(IEnumerable<DepthwiseShape> shapes, TextWriter log)
    {
        var results = new List<Result>();
        foreach (var shape in shapes)
        {
            var data = new TensorData(shape);
            float[] expectedNchw;
            using (var ort = new OnnxRuntimeRunner(data, threads: 1))
            {
                ort.Run();
                expectedNchw = ort.Output.ToArray();
            }
            var expectedNhwc = new float[expectedNchw.Length];
            TensorData.NchwToNhwc(expectedNchw, expectedNhwc, shape.N, shape.OutC, shape.OutH, shape.OutW);

            foreach (var layout in new[] { Layout.NHWC, Layout.NCHW })
            {
                var expected = layout == Layout.NHWC ? expectedNhwc : expectedNchw;
                using IConvolutionRunner native = new NativeRunner(data, layout);
                using IConvolutionRunner managed = new ManagedRunner(data, layout);
                foreach (var (name, runner) in new[] { ("Native", native), ("Managed", managed) })
                {
                    runner.Run();
                    double maxDiff = 0, maxValue = 0;
                    for (int i = 0; i < expected.Length; i++)
                    {
                        maxDiff = Math.Max(maxDiff, Math.Abs((double)runner.Output[i] - expected[i]));
                        maxValue = Math.Max(maxValue, Math.Abs((double)expected[i]));
                    }
                    bool ok = maxDiff <= Tolerance * Math.Max(1.0, maxValue);   // NaN fails too
                    results.Add(new Result(shape.ToString(), name, layout.ToString(), maxDiff, maxValue, ok));
                    log.WriteLine($"  check {shape,-26} {name,-8} {layout}: max |ours - ORT| = {maxDiff:E2} (max |ORT| {maxValue:F2}) {(ok ? "ok" : "MISMATCH")}");
                }
            }
        }
        return results;
    }
}
