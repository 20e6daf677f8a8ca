using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// conv2d (dense, pointwise, first layer, grouped): ours in NHWC, TensorFlow's default layout and the one the
/// issue's targets are about, against ONNX Runtime's Conv in NCHW.
/// </summary>
public class Conv2DBenchmarks : RunnerBenchmark
{
    [ParamsSource(nameof(Shapes))]
    public Conv2DShape Shape { get; set; } = BenchmarkShapes.Conv2D[0];

    public static IEnumerable<Conv2DShape> Shapes() => CaseFilter.Selected(BenchmarkShapes.Conv2D);

    /// <summary>Ours, for <see cref="Validation"/> against ONNX Runtime.</summary>
    public static IEnumerable<Validation.Implementation> Implementations() =>
    [
        new(nameof(Native), Layout.NHWC, data => new NativeRunner(data, Layout.NHWC)),
        new(nameof(Managed), Layout.NHWC, data => new ManagedRunner(data, Layout.NHWC)),
    ];

    [GlobalSetup(Target = nameof(Native))]
    public void SetupNative() => UseNative(new NativeRunner(Inputs(Shape), Layout.NHWC));

    [GlobalSetup(Target = nameof(Managed))]
    public void SetupManaged() => UseManaged(new ManagedRunner(Inputs(Shape), Layout.NHWC));

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => UseOnnxRuntime(Inputs(Shape));

    /// <summary>di_conv2d through the C ABI (the NativeAOT .so), NHWC: the product path.</summary>
    [Benchmark]
    public void Native() => Runner!.Run();

    /// <summary>Convolution.Conv2D&lt;float&gt;(spans), JIT-compiled, NHWC.</summary>
    [Benchmark]
    public void Managed() => Runner!.Run();

    /// <summary>ONNX Runtime 1.31.1, one Conv node (group = Groups), NCHW, graph optimisation ALL.</summary>
    [Benchmark]
    public void OnnxRuntime() => Runner!.Run();
}
