using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// separable_conv2d (a MobileNetV2 block's depthwise + projection), NHWC: ours in one call, ours as two calls
/// (the baseline issue #6 asks separable to beat), and ONNX Runtime's two-node graph in NCHW.
/// </summary>
public class SeparableBenchmarks : RunnerBenchmark
{
    [ParamsSource(nameof(Shapes))]
    public SeparableShape Shape { get; set; } = BenchmarkShapes.Separable[0];

    public static IEnumerable<SeparableShape> Shapes() => CaseFilter.Selected(BenchmarkShapes.Separable);

    /// <summary>Ours, for <see cref="Validation"/> against ONNX Runtime.</summary>
    public static IEnumerable<Validation.Implementation> Implementations() =>
    [
        new(nameof(Native), Layout.NHWC, data => new NativeSeparableRunner(data, Layout.NHWC)),
        new(nameof(NativeTwoCalls), Layout.NHWC, data => new NativeTwoCallsRunner(data, Layout.NHWC)),
        new(nameof(Managed), Layout.NHWC, data => new ManagedSeparableRunner(data, Layout.NHWC)),
    ];

    [GlobalSetup(Target = nameof(Native))]
    public void SetupNative() => UseNative(new NativeSeparableRunner(Inputs(Shape), Layout.NHWC));

    [GlobalSetup(Target = nameof(NativeTwoCalls))]
    public void SetupNativeTwoCalls() => UseNative(new NativeTwoCallsRunner(Inputs(Shape), Layout.NHWC));

    [GlobalSetup(Target = nameof(Managed))]
    public void SetupManaged() => UseManaged(new ManagedSeparableRunner(Inputs(Shape), Layout.NHWC));

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => UseOnnxRuntime(Inputs(Shape));

    /// <summary>di_separable_conv2d, one C ABI call: the product path.</summary>
    [Benchmark]
    public void Native() => Runner!.Run();

    /// <summary>di_depthwise_conv2d then di_conv2d (1x1), through a preallocated intermediate.</summary>
    [Benchmark]
    public void NativeTwoCalls() => Runner!.Run();

    /// <summary>Convolution.SeparableConv2D&lt;float&gt;(spans), JIT-compiled.</summary>
    [Benchmark]
    public void Managed() => Runner!.Run();

    /// <summary>ONNX Runtime 1.31.1, Conv (group = C) then 1x1 Conv, NCHW, graph optimisation ALL.</summary>
    [Benchmark]
    public void OnnxRuntime() => Runner!.Run();
}
