namespace DepthwiseInterop.Tests;

/// <summary>Runs README.md's .NET example; tests/python/test_readme.py checks that README shows exactly this code.</summary>
public sealed class ReadmeExampleTests
{
    [Test]
    public void ReadmeDotNetExampleGivesTheDocumentedValues()
    {
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        float[] filter = [1, 2, 3, 4];
        var (values, shape) = Convolution.DepthwiseConv2D(input, [1, 3, 3, 1], filter, [2, 1, 1, 2],
            new ConvolutionOptions { Padding = PaddingMode.Valid });
        // values: 13 18 17 24 21 30 25 36 29 42 33 48; shape: 1 2 3 2

        Assert.That(values, Is.EqualTo(new float[] { 13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48 }));
        Assert.That(shape, Is.EqualTo(new long[] { 1, 2, 3, 2 }));
    }
}
