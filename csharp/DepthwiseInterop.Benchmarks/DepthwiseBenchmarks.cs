using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// One BenchmarkDotNet class, so that every implementation, shape and thread count is measured in the same
/// run. Which (method, Threads, Layout) combinations run is decided by <see cref="CaseFilter"/>.
/// </summary>
public class DepthwiseBenchmarks
{
    private IConvolutionRunner? runner;

    [ParamsSource(nameof(Shapes))]
    public DepthwiseShape Shape { get; set; } = BenchmarkShapes.All[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(Layout.NHWC, Layout.NCHW)]
    public Layout Layout { get; set; }

    public static IEnumerable<DepthwiseShape> Shapes() => CaseFilter.SelectedShapes();

    [GlobalSetup(Target = nameof(Native))]
    public void SetupNative()
    {
        // Without di_set_num_threads the library runs with its own threading and CaseFilter keeps only the
        // Threads = 1 rows (labelled as such in the report).
        NativeApi.TrySetNumThreads(Threads);
        runner = new NativeRunner(new TensorData(Shape), Layout);
    }

    [GlobalSetup(Target = nameof(Managed))]
    public void SetupManaged()
    {
        ManagedSettings.TrySetThreads(Threads);
        runner = new ManagedRunner(new TensorData(Shape), Layout);
    }

    [GlobalSetup(Target = nameof(Reference))]
    public void SetupReference()
    {
        // This process was started by the "reference" job with DEPTHWISE_INTEROP_MAX_ISA=scalar, the library's
        // public cap on its vector tier: at "scalar" every call runs the scalar reference kernel.
        string? cap = Environment.GetEnvironmentVariable(Benchmarks.ReferenceJob.CapVariable);
        if (cap != "scalar")
            throw new InvalidOperationException($"Reference runs only in the reference job ({Benchmarks.ReferenceJob.CapVariable}=scalar), not with '{cap}'");
        string? isa = ManagedSettings.IsaName;
        if (isa is not null && isa != "scalar")
            throw new InvalidOperationException($"{Benchmarks.ReferenceJob.CapVariable}=scalar did not take: the managed library uses {isa}");
        ManagedSettings.TrySetThreads(1);
        runner = new ManagedRunner(new TensorData(Shape), Layout);
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => runner = new OnnxRuntimeRunner(new TensorData(Shape), Threads);

    /// <summary>This library through its C ABI (the NativeAOT .so): the product path.</summary>
    [Benchmark]
    public void Native() => runner!.Run();

    /// <summary>This library's managed API, Convolution.DepthwiseConv2D&lt;float&gt;(spans), JIT-compiled.</summary>
    [Benchmark]
    public void Managed() => runner!.Run();

    /// <summary>
    /// The scalar reference kernel (ReferenceConvolution), reached through the managed API in a process whose
    /// vector tier is capped to "scalar"; a few shapes only, in a shorter job (it is slow).
    /// </summary>
    [Benchmark]
    public void Reference() => runner!.Run();

    /// <summary>ONNX Runtime 1.31.1, one Conv node, NCHW, graph optimisation ALL.</summary>
    [Benchmark]
    public void OnnxRuntime() => runner!.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        runner?.Dispose();
        runner = null;
    }
}
