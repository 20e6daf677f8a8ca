"""The side-by-side run (`DepthwiseInterop.Benchmarks --paired`, paired.json): reading it, looking a ratio up by
the BenchmarkDotNet rows its two sides stand for, formatting it, and the report section that lists every ratio.

paired.json holds groups; a group is sides timed against each other in the same rounds (each side a
(method, shape, threads, layout) key, as in the BenchmarkDotNet CSVs) and ratios between two of its sides:
numerator side's time ÷ denominator side's time per round (a "rate share" is the denominator's GFLOP/s ÷ the
numerator's instead), summarised by the median over rounds and the 25th and 75th percentiles.
Standard library only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

Key = tuple[str, str, int, str]
# The method of the side that runs FmaPeak's chains (its key: this, the group's shape, 1 thread, no layout).
FMA_METHOD = "FmaPeak"

# The groups' suites, in report order, with the heading of their table.
SUITE_TITLES = {
    "depthwise": "depthwise_conv2d: ORT ÷ ours in each layout, NCHW ÷ NHWC, share of the FMA peak",
    "depthwise-multiplier": "depthwise_conv2d: multiplier M against multiplier 1 with the same output",
    "conv2d": "conv2d: ORT ÷ ours (NHWC)",
    "separable": "separable_conv2d: two calls and ORT ÷ one call",
    "half": "float16 and bfloat16 ÷ float32",
}


def side_key(side: dict) -> Key:
    return side["method"], side["shape"], int(side["threads"]), side["layout"]


def read_paired(results_dir: Path) -> Optional[dict]:
    """paired.json with a "ratios" index {(numerator key, denominator key): ratio}; None when the folder has none
    (a run before the paired mode existed, or `make bench` without it)."""
    path = results_dir / "paired.json"
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    index = {}
    for group in document.get("groups", []):
        sides = group["sides"]
        for ratio in group["ratios"]:
            numerator, denominator = sides[ratio["numerator"]], sides[ratio["denominator"]]
            index[(side_key(numerator), side_key(denominator))] = {
                **ratio, "numerator_side": numerator, "denominator_side": denominator}
    document["ratios"] = index
    return document


def lookup(paired: Optional[dict], numerator: Key, denominator: Key) -> Optional[dict]:
    """The paired ratio numerator ÷ denominator, or None when there is no paired run or it has no such pair."""
    return paired["ratios"].get((numerator, denominator)) if paired else None


def fmt_ratio(ratio: Optional[dict], percent: bool = False) -> str:
    """'1.52 (1.48–1.55)': the median of the per-round ratios and its interquartile range; '—' when absent."""
    if ratio is None:
        return "—"
    if percent:
        return f"{100 * ratio['median']:.1f}% ({100 * ratio['p25']:.1f}–{100 * ratio['p75']:.1f}%)"
    return f"{ratio['median']:.2f} ({ratio['p25']:.2f}–{ratio['p75']:.2f})"


def decide(ratio: Optional[dict], fallback: Optional[float]) -> Optional[float]:
    """The value a target is judged on: the paired median when the pair was measured side by side, else the
    ratio of the two BenchmarkDotNet medians."""
    return ratio["median"] if ratio is not None else fallback


def verdict(ok: bool, ratio: Optional[dict], threshold: float) -> str:
    """'yes' or '**no**', flagged when the paired ratio's interquartile range has the threshold inside it: the
    middle half of the rounds fell on both sides, so this run does not settle the target."""
    text = "yes" if ok else "**no**"
    return text + " (IQR spans the threshold)" if spans(ratio, threshold) else text


def spans(ratio: Optional[dict], threshold: float) -> bool:
    return ratio is not None and ratio["p25"] < threshold < ratio["p75"]


def method_text(paired: dict) -> str:
    """How the paired ratios were measured, for the section and the targets' notes."""
    return (f"Both sides of each ratio ran in one process, interleaved: after a calibration that sets each side's "
            f"burst to about {paired.get('burst_ms', '?')} ms of calls and {paired.get('warmup_rounds', '?')} "
            f"warm-up rounds, {paired.get('rounds', '?')} rounds each ran one burst of every side of the group, in "
            f"list order on even rounds and reversed on odd ones (A B, B A: ABBA across round pairs). Before each "
            f"burst the run waits until no other thread of the process is runnable (at most "
            f"{paired.get('quiet_timeout_ms', '?')} ms): thread pools spin for tens of ms after their last call, and "
            f"a 2-thread side's spinning workers would otherwise take a vCPU from the next side's burst. Each round "
            f"gives each side a time per call (its burst's time ÷ its calls) and each ratio a value; the tables show "
            f"the **median of the per-round ratios** and, in parentheses, their 25th–75th percentiles (the "
            f"interquartile range, IQR). A drift of the machine's speed slower than a round slows both sides of "
            f"that round alike and cancels in its ratio; a round in which another tenant hit one side only lands in "
            f"the tails, outside the median.")


