namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// Where a conv2d tile reads its weights, as a type argument so that the JIT compiles each way without a test
/// per row: a packed copy (a block's vectors side by side, row after row), or the filter itself (row k at
/// k × output channels), packing each row into the copy as it goes so that the block's later tiles read that.
/// </summary>
internal interface IWeightSource
{
    static abstract bool FromFilter { get; }
}

internal readonly struct PackedWeights : IWeightSource { public static bool FromFilter => false; }
internal readonly struct PackingWeights : IWeightSource { public static bool FromFilter => true; }
