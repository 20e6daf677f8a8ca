using BenchmarkDotNet.Running;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The benchmark matrix. BenchmarkDotNet crosses every method with every parameter; this keeps only:
/// ONNX Runtime in NCHW (its only layout; one measurement serves both of our layouts' ratios), our rows at
/// 2 threads only when our side can actually be set to 2 threads (Native: the library exports
/// di_set_num_threads; Managed: the library has a public ComputeSettings.ThreadCount), and the scalar
/// Reference only in the reference job, on <see cref="ReferenceJob.Shapes"/>, 1 thread, NHWC.
/// </summary>
public static class CaseFilter
{
    /// <summary>Environment variable: comma-separated substrings of shape labels to run (all shapes when unset).</summary>
    public const string ShapesVariable = "DEPTHWISE_BENCH_SHAPES";

    public static IEnumerable<DepthwiseShape> SelectedShapes()
    {
        string? filter = Environment.GetEnvironmentVariable(ShapesVariable);
        if (string.IsNullOrWhiteSpace(filter)) return BenchmarkShapes.All;
        var wanted = filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return BenchmarkShapes.All.Where(s => wanted.Any(w => s.ToString().Contains(w, StringComparison.OrdinalIgnoreCase)));
    }

    public static bool Keep(BenchmarkCase benchmark)
    {
        string method = benchmark.Descriptor.WorkloadMethod.Name;
        int threads = (int)benchmark.Parameters["Threads"];
        var layout = (Layout)benchmark.Parameters["Layout"];
        var shape = (DepthwiseShape)benchmark.Parameters["Shape"];
        bool referenceJob = benchmark.Job.Id == ReferenceJob.Id;
        if (referenceJob != (method == nameof(DepthwiseBenchmarks.Reference))) return false;
        return method switch
        {
            nameof(DepthwiseBenchmarks.OnnxRuntime) => layout == Layout.NCHW,
            nameof(DepthwiseBenchmarks.Native) => threads == 1 || NativeApi.HasThreadSetting,
            nameof(DepthwiseBenchmarks.Managed) => threads == 1 || ManagedSettings.HasThreadSetting,
            nameof(DepthwiseBenchmarks.Reference) => threads == 1 && layout == Layout.NHWC && ReferenceJob.Shapes.Contains(shape),
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
