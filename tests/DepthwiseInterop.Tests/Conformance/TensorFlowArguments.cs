using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DepthwiseInterop.Tests.Conformance;

/// <summary>
/// The op attributes a case's <c>tf.nn</c> arguments come to: what <see cref="ConvolutionOptions.FromTensorFlowAttributes"/>
/// takes (four strides, four dilations, eight explicit paddings, all in data_format order), plus the element
/// type both tensors share.
/// </summary>
public sealed record TensorFlowAttributes(
    ConvolutionKind Kind,
    DataFormat DataFormat,
    PaddingMode Padding,
    long[] Strides,
    long[] Dilations,
    long[] ExplicitPaddings,
    string DType)
{
    /// <summary>The managed options; throws <see cref="ConvolutionArgumentException"/> where TensorFlow's op rejects an attribute.</summary>
    public ConvolutionOptions ToOptions() =>
        ConvolutionOptions.FromTensorFlowAttributes(Kind, DataFormat, Padding, Strides, Dilations, ExplicitPaddings);

    public override string ToString() =>
        $"{Kind} {DataFormat} {Padding} strides [{string.Join(", ", Strides)}] dilations [{string.Join(", ", Dilations)}] " +
        $"explicit_paddings [{string.Join(", ", ExplicitPaddings)}] {DType}";
}

/// <summary>
/// An error the Python front end (python/depthwise_interop/nn.py and _arguments.py, or Python's call itself)
/// raises before the native library is reached, with the Python exception kind and the message it would
/// carry. <see cref="Reason"/> groups the cases for the counts.
/// </summary>
public sealed record PythonFrontEndError(string Reason, string Kind, string Message);

/// <summary>
/// What a case's arguments come to: the library's attributes (when the arguments are expressible in the
/// managed API), and the error the Python front end raises before the library (when it does).
/// Both are set for the one Python-only policy: a depthwise stride above 1 with a dilation above 1, which
/// the managed API computes and the Python mirror refuses.
/// </summary>
public sealed record ArgumentTranslation(TensorFlowAttributes? Attributes, PythonFrontEndError? PythonError);

/// <summary>
/// TensorFlow's Python argument forms of <c>tf.nn.conv2d</c> and <c>tf.nn.depthwise_conv2d</c> turned into
/// op attributes, step by step and in the order of python/depthwise_interop/nn.py and _arguments.py
/// (conv2d: padding, strides, dilations, data_format, dtypes; depthwise: dtypes, dilations, padding,
/// strides, data_format, the strided dilated policy). Every value rule (ranges, batch and depth entries,
/// shapes) is left to the library, as the Python front end leaves it to the native library.
/// </summary>
public static class TensorFlowArguments
{
    // Reasons a case is "Python front end only" (counted, run by pytest, not here).
    public const string ReasonCall = "call signature (missing or unexpected keyword)";
    public const string ReasonUnknownOp = "unknown op";
    public const string ReasonDType = "unsupported tensor dtype (integer)";
    public const string ReasonDTypeMismatch = "mismatched input and filter dtypes";
    public const string ReasonDepthwiseStridesNotList = "depthwise strides not a list";
    public const string ReasonWrongLength = "strides/dilations list of a length the Python form refuses";
    public const string ReasonDepthwiseDilationsScalar = "depthwise dilations a scalar";
    public const string ReasonPaddingType = "padding neither a string nor a list";
    public const string ReasonPaddingExplicitString = "padding the string \"EXPLICIT\"";
    public const string ReasonPaddingString = "padding string other than SAME/VALID";
    public const string ReasonPaddingList = "malformed padding list";
    public const string ReasonDataFormat = "data_format string other than NHWC/NCHW";
    public const string ReasonDataFormatType = "data_format not a string";
    public const string ReasonNotInteger = "non-integer attribute value";
    public const string ReasonInt64 = "attribute value beyond int64";
    public const string ReasonStridedDilatedDepthwise = "depthwise stride > 1 with dilation > 1 (Python policy refusal)";

