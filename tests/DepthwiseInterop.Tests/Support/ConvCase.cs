namespace DepthwiseInterop.Tests.Support;

/// <summary>
/// One convolution problem for the randomized comparisons: every parameter in plain integers, so that the
/// naive oracle does not depend on the library's option or geometry types.
/// </summary>
public sealed record ConvCase
{
    public required bool Depthwise { get; init; }
    public required bool Nchw { get; init; }
    /// <summary>"VALID", "SAME" or "EXPLICIT".</summary>
    public required string Padding { get; init; }
    public required int Batch { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required int Channels { get; init; }
    public required int KernelHeight { get; init; }
    public required int KernelWidth { get; init; }
    /// <summary>Filter's third dimension: C for depthwise, C / groups for conv2d.</summary>
    public required int FilterDepth { get; init; }
    /// <summary>Filter's last dimension: the multiplier M for depthwise, Cout for conv2d.</summary>
    public required int FilterLast { get; init; }
    public int StrideHeight { get; init; } = 1;
    public int StrideWidth { get; init; } = 1;
    public int DilationHeight { get; init; } = 1;
    public int DilationWidth { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadBottom { get; init; }
    public int PadLeft { get; init; }
    public int PadRight { get; init; }
    public int Seed { get; init; }

    public ConvolutionKind Kind => Depthwise ? ConvolutionKind.DepthwiseConv2D : ConvolutionKind.Conv2D;
    public int Groups => Depthwise ? Channels : Channels / FilterDepth;
    public long[] FilterShape => [KernelHeight, KernelWidth, FilterDepth, FilterLast];
    public long[] InputShape => Nchw ? [Batch, Channels, Height, Width] : [Batch, Height, Width, Channels];
    public int InputLength => Batch * Height * Width * Channels;
    public int FilterLength => KernelHeight * KernelWidth * FilterDepth * FilterLast;

    public ConvolutionOptions Options => new()
    {
        DataFormat = Nchw ? DataFormat.NCHW : DataFormat.NHWC,
        Padding = Padding switch { "VALID" => PaddingMode.Valid, "SAME" => PaddingMode.Same, _ => PaddingMode.Explicit },
        StrideHeight = StrideHeight,
        StrideWidth = StrideWidth,
        DilationHeight = DilationHeight,
        DilationWidth = DilationWidth,
        PadTop = PadTop,
        PadBottom = PadBottom,
        PadLeft = PadLeft,
        PadRight = PadRight,
    };

    public override string ToString()
    {
        string op = Depthwise ? $"depthwise m{FilterLast}" : $"conv2d g{Groups} cout{FilterLast}";
        string pads = Padding == "EXPLICIT" ? $"EXPLICIT {PadTop}-{PadBottom}-{PadLeft}-{PadRight}" : Padding;
        return $"{op} {(Nchw ? "NCHW" : "NHWC")} {pads} s{StrideHeight}x{StrideWidth} d{DilationHeight}x{DilationWidth} " +
               $"k{KernelHeight}x{KernelWidth} b{Batch} {Height}x{Width}x{Channels} seed{Seed}";
    }

    /// <summary>
    /// <paramref name="count"/> seeded cases. Case i takes op, layout and padding from i (so every one of the
    /// 12 combinations occurs equally often); every third case has a stride above 1 together with a dilation
    /// above 1; the rest is random in the ranges the tests promise.
    /// </summary>
    public static IReadOnlyList<ConvCase> Generate(int seed, int count)
    {
        var cases = new List<ConvCase>(count);
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            bool depthwise = i % 2 == 1;
            bool nchw = i / 2 % 2 == 1;
            string padding = (i / 4 % 3) switch { 0 => "VALID", 1 => "SAME", _ => "EXPLICIT" };
            bool strideAndDilation = i % 3 == 0;
            while (true)
            {
                int sh = rng.Next(1, 4), sw = rng.Next(1, 4), dh = rng.Next(1, 4), dw = rng.Next(1, 4);
                if (strideAndDilation)
                {
                    if (sh == 1 && sw == 1) sh = rng.Next(2, 4);
                    if (dh == 1 && dw == 1) dw = rng.Next(2, 4);
                }
                int kh = rng.Next(1, 6), kw = rng.Next(1, 6);
                int h = rng.Next(1, 10), w = rng.Next(1, 10);
                // Mostly small pads; sometimes pads larger than the filter.
                int Pad() => rng.Next(4) == 0 ? rng.Next(4, 8) : rng.Next(0, 4);
                int pt = 0, pb = 0, pl = 0, pr = 0;
                if (padding == "EXPLICIT") { pt = Pad(); pb = Pad(); pl = Pad(); pr = Pad(); }
                int channels, depth, last;
                if (depthwise)
                {
                    channels = rng.Next(1, 5);
                    depth = channels;
                    last = rng.Next(1, 4);
                }
                else
                {
                    int groups = rng.Next(1, 4);
                    depth = rng.Next(1, 4);
                    channels = groups * depth;
                    last = groups * rng.Next(1, 4);
                }
                var candidate = new ConvCase
                {
                    Depthwise = depthwise, Nchw = nchw, Padding = padding, Batch = rng.Next(1, 4),
                    Height = h, Width = w, Channels = channels, KernelHeight = kh, KernelWidth = kw,
                    FilterDepth = depth, FilterLast = last, StrideHeight = sh, StrideWidth = sw,
                    DilationHeight = dh, DilationWidth = dw, PadTop = pt, PadBottom = pb, PadLeft = pl, PadRight = pr,
                    Seed = rng.Next(),
                };
                // VALID and EXPLICIT can be invalid (negative output size): draw again.
                int effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
                if (NaiveConvolution.OutputSize(h + pt + pb, effH, sh) is null) continue;
                if (NaiveConvolution.OutputSize(w + pl + pr, effW, sw) is null) continue;
                cases.Add(candidate);
                break;
            }
        }
        return cases;
    }
}
