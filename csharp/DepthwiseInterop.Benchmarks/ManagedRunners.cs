namespace DepthwiseInterop.Benchmarks;

/// <summary>"Managed" depthwise / conv2d rows: Convolution.DepthwiseConv2D / Conv2D&lt;float&gt; on spans into a preallocated output.</summary>
public sealed class ManagedRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly NativeBuffer<float> input;
    private readonly long[] inputShape;
    private readonly long[] filterShape;
    private readonly bool depthwise;
    private readonly ConvolutionOptions options;

    public ManagedRunner(TensorData data, Layout layout)
    {
        this.data = data;
        Layout = layout;
        input = data.Input(layout);
        inputShape = data.Shape.InputShape(layout);
        filterShape = data.Shape.FilterShapes[0];
        Output = data.NewOutput();
        (depthwise, int stride) = data.Shape switch
        {
            DepthwiseShape s => (true, s.S),
            Conv2DShape s => (false, s.S),
            var s => throw new ArgumentException($"no single managed call computes {s.GetType().Name}"),
        };
        options = SameOptions(layout, stride);
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout { get; }

    public void Run()
    {
        if (depthwise) Convolution.DepthwiseConv2D<float>(input.Span, inputShape, data.Filter.Span, filterShape, Output.Span, options);
        else Convolution.Conv2D<float>(input.Span, inputShape, data.Filter.Span, filterShape, Output.Span, options);
    }

    public void Dispose() => Output.Dispose();

    public static ConvolutionOptions SameOptions(Layout layout, int stride) => new()
    {
        DataFormat = layout == Layout.NHWC ? DataFormat.NHWC : DataFormat.NCHW,
        Padding = PaddingMode.Same,
        StrideHeight = stride,
        StrideWidth = stride,
    };
}

/// <summary>"Managed" separable rows: Convolution.SeparableConv2D&lt;float&gt; on spans into a preallocated output.</summary>
public sealed class ManagedSeparableRunner : IConvolutionRunner
{
    private readonly TensorData data;
    private readonly NativeBuffer<float> input;
    private readonly long[] inputShape;
    private readonly ConvolutionOptions options;

    public ManagedSeparableRunner(TensorData data, Layout layout)
    {
        var s = (SeparableShape)data.Shape;
        this.data = data;
        Layout = layout;
        input = data.Input(layout);
        inputShape = s.InputShape(layout);
        Output = data.NewOutput();
        options = ManagedRunner.SameOptions(layout, s.S);
    }

    public NativeBuffer<float> Output { get; }

    public Layout Layout { get; }

    public void Run() => Convolution.SeparableConv2D<float>(input.Span, inputShape, data.Filters[0].Span, data.Shape.FilterShapes[0],
        data.Filters[1].Span, data.Shape.FilterShapes[1], Output.Span, options);

    public void Dispose() => Output.Dispose();
}
