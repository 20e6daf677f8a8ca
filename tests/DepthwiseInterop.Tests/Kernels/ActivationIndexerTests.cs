using DepthwiseInterop.Kernels;

namespace DepthwiseInterop.Tests.Kernels;

/// <summary><see cref="ActivationIndexer"/>: flat row-major offsets in NHWC and NCHW.</summary>
[TestFixture]
public class ActivationIndexerTests
{
    [Test]
    public void NhwcEnumeratesRowMajorWithChannelsFastest()
    {
        var at = new ActivationIndexer(DataFormat.NHWC, height: 3, width: 4, channels: 5);
        long expected = 0;
        for (long b = 0; b < 2; b++)
        for (long y = 0; y < 3; y++)
        for (long x = 0; x < 4; x++)
        for (long c = 0; c < 5; c++)
            Assert.That(at[b, y, x, c], Is.EqualTo(expected++), $"({b},{y},{x},{c})");
    }

    [Test]
    public void NchwEnumeratesRowMajorWithColumnsFastest()
    {
        var at = new ActivationIndexer(DataFormat.NCHW, height: 3, width: 4, channels: 5);
        long expected = 0;
        for (long b = 0; b < 2; b++)
        for (long c = 0; c < 5; c++)
        for (long y = 0; y < 3; y++)
        for (long x = 0; x < 4; x++)
            Assert.That(at[b, y, x, c], Is.EqualTo(expected++), $"({b},{c},{y},{x})");
    }

    [Test]
    public void OffsetsUseSixtyFourBitArithmetic()
    {
        var at = new ActivationIndexer(DataFormat.NHWC, height: 1L << 20, width: 1L << 20, channels: 4);
        Assert.That(at[3, 0, 0, 1], Is.EqualTo(3L * (1L << 42) + 1));
    }
}
