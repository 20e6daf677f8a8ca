using System.IO.Compression;
using System.Text.Json;

namespace DepthwiseInterop.Tests.Conformance;

/// <summary>
/// Reads conformance fixture files (conformance/FORMAT.md, version 1) with System.Text.Json, as
/// python/depthwise_interop/conformance/fixtures.py does: <c>*.json</c> and <c>*.json.gz</c> directly in
/// conformance/fixtures (not its subfolders, which hold cases not run by default).
/// </summary>
public static class FixtureFile
{
    public const string FormatName = "depthwise-interop-conformance";
    public const int FormatVersion = 1;

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> Cases = new(LoadDefaultCases);

    /// <summary>The checkout's root: the first folder above the test assembly that holds DepthwiseInterop.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>conformance/fixtures in the checkout.</summary>
    public static string FixtureFolder => Path.Combine(RepositoryRoot, "conformance", "fixtures");

    /// <summary>Every case of the project's fixture files, in file-name order, read once per process.</summary>
    public static IReadOnlyList<ConformanceCase> AllCases => Cases.Value;

    /// <summary>The project's fixture files, sorted by name (the order of the Python runner).</summary>
    public static IReadOnlyList<string> DefaultPaths()
    {
        var paths = Directory.GetFiles(FixtureFolder, "*.json", SearchOption.TopDirectoryOnly)
            .Concat(Directory.GetFiles(FixtureFolder, "*.json.gz", SearchOption.TopDirectoryOnly))
            .ToList();
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>The cases of one fixture file.</summary>
    /// <exception cref="InvalidDataException">Not a version-1 fixture file.</exception>
    public static List<ConformanceCase> Load(string path)
    {
        using var stream = Open(path);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName
            || !root.TryGetProperty("format_version", out var version) || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out int versionNumber) || versionNumber != FormatVersion)
            throw new InvalidDataException($"{path}: not a {FormatName} version {FormatVersion} file");

        string source = Path.GetFileName(path);
        var cases = new List<ConformanceCase>();
        foreach (var entry in root.GetProperty("cases").EnumerateArray())
            cases.Add(ReadCase(entry, source));
        return cases;
    }

    private static Stream Open(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static ConformanceCase ReadCase(JsonElement entry, string source)
    {
        string id = entry.GetProperty("id").GetString()!;
        bool hasExpected = entry.TryGetProperty("expected", out _), hasError = entry.TryGetProperty("expected_error", out _);
        if (hasExpected == hasError)
            throw new InvalidDataException($"{source}: case {id}: exactly one of expected and expected_error is required");
        if (entry.TryGetProperty("expected_managed", out _) && !hasError)
            throw new InvalidDataException($"{source}: case {id}: expected_managed belongs to an error case (the Python mirror's refusal)");
        try
        {
            return new ConformanceCase
            {
                Id = id,
                Op = entry.GetProperty("op").GetString()!,
                Args = entry.TryGetProperty("args", out var args) ? args.Clone() : EmptyObject(),
                DType = entry.GetProperty("dtype").GetString()!,
                Input = ReadTensor(entry.GetProperty("input")),
                Filter = ReadTensor(entry.GetProperty("filter")),
                Expected = entry.TryGetProperty("expected", out var expected) ? ReadTensor(expected) : null,
                ExpectedError = entry.TryGetProperty("expected_error", out var error)
                    ? new ExpectedError(error.GetProperty("kind").GetString()!, error.GetProperty("message").GetString()!)
                    : null,
                ExpectedManaged = entry.TryGetProperty("expected_managed", out var managed) ? ReadTensor(managed) : null,
                Tolerance = entry.TryGetProperty("tolerance", out var tolerance) ? tolerance.GetString()! : "summation",
                Provenance = entry.TryGetProperty("provenance", out var provenance) ? provenance.GetString() ?? "" : "",
                Tags = entry.TryGetProperty("tags", out var tags) ? tags.EnumerateArray().Select(t => t.GetString()!).ToArray() : [],
                Source = source,
            };
        }
        catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: case {id}: {error.Message}", error);
        }
    }

    private static FixtureTensor ReadTensor(JsonElement entry)
    {
        var shape = entry.GetProperty("shape").EnumerateArray().Select(dim => dim.GetInt64()).ToArray();
        var values = new double[entry.GetProperty("values").GetArrayLength()];
        int i = 0;
        foreach (var value in entry.GetProperty("values").EnumerateArray())
            values[i++] = ReadNumber(value);
        string? dtype = entry.TryGetProperty("dtype", out var own) ? own.GetString() : null;
        long count = 1;
        foreach (long dim in shape) count *= dim;
        if (count != values.Length)
            throw new FormatException($"shape [{string.Join(", ", shape)}] needs {count} values, the file has {values.Length}");
        return new FixtureTensor(shape, values, dtype);
    }

    /// <summary>A JSON number, or one of the strings "NaN", "Infinity", "-Infinity".</summary>
    public static double ReadNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var text => throw new FormatException($"value {text} is neither a number nor NaN, Infinity or -Infinity"),
        },
        _ => throw new FormatException($"value {value.GetRawText()} is not a number"),
    };

    private static JsonElement EmptyObject()
    {
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }

    // Files are read in parallel (about 17 MB of JSON); the cases keep file-name order.
    private static IReadOnlyList<ConformanceCase> LoadDefaultCases() =>
        DefaultPaths().AsParallel().AsOrdered().SelectMany(Load).ToList();

    private static string FindRepositoryRoot()
    {
        string start = Path.GetDirectoryName(typeof(FixtureFile).Assembly.Location) ?? AppContext.BaseDirectory;
        for (var folder = new DirectoryInfo(start); folder != null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "DepthwiseInterop.sln")))
                return folder.FullName;
        throw new DirectoryNotFoundException(
            $"no folder above {start} holds DepthwiseInterop.sln: the conformance tests run from a source checkout");
    }
}
