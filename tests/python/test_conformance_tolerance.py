"""The half-type rule ("half-accumulate-float32", conformance/FORMAT.md) at its edges, on hand-made values.

Mirrored by tests/DepthwiseInterop.Tests/Conformance/ToleranceTests.cs."""

from __future__ import annotations

import numpy as np
import pytest

from depthwise_interop.conformance.tolerance import FLOAT32_LARGEST, half_bound, half_errors

EPS32, TINY32 = 2.0 ** -23, 2.0 ** -126


def passes(dtype: str, got: float, want: float, magnitude: float, terms: int = 1) -> bool:
    error, allowed = half_errors(dtype, terms, np.array([magnitude]), np.array([want]), np.array([got]))
    return bool(error[0] <= allowed[0])


def test_the_bound_is_the_float32_rule_plus_half_a_spacing_of_the_type() -> None:
    accumulate = 1.01 * 9 * EPS32 * 2.0 + 9 * TINY32
    assert half_bound("float16", 9, np.array([2.0]), np.array([1.5]))[0] == \
        np.nextafter(accumulate + 2.0 ** -11 * (1.5 + accumulate), np.inf)
    assert half_bound("bfloat16", 9, np.array([2.0]), np.array([-1.5]))[0] == \
        np.nextafter(accumulate + 2.0 ** -8 * (1.5 + accumulate), np.inf)


def test_an_error_exactly_at_the_bound_passes_and_the_next_double_fails() -> None:
    # want 0: |got - want| is got itself, so the error can be put exactly on the bound.
    allowed = half_bound("float16", 4, np.array([3.0]), np.array([0.0]))[0]
    assert passes("float16", allowed, 0.0, 3.0, terms=4)
    assert not passes("float16", np.nextafter(allowed, np.inf), 0.0, 3.0, terms=4)


@pytest.mark.parametrize("dtype, spacing", [("float16", 2.0 ** -10), ("bfloat16", 2.0 ** -7)])
def test_a_rounding_tie_passes_and_one_more_step_fails(dtype: str, spacing: float) -> None:
    want = 1.0 + spacing / 2  # exactly halfway between 1 and the next number of the type
    assert passes(dtype, 1.0, want, want)  # ties to even
    assert passes(dtype, 1.0 + spacing, want, want)  # the other neighbour is as near
    assert not passes(dtype, 1.0 - spacing / 2, want, want)  # the number below 1: a whole spacing away


def test_float16_subnormal_results_may_be_off_by_half_the_smallest_subnormal() -> None:
    smallest = 2.0 ** -24
    want = 1.5 * smallest
    assert passes("float16", smallest, want, want)
    assert passes("float16", 2 * smallest, want, want)
    assert not passes("float16", 0.0, want, want), "flushing a subnormal result to zero"
    assert not passes("float16", 3 * smallest, want, want)


def test_overflow_to_inf_must_match() -> None:
    largest = 65504.0  # float16; 65520 (halfway to 65536) and beyond round to inf
    assert passes("float16", np.inf, 70000.0, 70000.0)
    assert not passes("float16", largest, 70000.0, 70000.0), "saturating instead of overflowing"
    assert passes("float16", -np.inf, -65520.0, 65520.0), "the tie rounds to inf"
    assert not passes("float16", np.inf, -70000.0, 70000.0), "inf of the wrong sign"
    assert not passes("float16", np.inf, 65000.0, 65000.0), "inf where the result is finite"
    # Within the float32 accumulation's allowance of the threshold, either outcome is right.
    assert passes("float16", np.inf, 65519.995, 65519.995) and passes("float16", largest, 65519.995, 65519.995)


def test_nan_is_accepted_only_where_float32_partial_sums_may_overflow() -> None:
    # bfloat16 sums can exceed float32's range on the way to a finite result (+a +b -c with a+b beyond it).
    assert passes("bfloat16", np.nan, 1e38, FLOAT32_LARGEST)
    assert passes("bfloat16", -np.inf, 1e38, FLOAT32_LARGEST)
    assert not passes("bfloat16", np.nan, 1e38, 2e38)
    assert not passes("bfloat16", np.inf, 1e38, 2e38)
