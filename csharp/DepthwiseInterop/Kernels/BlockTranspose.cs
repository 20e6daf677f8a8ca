using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// Matrix transpose in registers for the layout copies: 8×8 blocks of floats (or 4×4 of doubles) are loaded
/// as rows, transposed with unpack, shuffle and 128-bit-lane permutes, and stored as columns. The blocks are
/// walked in strips of 64 source columns so that the destination rows a strip writes stay in cache; row and
/// column tails are blocks shifted back over the last full ones. Matrices narrower or shorter than a block go
/// element by element, except two or three rows or columns of floats on the AVX-512 tier (images of two or
/// three channels to and from NCHW), which take 512-bit two-source permutes: 224x224x3 to NCHW and back took
/// about 90 µs element by element, 36 µs so. The element-at-a-time tiled copy the blocks replace ran at about
/// 0.5 ns per element (a store per element, strided); the blocks move a vector per instruction.
/// </summary>
internal static class BlockTranspose
{
    private const int StripColumns = 64;

    /// <summary>Whether <see cref="Transpose{T}"/> runs on vectors for <typeparamref name="T"/> here.</summary>
    public static bool IsAccelerated<T>() => Avx2.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>destination[c * rows + r] = source[r * columns + c]. Needs <see cref="IsAccelerated{T}"/>.</summary>
    public static void Transpose<T>(ref T source, nint rows, nint columns, ref T destination) where T : unmanaged =>
        TransposeColumns(ref source, rows, columns, ref destination, 0, columns);

    /// <summary>
    /// The same for the source columns [<paramref name="columnBegin"/>, <paramref name="columnEnd"/>) only, so
    /// that threads can share one transpose by column ranges. Needs <see cref="IsAccelerated{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeColumns<T>(ref T source, nint rows, nint columns, ref T destination, nint columnBegin, nint columnEnd)
        where T : unmanaged
    {
        nint block = typeof(T) == typeof(float) ? 8 : 4;
        nint fullRows = rows - rows % block;
        nint blockEnd = columnBegin + (columnEnd - columnBegin) / block * block;
        for (nint strip = columnBegin; strip < blockEnd; strip += StripColumns)
        {
            nint stripEnd = Math.Min(strip + StripColumns, blockEnd);
            for (nint r = 0; r < fullRows; r += block)
                for (nint c = strip; c < stripEnd; c += block)
                    Block(ref source, columns, ref destination, rows, r, c);
        }
        if (rows >= block && columnEnd - columnBegin >= block)
        {
            // The column tail and the row tail as blocks shifted back to end at the last column and row, inside
            // the range (threads own column ranges): they rewrite some elements with the same values, a vector
            // at a time rather than a strided element at a time (14x14 planes have a four-row tail, 7x7 one row).
            if (blockEnd != columnEnd)
                for (nint r = 0; r < fullRows; r += block)
                    Block(ref source, columns, ref destination, rows, r, columnEnd - block);
            if (fullRows != rows)
                for (nint c = columnBegin; ; c += block)
                {
                    if (c > columnEnd - block) c = columnEnd - block;
                    Block(ref source, columns, ref destination, rows, rows - block, c);
                    if (c == columnEnd - block) break;
                }
            return;
        }
        // Fewer rows or columns than a block (images of one to three channels to and from NCHW): two or three rows or
        // columns of floats by 512-bit permutes where the tier has them, then one element at a time, along a source row
        // or column with a moving reference, not an index product per element.
        nint firstRow = 0, firstColumn = columnBegin;
        if (typeof(T) == typeof(float) && Avx512F.IsSupported)
        {
            if (rows is 2 or 3)
                firstColumn = InterleaveRows(ref Unsafe.As<T, float>(ref source), rows, columns, ref Unsafe.As<T, float>(ref destination), columnBegin, columnEnd);
            else if (columns is 2 or 3 && columnBegin == 0 && columnEnd == columns)
                firstRow = DeinterleaveColumns(ref Unsafe.As<T, float>(ref source), rows, columns, ref Unsafe.As<T, float>(ref destination));
        }
        for (nint r = fullRows; r < rows; r++)
        {
            ref T from = ref Unsafe.Add(ref source, r * columns);
            ref T to = ref Unsafe.Add(ref destination, firstColumn * rows + r);
            for (nint c = firstColumn; c < columnEnd; c++)
            {
                to = Unsafe.Add(ref from, c);
                to = ref Unsafe.Add(ref to, rows);
            }
        }
        for (nint c = blockEnd; c < columnEnd; c++)
        {
            ref T from = ref Unsafe.Add(ref source, firstRow * columns + c);
            ref T to = ref Unsafe.Add(ref destination, c * rows);
            for (nint r = firstRow; r < fullRows; r++)
            {
                Unsafe.Add(ref to, r) = from;
                from = ref Unsafe.Add(ref from, columns);
            }
        }
    }

