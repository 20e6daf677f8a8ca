using System.Text.Json;

namespace DepthwiseInterop.Tests.Conformance;

/// <summary>
/// One tensor of a fixture case (conformance/FORMAT.md): its shape, its values read as double (as Python's
/// <c>json</c> reads them; a float32 tensor is these doubles rounded to float, as NumPy does), and its own
/// <c>"dtype"</c> when it overrides the case's.
/// </summary>
public sealed record FixtureTensor(long[] Shape, double[] Values, string? DTypeOverride)
{
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dim in Shape) count *= dim;
            return count;
        }
    }

    public float[] AsSingles()
    {
        var values = new float[Values.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)Values[i];
        return values;
    }
}

/// <summary><c>expected_error</c>: the error kind (<c>"ValueError"</c> or <c>"TypeError"</c>) and a fragment of its message.</summary>
public sealed record ExpectedError(string Kind, string Message);

/// <summary>One case of a fixture file, as the Python runner's <c>fixtures.Case</c> holds it.</summary>
public sealed class ConformanceCase
{
    public required string Id { get; init; }

    /// <summary><c>"conv2d"</c> or <c>"depthwise_conv2d"</c>.</summary>
    public required string Op { get; init; }

    /// <summary>The keyword arguments of <c>tf.nn.&lt;op&gt;</c> (a JSON object), kept as JSON so that every Python form is seen.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The case's dtype: <c>"float32"</c>, <c>"float64"</c>, ...</summary>
    public required string DType { get; init; }

    public required FixtureTensor Input { get; init; }
    public required FixtureTensor Filter { get; init; }

    /// <summary>The expected result of a value case.</summary>
    public FixtureTensor? Expected { get; init; }

    /// <summary>The expected error of an error case.</summary>
    public ExpectedError? ExpectedError { get; init; }

    /// <summary>
    /// What the managed and C APIs compute where the Python mirror raises a policy error (strided dilated
    /// depthwise): the true convolution.
    /// </summary>
    public FixtureTensor? ExpectedManaged { get; init; }

    /// <summary><c>"exact"</c> or <c>"summation"</c>.</summary>
    public required string Tolerance { get; init; }

    public string Provenance { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The fixture file's name.</summary>
    public required string Source { get; init; }

    /// <summary>The dtype the input tensor is built with (its override, else the case's).</summary>
    public string InputDType => Input.DTypeOverride ?? DType;

    /// <summary>The dtype the filter tensor is built with (its override, else the case's).</summary>
    public string FilterDType => Filter.DTypeOverride ?? DType;

    /// <summary>The test name: the case's id.</summary>
    public override string ToString() => Id;
}
