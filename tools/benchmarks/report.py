#!/usr/bin/env python3
"""Turns a DepthwiseInterop.Benchmarks run into docs/benchmarks.md and docs/benchmarks-ratios.png.

Reads, from the BenchmarkDotNet artifacts folder given with --results (make bench: build/benchmarks):
  results/*DepthwiseBenchmarks-report.csv   depthwise_conv2d measurements (medians, derived columns, allocations)
  results/*Conv2DBenchmarks-report.csv      conv2d measurements (optional: --ops may have left it out)
  results/*SeparableBenchmarks-report.csv   separable_conv2d measurements (optional likewise)
  results/*HalfPrecisionBenchmarks-report.csv  float16 / bfloat16 against float32 (optional likewise)
  environment.json                          what the benchmark host recorded (library, kernels, FMA peak, job, checks)
  python_overhead.json                      optional, from python_overhead.py
Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paired as side_by_side  # noqa: E402
import pngchart  # noqa: E402

UNITS = {"ns": 1e-3, "us": 1.0, "μs": 1.0, "µs": 1.0, "ms": 1e3, "s": 1e6}
METHODS = ("Native", "NativeTwoCalls", "Managed", "Reference", "OnnxRuntime", "Float32", "Float16", "BFloat16",
           "ManagedFirstCalls")
# The BenchmarkDotNet class of each op, in report order.
SUITES = {"depthwise": "DepthwiseBenchmarks", "conv2d": "Conv2DBenchmarks", "separable": "SeparableBenchmarks",
          "half": "HalfPrecisionBenchmarks", "first-calls": "FirstCallsBenchmarks"}
# Suites without fp32 rows against ORT (no chart bars, not in the page title's op list).
NOT_AGAINST_ORT = ("half", "first-calls")
# The half suite's rows: (benchmark method, column name); each half type's time is divided by Float32's.
HALF_TYPES = (("Float16", "float16"), ("BFloat16", "bfloat16"))
# Mean 1-minute load average above which the run is called busy: the benchmark itself keeps 1-2 threads
# runnable on the 2 vCPUs, so a mean above 2.5 means other jobs held about a whole vCPU on average.
BUSY_LOAD = 2.5

# ONNX Runtime NCHWc (graph optimisation ALL) medians in µs from /work/shared/reference/performance.md §2,
# measured on a quiet AMD EPYC Zen 4 (AVX-512) VM: (1 thread, 2 threads). On that machine kind, ORT's times
# in this run divided by these tell how busy the machine was; on another CPU they also carry the CPU's
# difference, so the report states the comparison and does not call the machine busy from it.
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
    "conv3x3 56x56x64->64 s1": (2020.0, 1012.0),
    "pw1x1 56x56x144->24": (307.0, 168.0),
}
# performance.md §1's fp32 FMA peak of one Zen 4 core, GFLOP/s.
ANCHOR_PEAK_GFLOPS = 117.0


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


def read_results(results_dir: Path, suite_class: str) -> dict:
    """{(method, shape, threads, layout): measurement} of one suite; empty when the run did not include it.
    Suites without a Layout parameter (conv2d, separable) run ours in NHWC; their ORT rows are NCHW."""
    candidates = sorted(glob.glob(str(results_dir / "results" / f"*{suite_class}-report.csv")))
    if not candidates:
        return {}
    with open(candidates[-1], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    header = rows[0].keys()

    def column(prefix: str) -> tuple[str, float]:
        for name in header:
            if name == prefix or name.startswith(prefix + " ["):
                unit = re.search(r"\[(.+)\]", name)
                return name, UNITS.get(unit.group(1), 1.0) if unit else 1.0
        raise SystemExit(f"column {prefix!r} missing from {candidates[-1]} (columns: {', '.join(header)})")

    median_col, median_scale = column("Median")
    min_col, min_scale = column("Min")
    max_col, max_scale = column("Max")
    alloc_col, _ = column("Allocated")
    measurements = {}
    for row in rows:
        layout = row.get("Layout") or ("NCHW" if row["Method"] == "OnnxRuntime" else "NHWC")
        key = (row["Method"], row["Shape"], int(row["Threads"]), layout)
        median = number(row[median_col])
        measurements[key] = {
            "median_us": None if median is None else median * median_scale,
            "min_us": None if number(row[min_col]) is None else number(row[min_col]) * min_scale,
            "max_us": None if number(row[max_col]) is None else number(row[max_col]) * max_scale,
            "gflops": number(row.get("GFLOP/s", "")),
            "pct_fma_peak": number(row.get("% FMA peak", "")),
            "roofline_us": number(row.get("Roofline [us]", "")),
            "bound": row.get("Bound", ""),
            "pct_roofline": number(row.get("% roofline", "")),
            "allocated_b": number(row[alloc_col]),
            "job": row.get("Job", ""),
        }
    return measurements


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
        long = (f"Ours ran the SIMD kernels as dispatched at run time: the native library (NativeAOT) "
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


def ordered_shapes(env: dict, suite: str, measurements: dict) -> list[str]:
    """The suite's shape labels in the benchmark's list order (environment.json), keeping measured ones."""
    recorded = env.get("shapes")
    if isinstance(recorded, dict):
        recorded = recorded.get(suite)
    elif suite != "depthwise":
        recorded = None     # environment.json of a run before conv2d and separable existed
    labels = recorded or list(dict.fromkeys(key[1] for key in measurements))
    return [label for label in labels if any(key[1] == label for key in measurements)]


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    return numerator / denominator if numerator and denominator else None


def median(m: Optional[dict]) -> Optional[float]:
    return m["median_us"] if m else None


def peak_statement(env: dict) -> str:
    peak = env.get("fma_peak_gflops_per_core")
    if peak is None:
        return (f"{ANCHOR_PEAK_GFLOPS:.0f} GFLOP/s per core, performance.md §1's Zen 4 figure (this run did not "
                f"measure the machine's own)")
    median_trial = env.get("fma_peak_median_trial_gflops")
    return (f"{peak:.1f} GFLOP/s per core, {env.get('fma_peak_source', '?')}"
            + (f", median trial {median_trial:.1f}" if median_trial else "")
            + "; 2 threads: twice that")


def trust_section(env: dict, ort_measurements: dict, thread_counts: list[int]) -> tuple[str, bool]:
    """The 'how much to trust it' paragraph and whether the run counts as busy (from the load average only)."""
    job = env.get("job", {})
    preset = env.get("preset", "?")
    load_mean = env.get("loadavg_1min_mean")
    busy = isinstance(load_mean, (int, float)) and load_mean > BUSY_LOAD
    load_text = (f"1-minute load average {load_mean:.1f} on average during the run (max {env.get('loadavg_1min_max')}); "
                 if isinstance(load_mean, (int, float)) else
                 f"load average {str(env.get('loadavg_start', '?')).split(' ')[0]} at the start, "
                 f"{str(env.get('loadavg_end', '?')).split(' ')[0]} at the end; ")
    trust = (f"**How much to trust it.** Preset `{preset}`: {job.get('warmup_iterations', '?')} warm-up and "
             f"{job.get('iterations', '?')} measured iterations of ~{job.get('iteration_time_ms', '?')} ms per case, "
             f"one process per case, on a 2-vCPU VM ({load_text}the benchmark itself keeps 1-2 threads busy; "
             f"a mean above {BUSY_LOAD} is called busy below). ")
    anchor_ratios = {t: geomean([ort_measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"] / anchor[t - 1]
                                 for shape, anchor in ORT_ANCHORS_US.items()
                                 if ("OnnxRuntime", shape, t, "NCHW") in ort_measurements
                                 and ort_measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"]])
                     for t in thread_counts}
    anchor_text = " and ".join(f"{r:.2f}x ({t} thread{'s' if t > 1 else ''})" for t, r in anchor_ratios.items() if r)
    if anchor_text:
        peak = env.get("fma_peak_gflops_per_core")
        same_kind = (env.get("library_isa") == "avx512"
                     and (peak is None or abs(peak / ANCHOR_PEAK_GFLOPS - 1) < 0.1))
        trust += (f"ONNX Runtime took {anchor_text} its times in performance.md §2 (geometric mean over the layers "
                  "listed there; table below), which were measured on a quiet AMD EPYC Zen 4 VM with AVX-512 and "
                  f"{ANCHOR_PEAK_GFLOPS:.0f} GFLOP/s per core. ")
        if same_kind:
            trust += "This machine is of that kind, so about 1.0x means a quiet machine. "
        else:
            trust += (f"**This CPU differs** (vector tier `{env.get('library_isa', '?')}`, measured FMA peak "
                      f"{fmt(peak, 1)} GFLOP/s per core), so that ratio mixes the CPU difference with the load: "
                      "it is shown for reference and not used to judge how busy the machine was. ")
    if busy:
        trust = ("> **Warning: the machine was busy during this run** (mean 1-minute load average "
                 f"{load_mean:.1f} > {BUSY_LOAD} on 2 vCPUs: other jobs competed with the benchmark), so absolute "
                 "times, ratios and percentages below are distorted, unevenly from case to case. Rerun `make bench` "
                 "on a quiet machine before quoting any number.\n\n" + trust)
    trust += ("Even on a quiet machine absolute times drift between runs (up to 2x on some 2-thread rows, "
              "performance.md §2): compare ratios from the same run, and rerun before concluding.")
    if preset == "quick":
        trust += " A `quick` run validates the pipeline; it is not a measurement to quote."
    return trust, busy


def depthwise_section(add, data: dict, shapes: list[str], thread_counts: list[int], chart_series: dict,
                      paired: Optional[dict]) -> None:
    def get(method: str, shape: str, threads: int, layout: str) -> Optional[dict]:
        return data.get((method, shape, threads, layout))

    rows = []
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
                ours_us, ort_us = median(native), median(ort)
                ort_over_ours = ratio(ort_us, ours_us)
                roofline_us = ort["roofline_us"] if ort else (native["roofline_us"] if native else None)
                bound = ort["bound"] if ort else (native["bound"] if native else "")
                pct = 100 * roofline_us / ours_us if roofline_us and ours_us else None
                thr_label = f"{threads}" + (" (ours 1)¹" if reused else "")
                rows.append((shape, thr_label, layout, fmt_us(ours_us), fmt_us(median(managed)),
                             fmt_us(ort_us), fmt(ort_over_ours, 2 if ort_over_ours and ort_over_ours < 10 else 1),
                             fmt(native["gflops"] if native else None, 2),
                             fmt(pct, 1, "%"), f"{fmt(roofline_us, 1)} ({bound})", fmt(ort["pct_roofline"] if ort else None, 1, "%")))
                if not reused:
                    chart_series.setdefault((layout, threads), {})[shape] = ort_over_ours

    add("## depthwise_conv2d")
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

    depthwise_targets(add, data, shapes, thread_counts, paired)

    reference_rows = [(key, m) for key, m in data.items() if key[0] == "Reference"]
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
            add(f"| {shape} | {fmt_us(m['median_us'])} | {fmt(m['gflops'])} | {fmt(m['pct_roofline'], 1, '%')} | "
                f"{fmt_us(median(native))} | {fmt(ratio(m['median_us'], median(native)), 1, 'x')} |")
    else:
        add("Not measured in this run.")
    add("")


# Issue #5's batch-1 MobileNetV2 layers (performance.md §2's list, the 5x5 case included) and its multiplier pairs:
# a multiplier-M layer against the multiplier-1 layer with the same output (so the same flops).
MOBILENET_DEPTHWISE = [shape for shape in ORT_ANCHORS_US if shape.startswith("dw") and " N8 " not in shape]
MULTIPLIER_PAIRS = {"dw3x3 56x56x72 m2 s1": "dw3x3 56x56x144 s1", "dw3x3 28x28x48 m4 s1": "dw3x3 28x28x192 s1"}


PAIRED_NOTE = ("Where the side-by-side run measured a pair (section *Side by side in one process*), its ratio is "
               "shown beside the BenchmarkDotNet one and **decides \"met\"**: the median of per-round ratios of the "
               "two sides interleaved in one process, not two medians measured minutes apart. \"IQR spans the "
               "threshold\": the middle half of the rounds fell on both sides of the target, so the run does not "
               "settle it.")


def yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def depthwise_targets(add, data: dict, shapes: list[str], thread_counts: list[int], paired: Optional[dict]) -> None:
    """Issue #5's four measured targets, each computed from this run's rows above (and the paired run's pairs)."""
    add("### Issue #5's targets, from the rows above")
    add("")
    if paired:
        add(PAIRED_NOTE)
        add("")
    add("| target | threads | BenchmarkDotNet medians | side by side: median of per-round ratios (IQR) | met |")
    add("|---|---|---|---|---|")
    for threads in thread_counts:
        mobilenet_target(add, data, shapes, threads, paired)
    for shape in shapes:
        if shape.startswith("dw3x3") and shape.endswith(" s1") and " N8 " not in shape:
            roofline_target(add, data, shape, paired)
    for threads in thread_counts:
        for shape in shapes:
            layout_target(add, data, shape, threads, paired)
    for threads in thread_counts:
        for shape, reference in MULTIPLIER_PAIRS.items():
            for layout in ("NHWC", "NCHW"):
                multiplier_target(add, data, shape, reference, threads, layout, paired)
    add("")


