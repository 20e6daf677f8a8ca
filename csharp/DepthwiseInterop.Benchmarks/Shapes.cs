namespace DepthwiseInterop.Benchmarks;

/// <summary>Activation layout of a benchmark row. ONNX Runtime rows are always NCHW (the only layout its Conv takes).</summary>
public enum Layout
{
    NHWC,
    NCHW,
}

/// <summary>
/// What every benchmarked fp32 problem tells the harness: its input, output and filters (for buffers, the ONNX
/// model and validation) and its work and traffic (for the GFLOP/s and roofline columns).
/// </summary>
public interface IBenchmarkShape
{
    int N { get; }
    int H { get; }
    int W { get; }
    int C { get; }
    int OutH { get; }
    int OutW { get; }
    int OutC { get; }
    long InputCount { get; }
    long OutputCount { get; }

    /// <summary>TensorFlow filter shapes, in the order the op takes them.</summary>
    IReadOnlyList<long[]> FilterShapes { get; }

    double Flops { get; }

    /// <summary>Input + filters + output, fp32: the bytes the roofline's memory bound moves.</summary>
    long Bytes { get; }
}

/// <summary>Activation shapes of any <see cref="IBenchmarkShape"/> in either layout.</summary>
public static class BenchmarkShapeLayouts
{
    public static long[] InputShape(this IBenchmarkShape s, Layout layout) =>
        layout == Layout.NHWC ? [s.N, s.H, s.W, s.C] : [s.N, s.C, s.H, s.W];

    public static long[] OutputShape(this IBenchmarkShape s, Layout layout) =>
        layout == Layout.NHWC ? [s.N, s.OutH, s.OutW, s.OutC] : [s.N, s.OutC, s.OutH, s.OutW];
}

/// <summary>TensorFlow SAME padding along one axis: odd padding pixel at the bottom/right, no dilation.</summary>
public readonly record struct SamePadding(int Size, int Kernel, int Stride)
{
    public int Out => (Size + Stride - 1) / Stride;
    private int Total => Math.Max((Out - 1) * Stride + Kernel - Size, 0);
    public int Before => Total / 2;
    public int After => Total - Before;
}

/// <summary>
/// One fp32 depthwise problem: an N x H x W x C input, a K x K filter with channel multiplier M, stride S on
/// both axes, TensorFlow SAME padding, no dilation.
/// </summary>
public sealed record DepthwiseShape(int N, int H, int W, int C, int M, int K, int S) : IBenchmarkShape
{
    public SamePadding Rows => new(H, K, S);
    public SamePadding Columns => new(W, K, S);
    public int OutH => Rows.Out;
    public int OutW => Columns.Out;
    public int OutC => C * M;
    public long InputCount => (long)N * H * W * C;
    public long FilterCount => (long)K * K * C * M;
    public long OutputCount => (long)N * OutH * OutW * OutC;
    public long Macs => OutputCount * K * K;
    public double Flops => 2.0 * Macs;
    public long Bytes => 4 * (InputCount + FilterCount + OutputCount);
    public long[] FilterShape => [K, K, C, M];
    public IReadOnlyList<long[]> FilterShapes => [FilterShape];

    /// <summary>The row label, e.g. "dw3x3 N8 56x56x144 m2 s1"; report.py parses nothing from it but sorts by list order.</summary>
    public override string ToString() =>
        $"dw{K}x{K} {(N > 1 ? $"N{N} " : "")}{H}x{W}x{C}{(M > 1 ? $" m{M}" : "")} s{S}";
}

/// <summary>
/// One fp32 conv2d problem: N x H x W x C input, a [K, K, C / Groups, OutC] filter, stride S on both axes,
/// TensorFlow SAME padding, no dilation. Groups > 1 is grouped conv2d (contiguous group-major channel blocks).
/// </summary>
public sealed record Conv2DShape(int N, int H, int W, int C, int OutC, int K, int S, int Groups = 1) : IBenchmarkShape
{
    public SamePadding Rows => new(H, K, S);
    public SamePadding Columns => new(W, K, S);
    public int OutH => Rows.Out;
    public int OutW => Columns.Out;
    public int InputChannelsPerGroup => C / Groups;
    public long InputCount => (long)N * H * W * C;
    public long FilterCount => (long)K * K * InputChannelsPerGroup * OutC;
    public long OutputCount => (long)N * OutH * OutW * OutC;
    public long Macs => OutputCount * K * K * InputChannelsPerGroup;
    public double Flops => 2.0 * Macs;
    public long Bytes => 4 * (InputCount + FilterCount + OutputCount);
    public long[] FilterShape => [K, K, InputChannelsPerGroup, OutC];
    public IReadOnlyList<long[]> FilterShapes => [FilterShape];

    /// <summary>The row label, e.g. "conv3x3 56x56x64->64 s1", "pw1x1 7x7x960->320", "gconv3x3 28x28x256->256 g32 s1".</summary>
    public override string ToString()
    {
        string kind = Groups > 1 ? "gconv" : K == 1 ? "pw" : "conv";
        string stride = K == 1 && S == 1 ? "" : $" s{S}";
        return $"{kind}{K}x{K} {(N > 1 ? $"N{N} " : "")}{H}x{W}x{C}->{OutC}{(Groups > 1 ? $" g{Groups}" : "")}{stride}";
    }
}

