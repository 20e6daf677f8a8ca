using System.Numerics;
using System.Runtime.InteropServices;
using DepthwiseInterop.Kernels;
using DepthwiseInterop.Kernels.Separable;

namespace DepthwiseInterop.Native;

/// <summary>
/// The convolution exports: translate C arguments into spans and <see cref="ConvolutionOptions"/>, let the
/// managed core validate and compute, and turn any exception into a status.
/// </summary>
internal static unsafe class ConvolutionExports
{
    private const int MaxRank = 32;

    [UnmanagedCallersOnly(EntryPoint = "di_conv_params_init")]
    public static int ConvParamsInit(ConvParams* parameters)
    {
        if (parameters == null) return ExceptionBoundary.Fail(Status.InvalidArgument, "params is NULL");
        *parameters = default;
        parameters->StructSize = ConvParams.Size;
        parameters->DataFormat = (int)DataFormat.NHWC;
        parameters->Padding = (int)PaddingMode.Valid;
        for (int i = 0; i < 4; i++)
        {
            parameters->Strides[i] = 1;
            parameters->Dilations[i] = 1;
        }
        return (int)Status.Ok;
    }

    [UnmanagedCallersOnly(EntryPoint = "di_conv2d_output_shape")]
    public static int Conv2DOutputShape(long* inputShape, int inputRank, long* filterShape, int filterRank, ConvParams* parameters,
        long* outputShape, int outputShapeCapacity, int* outputRank) =>
        OutputShape(ConvolutionKind.Conv2D, inputShape, inputRank, filterShape, filterRank, parameters, outputShape, outputShapeCapacity, outputRank);

    [UnmanagedCallersOnly(EntryPoint = "di_depthwise_conv2d_output_shape")]
    public static int DepthwiseConv2DOutputShape(long* inputShape, int inputRank, long* filterShape, int filterRank, ConvParams* parameters,
        long* outputShape, int outputShapeCapacity, int* outputRank) =>
        OutputShape(ConvolutionKind.DepthwiseConv2D, inputShape, inputRank, filterShape, filterRank, parameters, outputShape, outputShapeCapacity, outputRank);

    [UnmanagedCallersOnly(EntryPoint = "di_conv2d")]
    public static int Conv2D(int dtype, void* input, long inputCount, long* inputShape, int inputRank,
        void* filter, long filterCount, long* filterShape, int filterRank, ConvParams* parameters, void* output, long outputCount) =>
        Compute(ConvolutionKind.Conv2D, dtype, input, inputCount, inputShape, inputRank, filter, filterCount, filterShape, filterRank,
            parameters, output, outputCount);

    [UnmanagedCallersOnly(EntryPoint = "di_depthwise_conv2d")]
    public static int DepthwiseConv2D(int dtype, void* input, long inputCount, long* inputShape, int inputRank,
        void* filter, long filterCount, long* filterShape, int filterRank, ConvParams* parameters, void* output, long outputCount) =>
        Compute(ConvolutionKind.DepthwiseConv2D, dtype, input, inputCount, inputShape, inputRank, filter, filterCount, filterShape, filterRank,
            parameters, output, outputCount);

