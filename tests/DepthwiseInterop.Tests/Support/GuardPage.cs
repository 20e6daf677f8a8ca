using System.Runtime.InteropServices;

namespace DepthwiseInterop.Tests.Support;

/// <summary>
/// Anonymous pages with one made unreadable after the other, so a tensor placed to end at the boundary crashes
/// the test run on any load past its last element (Linux: mmap and mprotect).
/// </summary>
public static unsafe class GuardPage
{
    public const int None = 0;
    public const nuint Size = 4096;
    private const int ReadWrite = 3, Private = 0x02, Anonymous = 0x20;

    /// <summary>
    /// Copies <paramref name="values"/> to end where an unreadable page starts and runs <paramref name="use"/> on
    /// the copy's first element; the values must fit one page.
    /// </summary>
    public static void RunOnInputEndingAtGuard(float[] values, Action<nint> use)
    {
        nuint bytes = (nuint)values.Length * sizeof(float);
        Assert.That(bytes, Is.LessThanOrEqualTo(Size), "the input must fit one page");
        nint mapping = mmap(0, 2 * Size, ReadWrite, Private | Anonymous, -1, 0);
        Assert.That(mapping, Is.Not.EqualTo((nint)(-1)), "mmap");
        try
        {
            Assert.That(mprotect(mapping + (nint)Size, Size, None), Is.Zero, "mprotect");
            var input = (float*)(mapping + (nint)(Size - bytes));
            values.CopyTo(new Span<float>(input, values.Length));
            use((nint)input);
        }
        finally
        {
            munmap(mapping, 2 * Size);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);
}
