namespace DepthwiseInterop.Tests.Support;

/// <summary>Runs a computation under several thread settings and requires the same bits every time.</summary>
public static class ThreadCounts
{
    private static readonly int[] Settings = [1, 2, 3, 8, 1];

    public static void AssertSameBitsForEveryThreadCount<T>(Func<T[]> compute)
    {
        int previous = ComputeSettings.ThreadCount;
        try
        {
            T[]? first = null;
            foreach (int threads in Settings)
            {
                ComputeSettings.ThreadCount = threads;
                var output = compute();
                first ??= output;
                Assert.That(output, Is.EqualTo(first), $"{threads} threads");
            }
        }
        finally
        {
            ComputeSettings.ThreadCount = previous;
        }
    }
}
