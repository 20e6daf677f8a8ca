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

# TensorFlow's eager errors end with the op's name. separable_conv2d has no op of its own: its errors come
# from its Python wrapper (no suffix) or from one of the two ops it runs (see _separable_op_name).
_OP_NAMES = {"conv2d": "Conv2D", "depthwise_conv2d": "DepthwiseConv2dNative", "separable_conv2d": None}


def raise_for_status(status: int, op: str, op_name: str | None = None) -> None:
    if status == _capi.STATUS_OK:
        return
    message = (_capi.lib.di_last_error_message() or b"").decode("utf-8", "replace")
    error_type = _ERRORS.get(status, errors.InternalError)
    name = op_name if op_name is not None else _OP_NAMES[op]
    raise error_type(f"{message} [Op:{name}]" if name else message, status)


_char_from_buffer = ctypes.c_char.from_buffer
_addressof = ctypes.addressof


def address(array: np.ndarray) -> int:
    """The address of an array's first byte. A ctypes view of the buffer costs a third of `array.ctypes.data`
    (per call, that is about 1 µs per tensor); read-only and empty arrays, which it refuses, take the latter."""
    try:
        return _addressof(_char_from_buffer(array))
    except (TypeError, ValueError):
        return array.ctypes.data


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


class _Plan:
    """What a call needs besides the data: the C parameter struct, the shapes as C arrays and the output
    shape (validated by the native shape query). Shape inference is a pure function of these arguments, so
    plans are cached: a repeated call skips the query and the struct building."""

    __slots__ = ("params", "input_shape", "filter_shape", "output_shape", "output_size", "addresses")

    def __init__(self, op: str, input_shape: tuple, filter_shape: tuple, params: _capi.ConvParams):
        self.params = params
        self.input_shape = _shape(input_shape)
        self.filter_shape = _shape(filter_shape)
        self.output_shape = output_shape(op, input_shape, filter_shape, params)
        self.output_size = int(np.prod(self.output_shape, dtype=np.int64))
        # The C arrays above live as long as the plan, so their addresses stay valid.
        self.addresses = (ctypes.addressof(self.input_shape), ctypes.addressof(self.filter_shape), ctypes.addressof(params))


_PLANS: dict = {}
_PLAN_CACHE_LIMIT = 512


def _cached(key: tuple, build):
    """The plan stored under `key`, built on first use; the cache is emptied when it reaches its limit."""
    found = _PLANS.get(key)
    if found is None:
        found = build()
        if len(_PLANS) >= _PLAN_CACHE_LIMIT:
            _PLANS.clear()
        _PLANS[key] = found
    return found


def remembered(arguments_key: tuple):
    """The plan stored under a key of the caller's own argument forms (see nn._known_plan), or None."""
    return _PLANS.get(arguments_key)


def remember(arguments_key: tuple, call) -> None:
    """Stores a plan under a key of the caller's argument forms too."""
    _cached(arguments_key, lambda: call)


def plan(op: str, input_shape: tuple, filter_shape: tuple, attributes: tuple, make_params) -> _Plan:
    """The cached plan for these arguments; `attributes` is a hashable form of what `make_params` encodes."""
    return _cached((op, input_shape, filter_shape, attributes),
                   lambda: _Plan(op, input_shape, filter_shape, make_params()))


# Outputs of at least this many bytes start on a 64-byte boundary. NumPy's large arrays come from malloc, 16 bytes
# past a page boundary, so every 32-byte vector store of the kernels would straddle two cache lines half of the
# time (about 7% of a 3x3 depthwise call's time, measured on 112x112x32). Smaller outputs keep plain np.empty: the
# extra view costs more than it saves there.
_ALIGNMENT = 64
_ALIGNED_MIN_BYTES = 1 << 14


def new_output(shape: tuple, size: int, dtype: np.dtype) -> np.ndarray:
    """A fresh, uninitialised C-contiguous array for an op's result."""
    nbytes = size * dtype.itemsize
    if nbytes < _ALIGNED_MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    raw = np.empty(nbytes + _ALIGNMENT, dtype=np.uint8)
    offset = -raw.ctypes.data % _ALIGNMENT
    return raw[offset:offset + nbytes].view(dtype).reshape(shape)


def run(op: str, x: np.ndarray, w: np.ndarray, dtype_code: int, call: _Plan) -> np.ndarray:
    """Computes into a fresh array."""
    out = new_output(call.output_shape, call.output_size, x.dtype)
    compute = _capi.lib.di_conv2d if op == "conv2d" else _capi.lib.di_depthwise_conv2d
    input_shape, filter_shape, params = call.addresses
    status = compute(
        dtype_code,
        address(x), x.size, input_shape, x.ndim,
        address(w), w.size, filter_shape, w.ndim,
        params, address(out), call.output_size,
    )
    raise_for_status(status, op)
    return out


