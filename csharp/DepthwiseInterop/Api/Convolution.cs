using System.Buffers;
using System.Numerics;
using DepthwiseInterop.Kernels;

namespace DepthwiseInterop;

/// <summary>
/// The managed API: TensorFlow's <c>tf.nn.conv2d</c>, <c>tf.nn.depthwise_conv2d</c> and <c>tf.nn.separable_conv2d</c> on flat row-major
/// buffers. Element types: <see cref="float"/>, <see cref="double"/>, <see cref="Half"/> (float16) and
/// <see cref="BFloat16"/>; the 16-bit types are accumulated in float32 and rounded once on store.
/// </summary>
/// <remarks>
/// Beyond TensorFlow's CPU kernels: NCHW, unequal depthwise strides and grouped conv2d are computed, and a
/// depthwise stride above 1 together with a dilation above 1 gives the true strided dilated convolution
/// (TensorFlow's Python wrapper returns a space-to-batch artefact there instead).
/// </remarks>
public static class Convolution
{
    /// <summary>Validates the arguments of <c>tf.nn.conv2d</c> and returns the problem's geometry (output shape included).</summary>
    public static ConvolutionGeometry Conv2DGeometry(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, in ConvolutionOptions options) =>
        ShapeInference.Conv2D(inputShape, filterShape, options);

    /// <summary>Validates the arguments of <c>tf.nn.depthwise_conv2d</c> and returns the problem's geometry.</summary>
    public static ConvolutionGeometry DepthwiseConv2DGeometry(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> filterShape, in ConvolutionOptions options) =>
        ShapeInference.DepthwiseConv2D(inputShape, filterShape, options);

    /// <summary>
    /// <c>tf.nn.conv2d</c> into a caller's buffer. Every buffer's length must equal its shape's element count;
    /// <paramref name="output"/> must not overlap the inputs, and is written only if the call succeeds.
    /// </summary>
    /// <exception cref="ConvolutionArgumentException">Invalid shapes, options or buffer lengths.</exception>
    /// <exception cref="ConvolutionNotSupportedException">An element type other than float, double, Half or BFloat16.</exception>
    public static void Conv2D<T>(ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> filter, ReadOnlySpan<long> filterShape,
        Span<T> output, in ConvolutionOptions options) where T : unmanaged =>
        Compute(ConvolutionKind.Conv2D, input, inputShape, filter, filterShape, output, options);

    /// <summary>
    /// <c>tf.nn.depthwise_conv2d</c> into a caller's buffer; output channel <c>c * M + m</c>. Buffer rules as
    /// for <see cref="Conv2D{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, ReadOnlySpan{T}, ReadOnlySpan{long}, Span{T}, in ConvolutionOptions)"/>.
    /// </summary>
    public static void DepthwiseConv2D<T>(ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> filter, ReadOnlySpan<long> filterShape,
        Span<T> output, in ConvolutionOptions options) where T : unmanaged =>
        Compute(ConvolutionKind.DepthwiseConv2D, input, inputShape, filter, filterShape, output, options);

    /// <summary><c>tf.nn.conv2d</c> returning a new buffer and its shape.</summary>
    public static (T[] Values, long[] Shape) Conv2D<T>(T[] input, long[] inputShape, T[] filter, long[] filterShape, ConvolutionOptions options)
        where T : unmanaged =>
        ComputeNew(ConvolutionKind.Conv2D, input, inputShape, filter, filterShape, options);

    /// <summary><c>tf.nn.depthwise_conv2d</c> returning a new buffer and its shape.</summary>
    public static (T[] Values, long[] Shape) DepthwiseConv2D<T>(T[] input, long[] inputShape, T[] filter, long[] filterShape, ConvolutionOptions options)
        where T : unmanaged =>
        ComputeNew(ConvolutionKind.DepthwiseConv2D, input, inputShape, filter, filterShape, options);

    /// <summary>Validates the arguments of <c>tf.nn.separable_conv2d</c> and returns both stages' geometry.</summary>
    public static SeparableConvolutionGeometry SeparableConv2DGeometry(ReadOnlySpan<long> inputShape, ReadOnlySpan<long> depthwiseFilterShape,
        ReadOnlySpan<long> pointwiseFilterShape, in ConvolutionOptions options) =>
        ShapeInference.SeparableConv2D(inputShape, depthwiseFilterShape, pointwiseFilterShape, options);

