namespace DepthwiseInterop.Tests.Api;

/// <summary>
/// Steady state allocates nothing on the managed heap: after warm-up, repeated calls of every op, layout,
/// multiplier and element type (scratch from the array pool, plans on the stack, work items as function
/// pointers) leave the calling thread's allocation counter unchanged. With one thread all work runs on the
/// caller, so the counter sees every allocation the call could make.
/// </summary>
[NonParallelizable]
public sealed class AllocationTests
{
    private static IEnumerable<TestCaseData> Calls()
    {
        yield return Case<float>("depthwise NHWC", [1, 56, 56, 144], [3, 3, 144, 1], depthwise: true, DataFormat.NHWC);
        yield return Case<float>("depthwise NCHW", [1, 144, 56, 56], [3, 3, 144, 1], depthwise: true, DataFormat.NCHW);
        yield return Case<float>("depthwise multiplier 2", [1, 28, 28, 72], [3, 3, 72, 2], depthwise: true, DataFormat.NHWC);
        yield return Case<double>("depthwise float64", [1, 28, 28, 32], [5, 5, 32, 1], depthwise: true, DataFormat.NHWC);
        yield return Case<Half>("depthwise float16", [1, 56, 56, 144], [3, 3, 144, 1], depthwise: true, DataFormat.NHWC);
        yield return Case<BFloat16>("depthwise bfloat16 NCHW", [1, 32, 30, 30], [3, 3, 32, 1], depthwise: true, DataFormat.NCHW);
        yield return Case<float>("conv2d dense", [1, 28, 28, 64], [3, 3, 64, 64], depthwise: false, DataFormat.NHWC);
        yield return Case<float>("conv2d pointwise NCHW", [1, 96, 14, 14], [1, 1, 96, 24], depthwise: false, DataFormat.NCHW);
        yield return Case<Half>("conv2d float16", [1, 14, 14, 32], [3, 3, 32, 32], depthwise: false, DataFormat.NHWC);
        yield return Case<BFloat16>("conv2d pointwise bfloat16", [1, 28, 28, 32], [1, 1, 32, 40], depthwise: false, DataFormat.NHWC);
        var separable = new ConvolutionOptions { Padding = PaddingMode.Same };
        long[] input = [1, 56, 56, 144], depthwise = [3, 3, 144, 1], pointwise = [1, 1, 144, 24];
        var (x, d, p, y) = (new float[56 * 56 * 144], new float[9 * 144], new float[144 * 24], new float[56 * 56 * 24]);
        yield return new TestCaseData((Action)(() => Convolution.SeparableConv2D<float>(x, input, d, depthwise, p, pointwise, y, separable)))
            .SetArgDisplayNames("separable (fused)");
    }

    private static TestCaseData Case<T>(string name, long[] inputShape, long[] filterShape, bool depthwise, DataFormat format) where T : unmanaged
    {
        var options = new ConvolutionOptions { Padding = PaddingMode.Same, DataFormat = format };
        var geometry = depthwise ? Convolution.DepthwiseConv2DGeometry(inputShape, filterShape, options) : Convolution.Conv2DGeometry(inputShape, filterShape, options);
        var (input, filter, output) = (new T[geometry.InputElementCount], new T[geometry.FilterElementCount], new T[geometry.OutputElementCount]);
        Action call = depthwise
            ? () => Convolution.DepthwiseConv2D<T>(input, inputShape, filter, filterShape, output, options)
            : () => Convolution.Conv2D<T>(input, inputShape, filter, filterShape, output, options);
        return new TestCaseData(call).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Calls))]
    public void SteadyStateCallsAllocateNothing(Action call)
    {
        int previous = ComputeSettings.ThreadCount;
        ComputeSettings.ThreadCount = 1;
        try
        {
            for (int i = 0; i < 20; i++) call();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) call();
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by 20 calls");
        }
        finally
        {
            ComputeSettings.ThreadCount = previous;
        }
    }
}
