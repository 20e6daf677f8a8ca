using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Deterministic inputs of one shape, in pinned (POH) arrays: NHWC and NCHW copies of the input, and
/// TensorFlow's [K, K, C, M] filter. The runners hold a reference to this object for as long as they use
/// its pointers (pinned arrays referenced by nothing are still collected).
/// </summary>
public sealed class TensorData
{
    public DepthwiseShape Shape { get; }
    public float[] InputNhwc { get; }
    public float[] InputNchw { get; }
    public float[] Filter { get; }

    public TensorData(DepthwiseShape s)
    {
        Shape = s;
        // A fixed seed per shape, the same in every process (record hash codes are not).
        var random = new Random(((((s.N * 31 + s.H) * 31 + s.W) * 31 + s.C) * 31 + s.M) * 31 + s.K * 7 + s.S);
        InputNhwc = GC.AllocateArray<float>(checked((int)s.InputCount), pinned: true);
        Filter = GC.AllocateArray<float>(checked((int)s.FilterCount), pinned: true);
        for (int i = 0; i < InputNhwc.Length; i++) InputNhwc[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < Filter.Length; i++) Filter[i] = (float)(random.NextDouble() * 2 - 1);
        InputNchw = GC.AllocateArray<float>(InputNhwc.Length, pinned: true);
        NhwcToNchw(InputNhwc, InputNchw, s.N, s.H, s.W, s.C);
    }

    public float[] Input(Layout layout) => layout == Layout.NHWC ? InputNhwc : InputNchw;

    public static void NhwcToNchw(ReadOnlySpan<float> source, Span<float> destination, int n, int h, int w, int c)
    {
        for (int b = 0; b < n; b++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int ch = 0; ch < c; ch++)
            destination[((b * c + ch) * h + y) * w + x] = source[((b * h + y) * w + x) * c + ch];
    }

    public static void NchwToNhwc(ReadOnlySpan<float> source, Span<float> destination, int n, int c, int h, int w)
    {
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            destination[((b * h + y) * w + x) * c + ch] = source[((b * c + ch) * h + y) * w + x];
    }
}

/// <summary>One implementation bound to one problem: everything allocated up front, <see cref="Run"/> only computes.</summary>
public interface IConvolutionRunner : IDisposable
{
    /// <summary>Output buffer in the runner's layout.</summary>
    float[] Output { get; }

    Layout Layout { get; }

    void Run();
}

/// <summary>"Native": libdepthwise_interop.so through di_depthwise_conv2d, as a C or Python caller uses it.</summary>
public sealed unsafe class NativeRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly float[] input;
    private readonly long* shapes;          // input shape [0..4), filter shape [4..8)
    private readonly ConvParams* parameters;

    public NativeRunner(TensorData data, Layout layout)
    {
        NativeApi.EnsureLoaded();
        this.data = data;
        Layout = layout;
        var s = data.Shape;
        input = data.Input(layout);
        Output = GC.AllocateArray<float>(checked((int)s.OutputCount), pinned: true);
        shapes = (long*)NativeMemory.AllocZeroed(8 * sizeof(long));
        s.InputShape(layout).CopyTo(new Span<long>(shapes, 4));
        s.FilterShape.CopyTo(new Span<long>(shapes + 4, 4));
        parameters = (ConvParams*)NativeMemory.AllocZeroed((nuint)sizeof(ConvParams));
        Check(NativeApi.di_conv_params_init(parameters));
        parameters->DataFormat = layout == Layout.NHWC ? NativeApi.FormatNhwc : NativeApi.FormatNchw;
        parameters->Padding = NativeApi.PaddingSame;
        int heightAxis = layout == Layout.NHWC ? 1 : 2;
        parameters->Strides[heightAxis] = s.S;
        parameters->Strides[heightAxis + 1] = s.S;
    }

    public float[] Output { get; }

    public Layout Layout { get; }

    public void Run()
    {
        fixed (float* x = input, w = data.Filter, y = Output)
        {
            int status = NativeApi.di_depthwise_conv2d(NativeApi.DtypeFloat32,
                x, input.Length, shapes, 4,
                w, data.Filter.Length, shapes + 4, 4,
                parameters, y, Output.Length);
            if (status != 0) Check(status);
        }
    }

    private static void Check(int status)
    {
        if (status != 0)
            throw new InvalidOperationException($"di_depthwise_conv2d failed with status {status}: {NativeApi.LastError()}");
    }

    public void Dispose()
    {
        NativeMemory.Free(shapes);
        NativeMemory.Free(parameters);
        GC.KeepAlive(data);
    }
}

/// <summary>"Managed": Convolution.DepthwiseConv2D&lt;float&gt; on spans into a preallocated output.</summary>
public sealed class ManagedRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly float[] input;
    private readonly long[] inputShape;
    private readonly long[] filterShape;
    private readonly ConvolutionOptions options;

    public ManagedRunner(TensorData data, Layout layout)
    {
        this.data = data;
        Layout = layout;
        var s = data.Shape;
        input = data.Input(layout);
        inputShape = s.InputShape(layout);
        filterShape = s.FilterShape;
        Output = GC.AllocateArray<float>(checked((int)s.OutputCount), pinned: true);
        options = new ConvolutionOptions
        {
            DataFormat = layout == Layout.NHWC ? DataFormat.NHWC : DataFormat.NCHW,
            Padding = PaddingMode.Same,
            StrideHeight = s.S,
            StrideWidth = s.S,
        };
    }

    public float[] Output { get; }

    public Layout Layout { get; }

    public void Run() => Convolution.DepthwiseConv2D<float>(input, inputShape, data.Filter, filterShape, Output, options);

    public void Dispose() { }
}

/// <summary>
/// "OnnxRuntime": a one-node Conv model (group = C), NCHW, weights as an initializer, graph optimisation ALL
/// (ORT's NCHWc fast path; its reorders are inside the timed call), IntraOpNumThreads = the row's threads,
/// input and output bound as OrtValues over preallocated pinned arrays, session.Run with RunOptions.
/// </summary>
public sealed class OnnxRuntimeRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly SessionOptions sessionOptions;
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly OrtValue inputValue;
    private readonly OrtValue outputValue;
    private readonly string[] inputNames = ["X"];
    private readonly string[] outputNames = ["Y"];
    private readonly OrtValue[] inputValues;
    private readonly OrtValue[] outputValues;

    public OnnxRuntimeRunner(TensorData data, int threads)
    {
        this.data = data;
        var s = data.Shape;
        Output = GC.AllocateArray<float>(checked((int)s.OutputCount), pinned: true);
        sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        session = new InferenceSession(OnnxModel.Depthwise(s, data.Filter), sessionOptions);
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
