#!/usr/bin/env python3
"""Turns a DepthwiseInterop.Benchmarks run into docs/benchmarks.md and docs/benchmarks-ratios.png.

Reads, from the BenchmarkDotNet artifacts folder given with --results (make bench: build/benchmarks):
  results/*DepthwiseBenchmarks-report.csv   the measurements (medians, derived roofline columns, allocations)
  environment.json                          what the benchmark host recorded (library, kernels, job, checks)
  python_overhead.json                      optional, from python_overhead.py
Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pngchart  # noqa: E402

UNITS = {"ns": 1e-3, "us": 1.0, "μs": 1.0, "µs": 1.0, "ms": 1e3, "s": 1e6}
METHODS = ("Native", "Managed", "Reference", "OnnxRuntime")

# ONNX Runtime NCHWc (graph optimisation ALL) medians in µs from /work/shared/reference/performance.md §2,
# measured on a quiet machine of this kind: (1 thread, 2 threads). ORT's times in this run divided by these
# tell how busy the machine was while it ran.
ORT_ANCHORS_US = {
    "dw3x3 112x112x32 s1": (159.4, 83.8),
    "dw3x3 112x112x96 s2": (246.8, 125.8),
    "dw3x3 56x56x144 s1": (189.6, 102.6),
    "dw3x3 56x56x144 s2": (87.4, 52.0),
    "dw3x3 28x28x192 s1": (70.9, 39.1),
    "dw3x3 14x14x384 s1": (43.7, 25.5),
    "dw3x3 14x14x576 s1": (65.6, 36.1),
    "dw3x3 7x7x960 s1": (28.2, 17.8),
    "dw5x5 14x14x672 s1": (122.4, 65.0),
    "dw3x3 N8 56x56x144 s1": (4017.3, 1817.7),
}


def geomean(values: list[float]) -> Optional[float]:
    import math
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def number(text: str) -> Optional[float]:
    text = (text or "").strip().replace(",", "")
    if text in ("", "NA", "?", "-", "N/A"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_results(results_dir: Path) -> tuple[dict, list[dict]]:
    candidates = sorted(glob.glob(str(results_dir / "results" / "*DepthwiseBenchmarks-report.csv")))
    if not candidates:
        raise SystemExit(f"no *DepthwiseBenchmarks-report.csv under {results_dir / 'results'}: run the benchmark first")
    with open(candidates[-1], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"{candidates[-1]} has no rows")
    header = rows[0].keys()

    def column(prefix: str) -> tuple[str, float]:
        for name in header:
            if name == prefix or name.startswith(prefix + " ["):
                unit = re.search(r"\[(.+)\]", name)
                return name, UNITS.get(unit.group(1), 1.0) if unit else 1.0
        raise SystemExit(f"column {prefix!r} missing from the CSV (columns: {', '.join(header)})")

    median_col, median_scale = column("Median")
    min_col, min_scale = column("Min")
    alloc_col, _ = column("Allocated")
    measurements = {}
    for row in rows:
        key = (row["Method"], row["Shape"], int(row["Threads"]), row["Layout"])
        median = number(row[median_col])
        measurements[key] = {
            "median_us": None if median is None else median * median_scale,
            "min_us": None if number(row[min_col]) is None else number(row[min_col]) * min_scale,
            "gflops": number(row.get("GFLOP/s", "")),
            "roofline_us": number(row.get("Roofline [us]", "")),
            "bound": row.get("Bound", ""),
            "pct_roofline": number(row.get("% roofline", "")),
            "allocated_b": number(row[alloc_col]),
            "job": row.get("Job", ""),
        }
    return measurements, rows


def git(repo: Path, *args: str) -> str:
    try:
        # --no-optional-locks: a report must not touch the index.
        return subprocess.run(["git", "--no-optional-locks", "-C", str(repo), *args], capture_output=True,
                              text=True, check=True).stdout.rstrip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def kernel_statement(env: dict, repo: Path, measurements: dict) -> tuple[str, str]:
    """(long statement for the page, short one for the chart) of which kernels 'ours' ran."""
    native_isa, managed_isa = env.get("library_isa"), env.get("managed_isa")
    dispatcher = repo / "csharp/DepthwiseInterop/Kernels/ConvolutionDispatcher.cs"
    reference_only = False
    if dispatcher.is_file():
        code = re.sub(r"//.*|///.*", "", dispatcher.read_text(encoding="utf-8"))
        reference_only = "ReferenceConvolution" in code and not re.search(r"Simd|Fast|Vector", code)
    if native_isa is None and managed_isa is None and reference_only:
        long = ("**Ours ran the scalar reference kernels** (`ConvolutionDispatcher` sends every call to "
                "`ReferenceConvolution`, the one-element-at-a-time oracle; the library had no thread setting, so "
                "ours is single-threaded everywhere). These numbers place the reference, not the product: "
                "expect them to change by one to two orders of magnitude when the SIMD kernels land.")
        short = "OURS = SCALAR REFERENCE KERNELS"
    elif (native_isa in (None, "scalar")) and (managed_isa in (None, "scalar")):
        long = ("**Ours ran the scalar reference kernels**: the library reports vector tier "
                f"`{native_isa}` (native) / `{managed_isa}` (managed).")
        short = "OURS = SCALAR REFERENCE KERNELS"
    else:
        long = (f"Ours ran the SIMD depthwise kernels as dispatched at run time: the native library (NativeAOT) "
                f"reports vector tier **`{native_isa or 'unknown'}`** (`di_cpu_isa`), the managed (JIT) build "
                f"**`{managed_isa or 'unknown'}`**. Problems the SIMD kernels do not take fall back to the "
                f"scalar reference.")
        short = f"OURS: NATIVE {str(native_isa).upper()}, MANAGED {str(managed_isa).upper()} KERNELS"
    # A cross-check from the numbers themselves: the scalar reference runs at about 1 GFLOP/s.
    native_rates = [m["gflops"] for (method, *_), m in measurements.items() if method == "Native" and m["gflops"]]
    if native_rates:
        best = max(native_rates)
        long += f" Best Native rate measured: {best:.1f} GFLOP/s"
        long += " (scalar-reference speed)." if best < 3 else "."
    return long, short


def tree_state(repo: Path) -> str:
    head = git(repo, "rev-parse", "--short", "HEAD") or "unknown"
    dirty = git(repo, "status", "--porcelain", "--", "csharp/DepthwiseInterop", "csharp/DepthwiseInterop.Native",
                "Directory.Build.props")
    if not dirty:
        return f"commit `{head}`, library sources clean"
    files = [line[3:] for line in dirty.splitlines() if len(line) > 3]
    shown = ", ".join(f"`{f}`" for f in files[:8]) + (f" and {len(files) - 8} more" if len(files) > 8 else "")
    return (f"commit `{head}` **plus uncommitted changes** to the library sources ({shown}): the library was "
            f"built from the working tree as it was during the run")


def fmt_us(value: Optional[float]) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}"


def fmt(value: Optional[float], digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="build/benchmarks", help="BenchmarkDotNet artifacts folder")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--chart", default="docs/benchmarks-ratios.png")
    parser.add_argument("--repo", default=".", help="repository root (for the git state and the dispatcher)")
    parser.add_argument("--total-seconds", type=float, help="wall time of the whole make bench recipe")
    args = parser.parse_args()

    results = Path(args.results)
    repo = Path(args.repo).resolve()
    measurements, _ = read_results(results)
    env_path = results / "environment.json"
    env = json.loads(env_path.read_text(encoding="utf-8")) if env_path.is_file() else {}
    overhead_path = results / "python_overhead.json"
    overhead = json.loads(overhead_path.read_text(encoding="utf-8")) if overhead_path.is_file() else None

    shapes = env.get("shapes") or list(dict.fromkeys(key[1] for key in measurements))
    shapes = [s for s in shapes if any(key[1] == s for key in measurements)]
    thread_counts = sorted({key[2] for key in measurements})

    def get(method: str, shape: str, threads: int, layout: str) -> Optional[dict]:
        return measurements.get((method, shape, threads, layout))

    statement, short_statement = kernel_statement(env, repo, measurements)
    rows, chart_series = [], {}
    footnote_reused = False
    for shape in shapes:
        for threads in thread_counts:
            ort = get("OnnxRuntime", shape, threads, "NCHW")
            for layout in ("NHWC", "NCHW"):
                native = get("Native", shape, threads, layout)
                managed = get("Managed", shape, threads, layout)
                reused = False
                if native is None and threads > 1:
                    native = get("Native", shape, 1, layout)
                    reused = native is not None
                    footnote_reused |= reused
                if managed is None and threads > 1:
                    managed = get("Managed", shape, 1, layout)
                    footnote_reused |= managed is not None
                ours_us = native["median_us"] if native else None
                ort_us = ort["median_us"] if ort else None
                ratio = ort_us / ours_us if ours_us and ort_us else None
                roofline_us = ort["roofline_us"] if ort else (native["roofline_us"] if native else None)
                bound = ort["bound"] if ort else (native["bound"] if native else "")
                pct = 100 * roofline_us / ours_us if roofline_us and ours_us else None
                gflops = native["gflops"] if native else None
                ort_pct = ort["pct_roofline"] if ort else None
                thr_label = f"{threads}" + (" (ours 1)¹" if reused else "")
                rows.append((shape, thr_label, layout, fmt_us(ours_us), fmt_us(managed["median_us"] if managed else None),
                             fmt_us(ort_us), fmt(ratio, 2 if ratio and ratio < 10 else 1), fmt(gflops, 2),
                             fmt(pct, 1, "%"), f"{fmt(roofline_us, 1)} ({bound})", fmt(ort_pct, 1, "%")))
                if not reused:
                    chart_series.setdefault((layout, threads), {})[shape] = ratio

    lines = []
    add = lines.append
    add("# Benchmarks: fp32 depthwise_conv2d, this library against ONNX Runtime")
    add("")
    add("<!-- Generated by tools/benchmarks/report.py from a `make bench` run; edit the script, not this page. -->")
    add("")
    add(f"Run of {env.get('date_utc', 'unknown date')} on {env.get('cpu', 'unknown CPU')}, "
        f"{env.get('logical_cpus', '?')} logical CPUs ({env.get('os', '')}), {env.get('dotnet', '')}, "
        f"BenchmarkDotNet {env.get('benchmarkdotnet', '?')}, ONNX Runtime {env.get('onnxruntime', '?')}, "
        f"library {env.get('library_version', '?')}; source: {tree_state(repo)}.")
    add("")
    add("**What ran as \"ours\".** " + statement)
    add("")
    job = env.get("job", {})
    preset = env.get("preset", "?")
    anchor_ratios = {t: geomean([measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"] / anchor[t - 1]
                                 for shape, anchor in ORT_ANCHORS_US.items()
                                 if ("OnnxRuntime", shape, t, "NCHW") in measurements
                                 and measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"]])
                     for t in thread_counts}
    load_mean = env.get("loadavg_1min_mean")
    busy = (isinstance(load_mean, (int, float)) and load_mean > 3.0) or any(
        r is not None and r > 1.3 for r in anchor_ratios.values())
    load_text = (f"1-minute load average {load_mean:.1f} on average during the run (max {env.get('loadavg_1min_max')}); "
                 if isinstance(load_mean, (int, float)) else
                 f"load average {str(env.get('loadavg_start', '?')).split(' ')[0]} at the start, "
                 f"{str(env.get('loadavg_end', '?')).split(' ')[0]} at the end; ")
    anchor_text = " and ".join(f"{r:.2f}x ({t} thread{'s' if t > 1 else ''})" for t, r in anchor_ratios.items() if r)
    trust = (f"**How much to trust it.** Preset `{preset}`: {job.get('warmup_iterations', '?')} warm-up and "
             f"{job.get('iterations', '?')} measured iterations of ~{job.get('iteration_time_ms', '?')} ms per case, "
             f"one process per case, on a 2-vCPU VM ({load_text}the benchmark itself accounts for 1-2). ")
    if anchor_text:
        trust += (f"ONNX Runtime took {anchor_text} its quiet-machine times of performance.md §2 (geometric mean "
                  "over the layers listed there; about 1.0x on a quiet machine; table below). ")
    if busy:
        trust = ("> **Warning: the machine was busy during this run** (other jobs competed for the 2 vCPUs), so "
                 "absolute times, ratios and roofline percentages below are distorted, unevenly from case to case. "
                 "Rerun `make bench` on a quiet machine before quoting any number.\n\n" + trust)
    trust += ("Even on a quiet machine absolute times drift between runs (up to 2x on some 2-thread rows, "
              "performance.md §2): compare ratios from the same run, and rerun before concluding.")
    if preset == "quick":
        trust += " A `quick` run validates the pipeline; it is not a measurement to quote."
    add(trust)
    add("")
    add("## Results")
    add("")
    add("Median time per call in µs. *Native* is the product path: `libdepthwise_interop.so` through its C ABI "
        "(P/Invoke). *Managed* is `Convolution.DepthwiseConv2D<float>` on spans, JIT-compiled. *ORT* is ONNX "
        "Runtime's Conv (group = C) in NCHW, graph optimisation ALL, measured once per shape and thread count: "
        "both of our layouts are compared with that one ORT time. **ORT ÷ Native above 1 means ours is faster.** "
        "GFLOP/s, % roofline: Native's. Roofline: the warm roofline in µs and what bounds it (see Method).")
    add("")
    add("| layer | threads | layout | Native µs | Managed µs | ORT µs | ORT ÷ Native | GFLOP/s | % roofline | roofline µs (bound) | ORT % roofline |")
    add("|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for row in rows:
        add("| " + " | ".join(row) + " |")
    add("")
    if footnote_reused:
        add("¹ The library loaded had no thread setting (`di_set_num_threads` not exported), so ours was not run "
            "at 2 threads: the 2-thread rows repeat ours' 1-thread time against ORT's 2-thread time, and its "
            "% roofline against the 2-core roofline.")
        add("")
    add("![ORT time ÷ ours (Native) per layer, log scale](benchmarks-ratios.png)")
    add("")

    reference_rows = [(key, m) for key, m in measurements.items() if key[0] == "Reference"]
    add("### The scalar reference kernel")
    add("")
    if reference_rows:
        add("`ReferenceConvolution` is internal; it is reached through the public route the library offers: the "
            "managed API in a process started with `DEPTHWISE_INTEROP_MAX_ISA=scalar` (the documented cap on the "
            "vector tier, at which every call takes the reference). A short job (1 warm-up, 3 iterations) on "
            "three shapes, 1 thread, NHWC:")
        add("")
        add("| layer | Reference µs | GFLOP/s | % roofline | Native µs | Native speed-up over reference |")
        add("|---|---:|---:|---:|---:|---:|")
        for (method, shape, threads, layout), m in sorted(reference_rows, key=lambda item: shapes.index(item[0][1])
                                                          if item[0][1] in shapes else 99):
            native = get("Native", shape, threads, layout)
            speedup = m["median_us"] / native["median_us"] if native and native["median_us"] and m["median_us"] else None
            add(f"| {shape} | {fmt_us(m['median_us'])} | {fmt(m['gflops'])} | {fmt(m['pct_roofline'], 1, '%')} | "
                f"{fmt_us(native['median_us'] if native else None)} | {fmt(speedup, 1, 'x')} |")
    else:
        add("Not measured in this run.")
    add("")

    anchor_rows = [(shape, t, anchor[t - 1], measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"])
                   for shape, anchor in ORT_ANCHORS_US.items() for t in thread_counts
                   if ("OnnxRuntime", shape, t, "NCHW") in measurements]
    if anchor_rows:
        add("### ONNX Runtime against its quiet-machine times (performance.md §2)")
        add("")
        add("| layer | threads | ORT µs, performance.md | ORT µs, this run | this run ÷ anchor |")
        add("|---|---|---:|---:|---:|")
        for shape, t, anchor, now in anchor_rows:
            add(f"| {shape} | {t} | {fmt_us(anchor)} | {fmt_us(now)} | {fmt(now / anchor if now else None, 2, 'x')} |")
        add("")

    allocations = {}
    for (method, *_), m in measurements.items():
        if m["allocated_b"] is not None:
            allocations[method] = max(allocations.get(method, 0.0), m["allocated_b"])
    if allocations:
        add("### Managed allocations per call (MemoryDiagnoser, largest over all rows)")
        add("")
        add(", ".join(f"{method}: {allocations[method]:.0f} B" for method in METHODS if method in allocations)
            + ". ORT's few hundred bytes are its managed `Run` wrapper; native-side allocations are not counted.")
        add("")

    add("## Python per-call overhead")
    add("")
    if overhead:
        add(f"`tools/benchmarks/python_overhead.py`: {overhead['problem']}, {overhead['calls_per_variant']:,} calls "
            f"of each variant in alternating blocks, medians, one process; library threads: {overhead['library_threads']}.")
        add("")
        add("| call | median µs |")
        add("|---|---:|")
        add(f"| direct ctypes `di_depthwise_conv2d` (buffers and params prepared once) | {overhead['direct_ctypes_median_us']:.2f} |")
        add(f"| `depthwise_interop.nn.depthwise_conv2d` (checks, shape query, output allocation) | {overhead['nn_depthwise_conv2d_median_us']:.2f} |")
        add(f"| **difference: the Python layer's cost per call** | **{overhead['overhead_us']:.2f}** |")
        add("")
    else:
        add("Not measured in this run (`python_overhead.json` missing).")
        add("")

    add("## Method")
    add("")
    add("- **One run, same-run ratios.** Every implementation, shape, thread count and layout is a case of one "
        "BenchmarkDotNet class, run in one `make bench`; each ratio divides two medians from that run. Each case "
        "runs in its own process: BenchmarkDotNet's pilot stage picks the calls per iteration for the iteration "
        "time, then warm-up iterations, then the measured iterations; the table shows their **median** per call. "
        "No overhead subtraction (an empty call costs ~1 ns).")
    add("- **Warm.** The same preallocated (pinned) input, filter and output are reused on every call, so the "
        "data stay in cache at the level that fits them. The benchmark allocates nothing in the timed call: what "
        "MemoryDiagnoser reports is allocated by the library (or ORT's managed wrapper).")
    add("- **Threads.** `Threads` is passed to ORT as `IntraOpNumThreads` (InterOpNumThreads 1, sequential), to "
        "the native library through `di_set_num_threads` when the loaded library exports it (checked with "
        "`NativeLibrary.TryGetExport`, and read back with `di_get_num_threads`), and to the managed library "
        "through its public `ComputeSettings.ThreadCount` when it has one; 1-thread rows set 1 explicitly. "
        f"This run: native thread setting {'present' if env.get('library_thread_setting') else 'absent'}, "
        f"managed {'present' if env.get('managed_thread_setting') else 'absent'}.")
    add("- **ONNX Runtime.** A one-node ONNX `Conv` written by a small protobuf encoder in the benchmark "
        "(`OnnxModel.cs`): NCHW input, weights `[C·M, 1, K, K]` as an initializer, `group = C`, "
        "`pads` = TensorFlow SAME's split (odd pixel bottom/right), opset 17; `GraphOptimizationLevel.ORT_ENABLE_ALL` "
        "(its NCHWc fast path: the reorders to and from NCHWc are inside the timed call); input and output "
        "`OrtValue`s over preallocated pinned arrays; `session.Run(RunOptions, names, values, names, values)`.")
    validation = env.get("validation") or []
    if validation:
        worst = max(validation, key=lambda r: r.get("MaxAbsDiff", 0))
        largest = (f"largest difference {worst.get('MaxAbsDiff', 0):.2e} ({worst.get('Shape')}, "
                   f"{worst.get('Implementation')} {worst.get('Layout')})" if worst.get("MaxAbsDiff", 0) > 0
                   else "all bitwise equal to ORT's output")
        add(f"- **Checked first.** Before timing, every shape × layout of Native and Managed was compared with "
            f"ORT (which also checks the hand-written model and its pads): "
            f"{sum(1 for r in validation if r.get('Ok'))}/{len(validation)} within 1e-4·max(1, max|y|); {largest}.")
    add("- **Roofline** (performance.md §1). Warm roofline = max(flops ÷ FMA peak, bytes ÷ bandwidth of the "
        "cache level holding the working set); flops = 2·MACs, bytes = input + filter + output (fp32). FMA peak "
        "117 GFLOP/s for 1 thread, 230 for 2. Level: L1 if the bytes per thread fit 32 KiB (232 / 464 GB/s), L2 "
        "if they fit 1 MiB (115 / 230 GB/s), L3 if the total fits 32 MiB (95 / 180 GB/s), else DRAM "
        "(27 / 34 GB/s); 1-thread / 2-thread figures. Those constants were measured on an AMD EPYC Zen 4 "
        "KVM guest with 2 vCPUs; on another CPU the percentages are indicative only. Implemented once, in "
        "`Roofline.cs`, and exported as CSV columns. % roofline = roofline time ÷ median time.")
    add(f"- **Machine.** {env.get('cpu', '?')}, {env.get('logical_cpus', '?')} logical CPUs, {env.get('os', '?')}; "
        f"{env.get('dotnet', '?')} (JIT: Vector512 {'on' if env.get('managed_vector512') else 'off'}, Vector256 "
        f"{'on' if env.get('managed_vector256') else 'off'}); library `{env.get('library_path', '?')}`.")
    wall = env.get("benchmark_wall_seconds")
    add(f"- **Duration.** BenchmarkDotNet part: {wall:.0f} s for {env.get('benchmark_cases', '?')} cases"
        if isinstance(wall, (int, float)) else "- **Duration.** unknown")
    if args.total_seconds:
        lines[-1] += f"; whole `make bench` recipe (benchmark, Python overhead, report): {args.total_seconds:.0f} s"
    lines[-1] += "."
    failed = env.get("failed_cases") or []
    if failed:
        add(f"- **Failed cases:** {', '.join(failed)}.")
    add("")
    add("## Reproduce")
    add("")
    add("```sh")
    add("make bench                     # standard preset; builds the library, runs everything, rewrites this page")
    add("make bench BENCH_PRESET=quick  # faster pipeline check")
    add("DEPTHWISE_BENCH_SHAPES='7x7,15x15' make bench   # a subset of the layers (substrings of the labels)")
    add("```")
    add("")
    add("Raw results: `build/benchmarks/results/` (BenchmarkDotNet's CSV and GitHub markdown) and "
        "`build/benchmarks/environment.json`.")
    add("")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")

    series_spec = [
        (("NHWC", 1), "NHWC 1 THREAD", (31, 119, 180)),
        (("NHWC", 2), "NHWC 2 THREADS", (140, 190, 230)),
        (("NCHW", 1), "NCHW 1 THREAD", (230, 120, 20)),
        (("NCHW", 2), "NCHW 2 THREADS", (250, 190, 120)),
    ]
    series = [(name, color, [chart_series.get(key, {}).get(shape) for shape in shapes])
              for key, name, color in series_spec if any(chart_series.get(key, {}).values())]
    if series:
        png = pngchart.ratio_chart(
            labels=shapes,
            series=series,
            title="ORT TIME / OURS (NATIVE C ABI), LOG SCALE",
            subtitle=f"FP32 DEPTHWISE, MEDIANS OF ONE RUN ({env.get('date_utc', '')}, PRESET {preset}). "
                     f"{short_statement}. ABOVE 1: OURS FASTER.",
            footer=("MACHINE WAS BUSY DURING THIS RUN: NUMBERS DISTORTED. " if busy else "")
                   + "ORT: NCHW, GRAPH OPTIMISATION ALL, SAME THREAD COUNT. SEE DOCS/BENCHMARKS.MD.",
        )
        Path(args.chart).write_bytes(png)
    print(f"wrote {out} ({len(rows)} rows) and {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
