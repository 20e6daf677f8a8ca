using DepthwiseInterop.Kernels;

namespace DepthwiseInterop.Tests.Kernels;

/// <summary>The layout copies against their index definitions, on sizes that straddle the tile edges.</summary>
public sealed class LayoutConversionTests
{
    [TestCase(1, 1, 1, 1)]
    [TestCase(2, 65, 33, 1)]
    [TestCase(3, 130, 70, 2)]
    [TestCase(1, 7, 5, 4)]
    public void PlanarToInterleavedRepeatsEachChannel(int batch, int pixels, int channels, int repeat)
    {
        var source = Enumerable.Range(0, batch * pixels * channels).Select(i => (double)i).ToArray();
        var destination = new double[batch * pixels * channels * repeat];
        LayoutConversion.ToInterleavedRepeated(ref source[0], ref destination[0], batch, pixels, channels, repeat, sourcePlanar: true);
        for (int b = 0; b < batch; b++)
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
        for (int r = 0; r < repeat; r++)
            Assert.That(destination[(b * pixels + p) * channels * repeat + c * repeat + r], Is.EqualTo(source[(b * channels + c) * pixels + p]));
    }

    [TestCase(2, 9, 5, 3)]
    public void InterleavedSourceIsRepeatedInPlaceOrder(int batch, int pixels, int channels, int repeat)
    {
        var source = Enumerable.Range(0, batch * pixels * channels).Select(i => (float)i).ToArray();
        var destination = new float[batch * pixels * channels * repeat];
        LayoutConversion.ToInterleavedRepeated(ref source[0], ref destination[0], batch, pixels, channels, repeat, sourcePlanar: false);
        for (int i = 0; i < destination.Length; i++)
            Assert.That(destination[i], Is.EqualTo(source[i / repeat]));
    }

    [TestCase(1, 1, 1)]
    [TestCase(2, 65, 33)]
    [TestCase(3, 129, 97)]
    public void InterleavedToPlanarIsTheTranspose(int batch, int pixels, int channels)
    {
        var source = Enumerable.Range(0, batch * pixels * channels).Select(i => (double)i).ToArray();
        var destination = new double[source.Length];
        LayoutConversion.ToPlanar(ref source[0], ref destination[0], batch, pixels, channels);
        for (int b = 0; b < batch; b++)
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
            Assert.That(destination[(b * channels + c) * pixels + p], Is.EqualTo(source[(b * pixels + p) * channels + c]));
    }

    /// <summary>The register-block transposes (8x8 floats, 4x4 doubles) with row and column tails and several 64-column strips.</summary>
    [TestCase(1, 7, 9)]
    [TestCase(2, 130, 70)]
    [TestCase(1, 196, 576)]
    [TestCase(1, 64, 8)]
    public void BlockTransposesMatchTheIndexDefinition(int batch, int pixels, int channels)
    {
        var planar = Enumerable.Range(0, batch * pixels * channels).Select(i => (float)i).ToArray();
        var interleaved = new float[planar.Length];
        var back = new float[planar.Length];
        LayoutConversion.ToInterleavedRepeated(ref planar[0], ref interleaved[0], batch, pixels, channels, 1, sourcePlanar: true);
        for (int b = 0; b < batch; b++)
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
            Assert.That(interleaved[(b * pixels + p) * channels + c], Is.EqualTo(planar[(b * channels + c) * pixels + p]));
        LayoutConversion.ToPlanar(ref interleaved[0], ref back[0], batch, pixels, channels);
        Assert.That(back, Is.EqualTo(planar));
        var planarDouble = planar.Select(v => (double)v).ToArray();
        var interleavedDouble = new double[planar.Length];
        LayoutConversion.ToInterleavedRepeated(ref planarDouble[0], ref interleavedDouble[0], batch, pixels, channels, 1, sourcePlanar: true);
        Assert.That(interleavedDouble, Is.EqualTo(interleaved.Select(v => (double)v).ToArray()));
    }

    /// <summary>A column range writes exactly its columns (vector blocks starting anywhere, both tails).</summary>
    [TestCase(13, 77, 5, 41)]
    [TestCase(16, 200, 0, 200)]
    [TestCase(9, 130, 64, 128)]
    [TestCase(8, 10, 3, 4)]
    public void ColumnRangesWriteExactlyTheirColumns(int rows, int columns, int begin, int end)
    {
        if (!BlockTranspose.IsAccelerated<float>()) Assert.Ignore("no AVX2 here");
        var source = Enumerable.Range(0, rows * columns).Select(i => (float)i).ToArray();
        var destination = Enumerable.Repeat(-1f, rows * columns).ToArray();
        BlockTranspose.TransposeColumns(ref source[0], rows, columns, ref destination[0], begin, end);
        for (int c = 0; c < columns; c++)
        for (int r = 0; r < rows; r++)
            Assert.That(destination[c * rows + r], Is.EqualTo(c >= begin && c < end ? source[r * columns + c] : -1f), $"row {r}, column {c}");
    }

    /// <summary>Large transposes are shared by the worker pool: the same result for every thread count.</summary>
    [Test, NonParallelizable]
    public void ParallelTransposesGiveTheSameResultForEveryThreadCount()
    {
        const int Batch = 2, Pixels = 3001, Channels = 41;
        var planar = Enumerable.Range(0, Batch * Pixels * Channels).Select(i => (float)i).ToArray();
        Support.ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
        {
            var interleaved = new float[planar.Length];
            LayoutConversion.ToInterleavedRepeated(ref planar[0], ref interleaved[0], Batch, Pixels, Channels, 1, sourcePlanar: true);
            var back = new float[planar.Length];
            LayoutConversion.ToPlanar(ref interleaved[0], ref back[0], Batch, Pixels, Channels);
            Assert.That(back, Is.EqualTo(planar));
            return interleaved;
        });
    }
}
