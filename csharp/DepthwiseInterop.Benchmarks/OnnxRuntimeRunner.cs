using Microsoft.ML.OnnxRuntime;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// "OnnxRuntime": the problem's ONNX model (<see cref="OnnxModel.For"/>), NCHW, weights as initializers, graph
/// optimisation ALL (ORT's NCHWc fast path; its reorders are inside the timed call), IntraOpNumThreads = the
/// row's threads, input and output bound as OrtValues over preallocated pinned arrays, session.Run with
/// RunOptions.
/// </summary>
public sealed class OnnxRuntimeRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly SessionOptions sessionOptions;
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly OrtValue inputValue;
    private readonly OrtValue outputValue;
    private readonly string[] inputNames = [OnnxModel.InputName];
    private readonly string[] outputNames = [OnnxModel.OutputName];
    private readonly OrtValue[] inputValues;
    private readonly OrtValue[] outputValues;

    public OnnxRuntimeRunner(TensorData data, int threads)
    {
        this.data = data;
        var s = data.Shape;
        Output = data.NewOutput();
        sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        session = new InferenceSession(OnnxModel.For(s, data.Filters), sessionOptions);
        inputValue = OrtValue.CreateTensorValueFromMemory(data.InputNchw, s.InputShape(Layout.NCHW));
        outputValue = OrtValue.CreateTensorValueFromMemory(Output, s.OutputShape(Layout.NCHW));
        inputValues = [inputValue];
        outputValues = [outputValue];
    }

    public float[] Output { get; }

    public Layout Layout => Layout.NCHW;

    public void Run() => session.Run(runOptions, inputNames, inputValues, outputNames, outputValues);

    public void Dispose()
    {
        inputValue.Dispose();
        outputValue.Dispose();
        runOptions.Dispose();
        session.Dispose();
        sessionOptions.Dispose();
        GC.KeepAlive(data);
    }
}
