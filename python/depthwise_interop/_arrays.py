"""Turns tensor arguments into C-contiguous, aligned, native-endian NumPy arrays of a supported dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _capi

DTYPE_CODES = {np.dtype(np.float32): _capi.DTYPE_FLOAT32, np.dtype(np.float64): _capi.DTYPE_FLOAT64}


def _to_array(value: Any, like: np.dtype | None) -> np.ndarray:
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        return np.asarray(value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(f"cannot convert {type(value).__name__} to a tensor: {error}") from None
    # Python floats become float32, as with tf.convert_to_tensor, unless the other operand fixes the dtype.
    if array.dtype.kind == "f":
        return array.astype(like if like is not None else np.float32)
    return array


def _check_dtype(array: np.ndarray, parameter: str, op: str) -> None:
    dtype = array.dtype
    if dtype in DTYPE_CODES or (dtype.kind == "f" and dtype.newbyteorder("=") in DTYPE_CODES):
        return
    if dtype.name in ("float16", "bfloat16"):
        raise TypeError(
            f"Value passed to parameter '{parameter}' of '{op}' Op has DataType {dtype.name}, which this version of "
            "depthwise_interop does not support yet (TensorFlow does); convert to float32 or float64"
        )
    note = " (TensorFlow's Conv2D also accepts int32 on CPU; depthwise_interop does not)" if op == "Conv2D" else ""
    raise TypeError(
        f"Value passed to parameter '{parameter}' of '{op}' Op has DataType {dtype.name} not in list of allowed "
        f"values: float16, bfloat16, float32, float64{note}"
    )


def prepare(input: Any, filter: Any, op: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Both tensors as contiguous native arrays of one supported dtype, and that dtype's C code."""
    if type(input) is np.ndarray and type(filter) is np.ndarray and input.dtype is filter.dtype:
        code = DTYPE_CODES.get(input.dtype)
        flags_x, flags_w = input.flags, filter.flags
        if code is not None and flags_x.c_contiguous and flags_x.aligned and flags_w.c_contiguous and flags_w.aligned:
            return input, filter, code  # already what the library reads: no copy
    input_is_array = isinstance(input, np.ndarray) or hasattr(input, "__array__")
    filter_is_array = isinstance(filter, np.ndarray) or hasattr(filter, "__array__")
    if input_is_array or not filter_is_array:
        x = _to_array(input, None)
        w = _to_array(filter, x.dtype if x.dtype.kind == "f" else None)
    else:
        w = _to_array(filter, None)
        x = _to_array(input, w.dtype if w.dtype.kind == "f" else None)
    _check_dtype(x, "input", op)
    _check_dtype(w, "filter", op)
    native = x.dtype.newbyteorder("=")
    if w.dtype.newbyteorder("=") != native:
        raise TypeError(
            f"Input 'filter' of '{op}' Op has type {w.dtype.newbyteorder('=').name} that does not match type "
            f"{native.name} of argument 'input'."
        )
    x = np.require(x, dtype=native, requirements=["C", "A"])
    w = np.require(w, dtype=native, requirements=["C", "A"])
    return x, w, DTYPE_CODES[native]