def native_key(shape: str, threads: int, layout: str) -> tuple:
    return ("Native", shape, threads, layout)


def ort_key(shape: str, threads: int) -> tuple:
    return ("OnnxRuntime", shape, threads, "NCHW")


def mobilenet_target(add, data: dict, shapes: list[str], threads: int, paired: Optional[dict]) -> None:
    layers = [shape for shape in MOBILENET_DEPTHWISE if shape in shapes]
    bdn = {shape: ratio(median(data.get(ort_key(shape, threads))), median(data.get(native_key(shape, threads, "NHWC"))))
           for shape in layers}
    side = {shape: side_by_side.lookup(paired, ort_key(shape, threads), native_key(shape, threads, "NHWC"))
            for shape in layers}
    decided = {shape: side_by_side.decide(side[shape], bdn[shape]) for shape in layers}
    decided = {k: v for k, v in decided.items() if v is not None}
    if not decided:
        return

    def summary(values: dict) -> str:
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return "—"
        worst = min(values, key=values.get)
        return (f"ORT ÷ ours {fmt(values[worst])} at worst ({worst}), geometric mean "
                f"{fmt(geomean(list(values.values())))} over {len(values)} layers")

    worst = min(decided.values())
    mean = geomean(list(decided.values()))
    paired_values = {k: v["median"] for k, v in side.items() if v is not None}
    add(f"| NHWC batch-1 MobileNetV2 layers: ours ≤ ORT's time on each, geometric-mean speed-up ≥ 1.5x | {threads} | "
        f"{summary(bdn)} | {summary(paired_values)} | {yes(worst >= 1 and mean is not None and mean >= 1.5)} |")


