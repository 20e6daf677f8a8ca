"""The comparison rule, shared with the C# runner (tests/DepthwiseInterop.Tests/Conformance).

For an output element y = sum over n terms x_k * w_k, any evaluation in a floating-point type with unit
roundoff u = eps/2, in any order and with or without FMA, satisfies |computed - exact| <= gamma_n * S with
S = sum |x_k * w_k| and gamma_n = n*u / (1 - n*u) (Higham, Accuracy and Stability of Numerical Algorithms,
§3.1). Both TensorFlow's value and ours obey it, so
    |ours - reference| <= 2 * gamma_n * S ~= n * eps * S.
The rule is therefore c = n (terms per output element: KH * KW * input channels per group) with 1% slack
for the gamma denominator, plus n * (smallest normal) because TensorFlow's CPU kernels flush subnormals to
zero (each term can lose up to one smallest normal). Cases of small integers must match exactly.

float16 and bfloat16 (tolerance "half-accumulate-float32", conformance/FORMAT.md): the kernels load the
half values (exactly, into float32), accumulate in float32 and round once to the type on store, and the
fixture holds the exact result `want`. So ours = round_T(a) with |a - want| <= E, E the float32 rule above,
and one rounding to nearest moves a by at most half a spacing of T at |a|: eps_T/2 * |a| for a normal
result, half the smallest subnormal for a subnormal one (where the spacing is fixed). With |a| <= |want| + E:
    |ours - want| <= E + eps_T/2 * (|want| + E)  [+ the smallest subnormal of T when |want| + E < tiny_T]
(the whole subnormal, not its half: generous, and it keeps a rounding tie inside the bound). a rounds to inf
beyond the overflow threshold (the largest finite + half its spacing, a tie going to inf): so ours must be inf
of want's sign where |want| - E reaches it, may be where |want| + E does, and must be finite below that.
Where S itself comes near float32's largest number the float32 partial sums may overflow in any order: no
bound holds there, and any non-finite result is accepted (only bfloat16 reaches it; float16 sums cannot).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SLACK = 1.01
HALF_ACCUMULATE = "half-accumulate-float32"


def bound(dtype: np.dtype, terms: int, magnitude: np.ndarray) -> np.ndarray:
    """The allowed |ours - reference| per element, given S = sum |x*w| per element."""
    info = np.finfo(dtype)
    c = SLACK * terms
    return c * float(info.eps) * magnitude + terms * float(info.tiny)


@dataclass(frozen=True)
class HalfType:
    eps: float        # the spacing of the type at 1
    tiny: float       # the smallest normal
    subnormal: float  # the smallest subnormal (= eps * tiny)
    overflow: float   # values of this magnitude and above round to inf: the largest finite + half its spacing


HALF_TYPES = {
    "float16": HalfType(eps=2.0 ** -10, tiny=2.0 ** -14, subnormal=2.0 ** -24, overflow=65520.0),
    "bfloat16": HalfType(eps=2.0 ** -7, tiny=2.0 ** -126, subnormal=2.0 ** -133, overflow=(2 - 2.0 ** -8) * 2.0 ** 127),
}
FLOAT32_LARGEST = float(np.finfo(np.float32).max)


def accumulation_bound(terms: int, magnitude: np.ndarray) -> np.ndarray:
    """E: the float32 accumulation's allowance (the float32 rule)."""
    return bound(np.dtype(np.float32), terms, magnitude)


def half_bound(dtype: str, terms: int, magnitude: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The allowed |ours - want| of a finite result: E plus one rounding to the type (module docstring).

    Rounded up by one float64 step, so that evaluating the sum in float64 cannot put a true bound below an
    error that meets it exactly."""
    half = HALF_TYPES[dtype]
    accumulate = accumulation_bound(terms, magnitude)
    reach = np.abs(want) + accumulate
    rounding = half.eps / 2 * reach + np.where(reach < half.tiny, half.subnormal, 0.0)
    return np.nextafter(accumulate + rounding, np.inf)


def half_errors(dtype: str, terms: int, magnitude: np.ndarray, want: np.ndarray, got: np.ndarray):
    """(error, allowed) per element of finite `want` (float64 arrays): error > allowed fails.

    An allowed overflow counts as error 0, a forbidden or missing one (or a NaN) as an infinite error."""
    half = HALF_TYPES[dtype]
    accumulate = accumulation_bound(terms, magnitude)
    allowed = half_bound(dtype, terms, magnitude, want)
    with np.errstate(invalid="ignore"):
        float32_overflow = magnitude * (1 + SLACK * terms * float(np.finfo(np.float32).eps)) >= FLOAT32_LARGEST
        may_overflow = np.abs(want) + accumulate >= half.overflow
        must_overflow = (np.abs(want) - accumulate >= half.overflow) & ~float32_overflow
        right_inf = np.isinf(got) & (np.sign(got) == np.sign(want)) & may_overflow
        accepted_non_finite = ~np.isfinite(got) & (right_inf | float32_overflow)
        error = np.where(np.isfinite(got), np.abs(got - want), np.inf)
        error = np.where(accepted_non_finite, 0.0, error)
        error = np.where(np.isfinite(got) & must_overflow, np.inf, error)
    return error, allowed
