namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// "Float16" / "BFloat16" rows: one di_depthwise_conv2d or di_conv2d call with DI_DTYPE_FLOAT16 or
/// DI_DTYPE_BFLOAT16 on uint16_t buffers, the inputs rounded from the problem's float32 values once, up front.
/// </summary>
public sealed unsafe class NativeHalfRunner : IConvolutionRunner
{
    private readonly ushort[] input;
    private readonly ushort[] filter;
    private readonly ushort[] outputBits;
    private readonly float[] widened;
    private readonly NativeCall call;
    private bool outputStale;

    public NativeHalfRunner(TensorData data, Layout layout, HalfType type)
    {
        Type = type;
        Layout = layout;
        input = ToBits(data.Input(layout), type);
        filter = ToBits(data.Filter, type);
        outputBits = GC.AllocateArray<ushort>(checked((int)data.Shape.OutputCount), pinned: true);
        widened = data.NewOutput();
        call = NativeCall.For(data.Shape, layout);
    }

    public HalfType Type { get; }

    public Layout Layout { get; }

    /// <summary>The last result widened to float32, for checks: converted here, on first read after a run, not in <see cref="Run"/>.</summary>
    public float[] Output
    {
        get
        {
            if (outputStale)
            {
                for (int i = 0; i < widened.Length; i++) widened[i] = Type.FromBits(outputBits[i]);
                outputStale = false;
            }
            return widened;
        }
    }

    public void Run()
    {
        fixed (ushort* x = input, w = filter, y = outputBits)
            call.Invoke(Type.Dtype, x, input.Length, w, filter.Length, y, outputBits.Length);
        outputStale = true;
    }

    public void Dispose() => call.Dispose();

    private static ushort[] ToBits(float[] values, HalfType type)
    {
        var bits = GC.AllocateArray<ushort>(values.Length, pinned: true);
        for (int i = 0; i < values.Length; i++) bits[i] = type.ToBits(values[i]);
        return bits;
    }
}
