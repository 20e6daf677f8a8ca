namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// Which groups a conv2d tile's channel vectors belong to, as a type argument so that the JIT compiles each way
/// without a test per row: all to one group (a block of that group's vectors, sharing each broadcast input
/// value), or, for groups of exactly one vector, one vector for each of two neighbouring groups (a group pair),
/// whose second vector reads its input a group's channels further on. A pair gives one-vector groups the 6 × 2
/// tile (12 independent sums) instead of 8 × 1, whose 8 sums were each a chain as long as the FMA latency allows.
/// </summary>
internal interface IBlockGroups
{
    static abstract bool Pair { get; }
}

internal readonly struct OneGroup : IBlockGroups { public static bool Pair => false; }
internal readonly struct GroupPair : IBlockGroups { public static bool Pair => true; }