    private const string ValueError = "ValueError";
    private const string TypeError = "TypeError";

    private static readonly string[] Parameters = ["strides", "padding", "data_format", "dilations", "name"];

    /// <summary>Translates a case's op and arguments.</summary>
    public static ArgumentTranslation Translate(ConformanceCase testCase)
    {
        try
        {
            return testCase.Op switch
            {
                "conv2d" => Conv2D(testCase),
                "depthwise_conv2d" => Depthwise(testCase),
                _ => throw Python(ReasonUnknownOp, ValueError, $"unknown op {Repr(testCase.Op)}"),
            };
        }
        catch (PythonRaises raised)
        {
            return new ArgumentTranslation(null, raised.Error);
        }
    }

    /// <summary>nn.conv2d: convert_padding, _get_sequence for strides and dilations, data_format, dtypes.</summary>
    private static ArgumentTranslation Conv2D(ConformanceCase testCase)
    {
        var args = CallArguments(testCase);
        var (padding, explicitPaddings) = ConvertPadding(args["padding"]!.Value);
        JsonElement? dataFormat = args.GetValueOrDefault("data_format");
        bool defaultFormat = dataFormat is null || dataFormat.Value.ValueKind == JsonValueKind.Null;
        int channelIndex = !defaultFormat && dataFormat!.Value.ValueKind == JsonValueKind.String
                           && dataFormat.Value.GetString()!.StartsWith("NC", StringComparison.Ordinal) ? 1 : 3;
        long[] strides = Conv2DSequence(args["strides"], channelIndex, "strides");
        long[] dilations = Conv2DSequence(args.GetValueOrDefault("dilations"), channelIndex, "dilations");
        var format = DataFormatCode(defaultFormat ? null : dataFormat);
        string dtype = PrepareDTypes(testCase, "Conv2D");
        return new ArgumentTranslation(
            new TensorFlowAttributes(ConvolutionKind.Conv2D, format, padding, strides, dilations, explicitPaddings, dtype), null);
    }

    /// <summary>nn.depthwise_conv2d: dtypes, dilations, convert_padding, strides, data_format, the strided dilated policy.</summary>
    private static ArgumentTranslation Depthwise(ConformanceCase testCase)
    {
        var args = CallArguments(testCase);
        string dtype = PrepareDTypes(testCase, "DepthwiseConv2dNative");
        JsonElement? dataFormat = args.GetValueOrDefault("data_format");
        bool isNchw = dataFormat is { ValueKind: JsonValueKind.String } text && text.GetString()!.StartsWith("NC", StringComparison.Ordinal);
        var (dilations, rates) = DepthwiseDilations(args.GetValueOrDefault("dilations"), isNchw);
        var (padding, explicitPaddings) = ConvertPadding(args["padding"]!.Value);
        long[] strides = DepthwiseStrides(args["strides"]!.Value);
        var format = DataFormatCode(dataFormat is null || dataFormat.Value.ValueKind == JsonValueKind.Null ? null : dataFormat);
        var attributes = new TensorFlowAttributes(ConvolutionKind.DepthwiseConv2D, format, padding, strides, dilations, explicitPaddings, dtype);

        long[] spatialStrides = isNchw ? strides[2..4] : strides[1..3];
        if (spatialStrides.Max() > 1 && rates.Max() > 1)
            return new ArgumentTranslation(attributes, new PythonFrontEndError(ReasonStridedDilatedDepthwise, ValueError,
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. " +
                $"Received: strides={Repr(strides)} and dilation_rate={Repr(rates)}. TensorFlow's depthwise_conv2d returns a " +
                "space-to-batch artefact here rather than the strided dilated convolution; depthwise_interop's C " +
                "and .NET APIs compute the true convolution"));
        return new ArgumentTranslation(attributes, null);
    }

