using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DepthwiseInterop.Benchmarks;
using DepthwiseInterop.Benchmarks.Paired;
using Microsoft.ML.OnnxRuntime;
using Perfolizer.Horology;

// Usage: dotnet run -c Release --project csharp/DepthwiseInterop.Benchmarks -- [--preset quick|standard]
//        [--ops depthwise,conv2d,separable,half] [--validate-only] [--skip-validation]
//        [--paired [--rounds N] [--burst-ms MS] [--pause-ms MS] [--quiet-timeout-ms MS]] [BenchmarkDotNet options, e.g. --artifacts DIR]
// --paired times the sides of each ratio target side by side in this one process instead (Paired/PairedMode.cs)
// and writes paired.json into the --artifacts folder.
// --ops picks the suites (default: all five; "half" is float16 and bfloat16 against float32, "first-calls" the
// managed API's first calls in fresh processes). Shapes can be
// narrowed with DEPTHWISE_BENCH_SHAPES="7x7,pw1x1" (substrings of the row labels, applied to every suite).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string preset = "standard";
var ops = BenchmarkSuite.Names.ToList();
bool validateOnly = false, skipValidation = false, paired = false;
var pairedSettings = PairedSettings.Default;
var benchmarkArgs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--preset" when i + 1 < args.Length: preset = args[++i]; break;
        case "--ops" when i + 1 < args.Length:
            ops = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            break;
        case "--validate-only": validateOnly = true; break;
        case "--skip-validation": skipValidation = true; break;
        case "--paired": paired = true; break;
        case "--rounds" when i + 1 < args.Length: pairedSettings = pairedSettings with { Rounds = int.Parse(args[++i]) }; break;
        case "--burst-ms" when i + 1 < args.Length:
            pairedSettings = pairedSettings with { BurstMilliseconds = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--pause-ms" when i + 1 < args.Length:
            pairedSettings = pairedSettings with { PauseMilliseconds = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--quiet-timeout-ms" when i + 1 < args.Length:
            pairedSettings = pairedSettings with { QuietTimeoutMilliseconds = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        default: benchmarkArgs.Add(args[i]); break;
    }
}
int artifactsAt = benchmarkArgs.IndexOf("--artifacts");
string artifacts = Path.GetFullPath(artifactsAt >= 0 && artifactsAt + 1 < benchmarkArgs.Count
    ? benchmarkArgs[artifactsAt + 1] : "BenchmarkDotNet.Artifacts");
Directory.CreateDirectory(artifacts);

// Each case runs in its own process: BenchmarkDotNet's pilot stage picks the calls per iteration, then the
// warm-up and measured iterations; report.py uses the median. "quick" validates the pipeline; "standard" is
// `make bench`'s default. Both fit well under 20 minutes for the whole matrix on a 2-core machine.
Job job = preset switch
{
    "quick" => Job.Default.WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100)),
    "standard" => Job.Default.WithWarmupCount(3).WithIterationCount(8).WithIterationTime(TimeInterval.FromMilliseconds(150)),
    _ => throw new ArgumentException($"unknown --preset {preset}: use quick or standard"),
};
// One launch per case; no overhead evaluation (an empty call's ~1 ns is below every op timed here).
job = job.WithLaunchCount(1).WithEvaluateOverhead(false);
// The Managed rows run the library's JIT-compiled code, which starts at tier 0 and is recompiled at tier 1
// only after its call counts and a 100 ms quiet period with no new tier-0 compilations; on a busy 2-vCPU VM
// that took longer than the warm-up (a quick-preset Managed case fell from 8.8 ms to 0.9 ms per call across
// its measured iterations). With no quiet period, tier-up starts after the first 30 calls: the same tiered
// PGO code in the end, reached within the pilot and warm-up stages.
var promptTierUp = new EnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0");
job = job.WithEnvironmentVariables(promptTierUp);
job = job.WithId(preset);
var referenceJob = Job.Default.WithLaunchCount(1).WithEvaluateOverhead(false).WithWarmupCount(1).WithIterationCount(3)
    .WithIterationTime(TimeInterval.FromMilliseconds(100))
    .WithEnvironmentVariables(new EnvironmentVariable(ReferenceJob.CapVariable, "scalar"), promptTierUp)
    .WithId(ReferenceJob.Id);

