namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// How the conv2d micro-kernel finds the input of weight row k, as a type argument so that the JIT compiles
/// each way without a test per row: from the per-call offset table, or, for a 1x1 filter (where the table
/// holds k itself), as input channel k with no table load.
/// </summary>
internal interface ITapOffsets
{
    static abstract bool Channel { get; }
}

internal readonly struct TableOffsets : ITapOffsets { public static bool Channel => false; }
internal readonly struct ChannelOffsets : ITapOffsets { public static bool Channel => true; }
