using Python.Runtime;

namespace DepthwiseInterop.Tests;

/// <summary>
/// Embeds CPython (pythonnet) in the test process and calls the Python package, which loads the NativeAOT
/// library through ctypes: its results must equal the managed API's for the same case. Needs
/// PYTHONNET_PYDLL (a shared libpython with NumPy), DEPTHWISE_INTEROP_PYTHON_PATH (the python/ folder) and
/// DEPTHWISE_INTEROP_LIBRARY; `make test` sets all three.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class PythonInteropTests
{
    private nint _threadState;

    [OneTimeSetUp]
    public void StartPython()
    {
        string? pythonLibrary = Environment.GetEnvironmentVariable("PYTHONNET_PYDLL");
        string? packagePath = Environment.GetEnvironmentVariable("DEPTHWISE_INTEROP_PYTHON_PATH");
        if (string.IsNullOrEmpty(pythonLibrary) || string.IsNullOrEmpty(packagePath))
            Assert.Fail("Set PYTHONNET_PYDLL and DEPTHWISE_INTEROP_PYTHON_PATH (make test-dotnet does) to run the embedded-Python tests.");
        Runtime.PythonDLL = pythonLibrary;
        PythonEngine.Initialize();
        _threadState = PythonEngine.BeginAllowThreads();
        using (Py.GIL())
        {
            dynamic sys = Py.Import("sys");
            sys.path.insert(0, packagePath);
        }
    }

    [OneTimeTearDown]
    public void StopPython()
    {
        if (!PythonEngine.IsInitialized) return;
        PythonEngine.EndAllowThreads(_threadState);
        PythonEngine.Shutdown();
    }

    private static readonly object[] Cases =
    [
        new object[] { "depthwise_conv2d", new long[] { 1, 7, 6, 3 }, new long[] { 3, 3, 3, 2 }, "[1, 1, 1, 1]", "SAME", "NHWC", "None" },
        new object[] { "depthwise_conv2d", new long[] { 2, 3, 9, 8 }, new long[] { 2, 3, 3, 1 }, "[1, 1, 2, 2]", "VALID", "NCHW", "None" },
        new object[] { "depthwise_conv2d", new long[] { 1, 9, 9, 2 }, new long[] { 3, 3, 2, 1 }, "[1, 1, 1, 1]", "[[0, 0], [2, 1], [0, 3], [0, 0]]", "NHWC", "[2, 2]" },
        new object[] { "conv2d", new long[] { 1, 8, 7, 4 }, new long[] { 3, 2, 2, 6 }, "[2, 1]", "SAME", "NHWC", "[1, 2]" },
        new object[] { "conv2d", new long[] { 2, 4, 6, 5 }, new long[] { 1, 1, 4, 3 }, "1", "VALID", "NCHW", "None" },
    ];

    [TestCaseSource(nameof(Cases))]
    public void PythonWrapperReturnsTheManagedApiValues(string op, long[] inputShape, long[] filterShape, string strides,
        string padding, string dataFormat, string dilations)
    {
        var random = new Random(inputShape.Sum(d => (int)d) * 7 + filterShape.Sum(d => (int)d));
        double[] input = Enumerable.Range(0, (int)inputShape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] filter = Enumerable.Range(0, (int)filterShape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        double[] fromPython;
        long[] pythonShape;
        using (Py.GIL())
        using (var scope = Py.CreateScope())
        {
            scope.Set("input_values", input.ToPython());
            scope.Set("filter_values", filter.ToPython());
            scope.Exec($"""
                import numpy as np
                from depthwise_interop import nn
                x = np.array(list(input_values), dtype=np.float64).reshape({Tuple(inputShape)})
                w = np.array(list(filter_values), dtype=np.float64).reshape({Tuple(filterShape)})
                padding = {(padding.StartsWith('[') ? padding : $"\"{padding}\"")}
                y = nn.{op}(x, w, strides={strides}, padding=padding, data_format="{dataFormat}", dilations={dilations})
                result = y.ravel().tolist()
                result_shape = list(y.shape)
                """);
            fromPython = scope.Get<double[]>("result");
            pythonShape = scope.Get<long[]>("result_shape");
        }

        var options = ManagedOptions(op, strides, padding, dataFormat, dilations);
        var (managed, managedShape) = op == "conv2d"
            ? Convolution.Conv2D(input, inputShape, filter, filterShape, options)
            : Convolution.DepthwiseConv2D(input, inputShape, filter, filterShape, options);

        Assert.That(pythonShape, Is.EqualTo(managedShape));
        Assert.That(fromPython, Is.EqualTo(managed), "the Python path must give the managed API's values bit for bit");
    }

    private static string Tuple(long[] shape) => "(" + string.Join(", ", shape) + ",)";

    /// <summary>The same arguments in the managed API's terms, written out by hand per case.</summary>
    private static ConvolutionOptions ManagedOptions(string op, string strides, string padding, string dataFormat, string dilations)
    {
        bool nchw = dataFormat == "NCHW";
        long[] strideHw = strides switch
        {
            "[1, 1, 1, 1]" or "1" => [1, 1],
            "[1, 1, 2, 2]" => [2, 2],
            "[2, 1]" => [2, 1],
            _ => throw new ArgumentException(strides),
        };
        long[] dilationHw = dilations switch { "None" => [1, 1], "[2, 2]" => [2, 2], "[1, 2]" => [1, 2], _ => throw new ArgumentException(dilations) };
        var options = new ConvolutionOptions
        {
            DataFormat = nchw ? DataFormat.NCHW : DataFormat.NHWC,
            StrideHeight = strideHw[0], StrideWidth = strideHw[1],
            DilationHeight = dilationHw[0], DilationWidth = dilationHw[1],
        };
        return padding switch
        {
            "SAME" => options with { Padding = PaddingMode.Same },
            "VALID" => options with { Padding = PaddingMode.Valid },
            "[[0, 0], [2, 1], [0, 3], [0, 0]]" => options with { Padding = PaddingMode.Explicit, PadTop = 2, PadBottom = 1, PadLeft = 0, PadRight = 3 },
            _ => throw new ArgumentException(padding),
        };
    }
}