    [UnmanagedCallersOnly(EntryPoint = "di_separable_conv2d_output_shape")]
    public static int SeparableConv2DOutputShape(long* inputShape, int inputRank, long* depthwiseFilterShape, int depthwiseFilterRank,
        long* pointwiseFilterShape, int pointwiseFilterRank, ConvParams* parameters, long* outputShape, int outputShapeCapacity, int* outputRank)
    {
        try
        {
            var input = Shape(inputShape, inputRank, "input");
            var depthwiseFilter = Shape(depthwiseFilterShape, depthwiseFilterRank, "depthwise_filter");
            var pointwiseFilter = Shape(pointwiseFilterShape, pointwiseFilterRank, "pointwise_filter");
            var geometry = ShapeInference.SeparableConv2D(input, depthwiseFilter, pointwiseFilter, Options(ConvolutionKind.DepthwiseConv2D, parameters));
            geometry.WriteOutputShape(input, OutputShapeDestination(outputShape, outputShapeCapacity, outputRank, geometry.OutputRank));
            *outputRank = geometry.OutputRank;
            return (int)Status.Ok;
        }
        catch (Exception exception)
        {
            return ExceptionBoundary.ToStatus(exception);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "di_separable_conv2d")]
    public static int SeparableConv2D(int dtype, void* input, long inputCount, long* inputShape, int inputRank,
        void* depthwiseFilter, long depthwiseFilterCount, long* depthwiseFilterShape, int depthwiseFilterRank,
        void* pointwiseFilter, long pointwiseFilterCount, long* pointwiseFilterShape, int pointwiseFilterRank,
        ConvParams* parameters, void* output, long outputCount)
    {
        try
        {
            var inputDims = Shape(inputShape, inputRank, "input");
            var depthwiseDims = Shape(depthwiseFilterShape, depthwiseFilterRank, "depthwise_filter");
            var pointwiseDims = Shape(pointwiseFilterShape, pointwiseFilterRank, "pointwise_filter");
            var geometry = ShapeInference.SeparableConv2D(inputDims, depthwiseDims, pointwiseDims, Options(ConvolutionKind.DepthwiseConv2D, parameters));
            RequireCount("input", inputCount, geometry.InputElementCount, inputDims, input);
            RequireCount("depthwise_filter", depthwiseFilterCount, geometry.DepthwiseFilterElementCount, depthwiseDims, depthwiseFilter);
            RequireCount("pointwise_filter", pointwiseFilterCount, geometry.PointwiseFilterElementCount, pointwiseDims, pointwiseFilter);
            RequireCount("output", outputCount, geometry.OutputElementCount, default, output);
            int elementSize = ElementTypes.SizeOf(dtype);
            if (elementSize == 0) return UnknownDtype(dtype);
            if (geometry.OutputElementCount == 0) return (int)Status.Ok;
            RequireSpanLength("input", inputCount);
            RequireSpanLength("depthwise_filter", depthwiseFilterCount);
            RequireSpanLength("pointwise_filter", pointwiseFilterCount);
            RequireSpanLength("output", outputCount);
            RequireNoOverlap(output, outputCount, input, inputCount, depthwiseFilter, depthwiseFilterCount, elementSize);
            RequireNoOverlap(output, outputCount, pointwiseFilter, pointwiseFilterCount, null, 0, elementSize);
            var run = new SeparableRun
            {
                Dtype = dtype, Geometry = geometry, Input = input, InputShape = inputShape, InputRank = inputRank, DepthwiseFilter = depthwiseFilter,
                DepthwiseFilterShape = depthwiseFilterShape, PointwiseFilter = pointwiseFilter, PointwiseFilterShape = pointwiseFilterShape, Output = output,
            };
            ElementTypes.TryInvoke(dtype, ref run);
            return (int)Status.Ok;
        }
        catch (Exception exception)
        {
            return ExceptionBoundary.ToStatus(exception);
        }
    }

    /// <summary>Runs the validated separable problem in the loaded kernel variant, or in this library.</summary>
    private struct SeparableRun : IElementTypeAction
    {
        public int Dtype;
        public SeparableConvolutionGeometry Geometry;
        public void* Input, DepthwiseFilter, PointwiseFilter, Output;
        public long* InputShape, DepthwiseFilterShape, PointwiseFilterShape;
        public int InputRank;