    /// <summary>
    /// The keyword arguments as Python binds them: <c>strides</c> and <c>padding</c> are required, the others
    /// optional (a key left out is absent from the result), any other key is a TypeError.
    /// </summary>
    private static Dictionary<string, JsonElement?> CallArguments(ConformanceCase testCase)
    {
        var args = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        if (testCase.Args.ValueKind != JsonValueKind.Object)
            throw Python(ReasonCall, TypeError, $"{testCase.Op}() argument after ** must be a mapping");
        foreach (var property in testCase.Args.EnumerateObject())
        {
            if (!Parameters.Contains(property.Name))
                throw Python(ReasonCall, TypeError, $"{testCase.Op}() got an unexpected keyword argument '{property.Name}'");
            args[property.Name] = property.Value;
        }
        foreach (string required in new[] { "strides", "padding" })
            if (!args.ContainsKey(required))
                throw Python(ReasonCall, TypeError, $"{testCase.Op}() missing 1 required positional argument: '{required}'");
        return args;
    }

    /// <summary>
    /// _arrays.prepare: both tensors float16, bfloat16, float32 or float64. conv2d converts its filter to the input's
    /// dtype (TensorFlow's eager conversion of a NumPy argument: the values are read in the returned dtype); depthwise
    /// refuses different dtypes with the eager kernel's message.
    /// </summary>
    private static string PrepareDTypes(ConformanceCase testCase, string op)
    {
        CheckDType(testCase.InputDType, "input", op);
        if (op == "Conv2D") return testCase.InputDType;
        CheckDType(testCase.FilterDType, "filter", op);
        if (testCase.FilterDType != testCase.InputDType)
            throw Python(ReasonDTypeMismatch, ValueError,
                $"cannot compute {op} as input #1(zero-based) was expected to be a {TensorFlowName(testCase.InputDType)} tensor " +
                $"but is a {TensorFlowName(testCase.FilterDType)} tensor [Op:{op}]");
        return testCase.InputDType;
    }

    /// <summary>TensorFlow's name of a dtype in its kernels' messages.</summary>
    private static string TensorFlowName(string dtype) => dtype switch
    {
        "float16" => "half",
        "float32" => "float",
        "float64" => "double",
        _ => dtype,
    };

    private static void CheckDType(string dtype, string parameter, string op)
    {
        if (dtype is "float16" or "bfloat16" or "float32" or "float64") return;
        string note = op == "Conv2D" ? " (TensorFlow's Conv2D also accepts int32 on CPU; depthwise_interop does not)" : "";
        throw Python(ReasonDType, TypeError,
            $"Value passed to parameter '{parameter}' of '{op}' Op has DataType {dtype} not in list of allowed values: " +
            $"float16, bfloat16, float32, float64{note}");
    }

    /// <summary>_arguments.convert_padding: "SAME", "VALID", or 4 [before, after] pairs (8 explicit paddings).</summary>
    private static (PaddingMode Mode, long[] ExplicitPaddings) ConvertPadding(JsonElement padding)
    {
        if (padding.ValueKind == JsonValueKind.Array)
        {
            var pairs = padding.EnumerateArray().ToList();
            for (int index = 0; index < pairs.Count; index++)
            {
                if (pairs[index].ValueKind != JsonValueKind.Array)
                    throw Python(ReasonPaddingList, ValueError,
                        "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. " +
                        $"Received: padding={Repr(padding)} with element at index {index} of type <class '{TypeName(pairs[index])}'>");
                if (pairs[index].GetArrayLength() != 2)
                    throw Python(ReasonPaddingList, ValueError,
                        "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. " +
                        $"Received: padding={Repr(padding)} with element at index {index} of size {pairs[index].GetArrayLength()}");
            }
            if (pairs.Count != 4)
                throw Python(ReasonPaddingList, ValueError,
                    $"When padding is a list, it must be of size 4. Received: padding={Repr(padding)} of size {pairs.Count}");
            return (PaddingMode.Explicit, pairs.SelectMany(pair => pair.EnumerateArray()).Select(value => ToInt64(value, "padding")).ToArray());
        }
        if (padding.ValueKind != JsonValueKind.String)
            throw Python(ReasonPaddingType, TypeError, $"Expected string for argument 'padding' not {Repr(padding)}.");
        return padding.GetString() switch
        {
            "EXPLICIT" => throw Python(ReasonPaddingExplicitString, ValueError,
                "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` must be a list."),
            "SAME" => (PaddingMode.Same, []),
            "VALID" => (PaddingMode.Valid, []),
            var other => throw Python(ReasonPaddingString, ValueError,
                $"Value for attr 'padding' of \"{other}\" is not in the list of allowed values: \"SAME\", \"VALID\", \"EXPLICIT\""),
        };
    }

