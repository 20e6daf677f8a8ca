"""Runs one fixture case through depthwise_interop.nn and judges it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import nn
from .fixtures import HALF_DTYPES, Case
from .halfcall import Skip, call_bfloat16
from .tolerance import HALF_ACCUMULATE, bound, half_errors

_ERROR_KINDS = {"ValueError": ValueError, "TypeError": TypeError}


@dataclass(frozen=True)
class CaseResult:
    case: Case
    passed: bool
    detail: str = ""
    max_error: float = 0.0
    max_bound_ratio: float = 0.0  # largest |error| / allowed over the elements; <= 1 passes
    skipped: str = ""  # why the case could not run here (counted and reported, neither passed nor failed)


_OPERATIONS = {"conv2d": nn.conv2d, "depthwise_conv2d": nn.depthwise_conv2d}


def _call(case: Case, input: np.ndarray, filter: np.ndarray) -> np.ndarray:
    operation = _OPERATIONS.get(case.op)
    if operation is None:
        raise ValueError(f"unknown op {case.op!r}")
    # bfloat16 tensors arrive as float32 arrays of bfloat16 values (fixtures.py); the float64 magnitude
    # calls of the tolerance are plain calls.
    bfloat16 = (input.dtype == np.float32 and case.input_dtype == "bfloat16",
                filter.dtype == np.float32 and case.filter_dtype == "bfloat16")
    if any(bfloat16):
        return call_bfloat16(operation, input, filter, case.args, *bfloat16)
    return operation(input, filter, **case.args)


def _terms(case: Case) -> int:
    kh, kw, depth = case.filter.shape[:3] if case.filter.ndim == 4 else (1, 1, 1)
    return int(kh * kw * (depth if case.op == "conv2d" else 1))


def run_case(case: Case) -> CaseResult:
    try:
        got = _call(case, case.input, case.filter)
    except Skip as skip:
        return CaseResult(case, False, str(skip), skipped=str(skip))
    except Exception as error:  # judged below: an expected error is a pass
        return _judge_error(case, error)
    if case.expected_error is not None:
        return CaseResult(case, False, f"expected {case.expected_error['kind']} containing "
                                       f"{case.expected_error['message']!r}, got a result of shape {got.shape}")
    return _judge_values(case, got)


def _judge_error(case: Case, error: Exception) -> CaseResult:
    expected = case.expected_error
    if expected is None:
        return CaseResult(case, False, f"unexpected {type(error).__name__}: {error}")
    kind = _ERROR_KINDS.get(expected["kind"])
    if kind is None or not isinstance(error, kind):
        return CaseResult(case, False, f"expected {expected['kind']}, got {type(error).__name__}: {error}")
    if expected["message"] not in str(error):
        return CaseResult(case, False, f"message {str(error)!r} lacks {expected['message']!r}")
    return CaseResult(case, True)


def _judge_values(case: Case, got: np.ndarray) -> CaseResult:
    want = case.expected
    if got.shape != want.shape:
        return CaseResult(case, False, f"shape {got.shape}, expected {want.shape}")
    got_dtype = "bfloat16" if case.dtype == "bfloat16" and got.dtype == np.float32 else got.dtype.name
    if got_dtype != case.dtype:
        return CaseResult(case, False, f"dtype {got_dtype}, expected {case.dtype}")
    if got.size == 0:
        return CaseResult(case, True)

    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(want64)
    special_mismatch = ~finite & ~((np.isnan(want64) & np.isnan(got64)) | (got64 == want64))
    if special_mismatch.any():
        index = np.unravel_index(np.argmax(special_mismatch), want.shape)
        return CaseResult(case, False, f"at {index}: got {got64[index]}, expected {want64[index]}")

    error = np.where(finite, np.abs(got64 - want64), 0.0)
    error = np.where(np.isnan(error), np.inf, error)
    if case.tolerance not in ("exact", "summation", HALF_ACCUMULATE):
        return CaseResult(case, False, f"unknown tolerance {case.tolerance!r}")
    if (case.tolerance == HALF_ACCUMULATE) != (case.dtype in HALF_DTYPES) and case.tolerance != "exact":
        return CaseResult(case, False, f"tolerance {case.tolerance!r} does not apply to {case.dtype}")
    if case.tolerance == "exact":
        allowed = np.zeros_like(error)
    else:
        # S = sum |x*w| per element: the same convolution on magnitudes, in float64 (see tolerance.py).
        magnitude = _call(case, np.abs(case.input).astype(np.float64), np.abs(case.filter).astype(np.float64))
        if case.tolerance == HALF_ACCUMULATE:
            half_error, allowed = half_errors(case.dtype, _terms(case), magnitude, want64, got64)
            error = np.where(finite, half_error, 0.0)
        else:
            allowed = bound(want.dtype, _terms(case), magnitude)
    failing = error > allowed
    ratio = float(np.max(np.where(allowed > 0, error / np.where(allowed > 0, allowed, 1), np.where(error > 0, np.inf, 0))))
    max_error = float(error.max())
    if failing.any():
        index = np.unravel_index(np.argmax(error - allowed), want.shape)
        return CaseResult(case, False, f"at {index}: got {got64[index]!r}, expected {want64[index]!r}, "
                                       f"|error| {error[index]:.3g} > bound {allowed[index]:.3g}", max_error, ratio)
    return CaseResult(case, True, "", max_error, ratio)
