namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// "Float16" / "BFloat16" rows: one di_depthwise_conv2d or di_conv2d call with DI_DTYPE_FLOAT16 or
/// DI_DTYPE_BFLOAT16 on uint16_t buffers, the inputs rounded from the problem's float32 values once, up front.
/// </summary>
public sealed unsafe class NativeHalfRunner : IConvolutionRunner
{
    private readonly NativeBuffer<ushort> input;
    private readonly NativeBuffer<ushort> filter;
    private readonly NativeBuffer<ushort> outputBits;
    private readonly NativeBuffer<float> widened;
    private readonly NativeCall call;
    private bool outputStale;

    public NativeHalfRunner(TensorData data, Layout layout, HalfType type)
    {
        Type = type;
        Layout = layout;
        input = ToBits(data.Input(layout), type);
        filter = ToBits(data.Filter, type);
        outputBits = new NativeBuffer<ushort>(checked((int)data.Shape.OutputCount));
        widened = data.NewOutput();
        call = NativeCall.For(data.Shape, layout);
    }

    public HalfType Type { get; }

    public Layout Layout { get; }

    /// <summary>The last result widened to float32, for checks: converted here, on first read after a run, not in <see cref="Run"/>.</summary>
    public NativeBuffer<float> Output
    {
        get
        {
            if (outputStale)
            {
                Span<float> values = widened.Span;
                ReadOnlySpan<ushort> bits = outputBits.Span;
                for (int i = 0; i < values.Length; i++) values[i] = Type.FromBits(bits[i]);
                outputStale = false;
            }
            return widened;
        }
    }

    public void Run()
    {
        call.Invoke(Type.Dtype, input.Pointer, input.Length, filter.Pointer, filter.Length, outputBits.Pointer, outputBits.Length);
        outputStale = true;
    }

    public void Dispose()
    {
        call.Dispose();
        input.Dispose();
        filter.Dispose();
        outputBits.Dispose();
        widened.Dispose();
    }

    private static NativeBuffer<ushort> ToBits(NativeBuffer<float> values, HalfType type)
    {
        var buffer = new NativeBuffer<ushort>(values.Length);
        Span<ushort> bits = buffer.Span;
        ReadOnlySpan<float> source = values.Span;
        for (int i = 0; i < bits.Length; i++) bits[i] = type.ToBits(source[i]);
        return buffer;
    }
}
