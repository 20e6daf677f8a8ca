"""Turns tensor arguments into C-contiguous, aligned, native-endian NumPy arrays of a supported dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _capi

# Keyed by dtype object: the per-call fast path is one dict lookup. bfloat16 is NumPy-compatible only through
# ml_dtypes; its dtype joins the table the first time an array of it is seen (see _code_of).
DTYPE_CODES = {
    np.dtype(np.float32): _capi.DTYPE_FLOAT32,
    np.dtype(np.float64): _capi.DTYPE_FLOAT64,
    np.dtype(np.float16): _capi.DTYPE_FLOAT16,
}


def _is_bfloat16(dtype: np.dtype) -> bool:
    # ml_dtypes.bfloat16 (also what TensorFlow's and JAX's NumPy views use): a 2-byte type named "bfloat16".
    return dtype.name == "bfloat16" and dtype.itemsize == 2


def _code_of(dtype: np.dtype) -> int | None:
    code = DTYPE_CODES.get(dtype)
    if code is None and _is_bfloat16(dtype):
        DTYPE_CODES[dtype] = code = _capi.DTYPE_BFLOAT16
    return code


class BFloat16Bits(np.ndarray):
    """uint16 bit patterns standing for bfloat16 values, for callers without ml_dtypes (the tests and the
    conformance runner): ``BFloat16Bits.of(bits)``. Both tensors of a call must be marked; the result comes
    back as a plain uint16 array of bfloat16 bit patterns."""

    @staticmethod
    def of(bits: Any) -> "BFloat16Bits":
        return np.ascontiguousarray(bits, dtype=np.uint16).view(BFloat16Bits)


def _code_of_array(array: np.ndarray) -> int | None:
    if isinstance(array, BFloat16Bits):
        return _capi.DTYPE_BFLOAT16 if array.dtype == np.uint16 else None
    return _code_of(array.dtype)


def _is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f" or _is_bfloat16(dtype)


def _to_array(value: Any, like: np.dtype | None) -> np.ndarray:
    if isinstance(value, BFloat16Bits):
        return value
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
    if _code_of_array(array) is not None or (dtype.kind == "f" and dtype.newbyteorder("=") in DTYPE_CODES):
        return
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
        w = _to_array(filter, x.dtype if _is_floating(x.dtype) else None)
    else:
        w = _to_array(filter, None)
        x = _to_array(input, w.dtype if _is_floating(w.dtype) else None)
    _check_dtype(x, "input", op)
    _check_dtype(w, "filter", op)
    native = x.dtype.newbyteorder("=") if x.dtype.kind == "f" else x.dtype
    filter_native = w.dtype.newbyteorder("=") if w.dtype.kind == "f" else w.dtype
    if filter_native != native or isinstance(x, BFloat16Bits) != isinstance(w, BFloat16Bits):
        raise TypeError(
            f"Input 'filter' of '{op}' Op has type {_type_name(w, filter_native)} that does not match type "
            f"{_type_name(x, native)} of argument 'input'."
        )
    x = np.require(x, dtype=native, requirements=["C", "A"])
    w = np.require(w, dtype=native, requirements=["C", "A"])
    return x, w, _code_of_array(x)


def _type_name(array: np.ndarray, dtype: np.dtype) -> str:
    return "bfloat16" if isinstance(array, BFloat16Bits) else dtype.name
