namespace DepthwiseInterop.Tests.Shapes;

/// <summary><see cref="ShapeText"/>: the two list styles TensorFlow's messages use.</summary>
[TestFixture]
public class ShapeTextTests
{
    [TestCase(new long[] { 1, 3, 3, 1 }, "[1,3,3,1]", TestName = "Compact is TensorShape DebugString style")]
    [TestCase(new long[] { 7 }, "[7]", TestName = "Compact single value")]
    [TestCase(new long[] { -1, 1099511627776 }, "[-1,1099511627776]", TestName = "Compact negative and 64-bit values")]
    public void CompactHasNoSpaces(long[] values, string expected) => Assert.That(ShapeText.Compact(values), Is.EqualTo(expected));

    [Test]
    public void CompactOfNothingIsEmptyBrackets() => Assert.That(ShapeText.Compact([]), Is.EqualTo("[]"));

    [TestCase(new long[] { 1, 2, 2, 1 }, "[1, 2, 2, 1]", TestName = "PythonList separates with comma and space")]
    [TestCase(new long[] { -3 }, "[-3]", TestName = "PythonList single value")]
    public void PythonListLooksLikePythonsRepr(long[] values, string expected) => Assert.That(ShapeText.PythonList(values), Is.EqualTo(expected));

    [Test]
    public void PythonListOfNothingIsEmptyBrackets() => Assert.That(ShapeText.PythonList([]), Is.EqualTo("[]"));
}