def _separable_op_name(input_shape: tuple, depthwise_shape: tuple, pointwise_shape: tuple, params: _capi.ConvParams,
                       message: bytes) -> str | None:
    """Which op TensorFlow would name for a failed separable shape query: the depthwise stage if it fails
    alone with the same message, else the pointwise Conv2D if that fails alone with it, else none (the
    wrapper's own pointwise-filter checks)."""
    capacity = max(len(input_shape), 4)
    shape, rank = (ctypes.c_int64 * capacity)(), ctypes.c_int32()
    status = _capi.lib.di_depthwise_conv2d_output_shape(
        _shape(input_shape), len(input_shape), _shape(depthwise_shape), len(depthwise_shape), params, shape, capacity,
        ctypes.byref(rank))
    if status != _capi.STATUS_OK:
        return "DepthwiseConv2dNative" if _capi.lib.di_last_error_message() == message else None
    pointwise_params = _capi.ConvParams()
    _capi.lib.di_conv_params_init(pointwise_params)
    pointwise_params.data_format = params.data_format
    intermediate = tuple(shape[: rank.value])
    status = _capi.lib.di_conv2d_output_shape(
        _shape(intermediate), len(intermediate), _shape(pointwise_shape), len(pointwise_shape), pointwise_params, shape,
        capacity, ctypes.byref(rank))
    if status != _capi.STATUS_OK and _capi.lib.di_last_error_message() == message:
        return "Conv2D"
    return None


class _SeparablePlan:
    """A _Plan for separable_conv2d: three tensors, one shape query."""

    __slots__ = ("params", "shapes", "output_shape", "output_size", "addresses")

    def __init__(self, input_shape: tuple, depthwise_shape: tuple, pointwise_shape: tuple, params: _capi.ConvParams):
        self.params = params
        self.shapes = (_shape(input_shape), _shape(depthwise_shape), _shape(pointwise_shape))
        capacity = max(len(input_shape), 4)
        shape = (ctypes.c_int64 * capacity)()
        rank = ctypes.c_int32()
        status = _capi.lib.di_separable_conv2d_output_shape(
            self.shapes[0], len(input_shape), self.shapes[1], len(depthwise_shape), self.shapes[2], len(pointwise_shape),
            params, shape, capacity, ctypes.byref(rank))
        if status != _capi.STATUS_OK:
            message = _capi.lib.di_last_error_message()
            op_name = _separable_op_name(input_shape, depthwise_shape, pointwise_shape, params, message)
            # The probes above may have failed too: restore this query's message before raising.
            _capi.lib.di_separable_conv2d_output_shape(
                self.shapes[0], len(input_shape), self.shapes[1], len(depthwise_shape), self.shapes[2],
                len(pointwise_shape), params, shape, capacity, ctypes.byref(rank))
            raise_for_status(status, "separable_conv2d", op_name)
        self.output_shape = tuple(shape[: rank.value])
        self.output_size = int(np.prod(self.output_shape, dtype=np.int64))
        self.addresses = tuple(ctypes.addressof(array) for array in self.shapes) + (ctypes.addressof(params),)


def separable_plan(input_shape: tuple, depthwise_shape: tuple, pointwise_shape: tuple, attributes: tuple,
                   make_params) -> _SeparablePlan:
    """The cached plan for separable_conv2d (the same cache as `plan`)."""
    return _cached(("separable_conv2d", input_shape, depthwise_shape, pointwise_shape, attributes),
                   lambda: _SeparablePlan(input_shape, depthwise_shape, pointwise_shape, make_params()))


def run_separable(x: np.ndarray, depthwise: np.ndarray, pointwise: np.ndarray, dtype_code: int,
                  call: _SeparablePlan) -> np.ndarray:
    """Computes separable_conv2d into a fresh array."""
    out = new_output(call.output_shape, call.output_size, x.dtype)
    input_shape, depthwise_shape, pointwise_shape, params = call.addresses
    status = _capi.lib.di_separable_conv2d(
        dtype_code,
        address(x), x.size, input_shape, x.ndim,
        address(depthwise), depthwise.size, depthwise_shape, depthwise.ndim,
        address(pointwise), pointwise.size, pointwise_shape, pointwise.ndim,
        params, address(out), call.output_size,
    )
    raise_for_status(status, "separable_conv2d")
    return out
