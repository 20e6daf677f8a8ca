"""The half-type fixtures and their rule against the promised arithmetic, independently of the half kernels.

The library's float32 kernels followed by NumPy's rounding to the type are exactly "accumulate in float32,
round once on store": every case must pass with them. Kernels that round badly, flush subnormal results or
saturate instead of overflowing must fail the cases made to catch them. (The real half kernels run in
test_conformance.py.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from depthwise_interop import nn
from depthwise_interop.conformance import load_cases, run_case
from depthwise_interop.conformance import halfcall, runner

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("half_types", ROOT / "conformance" / "derive" / "half_types.py")
half_types = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(half_types)

FLOAT32_OPS = {"conv2d": nn.conv2d, "depthwise_conv2d": nn.depthwise_conv2d}


class BitPatterns(np.ndarray):
    """uint16 bfloat16 bit patterns, marked (a stand-in for the library's marking, whichever build runs)."""

    @staticmethod
    def of(bits) -> "BitPatterns":
        return np.asarray(bits, dtype=np.uint16).view(BitPatterns)


def _float16_store(y: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return y.astype(np.float16)


def _emulate(monkeypatch, float16_store=_float16_store) -> None:
    """Half ops made of the float32 kernels and one rounding; float64 calls (the S of the rule) unchanged."""
    def half_op(name):
        def call(x, w, **args):
            if x.dtype == np.float64:
                return FLOAT32_OPS[name](x, w, **args)
            if isinstance(x, BitPatterns):  # bfloat16, as the runner passes it without ml_dtypes
                y = FLOAT32_OPS[name](halfcall.from_bits(x), halfcall.from_bits(w), **args)
                return half_types.bfloat16_bits(y)
            return float16_store(FLOAT32_OPS[name](x.astype(np.float32), w.astype(np.float32), **args))
        return call

    monkeypatch.setattr(runner, "_OPERATIONS", {name: half_op(name) for name in FLOAT32_OPS})
    monkeypatch.setattr(halfcall, "ml_dtypes_bfloat16", lambda: None)
    monkeypatch.setattr(halfcall, "bits_marker", lambda: BitPatterns.of)


def _cases(name: str):
    return load_cases(ROOT / "conformance" / "fixtures" / name)


@pytest.mark.parametrize("name", ["derived_float16.json", "derived_bfloat16.json", "tensorflow_values_float16.json"])
def test_float32_accumulation_with_one_rounding_passes_every_case(monkeypatch, name: str) -> None:
    _emulate(monkeypatch)
    results = [run_case(case) for case in _cases(name)]
    failures = [f"{r.case.id}: {r.detail}" for r in results if not r.passed]
    assert not failures, failures[:5]
    if name.startswith("derived_"):  # (TensorFlow's float16 cases are all "exact")
        # The bound is tight: the worst case uses most of it.
        assert max(r.max_bound_ratio for r in results) > 0.5


@pytest.mark.parametrize("variant, store", [
    ("float16-subnormal", lambda h: np.where(np.abs(h) < 2.0 ** -14, np.float16(0), h)),      # flush to zero
    ("float16-overflow", lambda h: np.where(np.isinf(h), np.sign(h) * np.float16(65504), h)),  # saturate
    ("float16/", lambda h: (h.astype(np.float64) * (1 + 2.0 ** -10)).astype(np.float16)),     # a spacing off
])
def test_wrong_float16_stores_fail(monkeypatch, variant: str, store) -> None:
    _emulate(monkeypatch, lambda y: store(_float16_store(y)))
    cases = [case for case in _cases("derived_float16.json") if case.id.startswith(f"derived/{variant}")]
    failed = sum(not run_case(case).passed for case in cases)
    assert failed > len(cases) // 4, f"{failed} of {len(cases)} {variant} cases failed"


def test_bfloat16_cases_are_skipped_with_a_reason_when_nothing_can_pass_bfloat16(monkeypatch) -> None:
    # No ml_dtypes and a build without the bit-pattern marking: counted skips, never passes or silence.
    monkeypatch.setattr(halfcall, "ml_dtypes_bfloat16", lambda: None)
    monkeypatch.setattr(halfcall, "bits_marker", lambda: None)
    result = run_case(_cases("derived_bfloat16.json")[0])
    assert (result.passed, result.skipped) == (False, "ml_dtypes not installed")
