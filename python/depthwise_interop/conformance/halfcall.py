"""Calling the library on bfloat16 tensors, which NumPy cannot hold without the ml_dtypes package.

A case's bfloat16 tensors are float32 arrays of bfloat16 values (fixtures.py). With ml_dtypes they become
ml_dtypes.bfloat16 arrays for nn, like a user's; without it nn takes their bit patterns (uint16, the top half
of each float32) marked as bfloat16 by the library's `_arrays.BFloat16Bits`, and returns the result's bit
patterns. Without either the case is skipped, with this reason.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

SKIP_NO_BFLOAT16 = "ml_dtypes not installed"


class Skip(Exception):
    """The case cannot be run here; the message is the counted reason."""


def ml_dtypes_bfloat16() -> Optional[np.dtype]:
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


def bits(values: np.ndarray) -> np.ndarray:
    """bfloat16 bit patterns of float32 bfloat16 values (exact: their low 16 bits are zero)."""
    return (np.ascontiguousarray(values, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)


def from_bits(patterns: np.ndarray) -> np.ndarray:
    return (np.asarray(patterns, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def bits_marker() -> Optional[Callable]:
    """The library's marking of uint16 arrays as bfloat16 bit patterns, if this build has it."""
    from .. import _arrays
    marker = getattr(_arrays, "BFloat16Bits", None)
    return None if marker is None else marker.of


def call_bfloat16(operation: Callable, input: np.ndarray, filter: np.ndarray, args: dict,
                  input_is_bfloat16: bool = True, filter_is_bfloat16: bool = True) -> np.ndarray:
    """The op with the flagged tensors as bfloat16; returns float32 values of the bfloat16 result."""
    dtype = ml_dtypes_bfloat16()
    if dtype is not None:
        result = operation(input.astype(dtype) if input_is_bfloat16 else input,
                           filter.astype(dtype) if filter_is_bfloat16 else filter, **args)
        if result.dtype != dtype:
            raise TypeError(f"bfloat16 tensors gave a {result.dtype} result")
        return result.astype(np.float32)
    mark = bits_marker()
    if mark is None or not (input_is_bfloat16 and filter_is_bfloat16):
        raise Skip(SKIP_NO_BFLOAT16)  # a mixed-dtype call needs real bfloat16 arrays to mean what it says
    result = operation(mark(bits(input)), mark(bits(filter)), **args)
    if result.dtype != np.uint16:
        raise TypeError(f"bfloat16 bit patterns gave a {result.dtype} result")
    return from_bits(result)
