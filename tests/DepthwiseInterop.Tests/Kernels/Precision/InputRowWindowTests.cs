using DepthwiseInterop.Kernels.Precision;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// <see cref="InputRowWindow"/> keeps the rows that consecutive bands share and widens only the new ones. The
/// tests change the 16-bit source between calls: a row the window reuses still shows the old value, a row it
/// widens shows the new one, so each branch (reuse, moving the shared rows to the front, starting over, the
/// zero row) is seen in the values it returns.
/// </summary>
public sealed unsafe class InputRowWindowTests
{
    private const int RowElements = 5;
    private const int ImageRows = 9;

    [Test]
    public void ABandThatContinuesTheWindowWidensOnlyItsNewRows()
    {
        var source = Image(generation: 1);
        var window = new InputRowWindow(new float[ImageRows * RowElements], RowElements, ImageRows);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 0, rows: 4), Is.EqualTo(Expected(0, 4, generation: 1)));
        Fill(source, generation: 2);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 2, rows: 4), Is.EqualTo(Expected(2, 2, generation: 1).Concat(Expected(4, 2, generation: 2))));
        // A band inside the window widens nothing.
        Fill(source, generation: 3);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 3, rows: 2), Is.EqualTo(Expected(3, 1, generation: 1).Concat(Expected(4, 1, generation: 2))));
    }

    [Test]
    public void AFullWindowMovesItsSharedRowsToTheFront()
    {
        var source = Image(generation: 1);
        var window = new InputRowWindow(new float[5 * RowElements], RowElements, capacityRows: 5);
        Rows(ref window, source, image: 0, firstRow: 0, rows: 4);
        Fill(source, generation: 2);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 2, rows: 4), Is.EqualTo(Expected(2, 2, generation: 1).Concat(Expected(4, 2, generation: 2))));
        Fill(source, generation: 3);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 5, rows: 4), Is.EqualTo(Expected(5, 1, generation: 2).Concat(Expected(6, 3, generation: 3))));
    }

    [TestCase(1, 6, TestName = "AnotherImageStartsANewWindow")]
    [TestCase(0, 7, TestName = "RowsThatSkipAheadStartANewWindow")]
    [TestCase(0, 0, TestName = "RowsAboveTheWindowStartANewWindow")]
    public void StartsOver(int image, int firstRow)
    {
        var source = Image(generation: 1, images: 2);
        var window = new InputRowWindow(new float[ImageRows * RowElements], RowElements, ImageRows);
        Rows(ref window, source, image: 0, firstRow: 3, rows: 3);
        Fill(source, generation: 2);
        Assert.That(Rows(ref window, source, image, firstRow, rows: 2), Is.EqualTo(Expected(firstRow, 2, generation: 2, image)));
    }

    [Test]
    public void TheZeroRowIsZerosAndEndsTheWindow()
    {
        var source = Image(generation: 1);
        var window = new InputRowWindow(new float[ImageRows * RowElements], RowElements, ImageRows);
        Rows(ref window, source, image: 0, firstRow: 0, rows: 3);
        Assert.That(window.ZeroRow().ToArray(), Is.EqualTo(new float[RowElements]));
        Fill(source, generation: 2);
        Assert.That(Rows(ref window, source, image: 0, firstRow: 1, rows: 3), Is.EqualTo(Expected(1, 3, generation: 2)));
    }

    private static float[] Rows(ref InputRowWindow window, ushort[] source, int image, int firstRow, int rows)
    {
        fixed (ushort* imageInput = &source[image * ImageRows * RowElements])
            return window.Rows<HalfFormat>(imageInput, image, firstRow, rows).ToArray();
    }

    // Element e of row r of image i in generation n: a distinct small integer, exact in float16.
    private static float Value(int image, int row, int element, int generation) => generation * 128 + image * 50 + row * RowElements + element;

    private static ushort[] Image(int generation, int images = 1)
    {
        var source = new ushort[images * ImageRows * RowElements];
        Fill(source, generation);
        return source;
    }

    private static void Fill(ushort[] source, int generation)
    {
        for (int i = 0; i < source.Length; i++)
        {
            int image = i / (ImageRows * RowElements), row = i / RowElements % ImageRows, element = i % RowElements;
            source[i] = BitConverter.HalfToUInt16Bits((Half)Value(image, row, element, generation));
        }
    }

    private static IEnumerable<float> Expected(int firstRow, int rows, int generation, int image = 0) =>
        Enumerable.Range(firstRow * RowElements, rows * RowElements).Select(i => Value(image, i / RowElements, i % RowElements, generation));
}
