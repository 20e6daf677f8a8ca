namespace DepthwiseInterop.Tests.Support;

/// <summary>Layout helpers written for the tests (independent of the library's indexer).</summary>
internal static class Layout
{
    /// <summary><c>[B,H,W,C]</c> to <c>[B,C,H,W]</c>.</summary>
    public static T[] NhwcToNchw<T>(T[] source, int batch, int height, int width, int channels)
    {
        var result = new T[source.Length];
        for (int b = 0; b < batch; b++)
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        for (int c = 0; c < channels; c++)
            result[((b * channels + c) * height + y) * width + x] = source[((b * height + y) * width + x) * channels + c];
        return result;
    }

    /// <summary><c>[B,C,H,W]</c> to <c>[B,H,W,C]</c>.</summary>
    public static T[] NchwToNhwc<T>(T[] source, int batch, int channels, int height, int width)
    {
        var result = new T[source.Length];
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            result[((b * height + y) * width + x) * channels + c] = source[((b * channels + c) * height + y) * width + x];
        return result;
    }

    /// <summary>Seeded values in [-1, 1), rounded to float when <paramref name="asFloat"/> (so float and double agree).</summary>
    public static double[] RandomValues(Random rng, int count, bool asFloat)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            double v = rng.NextDouble() * 2 - 1;
            values[i] = asFloat ? (float)v : v;
        }
        return values;
    }

    public static long Product(long[] shape)
    {
        long product = 1;
        foreach (long d in shape) product *= d;
        return product;
    }
}
