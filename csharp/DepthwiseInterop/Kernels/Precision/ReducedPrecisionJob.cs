using DepthwiseInterop.Kernels.Simd;

namespace DepthwiseInterop.Kernels.Precision;

/// <summary>One float16/bfloat16 call as the worker pool's bodies see it: 16-bit tensors, the widened filter, and how to cut the work.</summary>
internal unsafe struct ReducedPrecisionJob
{
    public ushort* Input;
    public float* Filter;
    public ushort* Output;
    public ConvolutionGeometry Geometry;
    public VectorIsa Isa;
    /// <summary>Input elements a band or block aims at (tests make it tiny).</summary>
    public long BandInputElements;
    /// <summary>A conv2d's bands per thread (as few as that allows, however small a band could be); 0 sizes them like depthwise bands (tests).</summary>
    public long Conv2DBandsPerThread;
    /// <summary>Output rows of an NHWC band, or channels of an NCHW block (the last of an image may be smaller).</summary>
    public long BandSize;
    public long BandsPerImage;
    /// <summary>An NHWC depthwise call's float32 rows kernel (<see cref="Depthwise.FastDepthwiseConvolution.NhwcRowsKernel{T}"/>), or null: bands then run the dispatcher.</summary>
    public delegate*<ref float, ref float, ref float, in ConvolutionGeometry, long, long, void> DepthwiseRows;
    /// <summary>Output rows the rows kernel computes before they are narrowed (while still in L1/L2).</summary>
    public long RowsPerNarrow;
}
