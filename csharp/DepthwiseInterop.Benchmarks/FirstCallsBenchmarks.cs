using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The managed API's first calls in a fresh JIT-compiled process, as a .NET program meets them: each of
/// <see cref="FirstCallsJob.Launches"/> processes times its first <see cref="FirstCallsJob.Calls"/> calls one by one
/// (no warm-up, no pilot, the runtime's default tiering). The first call includes compiling the kernels; the
/// median over all calls says whether the rest run at the warm speed of the depthwise and conv2d suites' Managed
/// rows (before the kernels were compiled fully optimised at their first call, they ran as tier-0 code for
/// about two seconds: see the numbers the report quotes).
/// </summary>
public class FirstCallsBenchmarks : RunnerBenchmark
{
    [ParamsSource(nameof(Shapes))]
    public IBenchmarkShape Shape { get; set; } = BenchmarkShapes.FirstCalls[0];

    public static IEnumerable<IBenchmarkShape> Shapes() => CaseFilter.Selected(BenchmarkShapes.FirstCalls);

    [GlobalSetup(Target = nameof(ManagedFirstCalls))]
    public void SetupManaged() => UseManaged(new ManagedRunner(Inputs(Shape), Layout.NHWC));

    /// <summary>Convolution.DepthwiseConv2D / Conv2D&lt;float&gt;(spans), NHWC, one call per iteration.</summary>
    [Benchmark]
    public void ManagedFirstCalls() => Runner!.Run();
}

/// <summary>The job of <see cref="FirstCallsBenchmarks"/>: cold processes, one call per measured iteration.</summary>
public static class FirstCallsJob
{
    public const string Id = "first-calls";
    public const int Launches = 5;
    public const int Calls = 20;

    /// <summary>
    /// Without the main job's DOTNET_TC_CallCountingDelayMs=0 (which hurries tiering along for the warm rows):
    /// these processes tier as any program's would.
    /// </summary>
    public static Job Create() => Job.Default
        .WithStrategy(RunStrategy.ColdStart)
        .WithLaunchCount(Launches)
        .WithWarmupCount(0)
        .WithIterationCount(Calls)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithEvaluateOverhead(false)
        .WithGcForce(false)
        .WithId(Id);
}
