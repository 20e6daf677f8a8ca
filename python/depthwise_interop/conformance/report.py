"""The Markdown report: a coverage matrix (feature x cases x passed) and error statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

import depthwise_interop

from .runner import CaseResult
from .tolerance import HALF_ACCUMULATE


def _features(result: CaseResult) -> list[str]:
    case = result.case
    kind = "error case" if case.expected_error is not None else "value case"
    return [f"op: {case.op}", f"dtype: {case.dtype}", f"kind: {kind}", f"file: {case.source}",
            f"tolerance: {case.tolerance}"] + [f"tag: {tag}" for tag in case.tags]


def write_report(results: Iterable[CaseResult], path: Path, command: str) -> None:
    results = list(results)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for result in results:
        for feature in _features(result):
            counts[feature][0] += 1
            counts[feature][1] += result.passed
            counts[feature][2] += bool(result.skipped)
    passed = sum(result.passed for result in results)
    skips = Counter(result.skipped for result in results if result.skipped)
    failed = len(results) - passed - sum(skips.values())
    lines = [
        "# Conformance report",
        "",
        f"Produced by `{command}`, on the vector tier `{depthwise_interop.cpu_info()['isa']}`.",
        "",
        f"**{passed} passed, {failed} failed" + (f", {sum(skips.values())} skipped" if skips else "") +
        f"** of {len(results)} cases.",
        "",
    ]
    lines += [f"- skipped {count}: {reason}" for reason, count in sorted(skips.items())] + ([""] if skips else [])
    lines += [
        "## Coverage",
        "",
        "| feature | cases | passed | skipped |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {feature} | {total} | {ok} | {skipped} |" for feature, (total, ok, skipped) in sorted(counts.items())]

    lines += ["", "## Error statistics (value cases with the summation or half-accumulate-float32 tolerance)", "",
              "Ratio = largest |ours - reference| / allowed bound over a case's elements (a case passes at <= 1).", "",
              "| op | dtype | cases | max abs error | median ratio | max ratio |", "|---|---|---:|---:|---:|---:|"]
    groups: dict[tuple, list[CaseResult]] = defaultdict(list)
    for result in results:
        if result.case.expected is not None and result.case.tolerance in ("summation", HALF_ACCUMULATE) \
                and not result.skipped:
            groups[(result.case.op, result.case.dtype)].append(result)
    for (op, dtype), members in sorted(groups.items()):
        ratios = sorted(member.max_bound_ratio for member in members)
        lines.append(f"| {op} | {dtype} | {len(members)} | {max(m.max_error for m in members):.3g} | "
                     f"{ratios[len(ratios) // 2]:.3g} | {ratios[-1]:.3g} |")

    failures = [result for result in results if not result.passed and not result.skipped]
    if failures:
        lines += ["", "## Failures", ""] + [f"- `{r.case.id}` ({r.case.source}): {r.detail}" for r in failures]
    path.write_text("\n".join(lines) + "\n")