/// <summary>
/// One fp32 separable_conv2d problem: the depthwise stage <see cref="Depthwise"/> (K x K, multiplier M, stride
/// S, SAME), then the 1x1 pointwise stage <see cref="Pointwise"/> from C·M to OutC channels.
/// </summary>
public sealed record SeparableShape(int N, int H, int W, int C, int M, int K, int S, int OutC) : IBenchmarkShape
{
    public DepthwiseShape Depthwise => new(N, H, W, C, M, K, S);
    public Conv2DShape Pointwise => new(N, Depthwise.OutH, Depthwise.OutW, C * M, OutC, 1, 1);
    public int OutH => Depthwise.OutH;
    public int OutW => Depthwise.OutW;
    public long InputCount => (long)N * H * W * C;
    public long OutputCount => Pointwise.OutputCount;
    public IReadOnlyList<long[]> FilterShapes => [Depthwise.FilterShape, Pointwise.FilterShape];
    public double Flops => Depthwise.Flops + Pointwise.Flops;

    /// <summary>
    /// The fused op's traffic: input, both filters, output. The intermediate tensor is left out on purpose: a
    /// separable kernel that keeps it in cache is what the op can gain over two calls.
    /// </summary>
    public long Bytes => 4 * (InputCount + Depthwise.FilterCount + Pointwise.FilterCount + OutputCount);

    /// <summary>The row label, e.g. "sep3x3 56x56x144->24 s1".</summary>
    public override string ToString() =>
        $"sep{K}x{K} {(N > 1 ? $"N{N} " : "")}{H}x{W}x{C}{(M > 1 ? $" m{M}" : "")}->{OutC} s{S}";
}

/// <summary>The benchmarked shapes, in report order.</summary>
public static class BenchmarkShapes
{
    public static readonly IReadOnlyList<DepthwiseShape> Depthwise =
    [
        // MobileNetV2's depthwise layers (performance.md §2), batch 1, 3x3 SAME.
        new(1, 112, 112, 32, 1, 3, 1),
        new(1, 112, 112, 96, 1, 3, 2),
        new(1, 56, 56, 144, 1, 3, 1),
        new(1, 56, 56, 144, 1, 3, 2),
        new(1, 28, 28, 192, 1, 3, 1),
        new(1, 14, 14, 384, 1, 3, 1),
        new(1, 14, 14, 576, 1, 3, 1),
        new(1, 7, 7, 960, 1, 3, 1),
        // 5x5 (MobileNetV3 / EfficientNet style).
        new(1, 14, 14, 672, 1, 5, 1),
        // Batch 8: a 29 MB working set, at the L3 / DRAM boundary.
        new(8, 56, 56, 144, 1, 3, 1),
        // Channel multipliers above 1.
        new(1, 56, 56, 72, 2, 3, 1),
        new(1, 28, 28, 48, 4, 3, 1),
        // Sizes that are not multiples of a vector or a register tile.
        new(1, 15, 15, 64, 1, 3, 1),
        new(1, 30, 30, 64, 1, 3, 1),
        new(1, 60, 60, 64, 1, 3, 1),
    ];

    /// <summary>Issue #6's conv2d shapes.</summary>
    public static readonly IReadOnlyList<Conv2DShape> Conv2D =
    [
        // Dense 3x3 (performance.md §2's peer row: ORT and torch at 98-99% of FMA peak), batch 1 and 8.
        new(1, 56, 56, 64, 64, 3, 1),
        new(8, 56, 56, 64, 64, 3, 1),
        // MobileNetV2 pointwise layers: projection, expansion, and the last block's 7x7 projection.
        new(1, 56, 56, 144, 24, 1, 1),
        new(1, 56, 56, 24, 144, 1, 1),
        new(1, 7, 7, 960, 320, 1, 1),
        // MobileNetV2's first layer: 3 input channels, stride 2.
        new(1, 224, 224, 3, 32, 3, 2),
        // Grouped 3x3, 32 groups of 8 channels (ResNeXt style).
        new(1, 28, 28, 256, 256, 3, 1, Groups: 32),
    ];

    /// <summary>
    /// Issue #7's float16 / bfloat16 rows (each also run in float32): MobileNetV2 depthwise layers, a 5x5, the
    /// dense 3x3 conv2d and a pointwise projection.
    /// </summary>
    public static readonly IReadOnlyList<IBenchmarkShape> Half =
    [
        new DepthwiseShape(1, 112, 112, 32, 1, 3, 1),
        new DepthwiseShape(1, 56, 56, 144, 1, 3, 1),
        new DepthwiseShape(1, 56, 56, 144, 1, 3, 2),
        new DepthwiseShape(1, 14, 14, 576, 1, 3, 1),
        new DepthwiseShape(1, 14, 14, 672, 1, 5, 1),
        new Conv2DShape(1, 56, 56, 64, 64, 3, 1),
        new Conv2DShape(1, 56, 56, 144, 24, 1, 1),
    ];

    /// <summary>The one shape of <see cref="Half"/> also measured in NCHW.</summary>
    public static readonly DepthwiseShape HalfNchw = new(1, 56, 56, 144, 1, 3, 1);

    /// <summary>The managed API's first calls (<see cref="FirstCallsBenchmarks"/>): depthwise and conv2d, large and small layers.</summary>
    public static readonly IReadOnlyList<IBenchmarkShape> FirstCalls =
    [
        new DepthwiseShape(1, 56, 56, 144, 1, 3, 1),
        new DepthwiseShape(1, 7, 7, 960, 1, 3, 1),
        new Conv2DShape(1, 56, 56, 64, 64, 3, 1),
        new Conv2DShape(1, 7, 7, 960, 320, 1, 1),
    ];

    /// <summary>MobileNetV2 inverted-residual blocks' depthwise + projection, as one separable_conv2d each.</summary>
    public static readonly IReadOnlyList<SeparableShape> Separable =
    [
        new(1, 56, 56, 144, 1, 3, 1, 24),
        new(1, 56, 56, 144, 1, 3, 2, 32),
        new(1, 14, 14, 576, 1, 3, 1, 96),
    ];
}
