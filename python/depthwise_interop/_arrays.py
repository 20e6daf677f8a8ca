"""Turns tensor arguments into C-contiguous, aligned, native-endian NumPy arrays of a supported dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _capi

# TensorFlow's names of the dtypes, used in its error messages.
_TF_NAMES = {"float16": "half", "float32": "float", "float64": "double", "bfloat16": "bfloat16"}
DTYPE_CODES = {np.dtype(np.float32): _capi.DTYPE_FLOAT32, np.dtype(np.float64): _capi.DTYPE_FLOAT64}


def _tf_name(dtype: np.dtype) -> str:
    return _TF_NAMES.get(dtype.name, dtype.name)


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


def _check_dtype(array: np.ndarray, name: str, op: str) -> None:
    dtype = array.dtype
    if dtype in DTYPE_CODES or (dtype.kind == "f" and dtype.newbyteorder("=") in DTYPE_CODES):
        return
    if dtype.name in ("float16", "bfloat16"):
        raise TypeError(
            f"{op}: {name} has dtype {dtype.name}, which this version of depthwise_interop does not support yet "
            "(TensorFlow does); convert to float32 or float64"
        )
    raise TypeError(
        f"{op}: {name} has dtype {dtype.name}. Value for attr 'T' of {dtype.name} is not in the list of allowed "
        "values: half, bfloat16, float, double"
    )


def prepare(input: Any, filter: Any, op: str, filter_name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Both tensors as contiguous native arrays of one supported dtype, and that dtype's C code."""
    input_is_array = isinstance(input, np.ndarray) or hasattr(input, "__array__")
    filter_is_array = isinstance(filter, np.ndarray) or hasattr(filter, "__array__")
    if input_is_array or not filter_is_array:
        x = _to_array(input, None)
        w = _to_array(filter, x.dtype if x.dtype.kind == "f" else None)
    else:
        w = _to_array(filter, None)
        x = _to_array(input, w.dtype if w.dtype.kind == "f" else None)
    _check_dtype(x, "input", op)
    _check_dtype(w, filter_name, op)
    native = x.dtype.newbyteorder("=")
    if w.dtype.newbyteorder("=") != native:
        raise TypeError(
            f"cannot compute {op} as input #1(zero-based) was expected to be a {_tf_name(native)} tensor "
            f"but is a {_tf_name(w.dtype.newbyteorder('='))} tensor"
        )
    x = np.require(x, dtype=native, requirements=["C", "A"])
    w = np.require(w, dtype=native, requirements=["C", "A"])
    return x, w, DTYPE_CODES[native]
