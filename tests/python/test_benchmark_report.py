"""tools/benchmarks/report.py with a side-by-side run (paired.json): the ratios are found by the BenchmarkDotNet rows
their sides stand for, shown beside the BenchmarkDotNet ratios, and decide the targets; without paired.json the
targets are decided as before. Synthetic results only: no benchmark runs here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "benchmarks"
sys.path.insert(0, str(TOOLS))
import paired as side_by_side  # noqa: E402
import report  # noqa: E402

SHAPE = "dw3x3 14x14x576 s1"


def side(method: str, layout: str, median_us: float, shape: str = SHAPE, threads: int = 1, gflops: float = 10.0) -> dict:
    return {"method": method, "shape": shape, "threads": threads, "layout": layout, "calls_per_burst": 100,
            "median_us": median_us, "min_us": median_us * 0.9, "gflops": gflops}


def ratio(label: str, numerator: int, denominator: int, median: float, rate_share: bool = False) -> dict:
    return {"label": label, "numerator": numerator, "denominator": denominator, "rate_share": rate_share,
            "median": median, "p25": median * 0.95, "p75": median * 1.05, "per_round": [median] * 3}


def paired_document() -> dict:
    depthwise = {
        "suite": "depthwise", "label": SHAPE, "threads": 1, "seconds": 1.0, "quiet_wait_ms": 0.5,
        "sides": [side("Native", "NHWC", 60.0), side("Native", "NCHW", 66.0), side("OnnxRuntime", "NCHW", 150.0),
                  side("FmaPeak", "", 20.0, gflops=100.0)],
        "ratios": [ratio("ORT ÷ Native NHWC", 2, 0, 2.5), ratio("ORT ÷ Native NCHW", 2, 1, 2.27),
                   ratio("NCHW ÷ NHWC", 1, 0, 1.1), ratio("Native NHWC share of the FMA peak", 3, 0, 0.55, True)],
    }
    half = {
        "suite": "half", "label": f"{SHAPE} NHWC", "threads": 1, "seconds": 1.0, "quiet_wait_ms": 0.5,
        "sides": [side("Float32", "NHWC", 60.0), side("Float16", "NHWC", 57.0), side("BFloat16", "NHWC", 58.0)],
        "ratios": [ratio("float16 ÷ float32", 1, 0, 0.95), ratio("bfloat16 ÷ float32", 2, 0, 0.97)],
    }
    return {"date_utc": "2026-11-26 05:00 UTC", "rounds": 31, "warmup_rounds": 2, "burst_ms": 10, "pause_ms": 1,
            "quiet_timeout_ms": 200, "checks_passed": 4, "checks": 4, "loadavg_1min_mean": 1.2,
            "loadavg_1min_max": 1.5, "wall_seconds": 12, "groups": [depthwise, half]}


@pytest.fixture
def paired(tmp_path: Path) -> dict:
    (tmp_path / "paired.json").write_text(json.dumps(paired_document()), encoding="utf-8")
    return side_by_side.read_paired(tmp_path)


def bdn(method: str, layout: str, median_us: float, **extra) -> dict:
    return {"median_us": median_us, "min_us": median_us, "gflops": extra.get("gflops"), "pct_fma_peak": None,
            "roofline_us": extra.get("roofline_us"), "bound": extra.get("bound", ""), "pct_roofline": None,
            "allocated_b": 0.0, "job": "standard"}


def test_a_missing_paired_json_reads_as_none(tmp_path: Path) -> None:
    assert side_by_side.read_paired(tmp_path) is None
    assert side_by_side.lookup(None, ("Native", SHAPE, 1, "NHWC"), ("Native", SHAPE, 1, "NCHW")) is None


def test_ratios_are_found_by_the_rows_their_sides_stand_for(paired: dict) -> None:
    found = side_by_side.lookup(paired, ("OnnxRuntime", SHAPE, 1, "NCHW"), ("Native", SHAPE, 1, "NHWC"))
    assert found["median"] == 2.5 and found["numerator_side"]["median_us"] == 150.0
    assert side_by_side.lookup(paired, ("Native", SHAPE, 1, "NHWC"), ("OnnxRuntime", SHAPE, 1, "NCHW")) is None
    assert side_by_side.lookup(paired, ("OnnxRuntime", SHAPE, 2, "NCHW"), ("Native", SHAPE, 2, "NHWC")) is None


def test_format_shows_the_median_and_the_interquartile_range(paired: dict) -> None:
    nchw = side_by_side.lookup(paired, ("Native", SHAPE, 1, "NCHW"), ("Native", SHAPE, 1, "NHWC"))
    share = side_by_side.lookup(paired, ("FmaPeak", SHAPE, 1, ""), ("Native", SHAPE, 1, "NHWC"))
    assert side_by_side.fmt_ratio(nchw) == "1.10 (1.04–1.16)"
    assert side_by_side.fmt_ratio(share, percent=True) == "55.0% (52.2–57.8%)"
    assert side_by_side.fmt_ratio(None) == "—"


def test_the_paired_ratio_decides_and_the_bdn_ratio_is_the_fallback(paired: dict) -> None:
    found = side_by_side.lookup(paired, ("Native", SHAPE, 1, "NCHW"), ("Native", SHAPE, 1, "NHWC"))
    assert side_by_side.decide(found, 1.5) == 1.1
    assert side_by_side.decide(None, 1.5) == 1.5
    assert side_by_side.decide(None, None) is None


def test_a_verdict_is_flagged_when_the_interquartile_range_holds_the_threshold(paired: dict) -> None:
    found = side_by_side.lookup(paired, ("Native", SHAPE, 1, "NCHW"), ("Native", SHAPE, 1, "NHWC"))   # 1.045–1.155
    assert side_by_side.verdict(True, found, 1.2) == "yes"
    assert side_by_side.verdict(True, found, 1.1) == "yes (IQR spans the threshold)"
    assert side_by_side.verdict(False, None, 1.1) == "**no**"


def layout_rows(paired) -> list[str]:
    data = {("Native", SHAPE, 1, "NHWC"): bdn("Native", "NHWC", 60.0),
            ("Native", SHAPE, 1, "NCHW"): bdn("Native", "NCHW", 90.0)}   # BenchmarkDotNet: 1.5x, missed
    lines: list[str] = []
    report.layout_target(lines.append, data, SHAPE, 1, paired)
    return lines


def test_layout_target_is_decided_on_the_paired_ratio(paired: dict) -> None:
    [row] = layout_rows(paired)
    assert "NCHW ÷ NHWC time 1.50" in row and "1.10 (1.04–1.16)" in row and row.endswith("| yes |")


def test_layout_target_without_a_paired_run_keeps_the_bdn_decision() -> None:
    [row] = layout_rows(None)
    assert "| — |" in row and row.endswith("| **no** |")


def test_roofline_target_of_an_fma_bound_layer_uses_the_peak_of_the_same_rounds(paired: dict) -> None:
    data = {("OnnxRuntime", SHAPE, 1, "NCHW"): bdn("OnnxRuntime", "NCHW", 150.0, roofline_us=18.0, bound="FMA"),
            ("Native", SHAPE, 1, "NHWC"): bdn("Native", "NHWC", 60.0),        # 30% of the fixed-peak roofline
            ("Native", SHAPE, 1, "NCHW"): bdn("Native", "NCHW", 66.0)}
    lines: list[str] = []
    report.roofline_target(lines.append, data, SHAPE, paired)
    assert "30.0%" in lines[0] and "55.0% (52.2–57.8%) of the FMA peak measured in the same rounds" in lines[0]
    assert lines[0].endswith("| yes |")
    data[("OnnxRuntime", SHAPE, 1, "NCHW")]["bound"] = "L2"   # memory-bound: the paired peak share does not decide
    lines.clear()
    report.roofline_target(lines.append, data, SHAPE, paired)
    assert lines[0].endswith("| **no** |")


def test_half_row_is_decided_on_the_paired_ratios(paired: dict) -> None:
    data = {("Float32", SHAPE, 1, "NHWC"): bdn("Float32", "NHWC", 50.0),
            ("Float16", SHAPE, 1, "NHWC"): bdn("Float16", "NHWC", 57.0),      # BenchmarkDotNet: 1.14x, missed
            ("BFloat16", SHAPE, 1, "NHWC"): bdn("BFloat16", "NHWC", 58.0)}
    ratios = {source: {method: {1: []} for method, _ in report.HALF_TYPES} for source in ("bdn", "paired")}
    row = report.half_row(data, SHAPE, 1, "NHWC", paired, ratios)
    # bfloat16's rounds: 0.97 (0.92–1.02), the middle half on both sides of 1.0
    assert "1.14x" in row and "0.95 (0.90–1.00)" in row and row.endswith("| met (IQR spans the threshold) |")
    assert ratios["paired"]["Float16"][1] == [0.95] and ratios["bdn"]["Float16"][1] == [pytest.approx(1.14)]
    assert report.half_row(data, SHAPE, 1, "NHWC", None, ratios).endswith("| **no** (float16, bfloat16) |")


def test_conv2d_peak_part_is_decided_on_the_share_measured_in_the_same_rounds() -> None:
    target = report.conv2d_target("conv3x3 56x56x64->64 s1")
    faster = ratio("ORT ÷ Native", 1, 0, 1.0)
    # BenchmarkDotNet's 78% of the nominal peak would miss; the chains in the same rounds say 95%.
    assert report.conv2d_met(target, faster, 1.0, 78.0, ratio("Native share of the FMA peak", 2, 0, 0.95, True), 1) == "yes"
    assert report.conv2d_met(target, faster, 1.0, 90.0, ratio("Native share of the FMA peak", 2, 0, 0.80, True), 1) == "**no**"
    # Without a share the BenchmarkDotNet figure decides; at 2 threads the peak part does not apply.
    assert report.conv2d_met(target, faster, 1.0, 78.0, None, 1) == "**no**"
    assert report.conv2d_met(target, faster, 1.0, 78.0, None, 2) == "yes"
    # 0.86 (0.817–0.903): the middle half of the rounds lies on both sides of 85%.
    spanning = report.conv2d_met(target, faster, 1.0, 78.0, ratio("Native share of the FMA peak", 2, 0, 0.86, True), 1)
    assert spanning == "yes (IQR spans the threshold)"


def test_a_folder_with_only_a_paired_run_gets_a_page_of_its_tables(tmp_path: Path) -> None:
    (tmp_path / "paired.json").write_text(json.dumps(paired_document()), encoding="utf-8")
    out = tmp_path / "page.md"
    subprocess.run([sys.executable, str(TOOLS / "report.py"), "--results", str(tmp_path), "--out", str(out),
                    "--chart", str(tmp_path / "chart.png")], check=True, capture_output=True)
    page = out.read_text(encoding="utf-8")
    assert "## Side by side in one process" in page and "31 rounds" in page and "(4/4 within tolerance)" in page
    assert f"| {SHAPE} | 1 | Native NHWC share of the FMA peak | FMA chains: 100.0 GFLOP/s | Native NHWC: 10.0 GFLOP/s | " \
           "55.0% (52.2–57.8%) |" in page
    assert "### float16 and bfloat16 ÷ float32" in page


def test_first_calls_rows_show_the_first_call_and_the_median_against_the_warm_managed_row() -> None:
    shape = "dw3x3 56x56x144 s1"
    first = {"median_us": 240.0, "min_us": 180.0, "max_us": 57_000.0, "gflops": None, "pct_fma_peak": None,
             "roofline_us": None, "bound": "", "pct_roofline": None, "allocated_b": None, "job": "first-calls"}
    data = {("ManagedFirstCalls", shape, 1, "NHWC"): first}
    measurements = {**data, ("Managed", shape, 1, "NHWC"): bdn("Managed", "NHWC", 200.0)}
    lines: list[str] = []
    report.first_calls_section(lines.append, data, [shape], measurements)
    row = next(line for line in lines if line.startswith(f"| {shape} |"))
    assert row == f"| {shape} | 57.0 | 240.0 | 200.0 | 1.20x |"
