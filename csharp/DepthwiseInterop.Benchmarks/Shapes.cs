namespace DepthwiseInterop.Benchmarks;

/// <summary>Activation layout of a benchmark row. ONNX Runtime rows are always NCHW (the only layout its Conv takes).</summary>
public enum Layout
{
    NHWC,
    NCHW,
}

/// <summary>
/// One fp32 depthwise problem: an N x H x W x C input, a K x K filter with channel multiplier M, stride S on
/// both axes, TensorFlow SAME padding (odd padding pixel at the bottom/right), no dilation.
/// </summary>
public sealed record DepthwiseShape(int N, int H, int W, int C, int M, int K, int S)
{
    public int OutH => (H + S - 1) / S;
    public int OutW => (W + S - 1) / S;

    private int PadTotalH => Math.Max((OutH - 1) * S + K - H, 0);
    private int PadTotalW => Math.Max((OutW - 1) * S + K - W, 0);
    public int PadTop => PadTotalH / 2;
    public int PadBottom => PadTotalH - PadTop;
    public int PadLeft => PadTotalW / 2;
    public int PadRight => PadTotalW - PadLeft;

    public int OutC => C * M;
    public long InputCount => (long)N * H * W * C;
    public long FilterCount => (long)K * K * C * M;
    public long OutputCount => (long)N * OutH * OutW * OutC;
    public long Macs => OutputCount * K * K;
    public double Flops => 2.0 * Macs;

    /// <summary>Input + filter + output, fp32: the bytes the roofline's memory bound moves.</summary>
    public long Bytes => 4 * (InputCount + FilterCount + OutputCount);

    public long[] InputShape(Layout layout) => layout == Layout.NHWC ? [N, H, W, C] : [N, C, H, W];
    public long[] OutputShape(Layout layout) => layout == Layout.NHWC ? [N, OutH, OutW, OutC] : [N, OutC, OutH, OutW];
    public long[] FilterShape => [K, K, C, M];

    /// <summary>The row label, e.g. "dw3x3 N8 56x56x144 m2 s1"; report.py parses nothing from it but sorts by list order.</summary>
    public override string ToString() =>
        $"dw{K}x{K} {(N > 1 ? $"N{N} " : "")}{H}x{W}x{C}{(M > 1 ? $" m{M}" : "")} s{S}";
}

/// <summary>The benchmarked shapes, in report order.</summary>
public static class BenchmarkShapes
{
    public static readonly IReadOnlyList<DepthwiseShape> All =
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
}