    /// <summary>
    /// destination[c * rows + r] = source[r * columns + c] for two or three columns, all of them, sixteen rows at a time:
    /// the rows' 32 or 48 floats loaded as two or three vectors, each column gathered from them by one or two
    /// two-source permutes (<c>vpermt2ps</c>). Returns the first row left to the caller (fewer than sixteen remain).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nint DeinterleaveColumns(ref float source, nint rows, nint columns, ref float destination)
    {
        // Column c, lane i: flat element i * columns + c of the sixteen rows.
        Span<int> flat = stackalloc int[16];
        Span<Vector512<int>> first = stackalloc Vector512<int>[3], second = stackalloc Vector512<int>[3];
        for (int c = 0; c < columns; c++)
        {
            for (int i = 0; i < 16; i++) flat[i] = i * (int)columns + c;
            PermuteIndices(flat, out first[c], out second[c]);
        }
        Vector512<int> first0 = first[0], second0 = second[0], first1 = first[1], second1 = second[1], first2 = first[2], second2 = second[2];
        nint r = 0;
        for (; r + 16 <= rows; r += 16)
        {
            ref float from = ref Unsafe.Add(ref source, r * columns);
            Vector512<float> a = Vector512.LoadUnsafe(ref from), b = Vector512.LoadUnsafe(ref from, 16);
            if (columns == 2)
            {
                Avx512F.PermuteVar16x32x2(a, first0, b).StoreUnsafe(ref destination, (nuint)r);
                Avx512F.PermuteVar16x32x2(a, first1, b).StoreUnsafe(ref destination, (nuint)(rows + r));
                continue;
            }
            Vector512<float> c2 = Vector512.LoadUnsafe(ref from, 32);
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a, first0, b), second0, c2).StoreUnsafe(ref destination, (nuint)r);
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a, first1, b), second1, c2).StoreUnsafe(ref destination, (nuint)(rows + r));
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a, first2, b), second2, c2).StoreUnsafe(ref destination, (nuint)(2 * rows + r));
        }
        return r;
    }

    /// <summary>
    /// The indices of two chained <c>vpermt2ps</c> that gather lane i of the result from element <paramref name="flat"/>[i] of
    /// three vectors laid end to end: the first from the first two (elements below 32), the second keeps those lanes
    /// and takes the others from the third.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PermuteIndices(ReadOnlySpan<int> flat, out Vector512<int> first, out Vector512<int> second)
    {
        Span<int> a = stackalloc int[16], b = stackalloc int[16];
        for (int i = 0; i < 16; i++)
        {
            a[i] = flat[i] < 32 ? flat[i] : 0;
            b[i] = flat[i] < 32 ? i : 16 + flat[i] - 32;
        }
        first = Vector512.Create<int>(a);
        second = Vector512.Create<int>(b);
    }

    /// <summary>
    /// destination[c * rows + r] = source[r * columns + c] for two or three rows and the columns from
    /// <paramref name="columnBegin"/>, sixteen columns at a time: the rows' sixteen floats loaded, the 32 or 48 outputs
    /// (column by column, each its rows in turn) made by one or two two-source permutes each. Returns the first column
    /// left to the caller (fewer than sixteen remain before <paramref name="columnEnd"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nint InterleaveRows(ref float source, nint rows, nint columns, ref float destination, nint columnBegin, nint columnEnd)
    {
        // Output vector q, lane i: flat output o = 16q + i is column o / rows of row o % rows, element row * 16 + column
        // of the rows' three vectors.
        Span<int> flat = stackalloc int[16];
        Span<Vector512<int>> first = stackalloc Vector512<int>[3], second = stackalloc Vector512<int>[3];
        for (int q = 0; q < rows; q++)
        {
            for (int i = 0; i < 16; i++) flat[i] = (16 * q + i) % (int)rows * 16 + (16 * q + i) / (int)rows;
            PermuteIndices(flat, out first[q], out second[q]);
        }
        Vector512<int> first0 = first[0], second0 = second[0], first1 = first[1], second1 = second[1], first2 = first[2], second2 = second[2];
        nint c = columnBegin;
        for (; c + 16 <= columnEnd; c += 16)
        {
            Vector512<float> p0 = Vector512.LoadUnsafe(ref source, (nuint)c), p1 = Vector512.LoadUnsafe(ref source, (nuint)(columns + c));
            ref float to = ref Unsafe.Add(ref destination, c * rows);
            if (rows == 2)
            {
                Avx512F.PermuteVar16x32x2(p0, first0, p1).StoreUnsafe(ref to);
                Avx512F.PermuteVar16x32x2(p0, first1, p1).StoreUnsafe(ref to, 16);
                continue;
            }
            Vector512<float> p2 = Vector512.LoadUnsafe(ref source, (nuint)(2 * columns + c));
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(p0, first0, p1), second0, p2).StoreUnsafe(ref to);
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(p0, first1, p1), second1, p2).StoreUnsafe(ref to, 16);
            Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(p0, first2, p1), second2, p2).StoreUnsafe(ref to, 32);
        }
        return c;
    }

    /// <summary>The block at source row <paramref name="r"/>, column <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref T source, nint columns, ref T destination, nint rows, nint r, nint c) where T : unmanaged
    {
        ref T from = ref Unsafe.Add(ref source, r * columns + c);
        ref T to = ref Unsafe.Add(ref destination, c * rows + r);
        if (typeof(T) == typeof(float)) Block8(ref Unsafe.As<T, float>(ref from), columns, ref Unsafe.As<T, float>(ref to), rows);
        else Block4(ref Unsafe.As<T, double>(ref from), columns, ref Unsafe.As<T, double>(ref to), rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(ref float s, nint sourceStride, ref float d, nint destinationStride)
    {
        nuint ss = (nuint)sourceStride, ds = (nuint)destinationStride;
        Vector256<float> r0 = Vector256.LoadUnsafe(ref s), r1 = Vector256.LoadUnsafe(ref s, ss), r2 = Vector256.LoadUnsafe(ref s, 2 * ss),
            r3 = Vector256.LoadUnsafe(ref s, 3 * ss), r4 = Vector256.LoadUnsafe(ref s, 4 * ss), r5 = Vector256.LoadUnsafe(ref s, 5 * ss),
            r6 = Vector256.LoadUnsafe(ref s, 6 * ss), r7 = Vector256.LoadUnsafe(ref s, 7 * ss);
        // t0 = [r00 r10 r01 r11 | r04 r14 r05 r15], t1 = [r02 r12 r03 r13 | r06 r16 r07 r17], ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // u0 = column 0 | column 4 of rows 0-3, u1 = columns 1 | 5, u2 = 2 | 6, u3 = 3 | 7; u4-u7 the same for rows 4-7.
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d, ds);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d, 2 * ds);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d, 3 * ds);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d, 4 * ds);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d, 5 * ds);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d, 6 * ds);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d, 7 * ds);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(ref double s, nint sourceStride, ref double d, nint destinationStride)
    {
        nuint ss = (nuint)sourceStride, ds = (nuint)destinationStride;
        Vector256<double> r0 = Vector256.LoadUnsafe(ref s), r1 = Vector256.LoadUnsafe(ref s, ss), r2 = Vector256.LoadUnsafe(ref s, 2 * ss),
            r3 = Vector256.LoadUnsafe(ref s, 3 * ss);
        // t0 = [r00 r10 | r02 r12], t1 = [r01 r11 | r03 r13], t2 = [r20 r30 | r22 r32], t3 = [r21 r31 | r23 r33].
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref d, ds);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref d, 2 * ds);
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref d, 3 * ds);
    }
}