        public readonly void Invoke<T>() where T : unmanaged
        {
            var input = new ReadOnlySpan<T>(Input, (int)Geometry.InputElementCount);
            var depthwise = new ReadOnlySpan<T>(DepthwiseFilter, (int)Geometry.DepthwiseFilterElementCount);
            var pointwise = new ReadOnlySpan<T>(PointwiseFilter, (int)Geometry.PointwiseFilterElementCount);
            var output = new Span<T>(Output, (int)Geometry.OutputElementCount);
            Convolution.ValidateSeparableBuffers(Geometry, input, new ReadOnlySpan<long>(InputShape, InputRank), depthwise,
                new ReadOnlySpan<long>(DepthwiseFilterShape, 4), pointwise, new ReadOnlySpan<long>(PointwiseFilterShape, 4), output);
            SeparableDispatcher.RequireSupportedIntermediate(Geometry);
            if (KernelVariant.IsLoaded) KernelVariant.RunSeparable(Dtype, input, depthwise, pointwise, output, Geometry);
            else SeparableDispatcher.Run(input, depthwise, pointwise, output, Geometry);
        }
    }

    private static int OutputShape(ConvolutionKind kind, long* inputShape, int inputRank, long* filterShape, int filterRank, ConvParams* parameters,
        long* outputShape, int outputShapeCapacity, int* outputRank)
    {
        try
        {
            var input = Shape(inputShape, inputRank, "input");
            var filter = Shape(filterShape, filterRank, "filter");
            var geometry = ShapeInference.Infer(kind, input, filter, Options(kind, parameters));
            geometry.WriteOutputShape(input, OutputShapeDestination(outputShape, outputShapeCapacity, outputRank, geometry.OutputRank));
            *outputRank = geometry.OutputRank;
            return (int)Status.Ok;
        }
        catch (Exception exception)
        {
            return ExceptionBoundary.ToStatus(exception);
        }
    }

    private static int Compute(ConvolutionKind kind, int dtype, void* input, long inputCount, long* inputShape, int inputRank,
        void* filter, long filterCount, long* filterShape, int filterRank, ConvParams* parameters, void* output, long outputCount)
    {
        try
        {
            var inputDims = Shape(inputShape, inputRank, "input");
            var filterDims = Shape(filterShape, filterRank, "filter");
            var geometry = ShapeInference.Infer(kind, inputDims, filterDims, Options(kind, parameters));
            RequireCount("input", inputCount, geometry.InputElementCount, inputDims, input);
            RequireCount("filter", filterCount, geometry.FilterElementCount, filterDims, filter);
            RequireCount("output", outputCount, geometry.OutputElementCount, default, output);
            int elementSize = ElementTypes.SizeOf(dtype);
            if (elementSize == 0) return UnknownDtype(dtype);
            // Nothing to compute, or only padding to convolve: TensorFlow returns without reading the
            // tensors, so neither their size nor where they lie matters here.
            if (geometry.OutputElementCount == 0) return (int)Status.Ok;
            if (geometry.InputElementCount == 0)
            {
                NativeMemory.Clear(output, (nuint)outputCount * (nuint)elementSize);
                return (int)Status.Ok;
            }
            RequireSpanLength("input", inputCount);
            RequireSpanLength("filter", filterCount);
            RequireSpanLength("output", outputCount);
            RequireNoOverlap(output, outputCount, input, inputCount, filter, filterCount, elementSize);
            var run = new OpRun
            {
                Dtype = dtype, Geometry = geometry, Input = input, InputShape = inputShape, InputRank = inputRank, Filter = filter, FilterShape = filterShape,
                Output = output,
            };
            ElementTypes.TryInvoke(dtype, ref run);
            return (int)Status.Ok;
        }
        catch (Exception exception)
        {
            return ExceptionBoundary.ToStatus(exception);
        }
    }

    /// <summary>Runs the validated problem in the loaded kernel variant, or in this library.</summary>
    private struct OpRun : IElementTypeAction
    {
        public int Dtype;
        public ConvolutionGeometry Geometry;
        public void* Input, Filter, Output;
        public long* InputShape, FilterShape;
        public int InputRank;