    /// <summary>
    /// <c>tf.nn.separable_conv2d</c> into a caller's buffer: <c>DepthwiseConv2D</c> with <paramref name="options"/>
    /// (strides, padding, dilations, layout), then a 1x1 VALID <c>Conv2D</c> with stride 1 and the same layout.
    /// <paramref name="depthwiseFilter"/> is <c>[KH, KW, C, M]</c>, <paramref name="pointwiseFilter"/>
    /// <c>[1, 1, C * M, Cout]</c>. The result is bitwise that of the two calls made one after the other. Buffer
    /// rules as for <see cref="Conv2D{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, ReadOnlySpan{T}, ReadOnlySpan{long}, Span{T}, in ConvolutionOptions)"/>;
    /// the output must overlap neither filter.
    /// </summary>
    /// <exception cref="ConvolutionArgumentException">Invalid shapes, options or buffer lengths.</exception>
    /// <exception cref="ConvolutionNotSupportedException">An element type other than float, double, Half or BFloat16, or an intermediate tensor larger than a .NET array.</exception>
    public static void SeparableConv2D<T>(ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> depthwiseFilter,
        ReadOnlySpan<long> depthwiseFilterShape, ReadOnlySpan<T> pointwiseFilter, ReadOnlySpan<long> pointwiseFilterShape, Span<T> output,
        in ConvolutionOptions options) where T : unmanaged
    {
        RequireSupportedType<T>();
        var geometry = ShapeInference.SeparableConv2D(inputShape, depthwiseFilterShape, pointwiseFilterShape, options);
        ValidateSeparableBuffers(geometry, input, inputShape, depthwiseFilter, depthwiseFilterShape, pointwiseFilter, pointwiseFilterShape, output);
        ComputeSeparable(geometry, input, depthwiseFilter, pointwiseFilter, output, ConvolutionDispatcher.Run);
    }

    /// <summary><c>tf.nn.separable_conv2d</c> returning a new buffer and its shape.</summary>
    public static (T[] Values, long[] Shape) SeparableConv2D<T>(T[] input, long[] inputShape, T[] depthwiseFilter, long[] depthwiseFilterShape,
        T[] pointwiseFilter, long[] pointwiseFilterShape, ConvolutionOptions options) where T : unmanaged
    {
        RequireSupportedType<T>();
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(depthwiseFilter);
        ArgumentNullException.ThrowIfNull(depthwiseFilterShape);
        ArgumentNullException.ThrowIfNull(pointwiseFilter);
        ArgumentNullException.ThrowIfNull(pointwiseFilterShape);
        var geometry = ShapeInference.SeparableConv2D(inputShape, depthwiseFilterShape, pointwiseFilterShape, options);
        if (geometry.OutputElementCount > Array.MaxLength)
            throw new ConvolutionArgumentException($"output of {geometry.OutputElementCount} elements is larger than a .NET array can hold");
        var output = new T[geometry.OutputElementCount];
        SeparableConv2D<T>(input, inputShape, depthwiseFilter, depthwiseFilterShape, pointwiseFilter, pointwiseFilterShape, output, options);
        return (output, geometry.GetOutputShape(inputShape));
    }

