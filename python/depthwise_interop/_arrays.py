"""Turns tensor arguments into C-contiguous, aligned, native-endian NumPy arrays of a supported dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _capi, errors

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


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) or hasattr(value, "__array__")


def _to_array(value: Any, like: np.ndarray | None = None, *, cast: bool = False) -> np.ndarray:
    """``value`` as an array. ``cast``: of ``like``'s dtype whatever it is (NumPy's unsafe cast, as TensorFlow's eager
    conversion force-casts an ndarray to the dtype another input fixed). Otherwise an array keeps its dtype, and
    Python floats become float32 (as with ``tf.convert_to_tensor``) unless ``like``, a float array, fixes the dtype."""
    if isinstance(value, BFloat16Bits):
        return value
    is_array = _is_array(value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(f"cannot convert {type(value).__name__} to a tensor: {error}") from None
    if like is not None and isinstance(like, BFloat16Bits):
        like = None
    if cast and like is not None:
        return array if array.dtype == like.dtype else array.astype(like.dtype)
    if not is_array and array.dtype.kind == "f":
        return array.astype(like.dtype if like is not None and _is_floating(like.dtype) else np.float32)
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


def prepare(input: Any, filter: Any, op: str, *, filter_takes_input_dtype: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    """Both tensors as contiguous native arrays of one supported dtype, and that dtype's C code.

    ``filter_takes_input_dtype``: ``tf.nn.conv2d`` in eager mode hands its arguments to the op as they are, and the
    op converts the filter to the dtype the input fixed (a float32 filter with a float64 input computes in float64,
    a float64 filter with a float32 input in float32). ``depthwise_conv2d`` and ``separable_conv2d`` convert each
    tensor on its own first, so arrays of different dtypes reach the op and fail there, as eager ops do. (A Python
    list or scalar beside an array takes the array's float dtype for every op, where TensorFlow's depthwise would
    make it float32 and fail: a literal's dtype is not the caller's choice.)
    """
    if type(input) is np.ndarray and type(filter) is np.ndarray and input.dtype is filter.dtype:
        code = DTYPE_CODES.get(input.dtype)
        flags_x, flags_w = input.flags, filter.flags
        if code is not None and flags_x.c_contiguous and flags_x.aligned and flags_w.c_contiguous and flags_w.aligned:
            return input, filter, code  # already what the library reads: no copy
    # A Python list or scalar input beside an array filter takes the filter's float dtype.
    x = _to_array(input, np.asarray(filter) if _is_array(filter) and not _is_array(input) else None)
    _check_dtype(x, "input", op)
    w = _to_array(filter, x, cast=filter_takes_input_dtype)
    _check_dtype(w, "filter", op)
    native = x.dtype.newbyteorder("=") if x.dtype.kind == "f" else x.dtype
    filter_native = w.dtype.newbyteorder("=") if w.dtype.kind == "f" else w.dtype
    if filter_native != native or isinstance(x, BFloat16Bits) != isinstance(w, BFloat16Bits):
        raise errors.InvalidArgumentError(
            f"cannot compute {op} as input #1(zero-based) was expected to be a {_tensorflow_name(x, native)} tensor but "
            f"is a {_tensorflow_name(w, filter_native)} tensor [Op:{op}]", _capi.STATUS_INVALID_ARGUMENT)
    x = np.require(x, dtype=native, requirements=["C", "A"])
    w = np.require(w, dtype=native, requirements=["C", "A"])
    return x, w, _code_of_array(x)


# TensorFlow's names of the dtypes in its kernels' messages (DataTypeString).
_TENSORFLOW_NAMES = {"float16": "half", "float32": "float", "float64": "double"}


def _tensorflow_name(array: np.ndarray, dtype: np.dtype) -> str:
    return "bfloat16" if isinstance(array, BFloat16Bits) else _TENSORFLOW_NAMES.get(dtype.name, dtype.name)
