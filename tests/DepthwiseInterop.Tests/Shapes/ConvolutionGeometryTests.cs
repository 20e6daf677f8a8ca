namespace DepthwiseInterop.Tests.Shapes;

/// <summary><see cref="ConvolutionGeometry"/>: the output shape it writes and its guard rails.</summary>
[TestFixture]
public class ConvolutionGeometryTests
{
    [TestCase(DataFormat.NHWC, new long[] { 2, 5, 7, 3 }, new long[] { 2, 3, 4, 4 }, TestName = "NHWC output is batch, rows, cols, channels")]
    [TestCase(DataFormat.NCHW, new long[] { 2, 3, 5, 7 }, new long[] { 2, 4, 3, 4 }, TestName = "NCHW output is batch, channels, rows, cols")]
    [TestCase(DataFormat.NHWC, new long[] { 4, 1, 2, 5, 7, 3 }, new long[] { 4, 1, 2, 3, 4, 4 }, TestName = "rank 6 NHWC keeps every leading batch dimension")]
    [TestCase(DataFormat.NCHW, new long[] { 4, 2, 3, 5, 7 }, new long[] { 4, 2, 4, 3, 4 }, TestName = "rank 5 NCHW keeps every leading batch dimension")]
    public void OutputShapeKeepsLeadingDimensionsAndOrdersTheInnerOnesByLayout(DataFormat format, long[] input, long[] expected)
    {
        var geometry = ShapeInference.Conv2D(input, [3, 3, 3, 4], new ConvolutionOptions { Padding = PaddingMode.Same, StrideHeight = 2, StrideWidth = 2, DataFormat = format });
        var written = new long[expected.Length + 2];
        Array.Fill(written, -9L);
        geometry.WriteOutputShape(input, written);
        Assert.That(geometry.GetOutputShape(input), Is.EqualTo(expected));
        Assert.That(written, Is.EqualTo(expected.Concat(new long[] { -9, -9 })), "a longer destination is written only up to the rank");
    }

    [Test]
    public void WriteOutputShapeRejectsAnInputOfAnotherRank()
    {
        var geometry = ShapeInference.Conv2D([2, 5, 2, 3, 3], [2, 2, 3, 4], new ConvolutionOptions());
        Assert.That(() => geometry.WriteOutputShape([10, 2, 3, 3], new long[5]),
            Throws.ArgumentException.With.Message.StartsWith("The input shape has rank 4, but this geometry was inferred from rank 5.")
                .And.Property(nameof(ArgumentException.ParamName)).EqualTo("inputShape"));
    }

    [Test]
    public void WriteOutputShapeRejectsAShortDestination()
    {
        var geometry = ShapeInference.DepthwiseConv2D([1, 3, 3, 1], [2, 1, 1, 2], new ConvolutionOptions());
        var destination = new long[] { -9, -9, -9 };
        Assert.That(() => geometry.WriteOutputShape([1, 3, 3, 1], destination),
            Throws.ArgumentException.With.Message.StartsWith("The destination holds 3 dimensions, but the output has 4.")
                .And.Property(nameof(ArgumentException.ParamName)).EqualTo("destination"));
        Assert.That(destination, Is.EqualTo(new long[] { -9, -9, -9 }), "nothing written on failure");
    }

    [Test]
    public void OutputChannelsPerGroupIsZeroWhenThereAreNoGroups()
    {
        var geometry = ShapeInference.DepthwiseConv2D([1, 4, 4, 0], [1, 1, 0, 3], new ConvolutionOptions());
        Assert.That((geometry.Groups, geometry.OutputChannels, geometry.OutputChannelsPerGroup), Is.EqualTo((0L, 0L, 0L)));
    }
}
