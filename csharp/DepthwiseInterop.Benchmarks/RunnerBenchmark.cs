using BenchmarkDotNet.Attributes;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// What the benchmark classes share: the thread count parameter, setting it on the side a row measures, and
/// the runner each [GlobalSetup] makes and every [Benchmark] method calls. Which (method, parameters)
/// combinations run is decided by <see cref="CaseFilter"/>.
/// </summary>
public abstract class RunnerBenchmark
{
    private TensorData? inputs;

    protected IConvolutionRunner? Runner { get; private set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>
    /// A row of ours through the C ABI. Without di_set_num_threads the library runs with its own threading and
    /// CaseFilter keeps only the Threads = 1 rows (labelled as such in the report).
    /// </summary>
    protected void UseNative(IConvolutionRunner runner)
    {
        NativeApi.TrySetNumThreads(Threads);
        Runner = runner;
    }

    protected void UseManaged(IConvolutionRunner runner)
    {
        ManagedSettings.TrySetThreads(Threads);
        Runner = runner;
    }

    protected void UseOnnxRuntime(TensorData data) => Runner = new OnnxRuntimeRunner(data, Threads);

    /// <summary>For a runner that sets its own threads (the scalar reference).</summary>
    protected void Use(IConvolutionRunner runner) => Runner = runner;

    /// <summary>The case's inputs, made once in its [GlobalSetup] and freed in <see cref="Cleanup"/> after the runner reading them.</summary>
    protected TensorData Inputs(IBenchmarkShape shape) => inputs = new TensorData(shape);

    [GlobalCleanup]
    public void Cleanup()
    {
        Runner?.Dispose();
        Runner = null;
        inputs?.Dispose();
        inputs = null;
    }
}
