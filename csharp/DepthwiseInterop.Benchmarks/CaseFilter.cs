using BenchmarkDotNet.Running;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The benchmark matrix. BenchmarkDotNet crosses every method with every parameter; this keeps only:
/// ONNX Runtime in NCHW (its only layout; one measurement serves both of our layouts' ratios), our rows at
/// 2 threads only when our side can actually be set to 2 threads (Native: the library exports
/// di_set_num_threads; Managed: the library has a public ComputeSettings.ThreadCount), and the scalar
/// Reference only in the reference job, on <see cref="ReferenceJob.Shapes"/>, 1 thread, NHWC; the managed first
/// calls only in their own job (<see cref="FirstCallsJob"/>), 1 thread.
/// </summary>
public static class CaseFilter
{
    /// <summary>
    /// Environment variable: comma-separated substrings of shape labels to run, in every suite (all shapes when
    /// unset). An environment variable because BenchmarkDotNet's child processes evaluate the shape lists again.
    /// </summary>
    public const string ShapesVariable = "DEPTHWISE_BENCH_SHAPES";

    public static IEnumerable<T> Selected<T>(IReadOnlyList<T> shapes) where T : IBenchmarkShape
    {
        string? filter = Environment.GetEnvironmentVariable(ShapesVariable);
        if (string.IsNullOrWhiteSpace(filter)) return shapes;
        var wanted = filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return shapes.Where(s => wanted.Any(w => s.ToString()!.Contains(w, StringComparison.OrdinalIgnoreCase)));
    }

    public static bool Keep(BenchmarkCase benchmark)
    {
        string method = benchmark.Descriptor.WorkloadMethod.Name;
        int threads = (int)benchmark.Parameters["Threads"];
        // Only depthwise and half have a Layout parameter (null elsewhere): conv2d and separable run ours in NHWC only.
        var layout = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Layout")?.Value as Layout?;
        bool referenceJob = benchmark.Job.Id == ReferenceJob.Id;
        if (referenceJob != (method == nameof(DepthwiseBenchmarks.Reference))) return false;
        if ((benchmark.Job.Id == FirstCallsJob.Id) != (method == nameof(FirstCallsBenchmarks.ManagedFirstCalls))) return false;
        return method switch
        {
            nameof(DepthwiseBenchmarks.OnnxRuntime) => layout is null or Layout.NCHW,
            nameof(DepthwiseBenchmarks.Native) or nameof(SeparableBenchmarks.NativeTwoCalls) => threads == 1 || NativeApi.HasThreadSetting,
            nameof(DepthwiseBenchmarks.Managed) => threads == 1 || ManagedSettings.HasThreadSetting,
            nameof(FirstCallsBenchmarks.ManagedFirstCalls) => threads == 1,
            nameof(DepthwiseBenchmarks.Reference) => threads == 1 && layout == Layout.NHWC
                && ReferenceJob.Shapes.Contains((DepthwiseShape)benchmark.Parameters["Shape"]),
            nameof(HalfPrecisionBenchmarks.Float32) or nameof(HalfPrecisionBenchmarks.Float16) or nameof(HalfPrecisionBenchmarks.BFloat16) =>
                (threads == 1 || NativeApi.HasThreadSetting)
                && HalfPrecisionBenchmarks.Measured((IBenchmarkShape)benchmark.Parameters["Shape"], layout!.Value),
            _ => false,
        };
    }
}

/// <summary>The job of the Reference rows: the library capped to its scalar reference kernel, and short.</summary>
public static class ReferenceJob
{
    public const string Id = "reference";
    public const string CapVariable = "DEPTHWISE_INTEROP_MAX_ISA";

    /// <summary>A large, a middle and a small layer: enough to place the reference, cheap to time.</summary>
    public static readonly IReadOnlyList<DepthwiseShape> Shapes =
    [
        new(1, 112, 112, 32, 1, 3, 1),
        new(1, 28, 28, 192, 1, 3, 1),
        new(1, 7, 7, 960, 1, 3, 1),
    ];
}

/// <summary>
/// One op's benchmark: its BenchmarkDotNet class, its shapes (after the shape filter) and our implementations
/// that <see cref="Validation"/> checks against ONNX Runtime before anything is timed, or the suite's own
/// <paramref name="Check"/> (the half suite compares with our float32 rows instead).
/// </summary>
public sealed record BenchmarkSuite(string Name, Type Class, IReadOnlyList<IBenchmarkShape> Shapes,
    IReadOnlyList<Validation.Implementation> Implementations,
    Func<BenchmarkSuite, TextWriter, List<Validation.Result>>? Check = null)
{
    /// <summary>The suites' names, for --ops, in run and report order.</summary>
    public static readonly IReadOnlyList<string> Names = ["depthwise", "conv2d", "separable", "half", "first-calls"];

    /// <summary>Runs the suite's check before timing; logs one line per implementation and shape.</summary>
    public List<Validation.Result> Validate(TextWriter log) => (Check ?? Validation.Run)(this, log);

    public static BenchmarkSuite Create(string name) => name switch
    {
        "depthwise" => new(name, typeof(DepthwiseBenchmarks), [.. DepthwiseBenchmarks.Shapes()], [.. DepthwiseBenchmarks.Implementations()]),
        "conv2d" => new(name, typeof(Conv2DBenchmarks), [.. Conv2DBenchmarks.Shapes()], [.. Conv2DBenchmarks.Implementations()]),
        "separable" => new(name, typeof(SeparableBenchmarks), [.. SeparableBenchmarks.Shapes()], [.. SeparableBenchmarks.Implementations()]),
        "half" => new(name, typeof(HalfPrecisionBenchmarks), [.. HalfPrecisionBenchmarks.Shapes()], [], HalfValidation.Run),
        // The same managed calls as the depthwise and conv2d suites' Managed rows, which those suites validate.
        "first-calls" => new(name, typeof(FirstCallsBenchmarks), [.. FirstCallsBenchmarks.Shapes()], [], (_, _) => []),
        _ => throw new ArgumentException($"unknown op '{name}': use {string.Join(", ", Names)}"),
    };
}
