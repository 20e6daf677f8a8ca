using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// depthwise_conv2d: every implementation, shape, thread count and layout measured in the same run.
/// </summary>
public class DepthwiseBenchmarks : RunnerBenchmark
{
    [ParamsSource(nameof(Shapes))]
    public DepthwiseShape Shape { get; set; } = BenchmarkShapes.Depthwise[0];

    [Params(Layout.NHWC, Layout.NCHW)]
    public Layout Layout { get; set; }

    public static IEnumerable<DepthwiseShape> Shapes() => CaseFilter.Selected(BenchmarkShapes.Depthwise);

    /// <summary>Ours, for <see cref="Validation"/> against ONNX Runtime: both layouts of Native and Managed.</summary>
    public static IEnumerable<Validation.Implementation> Implementations() =>
        from layout in new[] { Layout.NHWC, Layout.NCHW }
        from implementation in new Validation.Implementation[]
        {
            new(nameof(Native), layout, data => new NativeRunner(data, layout)),
            new(nameof(Managed), layout, data => new ManagedRunner(data, layout)),
        }
        select implementation;

    [GlobalSetup(Target = nameof(Native))]
    public void SetupNative() => UseNative(new NativeRunner(Inputs(Shape), Layout));

    [GlobalSetup(Target = nameof(Managed))]
    public void SetupManaged() => UseManaged(new ManagedRunner(Inputs(Shape), Layout));

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
        Use(new ManagedRunner(Inputs(Shape), Layout));
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => UseOnnxRuntime(Inputs(Shape));

    /// <summary>This library through its C ABI (the NativeAOT .so): the product path.</summary>
    [Benchmark]
    public void Native() => Runner!.Run();

    /// <summary>This library's managed API, Convolution.DepthwiseConv2D&lt;float&gt;(spans), JIT-compiled.</summary>
    [Benchmark]
    public void Managed() => Runner!.Run();

    /// <summary>
    /// The scalar reference kernel (ReferenceConvolution), reached through the managed API in a process whose
    /// vector tier is capped to "scalar"; a few shapes only, in a shorter job (it is slow).
    /// </summary>
    [Benchmark]
    public void Reference() => Runner!.Run();

    /// <summary>ONNX Runtime 1.31.1, one Conv node (group = C), NCHW, graph optimisation ALL.</summary>
    [Benchmark]
    public void OnnxRuntime() => Runner!.Run();
}