    /// <summary>_arguments.conv2d_sequence (TensorFlow's _get_sequence(value, 2, channel_index, name)).</summary>
    private static long[] Conv2DSequence(JsonElement? given, int channelIndex, string name)
    {
        long[] spatial;
        if (given is null || given.Value.ValueKind == JsonValueKind.Null)
        {
            spatial = [1, 1];
        }
        else
        {
            var value = given.Value;
            // Anything but a list (or a dict, which Python sizes by its keys) is wrapped in a one-element list.
            List<JsonElement> items = value.ValueKind switch
            {
                JsonValueKind.Array => value.EnumerateArray().ToList(),
                JsonValueKind.Object => value.EnumerateObject().Select(p => JsonSerializer.SerializeToElement(p.Name)).ToList(),
                _ => [value],
            };
            switch (items.Count)
            {
                case 4:
                    return items.Select(item => ToInt64(item, name)).ToArray();
                case 1:
                    spatial = [ToInt64(items[0], name), ToInt64(items[0], name)];
                    break;
                case 2:
                    spatial = [ToInt64(items[0], name), ToInt64(items[1], name)];
                    break;
                default:
                    throw Python(ReasonWrongLength, ValueError,
                        $"{name} should be of length 1, 2 or 4. Received: {name}={ReprList(items)} of length {items.Count}");
            }
        }
        return channelIndex == 1 ? [1, 1, spatial[0], spatial[1]] : [1, spatial[0], spatial[1], 1];
    }

    /// <summary>_arguments.depthwise_strides: a list of exactly four values, passed to the op untouched.</summary>
    private static long[] DepthwiseStrides(JsonElement strides)
    {
        if (strides.ValueKind != JsonValueKind.Array)
            throw Python(ReasonDepthwiseStridesNotList, TypeError,
                $"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not {Repr(strides)}.");
        if (strides.GetArrayLength() != 4)
            throw Python(ReasonWrongLength, ValueError, "Sliding window strides field must specify 4 dimensions");
        return strides.EnumerateArray().Select(value => ToInt64(value, "strides")).ToArray();
    }

    /// <summary>_arguments.depthwise_dilations: (four-value attribute, spatial rates) from None, 2 rates or 4 values.</summary>
    private static (long[] Four, long[] Rates) DepthwiseDilations(JsonElement? given, bool isNchw)
    {
        if (given is null || given.Value.ValueKind == JsonValueKind.Null)
            return ([1, 1, 1, 1], [1, 1]);
        var dilations = given.Value;
        List<JsonElement> items = dilations.ValueKind switch
        {
            JsonValueKind.Array => dilations.EnumerateArray().ToList(),
            JsonValueKind.Object => dilations.EnumerateObject().Select(p => JsonSerializer.SerializeToElement(p.Name)).ToList(),
            _ => throw Python(ReasonDepthwiseDilationsScalar, ValueError,
                $"`dilation_rate.shape.rank` must be 1. Received: dilation_rate={Repr(dilations)} of rank 0"),
        };
        long[] rates = items.Select(item => ToInt64(item, "dilations")).ToArray();
        return rates.Length switch
        {
            2 => (isNchw ? [1, 1, rates[0], rates[1]] : [1, rates[0], rates[1], 1], rates),
            4 => (rates, isNchw ? rates[2..4] : rates[1..3]),
            1 => throw Python(ReasonWrongLength, ValueError,
                $"depthwise_conv2d dilations={Repr(rates)} has a single rate: TensorFlow would dilate the height only and " +
                $"pad the width VALID whatever `padding` says; pass both rates, e.g. dilations=[{rates[0]}, {rates[0]}] or [{rates[0]}, 1]"),
            _ => throw Python(ReasonWrongLength, ValueError,
                "depthwise_conv2d dilations must hold the 2 spatial rates [rate_height, rate_width]. " +
                $"Received: dilations={Repr(rates)} of length {rates.Length}"),
        };
    }

