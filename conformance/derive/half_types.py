"""Rounding float32 values to float16 and bfloat16 with NumPy (for derive_half.py).

float16 is NumPy's IEEE binary16, whose conversion rounds to nearest, ties to even. NumPy has no bfloat16
(ml_dtypes is not a dependency), so bfloat16 is done on the bits: it is the top 16 bits of a float32, and
rounding to nearest-even adds 0x7FFF plus the lowest kept bit before dropping the low 16 bits. NaN is kept
(quieted: the rounding addition could otherwise carry a NaN's payload into the exponent and make it inf).
"""

import numpy as np

EXPONENT_MASK = np.uint32(0x7F80_0000)
QUIET_BIT = np.uint32(0x0040)


def bfloat16_bits(values):
    """The bfloat16 bit patterns (uint16) nearest to float32 values, ties to even; NaN stays NaN."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32)
    # uint64 so that the rounding carry of the largest patterns cannot wrap around.
    wide = bits.astype(np.uint64)
    rounded = (wide + 0x7FFF + ((wide >> 16) & 1)) >> 16
    is_nan = (bits & EXPONENT_MASK) == EXPONENT_MASK
    is_nan &= (bits & np.uint32(0x007F_FFFF)) != 0
    nan = (bits >> 16) | QUIET_BIT
    return np.where(is_nan, nan, rounded).astype(np.uint16)


def bfloat16_to_float32(bits):
    """The float32 value of bfloat16 bit patterns (exact: bfloat16 is a float32 with 16 fewer mantissa bits)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def round_to(values, dtype):
    """float32 values rounded to `dtype` ("float16" or "bfloat16"), returned as float64 (exact)."""
    values = np.asarray(values, dtype=np.float32)
    if dtype == "float16":
        with np.errstate(over="ignore"):  # beyond 65519.99 the rounding is inf, as intended
            return values.astype(np.float16).astype(np.float64)
    if dtype == "bfloat16":
        return bfloat16_to_float32(bfloat16_bits(values)).astype(np.float64)
    raise ValueError(f"not a half type: {dtype}")
