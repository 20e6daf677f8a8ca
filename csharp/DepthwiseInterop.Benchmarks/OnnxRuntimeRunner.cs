using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// "OnnxRuntime": the problem's ONNX model (<see cref="OnnxModel.For"/>), NCHW, weights as initializers, graph
/// optimisation ALL (ORT's NCHWc fast path; its reorders are inside the timed call), IntraOpNumThreads = the
/// row's threads, input and output bound as OrtValues over the preallocated 64-byte aligned native buffers
/// (ORT's CPU allocator aligns its own tensors to 64 bytes too), session.Run with RunOptions.
/// </summary>
public sealed class OnnxRuntimeRunner : IConvolutionRunner
{
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
        inputValue = Bind(data.InputNchw, s.InputShape(Layout.NCHW));
        outputValue = Bind(Output, s.OutputShape(Layout.NCHW));
        inputValues = [inputValue];
        outputValues = [outputValue];
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout => Layout.NCHW;

    public void Run() => session.Run(runOptions, inputNames, inputValues, outputNames, outputValues);

    public void Dispose()
    {
        inputValue.Dispose();
        outputValue.Dispose();
        runOptions.Dispose();
        session.Dispose();
        sessionOptions.Dispose();
        Output.Dispose();
    }

    /// <summary>A float tensor OrtValue over <paramref name="buffer"/>'s memory (no copy); the buffer must outlive it.</summary>
    private static unsafe OrtValue Bind(NativeBuffer<float> buffer, long[] shape) =>
        OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape,
            (IntPtr)buffer.Pointer, buffer.Bytes);
}
