namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// The groups of the paired mode: the two (or three) sides of each of the issues' ratio targets, made from the
/// same runners and shapes (after DEPTHWISE_BENCH_SHAPES) as the BenchmarkDotNet suites:
/// depthwise ORT ÷ ours in each layout and NCHW ÷ NHWC (with the FMA chains at 1 thread for 3x3 stride 1),
/// multiplier M against multiplier 1 with the same output; conv2d ORT ÷ ours (and the FMA chains at 1 thread for
/// dense 3x3); separable two calls and ORT
/// ÷ one call; half types ÷ float32.
/// </summary>
public static class PairedComparisons
{
    public static IEnumerable<PairedGroup> For(BenchmarkSuite suite)
    {
        var threadCounts = NativeApi.HasThreadSetting ? new[] { 1, 2 } : [1];
        return suite.Name switch
        {
            "depthwise" => suite.Shapes.Cast<DepthwiseShape>().SelectMany(shape => threadCounts.SelectMany(threads => Depthwise(shape, threads))),
            "conv2d" => suite.Shapes.SelectMany(shape => threadCounts.Select(threads => Conv2D(shape, threads))),
            "separable" => suite.Shapes.SelectMany(shape => threadCounts.Select(threads => Separable(shape, threads))),
            "half" => suite.Shapes.SelectMany(shape => threadCounts.SelectMany(threads => Half(shape, threads))),
            // A process's first calls happen once: nothing to alternate.
            "first-calls" => [],
            _ => throw new ArgumentException($"no paired comparisons for '{suite.Name}'"),
        };
    }

    private static IEnumerable<PairedGroup> Depthwise(DepthwiseShape shape, int threads)
    {
        // The FMA chains measure one core: only the 1-thread groups can be set against them.
        bool withPeak = threads == 1 && shape.K == 3 && shape.S == 1;
        List<PairedRatio> ratios =
        [
            new("ORT ÷ Native NHWC", 2, 0),
            new("ORT ÷ Native NCHW", 2, 1),
            new("NCHW ÷ NHWC", 1, 0),
        ];
        if (withPeak)
        {
            ratios.Add(new("Native NHWC share of the FMA peak", 3, 0, RateShare: true));
            ratios.Add(new("Native NCHW share of the FMA peak", 3, 1, RateShare: true));
        }
        yield return new PairedGroup("depthwise", shape.ToString(), threads, inputs =>
        {
            var data = Inputs(shape, inputs);
            List<PairedSide> sides =
            [
                PairedSide.Of("Native", shape, threads, new NativeRunner(data, Layout.NHWC)),
                PairedSide.Of("Native", shape, threads, new NativeRunner(data, Layout.NCHW)),
                PairedSide.Of("OnnxRuntime", shape, threads, new OnnxRuntimeRunner(data, threads)),
            ];
            if (withPeak) sides.Add(PairedSide.FmaChains(shape));
            return sides;
        }, ratios);

        if (shape.M > 1)
            foreach (var layout in new[] { Layout.NHWC, Layout.NCHW })
                yield return Multiplier(shape, layout, threads);
    }

    /// <summary>
    /// Multiplier M against the multiplier-1 layer with C·M channels: same output shape, same flops, so the
    /// time ratio (multiplier 1 ÷ multiplier M) is the GFLOP/s ratio (multiplier M ÷ multiplier 1).
    /// </summary>
    private static PairedGroup Multiplier(DepthwiseShape shape, Layout layout, int threads)
    {
        var single = shape with { C = shape.C * shape.M, M = 1 };
        if (single.Flops != shape.Flops || single.OutputCount != shape.OutputCount)
            throw new InvalidOperationException($"{shape} and {single} differ in work: their time ratio is not their GFLOP/s ratio");
        return new PairedGroup("depthwise-multiplier", $"{shape} vs {single} {layout}", threads, inputs =>
        [
            PairedSide.Of("Native", shape, threads, new NativeRunner(Inputs(shape, inputs), layout)),
            PairedSide.Of("Native", single, threads, new NativeRunner(Inputs(single, inputs), layout)),
        ], [new($"multiplier 1 ÷ m{shape.M} time (m{shape.M} GFLOP/s ÷ multiplier 1's)", 1, 0)]);
    }

    /// <summary>The inputs of <paramref name="shape"/>, added to <paramref name="inputs"/> for the runner to free after the group's sides.</summary>
    private static TensorData Inputs(IBenchmarkShape shape, List<IDisposable> inputs)
    {
        var data = new TensorData(shape);
        inputs.Add(data);
        return data;
    }

    private static PairedGroup Conv2D(IBenchmarkShape shape, int threads)
    {
        // Issue #6 asks dense 3x3 for a share of the FMA peak at 1 thread: measured against the chains in the same
        // rounds, as the depthwise 3x3 stride-1 layers are (the 3-channel first layer has no such target).
        bool withPeak = threads == 1 && shape is Conv2DShape { K: 3, Groups: 1, C: > 3 };
        List<PairedRatio> ratios = [new("ORT ÷ Native", 1, 0)];
        if (withPeak) ratios.Add(new("Native share of the FMA peak", 2, 0, RateShare: true));
        return new("conv2d", shape.ToString()!, threads, inputs =>
        {
            var data = Inputs(shape, inputs);
            List<PairedSide> sides =
            [
                PairedSide.Of("Native", shape, threads, new NativeRunner(data, Layout.NHWC)),
                PairedSide.Of("OnnxRuntime", shape, threads, new OnnxRuntimeRunner(data, threads)),
            ];
            if (withPeak) sides.Add(PairedSide.FmaChains(shape));
            return sides;
        }, ratios);
    }

    private static PairedGroup Separable(IBenchmarkShape shape, int threads) =>
        new("separable", shape.ToString()!, threads, inputs =>
        {
            var data = Inputs(shape, inputs);
            return
            [
                PairedSide.Of("Native", shape, threads, new NativeSeparableRunner(data, Layout.NHWC)),
                PairedSide.Of("NativeTwoCalls", shape, threads, new NativeTwoCallsRunner(data, Layout.NHWC)),
                PairedSide.Of("OnnxRuntime", shape, threads, new OnnxRuntimeRunner(data, threads)),
            ];
        }, [new("two calls ÷ separable", 1, 0), new("ORT ÷ separable", 2, 0)]);

    private static IEnumerable<PairedGroup> Half(IBenchmarkShape shape, int threads) =>
        from layout in new[] { Layout.NHWC, Layout.NCHW }
        where HalfPrecisionBenchmarks.Measured(shape, layout)
        select new PairedGroup("half", $"{shape} {layout}", threads, inputs =>
        {
            var data = Inputs(shape, inputs);
            return
            [
                PairedSide.Of("Float32", shape, threads, new NativeRunner(data, layout)),
                PairedSide.Of(HalfType.Float16.Name, shape, threads, new NativeHalfRunner(data, layout, HalfType.Float16)),
                PairedSide.Of(HalfType.BFloat16.Name, shape, threads, new NativeHalfRunner(data, layout, HalfType.BFloat16)),
            ];
        }, [new("float16 ÷ float32", 1, 0), new("bfloat16 ÷ float32", 2, 0)]);
}
