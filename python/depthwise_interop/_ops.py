"""Calls the native convolution functions: shape query, output allocation, compute, error translation."""

from __future__ import annotations

import ctypes

import numpy as np

from . import _capi, errors

_ERRORS = {
    _capi.STATUS_INVALID_ARGUMENT: errors.InvalidArgumentError,
    _capi.STATUS_UNIMPLEMENTED: errors.UnimplementedError,
    _capi.STATUS_INVALID_DTYPE: errors.InvalidDtypeError,
    _capi.STATUS_OUT_OF_MEMORY: errors.OutOfMemoryError,
}

# TensorFlow's eager errors end with the op's name.
_OP_NAMES = {"conv2d": "Conv2D", "depthwise_conv2d": "DepthwiseConv2dNative"}


def raise_for_status(status: int, op: str) -> None:
    if status == _capi.STATUS_OK:
        return
    message = (_capi.lib.di_last_error_message() or b"").decode("utf-8", "replace")
    error_type = _ERRORS.get(status, errors.InternalError)
    raise error_type(f"{message} [Op:{_OP_NAMES[op]}]", status)


def _shape(array_shape: tuple[int, ...]) -> ctypes.Array:
    return (ctypes.c_int64 * max(len(array_shape), 1))(*array_shape)


def output_shape(op: str, input_shape: tuple[int, ...], filter_shape: tuple[int, ...],
                 params: _capi.ConvParams) -> tuple[int, ...]:
    query = _capi.lib.di_conv2d_output_shape if op == "conv2d" else _capi.lib.di_depthwise_conv2d_output_shape
    capacity = max(len(input_shape), 4)
    shape = (ctypes.c_int64 * capacity)()
    rank = ctypes.c_int32()
    status = query(_shape(input_shape), len(input_shape), _shape(filter_shape), len(filter_shape), params,
                   shape, capacity, ctypes.byref(rank))
    raise_for_status(status, op)
    return tuple(shape[: rank.value])


def run(op: str, x: np.ndarray, w: np.ndarray, dtype_code: int, params: _capi.ConvParams) -> np.ndarray:
    """Validates through the shape query, then computes into a fresh array."""
    out_shape = output_shape(op, x.shape, w.shape, params)
    out = np.empty(out_shape, dtype=x.dtype)
    compute = _capi.lib.di_conv2d if op == "conv2d" else _capi.lib.di_depthwise_conv2d
    status = compute(
        dtype_code,
        x.ctypes.data, x.size, _shape(x.shape), x.ndim,
        w.ctypes.data, w.size, _shape(w.shape), w.ndim,
        params, out.ctypes.data, out.size,
    )
    raise_for_status(status, op)
    return out