        public readonly void Invoke<T>() where T : unmanaged
        {
            var input = new ReadOnlySpan<T>(Input, (int)Geometry.InputElementCount);
            var filter = new ReadOnlySpan<T>(Filter, (int)Geometry.FilterElementCount);
            var output = new Span<T>(Output, (int)Geometry.OutputElementCount);
            var inputShape = new ReadOnlySpan<long>(InputShape, InputRank);
            var filterShape = new ReadOnlySpan<long>(FilterShape, 4);
            if (KernelVariant.IsLoaded)
            {
                Convolution.ValidateBuffers(Geometry, input, inputShape, filter, filterShape, output);
                KernelVariant.Run(Dtype, input, filter, output, Geometry);
            }
            else
            {
                Convolution.Compute(Geometry, input, inputShape, filter, filterShape, output);
            }
        }
    }

    private static int UnknownDtype(int dtype) =>
        ExceptionBoundary.Fail(Status.InvalidDtype, $"unknown dtype {dtype}: expected DI_DTYPE_FLOAT32 (1), DI_DTYPE_FLOAT64 (2), DI_DTYPE_FLOAT16 (3) or DI_DTYPE_BFLOAT16 (4)");

    /// <summary>Where the output shape goes, after checking that the caller's array can hold it.</summary>
    private static Span<long> OutputShapeDestination(long* outputShape, int capacity, int* outputRank, int rank)
    {
        if (outputRank == null) throw new ConvolutionArgumentException("output_rank is NULL");
        if (outputShape == null || capacity < rank)
        {
            throw new ConvolutionArgumentException(
                $"output_shape holds {(outputShape == null ? 0 : Math.Max(capacity, 0))} values, but the output has rank {rank}");
        }
        return new Span<long>(outputShape, rank);
    }

    private static ReadOnlySpan<long> Shape(long* shape, int rank, string name)
    {
        if (rank < 0 || rank > MaxRank)
            throw new ConvolutionArgumentException($"{name}_rank must be between 0 and {MaxRank}, got {rank}");
        if (shape == null && rank > 0)
            throw new ConvolutionArgumentException($"{name}_shape is NULL but {name}_rank is {rank}");
        return new ReadOnlySpan<long>(shape, rank);
    }

    private static ConvolutionOptions Options(ConvolutionKind kind, ConvParams* parameters)
    {
        if (parameters == null) throw new ConvolutionArgumentException("params is NULL");
        if (parameters->StructSize != ConvParams.Size)
        {
            throw new ConvolutionArgumentException(
                $"params->struct_size is {parameters->StructSize}, expected {ConvParams.Size}: initialize params with di_conv_params_init");
        }
        if (parameters->Reserved != 0) throw new ConvolutionArgumentException("params->reserved must be 0");
        return ConvolutionOptions.FromTensorFlowAttributes(kind, (DataFormat)parameters->DataFormat, (PaddingMode)parameters->Padding,
            parameters->Strides, parameters->Dilations, parameters->ExplicitPaddings);
    }

    private static void RequireCount(string name, long count, long expected, ReadOnlySpan<long> shape, void* pointer)
    {
        if (count != expected)
        {
            string needs = shape.IsEmpty && name == "output" ? $"the output has {expected} elements" : $"shape {ShapeText.Compact(shape)} has {expected} elements";
            throw new ConvolutionArgumentException($"{name}_count is {count}, but {needs}");
        }
        if (pointer == null && count != 0) throw new ConvolutionArgumentException($"{name} is NULL but {name}_count is {count}");
    }

    private static void RequireSpanLength(string name, long count)
    {
        if (count > int.MaxValue)
            throw new ConvolutionNotSupportedException($"{name} has {count} elements: at most {int.MaxValue} elements per tensor are supported");
    }

    private static void RequireNoOverlap(void* output, long outputCount, void* input, long inputCount, void* filter, long filterCount, int elementSize)
    {
        static bool Overlaps(void* a, long aCount, void* b, long bCount, int size) =>
            aCount != 0 && bCount != 0
            && (nuint)a < (nuint)b + (nuint)bCount * (nuint)size
            && (nuint)b < (nuint)a + (nuint)aCount * (nuint)size;
        if (Overlaps(output, outputCount, input, inputCount, elementSize) || Overlaps(output, outputCount, filter, filterCount, elementSize))
            throw new ConvolutionArgumentException("output buffer must not overlap the input or the filter");
    }
}
