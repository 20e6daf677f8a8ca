"""The comparison rule, shared with the C# runner (tests/DepthwiseInterop.Tests/Conformance).

For an output element y = sum over n terms x_k * w_k, any evaluation in a floating-point type with unit
roundoff u = eps/2, in any order and with or without FMA, satisfies |computed - exact| <= gamma_n * S with
S = sum |x_k * w_k| and gamma_n = n*u / (1 - n*u) (Higham, Accuracy and Stability of Numerical Algorithms,
§3.1). Both TensorFlow's value and ours obey it, so
    |ours - reference| <= 2 * gamma_n * S ~= n * eps * S.
The rule is therefore c = n (terms per output element: KH * KW * input channels per group) with 1% slack
for the gamma denominator, plus n * (smallest normal) because TensorFlow's CPU kernels flush subnormals to
zero (each term can lose up to one smallest normal). Cases of small integers must match exactly.
"""

from __future__ import annotations

import numpy as np

SLACK = 1.01


def bound(dtype: np.dtype, terms: int, magnitude: np.ndarray) -> np.ndarray:
    """The allowed |ours - reference| per element, given S = sum |x*w| per element."""
    info = np.finfo(dtype)
    c = SLACK * terms
    return c * float(info.eps) * magnitude + terms * float(info.tiny)