NativeApi.EnsureLoaded();
var suites = ops.Select(BenchmarkSuite.Create).Where(suite => suite.Shapes.Count > 0).ToList();
if (suites.Count == 0)
{
    Console.Error.WriteLine($"No shapes selected: --ops {string.Join(",", ops)} with {CaseFilter.ShapesVariable}=" +
                            $"'{Environment.GetEnvironmentVariable(CaseFilter.ShapesVariable)}'.");
    return 2;
}
// Its own file (paired.json), so it can follow a BenchmarkDotNet run into the same folder without touching environment.json.
if (paired) return PairedMode.Run(suites, artifacts, pairedSettings, skipValidation);
// The FMA peak the "% FMA peak" and roofline columns divide by: this machine's, measured here before the
// benchmark processes start (the columns are computed in this process).
var measuredPeak = FmaPeak.MeasureOneCore();
if (measuredPeak is not null) Roofline.UseMeasuredPeak(measuredPeak);
Console.WriteLine($"native library : {NativeApi.LibraryPath} (version {NativeApi.Version()}, " +
    $"{(NativeApi.HasThreadSetting ? "exports" : "does not export")} {NativeApi.ThreadExport})");
Console.WriteLine($"kernels        : native {NativeApi.CpuIsa() ?? "(no di_cpu_isa)"}, managed {ManagedSettings.IsaName ?? "(no ComputeSettings)"}; " +
    $"thread setting: native {NativeApi.HasThreadSetting}, managed {ManagedSettings.HasThreadSetting}");
Console.WriteLine($"onnxruntime    : {OrtEnv.Instance().GetVersionString()}");
Console.WriteLine($"tensors        : native buffers on {NativeBuffer.Alignment}-byte boundaries (as TensorFlow's and ORT's allocators)");
Console.WriteLine($"shapes         : {string.Join(", ", suites.Select(suite => $"{suite.Name} {suite.Shapes.Count}"))}; preset {preset}");
Console.WriteLine($"FMA peak       : {Roofline.PeakPerCore / 1e9:F1} GFLOP/s per core, {Roofline.PeakSource}" +
    (measuredPeak is null ? "" : $"; median trial {measuredPeak.MedianFlopsPerSecond / 1e9:F1}"));
WarnAboutAffinity();

