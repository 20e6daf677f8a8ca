using System.Runtime.InteropServices;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The arguments of one native call (di_conv_params, input and filter shapes) in unmanaged memory, made once so
/// that a timed call only passes pointers. <see cref="Invoke"/> calls di_depthwise_conv2d or di_conv2d (same
/// signature) with TensorFlow SAME padding and the given stride.
/// </summary>
internal sealed unsafe class NativeCall : IDisposable
{
    private readonly bool depthwise;
    private readonly long* shapes;          // input shape [0..4), filter shape [4..8)
    private readonly ConvParams* parameters;

    public NativeCall(bool depthwise, Layout layout, long[] inputShape, long[] filterShape, int stride)
    {
        NativeApi.EnsureLoaded();
        this.depthwise = depthwise;
        shapes = (long*)NativeMemory.AllocZeroed(8 * sizeof(long));
        inputShape.CopyTo(new Span<long>(shapes, 4));
        filterShape.CopyTo(new Span<long>(shapes + 4, 4));
        parameters = NewParameters(layout, stride);
    }

    /// <summary>A di_conv_params with SAME padding and <paramref name="stride"/>, in unmanaged memory the caller frees with NativeMemory.Free.</summary>
    public static ConvParams* NewParameters(Layout layout, int stride)
    {
        var parameters = (ConvParams*)NativeMemory.AllocZeroed((nuint)sizeof(ConvParams));
        NativeApi.Check(NativeApi.di_conv_params_init(parameters), "di_conv_params_init");
        parameters->DataFormat = layout == Layout.NHWC ? NativeApi.FormatNhwc : NativeApi.FormatNchw;
        parameters->Padding = NativeApi.PaddingSame;
        int heightAxis = layout == Layout.NHWC ? 1 : 2;
        parameters->Strides[heightAxis] = stride;
        parameters->Strides[heightAxis + 1] = stride;
        return parameters;
    }

    public void Invoke(NativeBuffer<float> input, NativeBuffer<float> filter, NativeBuffer<float> output) =>
        Invoke(NativeApi.DtypeFloat32, input.Pointer, input.Length, filter.Pointer, filter.Length, output.Pointer, output.Length);

    /// <summary>The call with buffers of any di_dtype (float16 and bfloat16: uint16_t bit patterns); counts in elements.</summary>
    public void Invoke(int dtype, void* input, long inputCount, void* filter, long filterCount, void* output, long outputCount)
    {
        int status = depthwise
            ? NativeApi.di_depthwise_conv2d(dtype, input, inputCount, shapes, 4,
                filter, filterCount, shapes + 4, 4, parameters, output, outputCount)
            : NativeApi.di_conv2d(dtype, input, inputCount, shapes, 4,
                filter, filterCount, shapes + 4, 4, parameters, output, outputCount);
        if (status != 0) NativeApi.Check(status, depthwise ? "di_depthwise_conv2d" : "di_conv2d");
    }

    /// <summary>The single call that computes a depthwise or conv2d <paramref name="shape"/> in <paramref name="layout"/>.</summary>
    public static NativeCall For(IBenchmarkShape shape, Layout layout) => shape switch
    {
        DepthwiseShape s => new NativeCall(depthwise: true, layout, s.InputShape(layout), s.FilterShape, s.S),
        Conv2DShape s => new NativeCall(depthwise: false, layout, s.InputShape(layout), s.FilterShape, s.S),
        var s => throw new ArgumentException($"no single native call computes {s.GetType().Name}"),
    };

    public void Dispose()
    {
        NativeMemory.Free(shapes);
        NativeMemory.Free(parameters);
    }
}

/// <summary>"Native" depthwise / conv2d rows: libdepthwise_interop.so through one C ABI call, as a C or Python caller uses it.</summary>
public sealed class NativeRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly NativeBuffer<float> input;
    private readonly NativeCall call;

    public NativeRunner(TensorData data, Layout layout)
    {
        this.data = data;
        Layout = layout;
        input = data.Input(layout);
        Output = data.NewOutput();
        call = NativeCall.For(data.Shape, layout);
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout { get; }

    public void Run() => call.Invoke(input, data.Filter, Output);

    public void Dispose()
    {
        call.Dispose();
        Output.Dispose();
    }
}

/// <summary>"Native" separable rows: di_separable_conv2d, one C ABI call for both stages.</summary>
public sealed unsafe class NativeSeparableRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly NativeBuffer<float> input;
    private readonly long* shapes;          // input [0..4), depthwise filter [4..8), pointwise filter [8..12)
    private readonly ConvParams* parameters;

    public NativeSeparableRunner(TensorData data, Layout layout)
    {
        NativeApi.EnsureLoaded();
        var s = (SeparableShape)data.Shape;
        this.data = data;
        Layout = layout;
        input = data.Input(layout);
        Output = data.NewOutput();
        shapes = (long*)NativeMemory.AllocZeroed(12 * sizeof(long));
        s.InputShape(layout).CopyTo(new Span<long>(shapes, 4));
        s.Depthwise.FilterShape.CopyTo(new Span<long>(shapes + 4, 4));
        s.Pointwise.FilterShape.CopyTo(new Span<long>(shapes + 8, 4));
        parameters = NativeCall.NewParameters(layout, s.S);
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout { get; }

    public void Run()
    {
        NativeBuffer<float> depthwiseFilter = data.Filters[0], pointwiseFilter = data.Filters[1];
        int status = NativeApi.di_separable_conv2d(NativeApi.DtypeFloat32, input.Pointer, input.Length, shapes, 4,
            depthwiseFilter.Pointer, depthwiseFilter.Length, shapes + 4, 4, pointwiseFilter.Pointer, pointwiseFilter.Length, shapes + 8, 4,
            parameters, Output.Pointer, Output.Length);
        if (status != 0) NativeApi.Check(status, "di_separable_conv2d");
    }

    public void Dispose()
    {
        NativeMemory.Free(shapes);
        NativeMemory.Free(parameters);
        Output.Dispose();
    }
}

/// <summary>
/// "NativeTwoCalls" separable rows: di_depthwise_conv2d into a preallocated intermediate, then di_conv2d 1x1 of
/// it: what a caller without separable_conv2d does, the baseline issue #6 asks separable to beat. The
/// intermediate is allocated once, outside the timed call (separable allocates its own inside).
/// </summary>
public sealed class NativeTwoCallsRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly NativeBuffer<float> input;
    private readonly NativeBuffer<float> intermediate;
    private readonly NativeCall depthwise;
    private readonly NativeCall pointwise;

    public NativeTwoCallsRunner(TensorData data, Layout layout)
    {
        var s = (SeparableShape)data.Shape;
        this.data = data;
        Layout = layout;
        input = data.Input(layout);
        Output = data.NewOutput();
        intermediate = new NativeBuffer<float>(checked((int)s.Depthwise.OutputCount));
        depthwise = new NativeCall(depthwise: true, layout, s.InputShape(layout), s.Depthwise.FilterShape, s.S);
        // 1x1 with stride 1: SAME and VALID are the same problem (no padding).
        pointwise = new NativeCall(depthwise: false, layout, s.Depthwise.OutputShape(layout), s.Pointwise.FilterShape, 1);
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout { get; }

    public void Run()
    {
        depthwise.Invoke(input, data.Filters[0], intermediate);
        pointwise.Invoke(intermediate, data.Filters[1], Output);
    }

    public void Dispose()
    {
        depthwise.Dispose();
        pointwise.Dispose();
        intermediate.Dispose();
        Output.Dispose();
    }
}
