namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Deterministic inputs of one problem, in 64-byte aligned native buffers (<see cref="NativeBuffer{T}"/>): NHWC
/// and NCHW copies of the input, and the TensorFlow filters in the order the op takes them. Whoever makes it
/// disposes it, after the runners that read it (they do not own it: several runners share one).
/// </summary>
public sealed class TensorData : IDisposable
{
    public IBenchmarkShape Shape { get; }
    public NativeBuffer<float> InputNhwc { get; }
    public NativeBuffer<float> InputNchw { get; }
    public IReadOnlyList<NativeBuffer<float>> Filters { get; }

    /// <summary>The first (for depthwise and conv2d the only) filter.</summary>
    public NativeBuffer<float> Filter => Filters[0];

    public TensorData(IBenchmarkShape s)
    {
        Shape = s;
        // A fixed seed per shape, the same in every process (string hash codes are randomised per process).
        var random = new Random(StableSeed(s.ToString()!));
        InputNhwc = RandomBuffer(s.InputCount, random);
        Filters = s.FilterShapes.Select(shape => RandomBuffer(shape.Aggregate(1L, (a, b) => a * b), random)).ToArray();
        InputNchw = new NativeBuffer<float>(InputNhwc.Length);
        NhwcToNchw(InputNhwc.Span, InputNchw.Span, s.N, s.H, s.W, s.C);
    }

    /// <summary>A copy of <paramref name="source"/> with <paramref name="map"/> applied to every input and filter value.</summary>
    private TensorData(TensorData source, Func<float, float> map)
    {
        Shape = source.Shape;
        InputNhwc = MapBuffer(source.InputNhwc, map);
        InputNchw = MapBuffer(source.InputNchw, map);
        Filters = source.Filters.Select(filter => MapBuffer(filter, map)).ToArray();
    }

    /// <summary>
    /// The same problem with every value passed through <paramref name="map"/>, e.g. rounded to float16 and
    /// widened back: the float32 inputs a reduced-precision row actually computes on. The caller disposes it.
    /// </summary>
    public TensorData Select(Func<float, float> map) => new(this, map);

    public NativeBuffer<float> Input(Layout layout) => layout == Layout.NHWC ? InputNhwc : InputNchw;

    /// <summary>A zeroed fp32 buffer of the problem's output size for a runner to write into; the runner disposes it.</summary>
    public NativeBuffer<float> NewOutput() => new(checked((int)Shape.OutputCount));

    public void Dispose()
    {
        InputNhwc.Dispose();
        InputNchw.Dispose();
        foreach (var filter in Filters) filter.Dispose();
    }

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

    private static NativeBuffer<float> MapBuffer(NativeBuffer<float> source, Func<float, float> map)
    {
        var buffer = new NativeBuffer<float>(source.Length);
        Span<float> values = buffer.Span, sourceValues = source.Span;
        for (int i = 0; i < values.Length; i++) values[i] = map(sourceValues[i]);
        return buffer;
    }

    private static NativeBuffer<float> RandomBuffer(long count, Random random)
    {
        var buffer = new NativeBuffer<float>(checked((int)count));
        Span<float> values = buffer.Span;
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return buffer;
    }

    /// <summary>FNV-1a of the label: stable across processes and .NET versions.</summary>
    private static int StableSeed(string label)
    {
        uint hash = 2166136261;
        foreach (char ch in label) hash = (hash ^ ch) * 16777619;
        return (int)(hash & 0x7fffffff);
    }
}

/// <summary>One implementation bound to one problem: everything allocated up front, <see cref="Run"/> only computes.</summary>
public interface IConvolutionRunner : IDisposable
{
    /// <summary>Output buffer in the runner's layout, owned by the runner (freed by its Dispose).</summary>
    NativeBuffer<float> Output { get; }

    Layout Layout { get; }

    void Run();
}