var environment = new Dictionary<string, object?>
{
    ["date_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
    ["cpu"] = CpuModel(),
    ["logical_cpus"] = Environment.ProcessorCount,
    ["os"] = RuntimeInformation.OSDescription,
    ["dotnet"] = RuntimeInformation.FrameworkDescription,
    ["managed_vector512"] = Vector512.IsHardwareAccelerated,
    ["managed_vector256"] = Vector256.IsHardwareAccelerated,
    ["library_path"] = NativeApi.LibraryPath,
    ["library_version"] = NativeApi.Version(),
    ["library_thread_setting"] = NativeApi.HasThreadSetting,
    ["library_isa"] = NativeApi.CpuIsa(),
    ["managed_thread_setting"] = ManagedSettings.HasThreadSetting,
    ["managed_isa"] = ManagedSettings.IsaName,
    ["isa_cap_variable"] = Environment.GetEnvironmentVariable(ReferenceJob.CapVariable),
    ["loadavg_start"] = LoadAverage(),
    ["onnxruntime"] = OrtEnv.Instance().GetVersionString(),
    ["tensor_alignment_bytes"] = NativeBuffer.Alignment,
    ["benchmarkdotnet"] = typeof(BenchmarkRunner).Assembly.GetName().Version?.ToString(),
    ["preset"] = preset,
    ["job"] = new Dictionary<string, object?>
    {
        ["launches"] = job.Run.LaunchCount,
        ["warmup_iterations"] = job.Run.WarmupCount,
        ["iterations"] = job.Run.IterationCount,
        ["iteration_time_ms"] = job.Run.IterationTime.ToMilliseconds(),
        ["environment"] = job.Environment.EnvironmentVariables?.Select(v => $"{v.Key}={v.Value}").ToList(),
    },
    ["ops"] = suites.Select(suite => suite.Name).ToList(),
    ["shapes"] = suites.ToDictionary(suite => suite.Name, suite => suite.Shapes.Select(s => s.ToString()).ToList()),
    ["fma_peak_gflops_per_core"] = Math.Round(Roofline.PeakPerCore / 1e9, 1),
    ["fma_peak_source"] = Roofline.PeakSource,
    ["fma_peak_median_trial_gflops"] = measuredPeak is null ? null : Math.Round(measuredPeak.MedianFlopsPerSecond / 1e9, 1),
    ["fma_peak_reference_gflops_per_core"] = Roofline.ReferencePeakPerCore / 1e9,
};

if (!skipValidation)
{
    Console.WriteLine("Checking every implementation against ONNX Runtime (max |diff| <= 1e-4 * max(1, max |y|)), " +
                      "and the half rows against our float32 on the same rounded inputs (HalfValidation):");
    var results = suites.SelectMany(suite => suite.Validate(Console.Out)).ToList();
    environment["validation"] = results;
    WriteEnvironment();
    if (results.Any(r => !r.Ok))
    {
        Console.Error.WriteLine("Validation failed: not timing wrong results.");
        return 2;
    }
}
WriteEnvironment();
if (validateOnly) return 0;

var style = SummaryStyle.Default
    .WithTimeUnit(TimeUnit.Microsecond)
    .WithSizeUnit(Perfolizer.Metrology.SizeUnit.B)
    .WithMaxParameterColumnWidth(40)
    .WithCultureInfo(CultureInfo.InvariantCulture);
var config = ManualConfig.CreateEmpty()
    .AddJob(job, referenceJob, FirstCallsJob.Create())
    .AddLogger(ConsoleLogger.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
    .AddColumn(DerivedColumn.All)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddExporter(MarkdownExporter.GitHub, new CsvExporter(CsvSeparator.Comma, new SummaryStyle(
        CultureInfo.InvariantCulture, printUnitsInHeader: true, Perfolizer.Metrology.SizeUnit.B, TimeUnit.Microsecond,
        printUnitsInContent: false, printZeroValuesInContent: true, maxParameterColumnWidth: 100)))
    .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
    .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
    .AddFilter(new SimpleFilter(CaseFilter.Keep))
    .WithSummaryStyle(style)
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
    .WithOptions(ConfigOptions.DisableLogFile)
    .WithArtifactsPath(artifacts);

// The machine may be shared: sample the 1-minute load average through the run, for the report's caveats.
var loadSamples = new List<double>();
using (var sampler = new Timer(_ =>
{
    if (double.TryParse(LoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double load))
        lock (loadSamples) loadSamples.Add(load);
}, null, TimeSpan.Zero, TimeSpan.FromSeconds(5)))
{
    var started = DateTime.UtcNow;
    // One BenchmarkDotNet run (one build of the benchmark executable) and one summary per suite, so one
    // *-report.csv per op, which report.py reads.
    var summaries = BenchmarkRunner.Run(suites.Select(suite => suite.Class).ToArray(), config, benchmarkArgs.ToArray());
    var reports = summaries.SelectMany(summary => summary.Reports).ToList();
    environment["benchmark_wall_seconds"] = Math.Round((DateTime.UtcNow - started).TotalSeconds);
    environment["benchmark_cases"] = reports.Count;
    environment["failed_cases"] = reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
    // A suite left empty by a BENCH_ARGS --filter is not a failure; nothing measured at all is.
    bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors) || reports.Count == 0
                  || reports.Any(r => !r.Success);
    environment["loadavg_end"] = LoadAverage();
    lock (loadSamples)
    {
        if (loadSamples.Count > 0)
        {
            environment["loadavg_1min_mean"] = Math.Round(loadSamples.Average(), 2);
            environment["loadavg_1min_max"] = loadSamples.Max();
        }
    }
    WriteEnvironment();
    return failed ? 1 : 0;
}
void WriteEnvironment() =>
    File.WriteAllText(Path.Combine(artifacts, "environment.json"),
        JsonSerializer.Serialize(environment, new JsonSerializerOptions { WriteIndented = true }));

static string LoadAverage()
{
    try { return File.ReadAllText("/proc/loadavg").Trim(); }
    catch (IOException) { return "unknown"; }
}

static string CpuModel()
{
    try
    {
        return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown";
    }
    catch (IOException)
    {
        return "unknown";
    }
}

// performance.md §2 gotcha 2: a pinned parent would silently make 2-thread rows run on one core.
static void WarnAboutAffinity()
{
    if (!OperatingSystem.IsLinux()) return;
    long mask = (long)System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity;
    long all = Environment.ProcessorCount >= 63 ? -1 : (1L << Environment.ProcessorCount) - 1;
    if ((mask & all) != all)
        Console.Error.WriteLine($"warning: CPU affinity mask 0x{mask:x} does not cover all {Environment.ProcessorCount} CPUs; 2-thread rows may be wrong");
}
