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
        if (!skipValidation && !Validate(suites)) return 2;
        var groups = suites.SelectMany(PairedComparisons.For).ToList();
        Console.WriteLine($"Paired mode: {groups.Count} groups, {settings.Rounds} rounds of ~{settings.BurstMilliseconds} ms " +
                          $"bursts per side (ABBA order), after {settings.WarmupRounds} warm-up rounds.");
        string loadStart = LoadAverage();
        var clock = Stopwatch.StartNew();
        var runner = new PairedRunner(settings);
        var results = new List<PairedGroupResult>();
        foreach (var group in groups)
        {
            var result = runner.Run(group);
            results.Add(result);
            Console.WriteLine($"[{results.Count,3}/{groups.Count}] {clock.Elapsed:mm\\:ss} {Summary(result)}");
        }
        Write(Path.Combine(artifacts, FileName), settings, loadStart, clock.Elapsed.TotalSeconds, results);
        Console.WriteLine($"Wrote {Path.Combine(artifacts, FileName)} ({clock.Elapsed.TotalSeconds:F0} s).");
        return 0;
    }

    private static bool Validate(IReadOnlyList<BenchmarkSuite> suites)
    {
        Console.WriteLine("Checking every implementation first (the BenchmarkDotNet path's checks):");
        var failed = suites.SelectMany(suite => suite.Validate(Console.Out)).Where(r => !r.Ok).ToList();
        if (failed.Count > 0) Console.Error.WriteLine($"Validation failed ({failed.Count} rows): not timing wrong results.");
        return failed.Count == 0;
    }

    private static string Summary(PairedGroupResult result) =>
        $"{result.Suite} {result.Label}, {result.Threads} thread{(result.Threads > 1 ? "s" : "")} " +
        $"(quiet wait {result.QuietWaitMs:F1} ms/burst): " +
        string.Join("; ", result.Ratios.Select(r => $"{r.Label} {r.Median:F3} ({r.P25:F3}-{r.P75:F3})"));

    private static void Write(string path, PairedSettings settings, string loadStart, double seconds, List<PairedGroupResult> groups)
    {
        var document = new Dictionary<string, object?>
        {
            ["date_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["library_path"] = NativeApi.LibraryPath,
            ["library_thread_setting"] = NativeApi.HasThreadSetting,
            ["rounds"] = settings.Rounds,
            ["warmup_rounds"] = settings.WarmupRounds,
            ["burst_ms"] = settings.BurstMilliseconds,
            ["pause_ms"] = settings.PauseMilliseconds,
            ["quiet_timeout_ms"] = settings.QuietTimeoutMilliseconds,
            ["order"] = "sides in list order on even rounds, reversed on odd rounds (ABBA)",
            ["shapes_filter"] = Environment.GetEnvironmentVariable(CaseFilter.ShapesVariable),
            ["loadavg_start"] = loadStart,
            ["loadavg_end"] = LoadAverage(),
            ["wall_seconds"] = Math.Round(seconds),
            ["groups"] = groups,
        };
        var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        File.WriteAllText(path, JsonSerializer.Serialize(document, options));
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "unknown"; }
    }
}
