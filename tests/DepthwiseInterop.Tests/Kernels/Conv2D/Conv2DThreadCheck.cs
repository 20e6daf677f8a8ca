using System.Runtime.Intrinsics;
using DepthwiseInterop.Kernels.Conv2D;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Conv2D;

/// <summary>The 256-bit conv2d kernel on a random problem under every thread setting: the same bits each time.</summary>
internal static class Conv2DThreadCheck
{
    public static void AssertSameBitsForEveryThreadCount(ConvolutionGeometry geometry, int seed)
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, (int)geometry.InputElementCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var filter = Enumerable.Range(0, (int)geometry.FilterElementCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        ThreadCounts.AssertSameBitsForEveryThreadCount(() =>
        {
            var output = new float[geometry.OutputElementCount];
            FastConv2D.Run<Vector256<float>, float>(input, filter, output, geometry);
            return output;
        });
    }
}