    /// <summary>_arguments.data_format_code: exactly "NHWC" or "NCHW" (null: the default, NHWC).</summary>
    private static DataFormat DataFormatCode(JsonElement? dataFormat)
    {
        if (dataFormat is null) return DataFormat.NHWC;
        var value = dataFormat.Value;
        if (value.ValueKind != JsonValueKind.String)
            throw Python(ReasonDataFormatType, TypeError, $"Expected string for argument 'data_format' not {Repr(value)}.");
        return value.GetString() switch
        {
            "NHWC" => DataFormat.NHWC,
            "NCHW" => DataFormat.NCHW,
            var other => throw Python(ReasonDataFormat, ValueError,
                $"Value for attr 'data_format' of \"{other}\" is not in the list of allowed values: \"NHWC\", \"NCHW\""),
        };
    }

    /// <summary>_arguments.to_int64: a Python int (not a bool, not a float) that fits int64.</summary>
    private static long ToInt64(JsonElement value, string name)
    {
        if (!IsPythonInt(value))
            throw Python(ReasonNotInteger, TypeError, $"{name} must contain integers. Received: {Repr(value)} of type {TypeName(value)}");
        if (!value.TryGetInt64(out long result))
            throw Python(ReasonInt64, ValueError, $"{name} value {value.GetRawText()} does not fit in a 64-bit integer");
        return result;
    }

    /// <summary>Python's json reads a number without a fraction or an exponent as an int.</summary>
    private static bool IsPythonInt(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0;

    private static string TypeName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "NoneType",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Number => IsPythonInt(value) ? "int" : "float",
        JsonValueKind.String => "str",
        JsonValueKind.Array => "list",
        _ => "dict",
    };

    /// <summary>Python's repr of the value Python's json makes of this JSON (close enough for message fragments).</summary>
    internal static string Repr(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null: return "None";
            case JsonValueKind.True: return "True";
            case JsonValueKind.False: return "False";
            case JsonValueKind.Number:
                if (IsPythonInt(value)) return value.GetRawText().TrimStart('+');
                double number = value.GetDouble();
                if (double.IsInfinity(number)) return number > 0 ? "inf" : "-inf";
                if (Math.Floor(number) == number && Math.Abs(number) < 1e16) return number.ToString("F1", CultureInfo.InvariantCulture);
                return number.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
            case JsonValueKind.String: return Repr(value.GetString()!);
            case JsonValueKind.Array: return ReprList(value.EnumerateArray());
            default:
                return "{" + string.Join(", ", value.EnumerateObject().Select(p => $"{Repr(p.Name)}: {Repr(p.Value)}")) + "}";
        }
    }

    private static string Repr(string text)
    {
        var builder = new StringBuilder();
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        builder.Append(quote);
        foreach (char c in text)
        {
            if (c == '\\' || c == quote) builder.Append('\\').Append(c);
            else if (c == '\n') builder.Append("\\n");
            else if (c == '\t') builder.Append("\\t");
            else builder.Append(c);
        }
        return builder.Append(quote).ToString();
    }

    private static string Repr(long[] values) => "[" + string.Join(", ", values) + "]";

    private static string ReprList(IEnumerable<JsonElement> items) => "[" + string.Join(", ", items.Select(Repr)) + "]";

    private static PythonRaises Python(string reason, string kind, string message) => new(new PythonFrontEndError(reason, kind, message));

    private sealed class PythonRaises(PythonFrontEndError error) : Exception(error.Message)
    {
        public PythonFrontEndError Error { get; } = error;
    }
}