def roofline_target(add, data: dict, shape: str, paired: Optional[dict]) -> None:
    """≥ 50% of the warm roofline at 1 thread. The paired run measures the FMA peak in the same rounds: for an
    FMA-bound layer, % roofline is % of that peak, which then decides; a memory-bound layer keeps BDN's figure."""
    ort = data.get(ort_key(shape, 1))
    roofline = ort["roofline_us"] if ort else None
    nhwc, nchw = median(data.get(native_key(shape, 1, "NHWC"))), median(data.get(native_key(shape, 1, "NCHW")))
    if roofline is None or nhwc is None:
        return
    pct = 100 * roofline / nhwc
    nchw_text = f" (NCHW {fmt(100 * roofline / nchw, 1, '%')})" if nchw else ""
    peak_key = (side_by_side.FMA_METHOD, shape, 1, "")
    share = side_by_side.lookup(paired, peak_key, native_key(shape, 1, "NHWC"))
    share_nchw = side_by_side.lookup(paired, peak_key, native_key(shape, 1, "NCHW"))
    paired_text = "—" if share is None else (
        f"{side_by_side.fmt_ratio(share, percent=True)} of the FMA peak measured in the same rounds"
        + (f" (NCHW {side_by_side.fmt_ratio(share_nchw, percent=True)})" if share_nchw else ""))
    deciding = share if ort["bound"] == "FMA" else None
    ok = deciding["median"] >= 0.5 if deciding is not None else pct >= 50
    add(f"| 3x3 stride 1 at ≥ 50% of the warm roofline ({ort['bound']}-bound): {shape}, NHWC | 1 | "
        f"{fmt(pct, 1, '%')}{nchw_text} | {paired_text} | {side_by_side.verdict(ok, deciding, 0.5)} |")


def layout_target(add, data: dict, shape: str, threads: int, paired: Optional[dict]) -> None:
    nhwc, nchw = median(data.get(native_key(shape, threads, "NHWC"))), median(data.get(native_key(shape, threads, "NCHW")))
    if nhwc is None or nchw is None:
        return
    side = side_by_side.lookup(paired, native_key(shape, threads, "NCHW"), native_key(shape, threads, "NHWC"))
    decided = side_by_side.decide(side, nchw / nhwc)
    add(f"| NCHW within 1.2x of NHWC: {shape} | {threads} | NCHW ÷ NHWC time {fmt(nchw / nhwc)} | "
        f"{side_by_side.fmt_ratio(side)} | {side_by_side.verdict(decided <= 1.2, side, 1.2)} |")


def multiplier_target(add, data: dict, shape: str, reference: str, threads: int, layout: str,
                      paired: Optional[dict]) -> None:
    """Same output, same flops: the paired time ratio multiplier 1 ÷ multiplier M is M's GFLOP/s ÷ 1's."""
    got, base = data.get(native_key(shape, threads, layout)), data.get(native_key(reference, threads, layout))
    if got is None or base is None or got["gflops"] is None or base["gflops"] is None:
        return
    side = side_by_side.lookup(paired, native_key(reference, threads, layout), native_key(shape, threads, layout))
    decided = side_by_side.decide(side, got["gflops"] / base["gflops"])
    add(f"| multiplier ≥ multiplier 1's GFLOP/s: {shape} against {reference} (same output), {layout} | {threads} | "
        f"{fmt(got['gflops'], 1)} against {fmt(base['gflops'], 1)} GFLOP/s | "
        f"{side_by_side.fmt_ratio(side)} (GFLOP/s ratio) | {side_by_side.verdict(decided >= 1, side, 1.0)} |")


def conv2d_target(shape: str) -> Optional[tuple[str, float, Optional[float]]]:
    """Issue #6's target for a conv2d row: (text, allowed ours ÷ ORT time, required % of FMA peak at 1 thread)."""
    if shape.startswith("conv3x3") and "x3->" not in shape:      # dense 3x3; the 3-channel first layer has none
        return "≤ 1.1x ORT's time; ≥ 85% of FMA peak at 1 thread", 1.1, 85.0
    if shape.startswith(("pw", "gconv")):
        return "≤ ORT's time", 1.0, None
    return None