def section(add: Callable[[str], None], paired: dict, fmt_us: Callable[[Optional[float]], str],
            beside_targets: bool = True) -> None:
    """'Side by side in one process': one table per suite, a row per ratio."""
    add("## Side by side in one process")
    add("")
    add(f"`DepthwiseInterop.Benchmarks --paired` ({paired.get('date_utc', 'unknown date')}, "
        f"{paired.get('wall_seconds', '?')} s; {load_text(paired)}), {checks_text(paired)}. " + method_text(paired)
        + (" The targets above are decided on these ratios where they exist." if beside_targets else ""))
    add("")
    for suite, title in SUITE_TITLES.items():
        groups = [g for g in paired.get("groups", []) if g["suite"] == suite]
        if groups:
            suite_table(add, title, groups, fmt_us)


def load_text(paired: dict) -> str:
    mean = paired.get("loadavg_1min_mean")
    if isinstance(mean, (int, float)):
        return f"1-minute load average {mean:.1f} on average, at most {paired.get('loadavg_1min_max')}, on 2 vCPUs"
    start = str(paired.get("loadavg_start", "?")).split(" ")[0]
    end = str(paired.get("loadavg_end", "?")).split(" ")[0]
    return f"1-minute load average {start} at the start, {end} at the end"


def checks_text(paired: dict) -> str:
    passed, total = paired.get("checks_passed"), paired.get("checks")
    if total is None:
        return "its outputs not checked in this process (--skip-validation)"
    return f"after the BenchmarkDotNet path's output checks in the same process ({passed}/{total} within tolerance)"


def suite_table(add: Callable[[str], None], title: str, groups: list[dict],
                fmt_us: Callable[[Optional[float]], str]) -> None:
    add(f"### {title}")
    add("")
    add("| group | threads | ratio | numerator | denominator | median of per-round ratios (25th–75th pct) |")
    add("|---|---|---|---|---|---|")
    for group in groups:
        # A group of two shapes (multiplier M against 1) names each side's shape.
        named = len({side["shape"] for side in group["sides"]}) > 1
        for ratio in group["ratios"]:
            numerator = group["sides"][ratio["numerator"]]
            denominator = group["sides"][ratio["denominator"]]
            share = ratio.get("rate_share", False)
            add(f"| {group['label']} | {group['threads']} | {ratio['label']} | "
                f"{side_text(numerator, share, named, fmt_us)} | {side_text(denominator, share, named, fmt_us)} | "
                f"{fmt_ratio(ratio, percent=share)} |")
    add("")


def side_text(side: dict, rate: bool, with_shape: bool, fmt_us: Callable[[Optional[float]], str]) -> str:
    """A side as the table shows it: its row name and its median per-call time (or GFLOP/s for a rate share)."""
    name = "FMA chains" if side["method"] == FMA_METHOD else " ".join(p for p in (side["method"], side["layout"]) if p)
    if with_shape and side["method"] != FMA_METHOD:
        name = f"{side['shape']}, {name}"
    value = f"{side['gflops']:.1f} GFLOP/s" if rate else f"{fmt_us(side['median_us'])} µs"
    return f"{name}: {value}"
