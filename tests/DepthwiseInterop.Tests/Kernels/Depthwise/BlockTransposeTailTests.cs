using DepthwiseInterop.Kernels;

namespace DepthwiseInterop.Tests.Kernels.Depthwise;

/// <summary>
/// The transposes around the NHWC kernel (small NCHW planes): row and column tails as shifted-back blocks,
/// for floats (8x8 blocks) and doubles (4x4), on the plane sizes of the channel-block path (49, 196, 225
/// pixels) and on column ranges that leave tails, fit exactly, or are narrower or shorter than a block
/// (element by element, or two or three rows or columns of floats by 512-bit permutes where the tier has them): every
/// element of the range lands at its place and nothing outside it is written.
/// </summary>
public sealed class BlockTransposeTailTests
{
    [TestCase(960, 49, 0, 49)]
    [TestCase(49, 960, 0, 960)]
    [TestCase(196, 288, 0, 288)]
    [TestCase(288, 196, 0, 196)]
    [TestCase(64, 225, 0, 225)]
    [TestCase(225, 64, 0, 64)]
    [TestCase(13, 77, 5, 41)]   // both tails, range starting off a block
    [TestCase(12, 30, 6, 17)]   // range of 11 columns: one block and a shifted one
    [TestCase(20, 40, 33, 40)]  // range of 7 columns: fewer than a float block
    [TestCase(5, 40, 0, 40)]    // fewer rows than a float block
    [TestCase(4, 9, 0, 9)]      // exactly a double block of rows
    [TestCase(8, 8, 0, 8)]      // exactly one float block
    [TestCase(5003, 3, 0, 3)]   // three columns, many rows (an RGB image to NCHW)
    [TestCase(3, 5003, 0, 5003)] // three rows, many columns (NCHW planes back to three channels)
    [TestCase(2, 300, 41, 250)] // two rows, a column range
    [TestCase(4099, 2, 0, 2)]   // two columns: 512-bit permutes, then a row tail
    [TestCase(2, 4099, 0, 4099)] // two rows
    [TestCase(3, 200, 5, 197)]  // three rows, a range that starts and ends off sixteen
    [TestCase(16, 3, 0, 3)]     // exactly one step of the three-column permutes
    [TestCase(3, 16, 0, 16)]    // exactly one step of the three-row permutes
    [TestCase(40, 3, 1, 3)]     // part of three columns: one element at a time
    public void TailsAreShiftedBlocksThatWriteExactlyTheRange(int rows, int columns, int begin, int end)
    {
        if (!BlockTranspose.IsAccelerated<float>()) Assert.Ignore("no AVX2 here");
        Check<float>(rows, columns, begin, end);
        Check<double>(rows, columns, begin, end);
    }

    private static void Check<T>(int rows, int columns, int begin, int end) where T : unmanaged, System.Numerics.INumber<T>
    {
        var source = Enumerable.Range(0, rows * columns).Select(T.CreateChecked).ToArray();
        var destination = Enumerable.Repeat(-T.One, rows * columns).ToArray();
        BlockTranspose.TransposeColumns(ref source[0], rows, columns, ref destination[0], begin, end);
        for (int c = 0; c < columns; c++)
        for (int r = 0; r < rows; r++)
        {
            T expected = c >= begin && c < end ? source[r * columns + c] : -T.One;
            if (destination[c * rows + r] != expected)
                Assert.Fail($"{typeof(T).Name}: row {r}, column {c}: {destination[c * rows + r]}, expected {expected}");
        }
    }
}