    /// <summary>Runs one validated stage (a kernel dispatcher: in-process, or a loaded kernel variant).</summary>
    internal delegate void StageRunner<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry geometry)
        where T : unmanaged;

    /// <summary>Checks element type, buffer lengths and overlap for a separable problem inferred from these shapes.</summary>
    internal static void ValidateSeparableBuffers<T>(in SeparableConvolutionGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape,
        ReadOnlySpan<T> depthwiseFilter, ReadOnlySpan<long> depthwiseFilterShape, ReadOnlySpan<T> pointwiseFilter, ReadOnlySpan<long> pointwiseFilterShape,
        Span<T> output) where T : unmanaged
    {
        RequireSupportedType<T>();
        RequireLength("input", input.Length, geometry.InputElementCount, inputShape);
        RequireLength("depthwise_filter", depthwiseFilter.Length, geometry.DepthwiseFilterElementCount, depthwiseFilterShape);
        RequireLength("pointwise_filter", pointwiseFilter.Length, geometry.PointwiseFilterElementCount, pointwiseFilterShape);
        if (output.Length != geometry.OutputElementCount)
            throw new ConvolutionArgumentException($"output buffer has {output.Length} elements, but the output needs {geometry.OutputElementCount}");
        if (output.Overlaps(input) || output.Overlaps(depthwiseFilter) || output.Overlaps(pointwiseFilter))
            throw new ConvolutionArgumentException("output buffer must not overlap the input or the filters");
    }

    /// <summary>
    /// Runs a validated separable problem: the depthwise stage into a pooled intermediate, then the pointwise
    /// stage into <paramref name="output"/>, each through <paramref name="run"/>, with the same empty-tensor rules
    /// as the two ops called one after the other.
    /// </summary>
    internal static void ComputeSeparable<T>(in SeparableConvolutionGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<T> depthwiseFilter,
        ReadOnlySpan<T> pointwiseFilter, Span<T> output, StageRunner<T> run) where T : unmanaged
    {
        if (geometry.OutputElementCount == 0) return;
        long intermediateCount = geometry.IntermediateElementCount;
        if (intermediateCount > Array.MaxLength)
            throw new ConvolutionNotSupportedException(
                $"the depthwise stage's output has {intermediateCount} elements: at most {Array.MaxLength} elements per tensor are supported");
        T[] rented = ArrayPool<T>.Shared.Rent((int)intermediateCount);
        try
        {
            var intermediate = rented.AsSpan(0, (int)intermediateCount);
            Stage(input, depthwiseFilter, intermediate, geometry.Depthwise, run);
            Stage(intermediate, pointwiseFilter, output, geometry.Pointwise, run);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }

        // The rules of a single op call: nothing to compute, or only padding to convolve (zeros, without
        // reading the tensors, as TensorFlow does).
        static void Stage(ReadOnlySpan<T> input, ReadOnlySpan<T> filter, Span<T> output, in ConvolutionGeometry stage, StageRunner<T> run)
        {
            if (stage.OutputElementCount == 0) return;
            if (stage.InputElementCount == 0) output.Clear();
            else run(input, filter, output, stage);
        }
    }

    /// <summary>The shared path of both ops: validate everything, then run the chosen kernel.</summary>
    internal static void Compute<T>(ConvolutionKind kind, ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> filter,
        ReadOnlySpan<long> filterShape, Span<T> output, in ConvolutionOptions options) where T : unmanaged
    {
        RequireSupportedType<T>();
        var geometry = ShapeInference.Infer(kind, inputShape, filterShape, options);
        Compute(geometry, input, inputShape, filter, filterShape, output);
    }

    /// <summary>Runs a problem whose geometry was inferred from exactly these shapes.</summary>
    internal static void Compute<T>(in ConvolutionGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> filter,
        ReadOnlySpan<long> filterShape, Span<T> output) where T : unmanaged
    {
        ValidateBuffers(geometry, input, inputShape, filter, filterShape, output);
        ConvolutionDispatcher.Run(input, filter, output, geometry);
    }

    /// <summary>Checks element type, buffer lengths and overlap for a problem inferred from these shapes.</summary>
    internal static void ValidateBuffers<T>(in ConvolutionGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<long> inputShape, ReadOnlySpan<T> filter,
        ReadOnlySpan<long> filterShape, Span<T> output) where T : unmanaged
    {
        RequireSupportedType<T>();
        RequireLength("input", input.Length, geometry.InputElementCount, inputShape);
        RequireLength("filter", filter.Length, geometry.FilterElementCount, filterShape);
        if (output.Length != geometry.OutputElementCount)
            throw new ConvolutionArgumentException($"output buffer has {output.Length} elements, but the output needs {geometry.OutputElementCount}");
        if (output.Overlaps(input) || output.Overlaps(filter))
            throw new ConvolutionArgumentException("output buffer must not overlap the input or the filter");
    }

    private static (T[] Values, long[] Shape) ComputeNew<T>(ConvolutionKind kind, T[] input, long[] inputShape, T[] filter, long[] filterShape,
        in ConvolutionOptions options) where T : unmanaged
    {
        RequireSupportedType<T>();
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(filterShape);
        var geometry = ShapeInference.Infer(kind, inputShape, filterShape, options);
        if (geometry.OutputElementCount > Array.MaxLength)
            throw new ConvolutionArgumentException($"output of {geometry.OutputElementCount} elements is larger than a .NET array can hold");
        var output = new T[geometry.OutputElementCount];
        Compute(kind, input, inputShape, filter, filterShape, output, options);
        return (output, geometry.GetOutputShape(inputShape));
    }

    private static void RequireSupportedType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(Half) && typeof(T) != typeof(BFloat16))
            throw new ConvolutionNotSupportedException($"element type {typeof(T).Name} is not supported: use float, double, Half or BFloat16");
    }

    private static void RequireLength(string name, int length, long expected, ReadOnlySpan<long> shape)
    {
        if (length != expected)
            throw new ConvolutionArgumentException($"{name} buffer has {length} elements, but shape {ShapeText.Compact(shape)} needs {expected}");
    }
}
