using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// One call of a bfloat16 depthwise kernel (<see cref="BFloat16DepthwisePairs"/>, <see cref="BFloat16DepthwiseStride2"/>,
/// <see cref="BFloat16DepthwiseFiveWide"/>) on 256-bit or 512-bit vectors: the work items on the pool, each a kernel's
/// rows (one row, or a row pair) of one image and a range of its channel groups (<see cref="ChannelGroups"/>); each chunk
/// of items widening and splitting the filter of the groups it computes into its thread's buffer
/// (<see cref="BFloat16Lanes.WidenWeights"/>); and zeros for the padding.
/// </summary>
internal static unsafe class BFloat16DepthwiseCall
{
    /// <summary>Work items a call aims for per thread (short images have few rows: their channel groups are split too).</summary>
    private const long ItemsPerThread = 8;

    /// <summary>
    /// What every bfloat16 depthwise kernel requires: the AVX2 or AVX-512 tier (its instructions), NHWC, multiplier 1, a
    /// square <paramref name="filterSize"/> filter at <paramref name="stride"/> both ways, unit dilations, at least one
    /// 256-bit group of sixteen channels, and rows to compute.
    /// </summary>
    public static bool Takes(in ConvolutionGeometry g, VectorIsa isa, long filterSize, long stride) =>
        isa >= VectorIsa.Avx2 && Avx2.IsSupported && Fma.IsSupported
        && g.Kind == ConvolutionKind.DepthwiseConv2D && g.DataFormat == DataFormat.NHWC && g.OutputChannels == g.InputChannels
        && g.FilterHeight == filterSize && g.FilterWidth == filterSize && g.StrideHeight == stride && g.StrideWidth == stride
        && g.DilationHeight == 1 && g.DilationWidth == 1
        && g.InputChannels >= BFloat16Lanes.GroupChannels && g.OutputHeight > 0 && g.InputHeight > 0;

    /// <summary>
    /// Whether a problem the kernels take runs on 512-bit vectors: the AVX-512 tier, where the float32 path it competes with
    /// runs 512-bit kernels too, and at least one group of thirty-two channels (fewer run on 256-bit vectors).
    /// </summary>
    public static bool Wide(in ConvolutionGeometry g, VectorIsa isa) =>
        isa == VectorIsa.Avx512 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.InputChannels >= BFloat16Lanes.ChannelsPerLoad<Vector512<float>>();

    /// <summary>Runs a problem the kernel takes on the widest vectors <see cref="Wide"/> allows.</summary>
    public static void Run<TKernel256, TKernel512>(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g, VectorIsa isa)
        where TKernel256 : struct, IBFloat16DepthwiseKernel where TKernel512 : struct, IBFloat16DepthwiseKernel
    {
        if (Wide(g, isa)) Run<TKernel512, Vector512<float>>(input, filter, output, g);
        else Run<TKernel256, Vector256<float>>(input, filter, output, g);
    }

    private static void Run<TKernel, TVector>(ushort* input, ushort* filter, ushort* output, in ConvolutionGeometry g)
        where TKernel : struct, IBFloat16DepthwiseKernel where TVector : struct
    {
        long itemsPerImage = (g.OutputHeight + TKernel.RowsPerItem - 1) / TKernel.RowsPerItem, rows = g.Batch * itemsPerImage;
        long macs = g.OutputElementCount * TKernel.Taps;
        int threads = macs < NhwcRowBands.DepthwiseParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        var groups = new ChannelGroups(g.InputChannels, BFloat16Lanes.ChannelsPerLoad<TVector>(), rows, threads, ItemsPerThread);
        fixed (ushort* zeroPointer = Zeros(checked((int)(TKernel.ZeroRowPixels(g) * g.InputChannels))))
        {
            var job = new BFloat16DepthwiseJob
            {
                Call = Interlocked.Increment(ref s_calls), Input = input, Filter = filter, Output = output, ZeroRow = zeroPointer, Groups = groups, ItemsPerImage = (nint)itemsPerImage,
                Height = (nint)g.InputHeight, Width = (nint)g.InputWidth, OutputHeight = (nint)g.OutputHeight,
                OutputWidth = (nint)g.OutputWidth, StrideHeight = (nint)g.StrideHeight, PadTop = (nint)g.PadTop, PadLeft = (nint)g.PadLeft, PadRight = (nint)g.PadRight,
            };
            WorkerPool.Shared.For(rows * groups.ItemsPerRow, threads, &RunItems<TKernel, TVector>, &job);
        }
    }

    private static ushort[] s_zeros = [];

    /// <summary>
    /// At least <paramref name="length"/> zeros, for the rows and columns in the padding: one array for every call, never
    /// written once allocated (a pooled row cleared by each call had its lines in the other cores' caches, as the widened
    /// weights had). It only grows, and keeps the largest size asked for (about one input row, a few rows wide): calls
    /// racing to grow it each allocate zeros, and any of those arrays will do.
    /// </summary>
    private static ushort[] Zeros(int length)
    {
        var zeros = Volatile.Read(ref s_zeros);
        if (zeros.Length >= length) return zeros;
        zeros = new ushort[Math.Max(length, 2 * zeros.Length)];
        Volatile.Write(ref s_zeros, zeros);
        return zeros;
    }

