namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Deterministic inputs of one problem, in pinned (POH) arrays: NHWC and NCHW copies of the input, and the
/// TensorFlow filters in the order the op takes them. The runners hold a reference to this object for as long
/// as they use its pointers (pinned arrays referenced by nothing are still collected).
/// </summary>
public sealed class TensorData
{
    public IBenchmarkShape Shape { get; }
    public float[] InputNhwc { get; }
    public float[] InputNchw { get; }
    public IReadOnlyList<float[]> Filters { get; }

    /// <summary>The first (for depthwise and conv2d the only) filter.</summary>
    public float[] Filter => Filters[0];

    public TensorData(IBenchmarkShape s)
    {
        Shape = s;
        // A fixed seed per shape, the same in every process (string hash codes are randomised per process).
        var random = new Random(StableSeed(s.ToString()!));
        InputNhwc = RandomPinned(s.InputCount, random);
        Filters = s.FilterShapes.Select(shape => RandomPinned(shape.Aggregate(1L, (a, b) => a * b), random)).ToArray();
        InputNchw = GC.AllocateArray<float>(InputNhwc.Length, pinned: true);
        NhwcToNchw(InputNhwc, InputNchw, s.N, s.H, s.W, s.C);
    }

    /// <summary>A copy of <paramref name="source"/> with <paramref name="map"/> applied to every input and filter value.</summary>
    private TensorData(TensorData source, Func<float, float> map)
    {
        Shape = source.Shape;
        InputNhwc = MapPinned(source.InputNhwc, map);
        InputNchw = MapPinned(source.InputNchw, map);
        Filters = source.Filters.Select(filter => MapPinned(filter, map)).ToArray();
    }

    /// <summary>
    /// The same problem with every value passed through <paramref name="map"/>, e.g. rounded to float16 and
    /// widened back: the float32 inputs a reduced-precision row actually computes on.
    /// </summary>
    public TensorData Select(Func<float, float> map) => new(this, map);

    public float[] Input(Layout layout) => layout == Layout.NHWC ? InputNhwc : InputNchw;

    /// <summary>A zeroed pinned fp32 buffer of the problem's output size, for a runner to write into.</summary>
    public float[] NewOutput() => GC.AllocateArray<float>(checked((int)Shape.OutputCount), pinned: true);

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

    private static float[] MapPinned(float[] source, Func<float, float> map)
    {
        var values = GC.AllocateArray<float>(source.Length, pinned: true);
        for (int i = 0; i < values.Length; i++) values[i] = map(source[i]);
        return values;
    }

    private static float[] RandomPinned(long count, Random random)
    {
        var values = GC.AllocateArray<float>(checked((int)count), pinned: true);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
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
    /// <summary>Output buffer in the runner's layout.</summary>
    float[] Output { get; }

    Layout Layout { get; }

    void Run();
}
