using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels.Threading;

namespace DepthwiseInterop.Kernels;

/// <summary>
/// One <see cref="BlockTranspose"/> of a matrix shared by the worker pool in ranges of source columns, so that
/// the layout copies around the NHWC kernels (NCHW problems, small planes) scale with the threads like the
/// kernels they surround. Copies only: the result does not depend on the split.
/// </summary>
internal static unsafe class ParallelTranspose
{
    /// <summary>Below this many elements one thread copies: waking a worker costs more than the copy.</summary>
    private const long ParallelThresholdElements = 1 << 15;
    private const long ColumnsPerItem = 64;

    private struct Job
    {
        public void* Source;
        public void* Destination;
        public nint Rows, Columns;
    }

    /// <summary>destination[c * rows + r] = source[r * columns + c]. Needs <see cref="BlockTranspose.IsAccelerated{T}"/>.</summary>
    public static void Run<T>(ref T source, nint rows, nint columns, ref T destination) where T : unmanaged
    {
        long items = (columns + ColumnsPerItem - 1) / ColumnsPerItem;
        int threads = (long)rows * columns < ParallelThresholdElements ? 1 : WorkerPool.ThreadCount;
        fixed (T* from = &source)
        fixed (T* to = &destination)
        {
            var job = new Job { Source = from, Destination = to, Rows = rows, Columns = columns };
            WorkerPool.Shared.For(items, threads, &RunColumns<T>, &job);
        }
    }

    private static void RunColumns<T>(void* context, long firstItem, long endItem) where T : unmanaged
    {
        ref Job job = ref Unsafe.AsRef<Job>(context);
        BlockTranspose.TransposeColumns(ref Unsafe.AsRef<T>(job.Source), job.Rows, job.Columns, ref Unsafe.AsRef<T>(job.Destination),
            (nint)(firstItem * ColumnsPerItem), (nint)Math.Min(endItem * ColumnsPerItem, job.Columns));
    }
}
