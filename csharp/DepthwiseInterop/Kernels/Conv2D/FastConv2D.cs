using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DepthwiseInterop.Kernels.Simd;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// Runs a conv2d (dense, pointwise or grouped) on the SIMD kernel <see cref="Conv2DNhwcKernel"/>: builds the
/// offset table and packs the filter for the chosen vector width (or leaves the packing to the work items, see
/// <see cref="Conv2DNhwcKernel.Plan.Packed"/>), brings an NCHW input to NHWC (and the output back) through
/// scratch buffers, and runs the kernel's work items (pixel panels × ranges of channel blocks) on the worker
/// pool. Scratch buffers come from the shared array pool; nothing else is allocated per call.
/// </summary>
internal static class FastConv2D
{
    /// <summary>
    /// Computes the problem if a vector width of the selected tier fits the output channels of a group (the
    /// widest that does); false otherwise, for the reference to take it.
    /// </summary>
    public static bool TryRun<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g, VectorIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long outputsPerGroup = g.OutputChannelsPerGroup;
        // The kernel keeps tap offsets in 32 bits; geometries beyond that (huge dilations) go to the reference.
        // (In double: the product of four 31-bit values can overflow 64 bits.)
        double lastTapOffset = ((double)(g.FilterHeight - 1) * g.DilationHeight * g.InputWidth + (double)(g.FilterWidth - 1) * g.DilationWidth + 1) * g.InputChannels;
        if (lastTapOffset > int.MaxValue || (double)g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup > int.MaxValue / 2) return false;
        if (isa >= VectorIsa.Avx512 && outputsPerGroup >= Vector512<T>.Count && Vector512.IsHardwareAccelerated)
            Run<Vector512<T>, T>(input, filter, output, g);
        else if (isa >= VectorIsa.Avx2 && outputsPerGroup >= Vector256<T>.Count && Vector256.IsHardwareAccelerated)
            Run<Vector256<T>, T>(input, filter, output, g);
        else if (isa >= VectorIsa.Sse2 && outputsPerGroup >= Vector128<T>.Count && Vector128.IsHardwareAccelerated)
            Run<Vector128<T>, T>(input, filter, output, g);
        else
            return false;
        return true;
    }

    /// <summary>Below this many multiply-adds a call stays on the caller's thread: waking a worker costs more.</summary>
    private const long ParallelThresholdMacs = 1L << 20;

    /// <summary>Runs the problem at vector width <typeparamref name="TVector"/> (<c>Vector128/256/512&lt;T&gt;</c>), which must fit the output channels of a
    /// group; it need not be hardware accelerated (tests run the 512-bit kernel this way on machines without it).</summary>
    internal static unsafe void Run<TVector, T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry g)
        where TVector : unmanaged where T : unmanaged, IFloatingPointIeee754<T>
    {
        long macs = g.OutputElementCount * g.FilterHeight * g.FilterWidth * g.ChannelsPerGroup;
        int threads = macs < ParallelThresholdMacs ? 1 : WorkerPool.ThreadCount;
        var plan = new Conv2DNhwcKernel.Plan(g, RawVector.Count<TVector, T>(), sizeof(TVector), threads);
        bool nchw = g.DataFormat == DataFormat.NCHW;

        T[]? packed = null, zero = null, inputScratch = null, outputScratch = null;
        int[]? offsets = null;
        try
        {
            offsets = ArrayPool<int>.Shared.Rent(checked((int)(2 * plan.Taps)));
            Conv2DNhwcKernel.BuildOffsets(offsets, plan);
            if (plan.Packed) packed = ArrayPool<T>.Shared.Rent(checked((int)plan.PackedLength + Conv2DNhwcKernel.AlignmentElements<T>()));
            zero = ArrayPool<T>.Shared.Rent(checked((int)g.ChannelsPerGroup));
            zero.AsSpan(0, (int)g.ChannelsPerGroup).Clear();

            ReadOnlySpan<T> nhwcInput = input;
            Span<T> nhwcOutput = output;
            if (nchw)
            {
                inputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.InputElementCount));
                Transpose(input, inputScratch, g.Batch, g.InputChannels, g.InputHeight * g.InputWidth);
                nhwcInput = inputScratch;
                outputScratch = ArrayPool<T>.Shared.Rent(checked((int)g.OutputElementCount));
                nhwcOutput = outputScratch.AsSpan(0, (int)g.OutputElementCount);
            }

            fixed (T* inputPointer = nhwcInput)
            fixed (T* filterPointer = filter)
            fixed (T* packedBase = packed)
            fixed (T* zeroPointer = zero)
            fixed (int* offsetsPointer = offsets)
            fixed (T* outputPointer = nhwcOutput)
            {
                T* packedPointer = Conv2DNhwcKernel.Align(packedBase);
                if (plan.Packed) Conv2DNhwcKernel.PackFilter<TVector, T>(filter, new Span<T>(packedPointer, (int)plan.PackedLength), plan);
                var job = new Job<T> { Input = inputPointer, Filter = filterPointer, Packed = packedPointer, Zero = zeroPointer, Offsets = offsetsPointer, Output = outputPointer, Plan = plan };
                WorkerPool.Shared.For(plan.Items, threads, &RunItems<TVector, T>, &job);
            }

            if (nchw) Transpose(nhwcOutput, output, g.Batch, g.OutputHeight * g.OutputWidth, g.OutputChannels);
        }
        finally
        {
            if (packed is not null) ArrayPool<T>.Shared.Return(packed);
            if (zero is not null) ArrayPool<T>.Shared.Return(zero);
            if (offsets is not null) ArrayPool<int>.Shared.Return(offsets);
            if (inputScratch is not null) ArrayPool<T>.Shared.Return(inputScratch);
            if (outputScratch is not null) ArrayPool<T>.Shared.Return(outputScratch);
        }
    }

    private unsafe struct Job<T> where T : unmanaged
    {
        public T* Input;
        public T* Filter;
        public T* Packed;
        public T* Zero;
        public int* Offsets;
        public T* Output;
        public Conv2DNhwcKernel.Plan Plan;
    }

    private static unsafe void RunItems<TVector, T>(void* context, long firstItem, long endItem)
        where TVector : unmanaged where T : unmanaged
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
        Conv2DNhwcKernel.RunItems<TVector, T>(ref *job.Input, ref *job.Filter, ref *job.Packed, ref *job.Zero, ref *job.Offsets, ref *job.Output, job.Plan, firstItem, endItem);
    }

    /// <summary>
    /// <c>[batch][rows][columns]</c> to <c>[batch][columns][rows]</c> (NCHW to NHWC with rows = C, columns = H × W,
    /// and back with rows = H × W, columns = C): 8 × 8 float or 4 × 4 double blocks in AVX registers where the
    /// hardware has AVX, the edges (and other machines) element by element in 16 × 16 tiles.
    /// </summary>
    private static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, long batch, long rows, long columns)
        where T : unmanaged
    {
        ref T from = ref MemoryMarshal.GetReference(source);
        ref T to = ref MemoryMarshal.GetReference(destination);
        nint r = (nint)rows, c = (nint)columns, image = r * c;
        nint block = !Avx.IsSupported ? 0 : typeof(T) == typeof(float) ? 8 : typeof(T) == typeof(double) ? 4 : 0;
        nint fullRows = block == 0 ? 0 : r - r % block, fullColumns = block == 0 ? 0 : c - c % block;
        for (nint b = 0; b < (nint)batch; b++)
        {
            ref T imageFrom = ref Unsafe.Add(ref from, b * image);
            ref T imageTo = ref Unsafe.Add(ref to, b * image);
            for (nint i = 0; i < fullRows; i += block)
                for (nint j = 0; j < fullColumns; j += block)
                {
                    ref T blockFrom = ref Unsafe.Add(ref imageFrom, i * c + j);
                    ref T blockTo = ref Unsafe.Add(ref imageTo, j * r + i);
                    if (typeof(T) == typeof(float))
                        Transpose8x8(ref Unsafe.As<T, float>(ref blockFrom), c, ref Unsafe.As<T, float>(ref blockTo), r);
                    else
                        Transpose4x4(ref Unsafe.As<T, double>(ref blockFrom), c, ref Unsafe.As<T, double>(ref blockTo), r);
                }
            // What the blocks left: the last rows % block rows in full, and the last columns of the other rows.
            TransposeScalar(ref imageFrom, ref imageTo, r, c, fullRows, r, 0, c);
            TransposeScalar(ref imageFrom, ref imageTo, r, c, 0, fullRows, fullColumns, c);
        }
    }

    private static void TransposeScalar<T>(ref T from, ref T to, nint rows, nint columns, nint rowBegin, nint rowEnd, nint columnBegin, nint columnEnd)
    {
        const int Tile = 16;
        if (rowEnd - rowBegin < Tile)
        {
            // Few rows (an NCHW input of 3 channels): write each destination row in order, reading every source row.
            for (nint j = columnBegin; j < columnEnd; j++)
                for (nint i = rowBegin; i < rowEnd; i++)
                    Unsafe.Add(ref to, j * rows + i) = Unsafe.Add(ref from, i * columns + j);
            return;
        }
        for (nint r0 = rowBegin; r0 < rowEnd; r0 += Tile)
        {
            nint r1 = Math.Min(r0 + Tile, rowEnd);
            for (nint c0 = columnBegin; c0 < columnEnd; c0 += Tile)
            {
                nint c1 = Math.Min(c0 + Tile, columnEnd);
                for (nint i = r0; i < r1; i++)
                    for (nint j = c0; j < c1; j++)
                        Unsafe.Add(ref to, j * rows + i) = Unsafe.Add(ref from, i * columns + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float from, nint fromStride, ref float to, nint toStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref from), r1 = Vector256.LoadUnsafe(ref from, (nuint)fromStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref from, (nuint)(2 * fromStride)), r3 = Vector256.LoadUnsafe(ref from, (nuint)(3 * fromStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref from, (nuint)(4 * fromStride)), r5 = Vector256.LoadUnsafe(ref from, (nuint)(5 * fromStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref from, (nuint)(6 * fromStride)), r7 = Vector256.LoadUnsafe(ref from, (nuint)(7 * fromStride));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref to);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref to, (nuint)toStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref to, (nuint)(2 * toStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref to, (nuint)(3 * toStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref to, (nuint)(4 * toStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref to, (nuint)(5 * toStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref to, (nuint)(6 * toStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref to, (nuint)(7 * toStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(ref double from, nint fromStride, ref double to, nint toStride)
    {
        Vector256<double> r0 = Vector256.LoadUnsafe(ref from), r1 = Vector256.LoadUnsafe(ref from, (nuint)fromStride);
        Vector256<double> r2 = Vector256.LoadUnsafe(ref from, (nuint)(2 * fromStride)), r3 = Vector256.LoadUnsafe(ref from, (nuint)(3 * fromStride));
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref to);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref to, (nuint)toStride);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref to, (nuint)(2 * toStride));
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref to, (nuint)(3 * toStride));
    }
}