def conv2d_section(add, data: dict, shapes: list[str], thread_counts: list[int], chart_series: dict,
                   paired: Optional[dict]) -> None:
    add("## conv2d")
    add("")
    add("Ours in NHWC (TensorFlow's default layout): *Native* is `di_conv2d` through the C ABI, *Managed* "
        "`Convolution.Conv2D<float>`. *ORT* is one ONNX `Conv` (group = the label's gN, else 1) in NCHW, graph "
        "optimisation ALL. **ORT ÷ Native above 1 means ours is faster.** GFLOP/s and % of FMA peak: Native's, "
        "then ORT's. The last columns check issue #6's targets (dense 3x3: ≤ 1.1x ORT's time and ≥ 85% of FMA "
        "peak at 1 thread; pointwise and grouped: ≤ ORT's time; the 3-channel first layer has no target)."
        + (" *Side by side*: ORT ÷ Native from the side-by-side run (median of per-round ratios, IQR), which "
           "decides the time part of the target where present; *side by side % FMA peak*: Native's share of the FMA "
           "peak measured by the chains in the same rounds (dense 3x3, 1 thread), which decides the peak part "
           "where present, as for the depthwise roofline target." if paired else ""))
    add("")
    add("| layer | threads | Native µs | Managed µs | ORT µs | ORT ÷ Native | side by side | GFLOP/s | % FMA peak | "
        "side by side % FMA peak | ORT % FMA peak | target | met |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for shape in shapes:
        for threads in thread_counts:
            native = data.get(("Native", shape, threads, "NHWC"))
            ort = data.get(("OnnxRuntime", shape, threads, "NCHW"))
            ort_over_ours = ratio(median(ort), median(native))
            side = side_by_side.lookup(paired, ("OnnxRuntime", shape, threads, "NCHW"), ("Native", shape, threads, "NHWC"))
            pct_peak = native["pct_fma_peak"] if native else None
            share = side_by_side.lookup(paired, (side_by_side.FMA_METHOD, shape, 1, ""), ("Native", shape, 1, "NHWC")) \
                if threads == 1 else None
            target = conv2d_target(shape)
            add(f"| {shape} | {threads} | {fmt_us(median(native))} | "
                f"{fmt_us(median(data.get(('Managed', shape, threads, 'NHWC'))))} | {fmt_us(median(ort))} | "
                f"{fmt(ort_over_ours)} | {side_by_side.fmt_ratio(side)} | {fmt(native['gflops'] if native else None, 1)} | "
                f"{fmt(pct_peak, 1, '%')} | {'—' if share is None else side_by_side.fmt_ratio(share, percent=True)} | "
                f"{fmt(ort['pct_fma_peak'] if ort else None, 1, '%')} | "
                f"{target[0] if target else '—'} | {conv2d_met(target, side, ort_over_ours, pct_peak, share, threads)} |")
            chart_series.setdefault(("NHWC", threads), {})[shape] = ort_over_ours
    add("")


def conv2d_met(target: Optional[tuple], side: Optional[dict], bdn_ratio: Optional[float], pct_peak: Optional[float],
               share: Optional[dict], threads: int) -> str:
    """Issue #6's verdict: the time part on the paired ORT ÷ ours where measured, the FMA-peak part on the paired
    share of the peak where measured (else BDN's % of the nominal peak); flagged when either IQR spans its threshold."""
    ort_over_ours = side_by_side.decide(side, bdn_ratio)
    if not target or not ort_over_ours:
        return "—"
    _, allowed, required_peak = target
    ok = 1 / ort_over_ours <= allowed
    spanning = side_by_side.spans(side, 1 / allowed)
    if required_peak is not None and threads == 1:
        peak = 100 * share["median"] if share is not None else pct_peak
        ok = ok and peak is not None and peak >= required_peak
        spanning = spanning or side_by_side.spans(share, required_peak / 100)
    return f"{'yes' if ok else '**no**'}{' (IQR spans the threshold)' if spanning else ''}"


def separable_section(add, data: dict, shapes: list[str], thread_counts: list[int], chart_series: dict,
                      paired: Optional[dict]) -> None:
    add("## separable_conv2d")
    add("")
    add("A MobileNetV2 block's depthwise 3x3 (M = 1) and projection 1x1, NHWC. *Separable* is `di_separable_conv2d` "
        "(one C ABI call, the intermediate allocated inside it); *two calls* is `di_depthwise_conv2d` then "
        "`di_conv2d` through an intermediate allocated once outside the timed call; *Managed* is "
        "`Convolution.SeparableConv2D<float>`; *ORT* a two-node ONNX graph (Conv group = C, then 1x1 Conv) in NCHW, "
        "graph optimisation ALL. Issue #6's target: separable faster than our own two calls "
        "(**two calls ÷ separable above 1**). GFLOP/s and % of FMA peak: separable's, flops of both stages."
        + (" *Side by side*: the same ratios from the side-by-side run (median of per-round ratios, IQR); the "
           "two-calls one decides the target where present." if paired else ""))
    add("")
    add("| block | threads | separable µs | two calls µs | Managed µs | ORT µs | two calls ÷ separable | side by side | "
        "ORT ÷ separable | side by side | GFLOP/s | % FMA peak | target met |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for shape in shapes:
        for threads in thread_counts:
            keys = {method: (method, shape, threads, "NCHW" if method == "OnnxRuntime" else "NHWC")
                    for method in ("Native", "NativeTwoCalls", "Managed", "OnnxRuntime")}
            native = data.get(keys["Native"])
            gain = ratio(median(data.get(keys["NativeTwoCalls"])), median(native))
            ort_over_ours = ratio(median(data.get(keys["OnnxRuntime"])), median(native))
            side_gain = side_by_side.lookup(paired, keys["NativeTwoCalls"], keys["Native"])
            side_ort = side_by_side.lookup(paired, keys["OnnxRuntime"], keys["Native"])
            decided = side_by_side.decide(side_gain, gain)
            add(f"| {shape} | {threads} | {fmt_us(median(native))} | {fmt_us(median(data.get(keys['NativeTwoCalls'])))} | "
                f"{fmt_us(median(data.get(keys['Managed'])))} | {fmt_us(median(data.get(keys['OnnxRuntime'])))} | "
                f"{fmt(gain)} | {side_by_side.fmt_ratio(side_gain)} | {fmt(ort_over_ours)} | {side_by_side.fmt_ratio(side_ort)} | "
                f"{fmt(native['gflops'] if native else None, 1)} | {fmt(native['pct_fma_peak'] if native else None, 1, '%')} | "
                f"{'—' if decided is None else side_by_side.verdict(decided > 1, side_gain, 1.0)} |")
            chart_series.setdefault(("NHWC", threads), {})[shape] = ort_over_ours
    add("")


def first_calls_section(add, data: dict, shapes: list[str], measurements: dict) -> None:
    job = next((m["job"] for m in data.values()), "")
    add("## Managed API: the first calls of a fresh process")
    add("")
    add("A .NET program calling `Convolution.DepthwiseConv2D` / `Conv2D<float>` JIT-compiles the library as it goes. "
        "BenchmarkDotNet's cold-start job (`FirstCallsBenchmarks`, job `" + (job or "first-calls") + "`): "
        "fresh processes with the runtime's default tiering (not the warm rows' `DOTNET_TC_CallCountingDelayMs=0`), "
        "each timing its first calls one by one, with no warm-up and no forced garbage collection between them. "
        "*First call*: the slowest call, the first (the kernels' compilation). *Median of the first calls*: over every "
        "call of every process, the first included. *Warm*: the same call's median in the depthwise or conv2d suite's "
        "Managed row of this run (1 thread, NHWC). Every kernel method with a loop or kept out of line is compiled fully "
        "optimised at its first call (`[MethodImpl(MethodImplOptions.AggressiveOptimization)]`, kept so by "
        "`tests/DepthwiseInterop.Tests/Kernels/KernelJitTests.cs`). Before that (commit a6bed99 with this benchmark added, "
        "same job, this VM), the medians of the first calls were 11,590 µs (dw3x3 56x56x144 s1), 1,283 µs (dw3x3 7x7x960 s1), "
        "16,249 µs (pw1x1 7x7x960->320) and 4,373 µs (conv3x3 56x56x64->64 s1): tier-0 kernels, 35-48x the warm time "
        "but for the dense 3x3, whose long single calls are moved to optimised code mid-loop.")
    add("")
    add("| layer | first call ms | median of the first calls µs | warm µs | median ÷ warm |")
    add("|---|---:|---:|---:|---:|")
    for shape in shapes:
        first = data.get(("ManagedFirstCalls", shape, 1, "NHWC"))
        if not first:
            continue
        warm = median(measurements.get(("Managed", shape, 1, "NHWC")))
        slowest = first.get("max_us")
        add(f"| {shape} | {fmt(slowest / 1000 if slowest else None, 1)} | {fmt_us(first['median_us'])} | {fmt_us(warm)} | "
            f"{fmt(ratio(first['median_us'], warm), 2, 'x')} |")
    add("")


def half_row(data: dict, shape: str, threads: int, layout: str, paired: Optional[dict], ratios: dict) -> Optional[str]:
    """One row of the half table (None when float32 was not measured there); collects its ratios for the means."""
    float32 = median(data.get(("Float32", shape, threads, layout)))
    if float32 is None:
        return None
    halves = [median(data.get((method, shape, threads, layout))) for method, _ in HALF_TYPES]
    shares = [ratio(half, float32) for half in halves]
    sides = [side_by_side.lookup(paired, (method, shape, threads, layout), ("Float32", shape, threads, layout))
             for method, _ in HALF_TYPES]
    decided = [side_by_side.decide(side, share) for side, share in zip(sides, shares)]
    for (method, _), share, side in zip(HALF_TYPES, shares, sides):
        if share is not None:
            ratios["bdn"][method][threads].append(share)
        if side is not None:
            ratios["paired"][method][threads].append(side["median"])
    missed = [name for (_, name), value in zip(HALF_TYPES, decided) if value is not None and value > 1.0]
    met = "—" if all(value is None for value in decided) else f"**no** ({', '.join(missed)})" if missed else "met"
    if any(side_by_side.spans(side, 1.0) for side in sides):
        met += " (IQR spans the threshold)"
    return (f"| {shape} | {threads} | {layout} | {fmt_us(float32)} | " + " | ".join(fmt_us(half) for half in halves)
            + " | " + " | ".join(fmt(share, 2, "x") for share in shares) + " | "
            + " | ".join(side_by_side.fmt_ratio(side) for side in sides) + f" | {met} |")


def repeat_section(add, suites: dict, thread_counts: list[int]) -> None:
    """The half suite's float32 column repeats calls of the depthwise and conv2d suites (the same C ABI call on
    the same shape, in another process minutes later): how far apart those two medians are shows how much the
    machine's speed drifted during the run, which bounds what a ratio between two rows can mean."""
    pairs = []
    for (method, shape, threads, layout), m in suites["half"].items():
        if method != "Float32" or threads not in thread_counts:
            continue
        for suite in ("depthwise", "conv2d"):
            other = suites.get(suite, {}).get(("Native", shape, threads, layout))
            if other is not None and median(other) and median(m):
                pairs.append((shape, threads, layout, median(other), median(m)))
    if not pairs:
        return
    add("### The same call measured twice")
    add("")
    add("The half suite's float32 column runs the same C ABI call on the same shape as the depthwise and conv2d "
        "tables above, in another process later in the run. On a steady machine the two medians agree within a "
        "few percent; the spread below is how much the machine's speed changed during this run (a shared VM: "
        "other tenants on the same physical cores), and so how far apart two rows timed at different moments can "
        "be for reasons that are not the code.")
    add("")
    add("| layer | threads | layout | first µs | again µs | again ÷ first |")
    add("|---|---|---|---:|---:|---:|")
    for shape, threads, layout, first, again in pairs:
        add(f"| {shape} | {threads} | {layout} | {fmt_us(first)} | {fmt_us(again)} | {fmt(again / first, 2, 'x')} |")
    spread = [again / first for *_, first, again in pairs]
    add("")
    add(f"Range of again ÷ first: {fmt(min(spread), 2, 'x')} to {fmt(max(spread), 2, 'x')} over {len(spread)} calls.")
    add("")


def half_section(add, data: dict, shapes: list[str], thread_counts: list[int], validation: list,
                 paired: Optional[dict]) -> None:
    rows = []
    ratios = {source: {method: {t: [] for t in thread_counts} for method, _ in HALF_TYPES} for source in ("bdn", "paired")}
    for shape in shapes:
        for threads in thread_counts:
            for layout in ("NHWC", "NCHW"):
                row = half_row(data, shape, threads, layout, paired, ratios)
                if row:
                    rows.append(row)

    add("## float16 and bfloat16")
    add("")
    add("Issue #7's target: the half types cost no more time than float32 for the same shape. All three columns "
        "are the product path, one C ABI call (`di_depthwise_conv2d` / `di_conv2d` with `DI_DTYPE_FLOAT32`, "
        "`DI_DTYPE_FLOAT16` or `DI_DTYPE_BFLOAT16`, half buffers of `uint16_t` bit patterns), on the same shape in "
        "the same run; median µs per call. **÷ float32 above 1 means the half type is slower**; the target column "
        "says whether both half types are at most 1.0x float32.")
    add("")
    add("**How the half types are computed.** On the float32 kernels, each worker converting only what it "
        "computes: NHWC depthwise and conv2d in bands of output rows (the band's input rows widened to float32 "
        "into a cache-resident buffer, rows shared with the previous band reused, the float32 kernel run on the "
        "band, its output rows narrowed: float32 accumulation, one rounding on store), NCHW depthwise in blocks "
        "of channel planes, NCHW conv2d on whole widened tensors. The conversions are separate software vector "
        "passes, since .NET 10 exposes no F16C instructions: what a half type costs beyond float32 is about one "
        "widening per input element and one narrowing per output element. **Why float16 costs more than "
        "bfloat16:** widening a float16 takes about 8 vector operations per vector of values and narrowing about "
        "15 (rounding bias, exponent rebasing, subnormals, NaN), while a bfloat16 widens by placing its 16 bits "
        "in the top half of a 32-bit lane and narrows with a rounding add and a pack. **Except bfloat16 NHWC "
        "depthwise 3x3** at stride 1 or 2 and 5x5 at stride 1 (multiplier 1, 16 channels or more) on the `avx2` and "
        "`avx512` tiers, which has kernels of its own that read and write bfloat16 directly (sixteen channels per "
        "load, thirty-two on 512-bit vectors, split into even and odd float32 vectors, one rounding per output): it "
        "moves half the bytes of float32, which these kernels wait on, so it can take less time than float32. "
        "bfloat16 NCHW depthwise 3x3 at stride 1 reads its planes in place too: on the `avx512` tier, rows wider than "
        "16 columns, on float32's 512-bit sliding tiles (a load of sixteen columns widened with one `vpermt2w`, "
        "a store rounded once and packed with `vpermw`); otherwise rows of 16 or more with at most one padding "
        "column a side (sixteen columns per load split into even and odd columns; 256-bit vectors). float32's planar "
        "kernels wait less on their data than the NHWC ones, so there the integer work of widening and rounding "
        "shows, and bfloat16 stays above float32's time. bfloat16 NHWC pointwise conv2d (1x1, stride 1, an even number of "
        "input channels, 384 pixels or more) reads its input in place as well: a GEMM whose broadcasts are the "
        "input's 32-bit words, shifted or masked to one channel, one integer operation per broadcast (the pw1x1 "
        "row; 512-bit vectors on the `avx512` tier). float16 has no such kernels: its "
        "software conversions cost more than the bytes save.")
    add("")
    if paired:
        add("*Side by side*: the same ratios from the side-by-side run (median of per-round ratios, IQR); they "
            "decide the target column where present.")
        add("")
    add("| layer | threads | layout | float32 µs | float16 µs | bfloat16 µs | float16 ÷ float32 | bfloat16 ÷ float32 | "
        "side by side float16 ÷ float32 | side by side bfloat16 ÷ float32 | target ≤ 1.0x float32 |")
    add("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        add(row)
    add("")
    for source, text in (("bdn", "the BenchmarkDotNet medians"), ("paired", "the side-by-side ratios")):
        summary = [f"{name} {fmt(geomean(ratios[source][method][t]), 2, 'x')} ({t} thread{'s' if t > 1 else ''})"
                   for method, name in HALF_TYPES for t in thread_counts if ratios[source][method][t]]
        if summary:
            add(f"Geometric mean of half ÷ float32 over the rows above, {text}: " + ", ".join(summary) + ".")
            add("")
    if validation:
        worst = max(validation, key=lambda r: r.get("MaxAbsDiff", 0))
        add(f"**Checked first.** Before timing, each half row's result was compared, element by element, with our "
            f"float32 result on the same inputs rounded to the half type and widened back (what the half kernel "
            f"reads): allowed one rounding of the type (unit roundoff 2^-11 for float16, 2^-8 for bfloat16, times "
            f"|y|; float16's underflow step below its normal range) plus a float32 summation-order difference "
            f"(taps · 2^-24 · max(1, max|y|)). {sum(1 for r in validation if r.get('Ok'))}/{len(validation)} "
            f"within that; largest difference {worst.get('MaxAbsDiff', 0):.2e} ({worst.get('Shape')}, "
            f"{worst.get('Implementation')} {worst.get('Layout')}, max |y| {worst.get('MaxAbsValue', 0):.2f}).")
        add("")
    add("The chart does not show these ratios: its axis is ORT ÷ ours, read the other way round.")
    add("")


def write_paired_only(out: Path, paired: dict, repo: Path) -> int:
    """The page of a results folder that holds only a side-by-side run (`make bench-paired` before any `make bench`)."""
    lines = ["# Benchmarks: side by side in one process", "",
             "<!-- Generated by tools/benchmarks/report.py from a `make bench-paired` run; edit the script, not this page. -->",
             "", f"Library `{paired.get('library_path', '?')}`; source: {tree_state(repo)}. This folder has no "
             "BenchmarkDotNet results: `make bench` runs both and shows these ratios beside its own.", ""]
    side_by_side.section(lines.append, paired, fmt_us, beside_targets=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")
    return 0


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
    suites = {name: read_results(results, cls) for name, cls in SUITES.items()}
    suites = {name: data for name, data in suites.items() if data}
    paired = side_by_side.read_paired(results)
    if not suites and not paired:
        raise SystemExit(f"no *{{{','.join(SUITES.values())}}}-report.csv under {results / 'results'} and no "
                         f"paired.json in {results}: run the benchmark first")
    if not suites:
        return write_paired_only(Path(args.out), paired, repo)
    measurements = {key: m for data in suites.values() for key, m in data.items()}
    env_path = results / "environment.json"
    env = json.loads(env_path.read_text(encoding="utf-8")) if env_path.is_file() else {}
    overhead_path = results / "python_overhead.json"
    overhead = json.loads(overhead_path.read_text(encoding="utf-8")) if overhead_path.is_file() else None
    shapes = {name: ordered_shapes(env, name, data) for name, data in suites.items()}
    thread_counts = sorted({key[2] for key in measurements})

    statement, short_statement = kernel_statement(env, repo, measurements)
    trust, busy = trust_section(env, measurements, thread_counts)
    preset = env.get("preset", "?")

    lines = []
    add = lines.append
    fp32_ops = [{"depthwise": "depthwise_conv2d", "conv2d": "conv2d", "separable": "separable_conv2d"}[n]
                for n in suites if n not in NOT_AGAINST_ORT]
    add("# Benchmarks: " + "; ".join(([f"fp32 {', '.join(fp32_ops)}, this library against ONNX Runtime"] if fp32_ops else [])
                                     + (["float16 and bfloat16 against float32"] if "half" in suites else [])))
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
    add(f"**FMA peak** used for \"% FMA peak\" and the roofline: {peak_statement(env)}.")
    add("")
    add(trust)
    add("")
    add("![ORT time ÷ ours (Native) per layer, log scale](benchmarks-ratios.png)")
    add("")

    chart_series: dict = {}
    if "depthwise" in suites:
        depthwise_section(add, suites["depthwise"], shapes["depthwise"], thread_counts, chart_series, paired)
    if "conv2d" in suites:
        conv2d_section(add, suites["conv2d"], shapes["conv2d"], thread_counts, chart_series, paired)
    if "separable" in suites:
        separable_section(add, suites["separable"], shapes["separable"], thread_counts, chart_series, paired)
    validation = env.get("validation") or []
    if "half" in suites:
        half_section(add, suites["half"], shapes["half"], thread_counts, [r for r in validation if r.get("Op") == "half"],
                     paired)

    if "half" in suites:
        repeat_section(add, suites, thread_counts)
    if paired:
        side_by_side.section(add, paired, fmt_us)

    anchor_rows = [(shape, t, anchor[t - 1], measurements[("OnnxRuntime", shape, t, "NCHW")]["median_us"])
                   for shape, anchor in ORT_ANCHORS_US.items() for t in thread_counts
                   if ("OnnxRuntime", shape, t, "NCHW") in measurements]
    if anchor_rows:
        add("### ONNX Runtime against performance.md §2 (quiet Zen 4 AVX-512 VM)")
        add("")
        add("| layer | threads | ORT µs, performance.md | ORT µs, this run | this run ÷ performance.md |")
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
            + ". MemoryDiagnoser counts every thread of the benchmark process (the runtime's JIT and tiering threads "
            "included) and divides by the calls, so bytes can appear that no call allocated; ORT's managed `Run` "
            "wrapper does allocate. The library's own claim, no managed allocation per call in steady state, is "
            "checked per calling thread by `tests/DepthwiseInterop.Tests/Api/AllocationTests.cs`; the native "
            "library's heap is not visible here at all.")
        add("")

    if "first-calls" in suites:
        first_calls_section(add, suites["first-calls"], shapes["first-calls"], measurements)

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
    add("- **One run, same-run ratios.** Every implementation, shape, thread count and layout is a case of "
        "one BenchmarkDotNet class per op, run in one `make bench`; each ratio divides two medians from "
        "that run. Each case runs in its own process: BenchmarkDotNet's pilot stage picks the calls per iteration "
        "for the iteration time, then warm-up iterations, then the measured iterations; the tables show their "
        "**median** per call. No overhead subtraction (an empty call costs ~1 ns).")
    if paired:
        add("- **Side by side.** The ratios the targets are judged on were also measured by `--paired`, both sides "
            "interleaved in one process (section *Side by side in one process*), because this VM's speed drifts "
            "by up to 1.5x within a run (*The same call measured twice*): a ratio of two medians measured minutes "
            "apart carries that drift, a median of per-round ratios mostly does not.")
    alignment = env.get("tensor_alignment_bytes")
    add("- **Warm.** The same preallocated input, filters and output are reused on every call, so the "
        "data stay in cache at the level that fits them. The benchmark code allocates nothing in the timed call "
        "(see the allocation note above for what MemoryDiagnoser counts)."
        + (f" Every tensor starts on a {alignment}-byte boundary (native memory), as TensorFlow's and ONNX Runtime's "
           "CPU allocators place theirs, rather than at a pinned array's offset that changes from process to process "
           "and made the 32-byte loads and stores straddle cache lines a varying share of the time (up to 25% on a "
           "3x3 call); NumPy arrays usually sit 16 bytes past a line, which is why the Python wrapper's results are "
           "64-byte aligned (since commit 74d4497)." if alignment else " Inputs and outputs are pinned managed arrays."))
    job_environment = (env.get("job") or {}).get("environment") or []
    if job_environment:
        add(f"- **JIT.** Every case's process runs with {', '.join(f'`{v}`' for v in job_environment)}: the Managed "
            "rows' JIT-compiled code tiers up after its first 30 calls instead of waiting for a 100 ms quiet "
            "period, which on a busy VM outlasted the warm-up (the same tier-1 PGO code in the end; native and "
            "ORT rows run no JIT-compiled kernels).")
    add("- **Threads.** `Threads` is passed to ORT as `IntraOpNumThreads` (InterOpNumThreads 1, sequential), to "
        "the native library through `di_set_num_threads` when the loaded library exports it (checked with "
        "`NativeLibrary.TryGetExport`, and read back with `di_get_num_threads`), and to the managed library "
        "through its public `ComputeSettings.ThreadCount` when it has one; 1-thread rows set 1 explicitly. "
        f"This run: native thread setting {'present' if env.get('library_thread_setting') else 'absent'}, "
        f"managed {'present' if env.get('managed_thread_setting') else 'absent'}.")
    add("- **ONNX Runtime.** ONNX models written by a small protobuf encoder in the benchmark (`OnnxModel.cs`): "
        "NCHW input, weights as initializers in ONNX's `[C_out, C_in / group, K, K]` (transposed from TensorFlow's "
        "filters), `pads` = TensorFlow SAME's split (odd pixel bottom/right), opset 17. Depthwise: one `Conv` with "
        "`group = C`; conv2d: one `Conv` with `group` = the number of groups; separable: two `Conv` nodes (group = C, "
        "then 1x1) through an intermediate tensor. `GraphOptimizationLevel.ORT_ENABLE_ALL` (its NCHWc fast path: "
        "the reorders to and from NCHWc are inside the timed call); input and output `OrtValue`s over "
        "the preallocated buffers; `session.Run(RunOptions, names, values, names, values)`.")
    validation = [r for r in validation if r.get("Op") != "half"]   # checked against ORT; the half rows are in their section
    if validation:
        worst = max(validation, key=lambda r: r.get("MaxAbsDiff", 0))
        largest = (f"largest difference {worst.get('MaxAbsDiff', 0):.2e} ({worst.get('Shape')}, "
                   f"{worst.get('Implementation')} {worst.get('Layout')})" if worst.get("MaxAbsDiff", 0) > 0
                   else "all bitwise equal to ORT's output")
        add(f"- **Checked first.** Before timing, every shape × layout of every implementation of ours (Native, "
            f"Managed, and for separable the two-call row) was compared with ORT (which also checks the "
            f"hand-written models, their weight layouts and pads): "
            f"{sum(1 for r in validation if r.get('Ok'))}/{len(validation)} within 1e-4·max(1, max|y|); {largest}.")
    add(f"- **FMA peak.** {peak_statement(env)}. The benchmark host measures it before the run: 12 independent "
        "FMA chains (enough to hide the FMA latency of two FMA pipes) on the vectors of the library's tier "
        "(512-bit where it reports avx512, else 256-bit), best of many short trials so that time slices lost to "
        "other processes do not lower it. Zen 3 and Zen 4 issue two 256-bit FMAs per cycle (Zen 4 splits a "
        "512-bit one in two: the same 32 fp32 flop/cycle); Zen 5 has two full 512-bit FMA pipes (64 flop/cycle), "
        "so on Zen 5 the 512-bit figure is twice the 256-bit one. performance.md §1 measured "
        f"{ANCHOR_PEAK_GFLOPS:.0f} GFLOP/s per core on its Zen 4.")
    add("- **Roofline** (performance.md §1). Warm roofline = max(flops ÷ FMA peak, bytes ÷ bandwidth of the "
        "cache level holding the working set); flops = 2·MACs, bytes = input + filters + output (fp32; for "
        "separable the intermediate tensor is left out, as a fused kernel would keep it in cache). Level: L1 if "
        "the bytes per thread fit 32 KiB (232 / 464 GB/s), L2 if they fit 1 MiB (115 / 230 GB/s), L3 if the "
        "total fits 32 MiB (95 / 180 GB/s), else DRAM (27 / 34 GB/s); 1-thread / 2-thread figures. Those "
        "bandwidths and cache sizes were measured on performance.md's Zen 4 VM; on another CPU the memory-bound "
        "percentages are indicative only (the FMA bound uses the peak above). Implemented once, in `Roofline.cs`, "
        "and exported as CSV columns. % roofline = roofline time ÷ median time.")
    add(f"- **Machine.** {env.get('cpu', '?')}, {env.get('logical_cpus', '?')} logical CPUs, {env.get('os', '?')}; "
        f"{env.get('dotnet', '?')} (JIT: Vector512 {'on' if env.get('managed_vector512') else 'off'}, Vector256 "
        f"{'on' if env.get('managed_vector256') else 'off'}); library `{env.get('library_path', '?')}`.")
    wall = env.get("benchmark_wall_seconds")
    add(f"- **Duration.** BenchmarkDotNet part: {wall:.0f} s for {env.get('benchmark_cases', '?')} cases"
        if isinstance(wall, (int, float)) else "- **Duration.** unknown")
    if args.total_seconds:
        lines[-1] += f"; whole `make bench` recipe (BenchmarkDotNet, side-by-side run, Python overhead, report): {args.total_seconds:.0f} s"
    lines[-1] += "."
    failed = env.get("failed_cases") or []
    if failed:
        add(f"- **Failed cases:** {', '.join(failed)}.")
    add("")
    add("## Reproduce")
    add("")
    add("```sh")
    add("make bench                     # standard preset, all ops; builds the library, runs everything, rewrites this page")
    add("make bench BENCH_PRESET=quick  # faster pipeline check")
    add("make bench-paired              # only the side-by-side run, into the same results folder, then this page")
    add("make bench BENCH_OPS=conv2d,half                 # some of the ops (depthwise, conv2d, separable, half, first-calls)")
    add("DEPTHWISE_BENCH_SHAPES='7x7,pw1x1' make bench    # a subset of the layers (substrings of the labels, every op)")
    add("```")
    add("")
    add("Raw results: `build/benchmarks/results/` (BenchmarkDotNet's CSV and GitHub markdown, one per op), "
        "`build/benchmarks/environment.json` and `build/benchmarks/paired.json` (the side-by-side run, per-round "
        "ratios included).")
    add("")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")

    labels = [shape for name in suites if name not in NOT_AGAINST_ORT for shape in shapes[name]]
    series_spec = [
        (("NHWC", 1), "NHWC 1 THREAD", (31, 119, 180)),
        (("NHWC", 2), "NHWC 2 THREADS", (140, 190, 230)),
        (("NCHW", 1), "NCHW 1 THREAD", (230, 120, 20)),
        (("NCHW", 2), "NCHW 2 THREADS", (250, 190, 120)),
    ]
    series = [(name, color, [chart_series.get(key, {}).get(shape) for shape in labels])
              for key, name, color in series_spec if any(chart_series.get(key, {}).values())]
    if series:
        png = pngchart.ratio_chart(
            labels=labels,
            series=series,
            title="ORT TIME / OURS (NATIVE C ABI), LOG SCALE",
            subtitle=f"FP32, MEDIANS OF ONE RUN ({env.get('date_utc', '')}, PRESET {preset}). {short_statement}. "
                     "ABOVE 1: OURS FASTER.",
            footer=("MACHINE WAS BUSY DURING THIS RUN: NUMBERS DISTORTED. " if busy else "")
                   + "ORT: NCHW, GRAPH OPTIMISATION ALL, SAME THREAD COUNT. CONV2D, SEPARABLE: OURS NHWC ONLY. "
                     "SEE DOCS/BENCHMARKS.MD.",
        )
        Path(args.chart).write_bytes(png)
    print(f"wrote {out} and {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
