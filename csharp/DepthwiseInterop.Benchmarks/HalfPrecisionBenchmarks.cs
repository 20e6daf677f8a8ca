using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Issue #7: float16 and bfloat16 against float32 on the same shape, in the same run, all three through the C
/// ABI (the product path). The half types run on the float32 kernels (depthwise: bands of output rows whose
/// input rows are widened into a cache-resident float32 buffer; conv2d: whole tensors widened), so the target
/// is a half row costing no more than its float32 row. NHWC for every shape, NCHW for
/// <see cref="BenchmarkShapes.HalfNchw"/> only (<see cref="CaseFilter"/>).
/// </summary>
public class HalfPrecisionBenchmarks : RunnerBenchmark
{
    [ParamsSource(nameof(Shapes))]
    public IBenchmarkShape Shape { get; set; } = BenchmarkShapes.Half[0];

    [Params(Layout.NHWC, Layout.NCHW)]
    public Layout Layout { get; set; }

    public static IEnumerable<IBenchmarkShape> Shapes() => CaseFilter.Selected(BenchmarkShapes.Half);

    /// <summary>Whether the half rows of <paramref name="shape"/> run in <paramref name="layout"/>.</summary>
    public static bool Measured(IBenchmarkShape shape, Layout layout) =>
        layout == Layout.NHWC || Equals(shape, BenchmarkShapes.HalfNchw);

    [GlobalSetup(Target = nameof(Float32))]
    public void SetupFloat32() => UseNative(new NativeRunner(Inputs(Shape), Layout));

    [GlobalSetup(Target = nameof(Float16))]
    public void SetupFloat16() => UseNative(new NativeHalfRunner(Inputs(Shape), Layout, HalfType.Float16));

    [GlobalSetup(Target = nameof(BFloat16))]
    public void SetupBFloat16() => UseNative(new NativeHalfRunner(Inputs(Shape), Layout, HalfType.BFloat16));

    /// <summary>DI_DTYPE_FLOAT32 through the C ABI: the same call as the depthwise / conv2d suites' Native rows.</summary>
    [Benchmark]
    public void Float32() => Runner!.Run();

    /// <summary>DI_DTYPE_FLOAT16 through the C ABI, uint16_t buffers.</summary>
    [Benchmark]
    public void Float16() => Runner!.Run();

    /// <summary>DI_DTYPE_BFLOAT16 through the C ABI, uint16_t buffers.</summary>
    [Benchmark]
    public void BFloat16() => Runner!.Run();
}