    /// <summary>Calls so far: each call's number tells a thread whether its widened weights are this call's.</summary>
    private static long s_calls;

    /// <summary>This thread's widened weights and the call they were widened for.</summary>
    [ThreadStatic] private static float[]? t_weights;
    [ThreadStatic] private static long t_weightsCall;

    /// <summary>
    /// One chunk of work items on one thread. The thread widens and splits the whole filter into its own buffer
    /// (<see cref="BFloat16Lanes.WidenWeights"/>) at its first chunk of a call, and its later chunks of the call read it: a
    /// buffer widened once by the caller and read by every thread had its lines in the other cores' caches when the next
    /// call rewrote it (waiting for those to be invalidated made the widening 5-10% of a 2-thread call; perf: 14x14x672 5x5,
    /// stores 67% of the widening's samples), and widening at every chunk (four a thread) took up to 1.10x the time at 2
    /// threads (C harness, 31 alternated rounds: 5x5 14x14x672 1.10, 28x28x240 1.08; 3x3 14x14x576 1.03, 56x56x144 1.02,
    /// 112x112x32 1.00).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems<TKernel, TVector>(void* context, long firstItem, long endItem)
        where TKernel : struct, IBFloat16DepthwiseKernel where TVector : struct
    {
        // The pool's last chunks may be empty.
        if (firstItem >= endItem) return;
        var job = Unsafe.AsRef<BFloat16DepthwiseJob>(context);
        int length = checked(TKernel.Taps * (int)job.Groups.TapStride);
        float[] weights = t_weights is { } buffer && buffer.Length >= length ? buffer : NewWeightsBuffer(length);
        fixed (float* weightsPointer = weights)
        {
            if (t_weightsCall != job.Call)
            {
                BFloat16Lanes.WidenWeights<TVector>(job.Filter, weights, TKernel.Taps, job.Groups, 0, job.Groups.Count);
                t_weightsCall = job.Call;
            }
            job.Weights = weightsPointer;
            nint itemsPerRow = job.Groups.ItemsPerRow;
            for (long item = firstItem; item < endItem; item++)
            {
                nint rows = (nint)(item / itemsPerRow), split = (nint)(item % itemsPerRow);
                var (first, end) = job.Groups.ItemGroups(split);
                TKernel.Rows(job, rows / job.ItemsPerImage, rows % job.ItemsPerImage * TKernel.RowsPerItem, first, end);
            }
        }
    }

    /// <summary>A larger buffer for this thread's widened weights (only as a call needs more than any before on this thread).</summary>
    private static float[] NewWeightsBuffer(int length)
    {
        t_weightsCall = 0;
        return t_weights = new float[length];
    }
}

/// <summary>A bfloat16 depthwise kernel as <see cref="BFloat16DepthwiseCall"/> runs it.</summary>
internal interface IBFloat16DepthwiseKernel
{
    /// <summary>Filter taps (height × width).</summary>
    static abstract int Taps { get; }

    /// <summary>Output rows a work item computes (two for row pairs).</summary>
    static abstract int RowsPerItem { get; }

    /// <summary>Pixels of zeros the kernel may read from the zero row at one row's offsets (its blocks reach past the output width).</summary>
    static abstract long ZeroRowPixels(in ConvolutionGeometry g);

    /// <summary>Output rows [<paramref name="row"/>, + <see cref="RowsPerItem"/>) of an image (those below the height skipped), channel groups [first, end).</summary>
    static abstract void Rows(in BFloat16DepthwiseJob job, nint image, nint row, nint firstGroup, nint endGroup);
}

/// <summary>A bfloat16 depthwise call's tensors, geometry and channel groups as its work items read them.</summary>
internal unsafe struct BFloat16DepthwiseJob
{
    /// <summary>The call's number (see <see cref="BFloat16DepthwiseCall"/>'s widened weights).</summary>
    public long Call;
    public ushort* Input, Filter;
    /// <summary>The filter widened and split (<see cref="BFloat16Lanes.WidenWeights"/>), by each thread into its own buffer.</summary>
    public float* Weights;
    public ushort* Output;
    public ushort* ZeroRow;
    public ChannelGroups Groups;
    /// <summary>Work items' rows per image (rows, or row pairs).</summary>
    public nint ItemsPerImage;
    public nint Height, Width, OutputHeight, OutputWidth, StrideHeight, PadTop, PadLeft, PadRight;

    public readonly nint Channels => Groups.Channels;

    /// <summary>
    /// Input row <c>outputRow × stride − PadTop + <paramref name="tap"/></c> of <paramref name="image"/>, placed so that its
    /// column x − PadLeft is at the result + x × C; the zero row for rows in the padding.
    /// </summary>
    public readonly ushort* InputRow(nint image, nint outputRow, nint tap)
    {
        nint inputRow = outputRow * StrideHeight - PadTop + tap;
        return (nuint)inputRow >= (nuint)Height ? ZeroRow : Input + ((image * Height + inputRow) * Width - PadLeft) * Channels;
    }

    /// <summary>Output row <paramref name="outputRow"/> of <paramref name="image"/>.</summary>
    public readonly ushort* OutputRow(nint image, nint outputRow) => Output + (image * OutputHeight + outputRow) * OutputWidth * Channels;
}
