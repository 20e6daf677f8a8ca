namespace DepthwiseInterop.Kernels;

/// <summary>
/// A compile-time count for the kernels (the conv2d tile, the depthwise row-pair block): one kernel source takes its pixel and vector counts as
/// type arguments, and the JIT specializes it per struct argument, folds <see cref="Value"/> to a constant and
/// drops the accumulators a tile shape does not use (C++ would write a template parameter).
/// </summary>
internal interface ITileSize
{
    static abstract int Value { get; }
}

internal readonly struct Size1 : ITileSize { public static int Value => 1; }
internal readonly struct Size2 : ITileSize { public static int Value => 2; }
internal readonly struct Size3 : ITileSize { public static int Value => 3; }
internal readonly struct Size4 : ITileSize { public static int Value => 4; }
internal readonly struct Size5 : ITileSize { public static int Value => 5; }
internal readonly struct Size6 : ITileSize { public static int Value => 6; }
internal readonly struct Size7 : ITileSize { public static int Value => 7; }
internal readonly struct Size8 : ITileSize { public static int Value => 8; }
