"""Run-time instruction-set dispatch: the tier in use is the widest the CPU has, capped by
DEPTHWISE_INTEROP_MAX_ISA, and the thread setting round-trips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import depthwise_interop
from depthwise_interop import nn

TIERS = ["scalar", "sse2", "avx2", "avx512"]


def widest_tier_of_this_cpu() -> str:
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx2", "fma"} <= flags:
        return "avx512"
    if {"avx2", "fma", "bmi1", "bmi2", "movbe", "f16c", "abm"} <= flags:
        return "avx2"
    return "sse2"


def expected_tier(cap: str | None) -> str:
    widest = widest_tier_of_this_cpu()
    if cap is None or cap not in TIERS:
        return widest
    return TIERS[min(TIERS.index(widest), TIERS.index(cap))]


def test_the_tier_in_use_is_the_widest_the_cpu_has_within_the_cap() -> None:
    cap = os.environ.get("DEPTHWISE_INTEROP_MAX_ISA")
    assert depthwise_interop.cpu_info()["isa"] == expected_tier(cap)


@pytest.mark.parametrize("cap", TIERS)
def test_every_cap_is_honoured(cap: str) -> None:
    environment = dict(os.environ, DEPTHWISE_INTEROP_MAX_ISA=cap)
    result = subprocess.run([sys.executable, "-c", "import depthwise_interop; print(depthwise_interop.cpu_info()['isa'])"],
                            env=environment, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == expected_tier(cap)


def test_thread_setting_round_trips_and_zero_restores_the_default() -> None:
    default = depthwise_interop.get_num_threads()
    try:
        depthwise_interop.set_num_threads(3)
        assert depthwise_interop.get_num_threads() == 3
        depthwise_interop.set_num_threads(0)
        assert depthwise_interop.get_num_threads() == default
    finally:
        depthwise_interop.set_num_threads(0)


def test_results_are_bitwise_identical_for_every_thread_count() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 57, 61, 40), dtype=np.float32)
    w = rng.standard_normal((3, 3, 40, 2), dtype=np.float32)
    results = []
    try:
        for threads in (1, 2, 3, 8, 1):
            depthwise_interop.set_num_threads(threads)
            for _ in range(2):
                results.append(nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"))
    finally:
        depthwise_interop.set_num_threads(0)
    for result in results[1:]:
        assert np.array_equal(result, results[0])
