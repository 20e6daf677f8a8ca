using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// `--paired`: instead of BenchmarkDotNet's one process per case, every comparison of <see cref="PairedComparisons"/>
/// timed side by side in this process (<see cref="PairedRunner"/>), after the same output checks as the BDN
/// path, written to paired.json in the artifacts folder for report.py.
/// </summary>
public static class PairedMode
{
    public const string FileName = "paired.json";

    public static int Run(IReadOnlyList<BenchmarkSuite> suites, string artifacts, PairedSettings settings, bool skipValidation)
    {
        List<Validation.Result>? checks = skipValidation ? null : Validate(suites);
        if (checks is not null && checks.Any(r => !r.Ok)) return 2;
        var groups = suites.SelectMany(PairedComparisons.For).ToList();
        Console.WriteLine($"Paired mode: {groups.Count} groups, {settings.Rounds} rounds of ~{settings.BurstMilliseconds} ms " +
                          $"bursts per side (ABBA order), after {settings.WarmupRounds} warm-up rounds.");
        var document = Header(settings, checks);
        document["groups"] = RunGroups(groups, settings, document);
        string path = Path.Combine(artifacts, FileName);
        Write(path, document);
        Console.WriteLine($"Wrote {path} ({document["wall_seconds"]} s).");
        return 0;
    }

    /// <summary>Runs every group, printing one line each; records the run's load averages and wall time in <paramref name="document"/>.</summary>
    private static List<PairedGroupResult> RunGroups(List<PairedGroup> groups, PairedSettings settings, Dictionary<string, object?> document)
    {
        var loadSamples = new List<double>();
        var clock = Stopwatch.StartNew();
        var runner = new PairedRunner(settings);
        var results = new List<PairedGroupResult>();
        // The 1-minute load average every 5 s, for the report's caveats (the machine may be shared).
        using (new Timer(_ => { lock (loadSamples) loadSamples.Add(OneMinuteLoad()); }, null, TimeSpan.Zero, TimeSpan.FromSeconds(5)))
        {
            foreach (var group in groups)
            {
                results.Add(runner.Run(group));
                Console.WriteLine($"[{results.Count,3}/{groups.Count}] {clock.Elapsed:mm\\:ss} {Summary(results[^1])}");
            }
        }
        document["loadavg_end"] = LoadAverage();
        lock (loadSamples)
        {
            var loads = loadSamples.Where(double.IsFinite).ToList();
            document["loadavg_1min_mean"] = loads.Count > 0 ? Math.Round(loads.Average(), 2) : null;
            document["loadavg_1min_max"] = loads.Count > 0 ? loads.Max() : null;
        }
        document["wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds);
        return results;
    }

    private static List<Validation.Result> Validate(IReadOnlyList<BenchmarkSuite> suites)
    {
        Console.WriteLine("Checking every implementation first (the BenchmarkDotNet path's checks):");
        var results = suites.SelectMany(suite => suite.Validate(Console.Out)).ToList();
        int failed = results.Count(r => !r.Ok);
        if (failed > 0) Console.Error.WriteLine($"Validation failed ({failed} rows): not timing wrong results.");
        return results;
    }

    private static string Summary(PairedGroupResult result) =>
        $"{result.Suite} {result.Label}, {result.Threads} thread{(result.Threads > 1 ? "s" : "")} " +
        $"(quiet wait {result.QuietWaitMs:F1} ms/burst): " +
        string.Join("; ", result.Ratios.Select(r => $"{r.Label} {r.Median:F3} ({r.P25:F3}-{r.P75:F3})"));

    private static Dictionary<string, object?> Header(PairedSettings settings, List<Validation.Result>? checks) => new()
    {
        ["date_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        ["library_path"] = NativeApi.LibraryPath,
        ["library_thread_setting"] = NativeApi.HasThreadSetting,
        ["tensor_alignment_bytes"] = NativeBuffer.Alignment,
        ["rounds"] = settings.Rounds,
        ["warmup_rounds"] = settings.WarmupRounds,
        ["burst_ms"] = settings.BurstMilliseconds,
        ["pause_ms"] = settings.PauseMilliseconds,
        ["quiet_timeout_ms"] = settings.QuietTimeoutMilliseconds,
        ["order"] = "sides in list order on even rounds, reversed on odd rounds (ABBA)",
        ["shapes_filter"] = Environment.GetEnvironmentVariable(CaseFilter.ShapesVariable),
        ["checks_passed"] = checks?.Count(r => r.Ok),
        ["checks"] = checks?.Count,
        ["loadavg_start"] = LoadAverage(),
    };

    private static void Write(string path, Dictionary<string, object?> document)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        File.WriteAllText(path, JsonSerializer.Serialize(document, options));
    }

    private static double OneMinuteLoad() =>
        double.TryParse(LoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : double.NaN;

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "unknown"; }
    }
}
