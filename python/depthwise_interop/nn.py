"""tf.nn.conv2d, tf.nn.depthwise_conv2d and tf.nn.separable_conv2d on NumPy arrays, with TensorFlow 2's
signatures, argument forms, results and error texts.

float16 and bfloat16 tensors are accumulated in float32 and rounded once to their type (TensorFlow's stock
depthwise CPU kernel rounds float16 after every tap); bfloat16 arrays come from the optional ml_dtypes package
(``depthwise_interop.bfloat16``).

Beyond TensorFlow's CPU kernels (documented extensions): NCHW is computed (NHWC transposed; the filter layout
does not change), depthwise accepts unequal strides and a 4-value `dilations` in data_format order, and
conv2d computes grouped convolution. One deliberate refusal: depthwise_conv2d (and the depthwise stage of
separable_conv2d) with a stride above 1 together with a dilation above 1 raises ValueError, as
tf.nn.convolution does, because TensorFlow's depthwise_conv2d returns a space-to-batch artefact there rather
than the strided dilated convolution (the C ABI and the .NET API compute the true convolution).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _arguments, _arrays, _capi, _ops

Padding = Union[str, Sequence[Sequence[int]]]


def conv2d(
    input: Any,
    filters: Any,
    strides: Union[int, Sequence[int]],
    padding: Padding,
    data_format: Optional[str] = "NHWC",
    dilations: Union[int, Sequence[int], None] = None,
    name: Optional[str] = None,
) -> np.ndarray:
    """Computes a 2-D convolution, as ``tf.nn.conv2d``.

    Args:
        input: tensor of rank >= 4, ``[*batch, H, W, C]`` (NHWC) or ``[*batch, C, H, W]`` (NCHW); float32,
            float64, float16 or bfloat16 (``ml_dtypes.bfloat16``). Leading dimensions beyond the inner three are batch dimensions, kept in the output.
        filters: ``[KH, KW, C / groups, C_out]``, converted to the input's dtype (as TensorFlow's eager
            conversion does); ``C / filters.shape[2]`` groups of contiguous channels when the depths differ.
        strides: an int, or 1, 2 or 4 ints (4 in data_format order, batch and channel entries 1).
        padding: ``"SAME"``, ``"VALID"``, or 4 ``[before, after]`` pairs in data_format order.
        data_format: ``"NHWC"`` (default, also for ``None``) or ``"NCHW"``.
        dilations: like ``strides``; default 1.
        name: accepted for compatibility with TensorFlow and ignored.

    Returns:
        A new array of the input's dtype.

    Raises:
        ValueError: invalid shapes or arguments, with TensorFlow's message (``errors.InvalidArgumentError``
            for those the native library reports).
        TypeError: an unsupported dtype, or arguments of the wrong type.
    """
    known, arguments_key = _known_plan("conv2d", input, filters, strides, padding, data_format, dilations)
    if known is not None:
        x, w, dtype_code = _arrays.prepare(input, filters, "Conv2D", filter_takes_input_dtype=True)
        return _ops.run("conv2d", x, w, dtype_code, known)
    padding_code, explicit_paddings = _arguments.convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if isinstance(data_format, str) and data_format.startswith("NC") else 3
    strides4 = _arguments.conv2d_sequence(strides, channel_index, "strides")
    dilations4 = _arguments.conv2d_sequence(dilations, channel_index, "dilations")
    format_code = _arguments.data_format_code(data_format)
    x, w, dtype_code = _arrays.prepare(input, filters, "Conv2D", filter_takes_input_dtype=True)
    return _run("conv2d", x, w, dtype_code, format_code, padding_code, strides4, dilations4, explicit_paddings, arguments_key)


def depthwise_conv2d(
    input: Any,
    filter: Any,
    strides: Sequence[int],
    padding: Padding,
    data_format: Optional[str] = None,
    dilations: Optional[Sequence[int]] = None,
    name: Optional[str] = None,
) -> np.ndarray:
    """Computes a depthwise 2-D convolution, as ``tf.nn.depthwise_conv2d``.

    ``output[b, i, j, c * M + m] = sum over (di, dj) of
    input[b, i * strides[1] + rate[0] * di - pad_top, j * strides[2] + rate[1] * dj - pad_left, c] * filter[di, dj, c, m]``

    Args:
        input: ``[N, H, W, C]`` (NHWC) or ``[N, C, H, W]`` (NCHW); float32, float64, float16
            or bfloat16 (``ml_dtypes.bfloat16``).
        filter: ``[KH, KW, C, M]`` of the same dtype (M is the channel multiplier).
        strides: a list or tuple of 4 ints in data_format order (batch and channel entries 1). Unequal height
            and width strides are accepted (TensorFlow's CPU kernel refuses them).
        padding: ``"SAME"``, ``"VALID"``, or 4 ``[before, after]`` pairs in data_format order.
        data_format: ``"NHWC"`` (default, also for ``None``) or ``"NCHW"``.
        dilations: the 2 spatial rates ``[rate_h, rate_w]`` (default ``[1, 1]``); also accepted: 4 values in
            data_format order. A rate above 1 together with a stride above 1 raises ValueError.
        name: accepted for compatibility with TensorFlow and ignored.

    Returns:
        A new array of the input's dtype, with ``C * M`` channels ordered ``c * M + m``.

    Raises:
        ValueError: invalid shapes or arguments, with TensorFlow's message; input and filter of different
            dtypes (``errors.InvalidArgumentError``, TensorFlow's eager message).
        TypeError: an unsupported dtype, or arguments of the wrong type.
    """
    known, arguments_key = _known_plan("depthwise_conv2d", input, filter, strides, padding, data_format, dilations)
    x, w, dtype_code = _arrays.prepare(input, filter, "DepthwiseConv2dNative")
    if known is not None:
        return _ops.run("depthwise_conv2d", x, w, dtype_code, known)
    is_nchw = isinstance(data_format, str) and data_format.startswith("NC")
    dilations4, rates = _arguments.depthwise_dilations(dilations, is_nchw)
    padding_code, explicit_paddings = _arguments.convert_padding(padding)
    strides4 = _arguments.depthwise_strides(strides)
    format_code = _arguments.data_format_code("NHWC" if data_format is None else data_format)
    _refuse_strided_dilation(strides4, rates, is_nchw, "depthwise_conv2d")
    return _run("depthwise_conv2d", x, w, dtype_code, format_code, padding_code, strides4, dilations4, explicit_paddings,
                arguments_key)


def separable_conv2d(
    input: Any,
    depthwise_filter: Any,
    pointwise_filter: Any,
    strides: Sequence[int],
    padding: Padding,
    data_format: Optional[str] = None,
    dilations: Optional[Sequence[int]] = None,
    name: Optional[str] = None,
) -> np.ndarray:
    """Computes a depthwise separable 2-D convolution, as ``tf.nn.separable_conv2d``: a depthwise convolution
    that acts separately on channels, then a pointwise (1x1) convolution that mixes channels.

    ``output[b, i, j, k] = sum over (di, dj, q, r) of
    input[b, i * strides[1] + rate[0] * di - pad_top, j * strides[2] + rate[1] * dj - pad_left, q] *
    depthwise_filter[di, dj, q, r] * pointwise_filter[0, 0, q * M + r, k]``

    The result is that of ``conv2d(depthwise_conv2d(input, depthwise_filter, strides, padding, data_format,
    dilations), pointwise_filter, [1, 1, 1, 1], "VALID", data_format)``, computed in one native call.

    Args:
        input: ``[N, H, W, C]`` (NHWC) or ``[N, C, H, W]`` (NCHW); float32, float64, float16
            or bfloat16 (``ml_dtypes.bfloat16``).
        depthwise_filter: ``[KH, KW, C, M]`` of the same dtype (M is the channel multiplier).
        pointwise_filter: ``[1, 1, C * M, C_out]`` of the same dtype.
        strides: a list or tuple of 4 ints in data_format order (batch and channel entries 1), for the
            depthwise stage only; the pointwise stage has stride 1.
        padding: ``"SAME"``, ``"VALID"``, or 4 ``[before, after]`` pairs in data_format order (accepted, as
            TensorFlow's separable_conv2d passes padding to the depthwise stage like depthwise_conv2d does).
        data_format: ``"NHWC"`` (default, also for ``None``) or ``"NCHW"``.
        dilations: the 2 spatial rates ``[rate_h, rate_w]`` of the depthwise stage (default ``[1, 1]``); also
            accepted: 4 values in data_format order. A rate above 1 together with a stride above 1 raises
            ValueError, as for :func:`depthwise_conv2d`.
        name: accepted for compatibility with TensorFlow and ignored.

    Returns:
        A new array of the input's dtype with ``C_out`` channels.

    Raises:
        ValueError: invalid shapes or arguments, with TensorFlow's message (e.g. ``Shape (1, 1, 4) must have
            rank 4`` or ``Dimensions 3 and 1 are not compatible`` for a pointwise filter that is not 1x1); tensors
            of different dtypes (``errors.InvalidArgumentError``, TensorFlow's eager message).
        TypeError: an unsupported dtype, or arguments of the wrong type.
    """
    x, dw, dtype_code = _arrays.prepare(input, depthwise_filter, "DepthwiseConv2dNative")
    x, pw, _ = _arrays.prepare(x, pointwise_filter, "Conv2D")
    is_nchw = isinstance(data_format, str) and data_format.startswith("NC")
    dilations4, rates = _arguments.depthwise_dilations(dilations, is_nchw)
    padding_code, explicit_paddings = _arguments.convert_padding(padding)
    strides4 = _arguments.depthwise_strides(strides)
    format_code = _arguments.data_format_code("NHWC" if data_format is None else data_format)
    _refuse_strided_dilation(strides4, rates, is_nchw, "separable_conv2d")
    attributes = (format_code, padding_code, tuple(strides4), tuple(dilations4), tuple(explicit_paddings))
    call = _ops.separable_plan(x.shape, dw.shape, pw.shape, attributes, lambda: _arguments.conv_params(
        format_code, padding_code, strides4, dilations4, explicit_paddings))
    return _ops.run_separable(x, dw, pw, dtype_code, call)


def _refuse_strided_dilation(strides4: list, rates: list, is_nchw: bool, op: str) -> None:
    """The one deliberate refusal of the depthwise stage (see the module docstring)."""
    spatial_strides = strides4[2:4] if is_nchw else strides4[1:3]
    if max(spatial_strides) > 1 and max(rates) > 1:
        raise ValueError(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
            f"Received: strides={strides4} and dilation_rate={rates}. TensorFlow's {op} returns a "
            "space-to-batch artefact here rather than the strided dilated convolution; depthwise_interop's C "
            "and .NET APIs compute the true convolution"
        )


def _run(op: str, x: np.ndarray, w: np.ndarray, dtype_code: int, format_code: int, padding_code: int,
         strides4: list, dilations4: list, explicit_paddings: list, arguments_key: Optional[tuple]) -> np.ndarray:
    attributes = (format_code, padding_code, tuple(strides4), tuple(dilations4), tuple(explicit_paddings))
    call = _ops.plan(op, x.shape, w.shape, attributes, lambda: _arguments.conv_params(
        format_code, padding_code, strides4, dilations4, explicit_paddings))
    if arguments_key is not None:
        _ops.remember(arguments_key, call)
    return _ops.run(op, x, w, dtype_code, call)


# The fast path of a repeated call: its plan, found from the arguments exactly as the caller wrote them, so
# that none of them is converted again. Only argument forms made of exact ints and strs are keys (a bool or a
# NumPy integer equals an int but converts differently), and only NumPy arrays, whose shapes are known
# before conversion. A miss returns its key for the slow path to store the plan under.
_UNCACHEABLE = object()


def _frozen(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None or kind is int:
        return value
    if kind is list or kind is tuple:
        for item in value:
            if type(item) is not int:
                break
        else:
            return tuple(value)
        parts = tuple(map(_frozen, value))
        return _UNCACHEABLE if any(part is _UNCACHEABLE for part in parts) else parts
    return _UNCACHEABLE


def _known_plan(op: str, input: Any, filter: Any, strides: Any, padding: Any, data_format: Any,
                dilations: Any) -> tuple[Any, Optional[tuple]]:
    """(the plan remembered for this call, None) on a hit; (None, the key to remember it under, or None)."""
    if type(input) is not np.ndarray or type(filter) is not np.ndarray:
        return None, None
    strides, padding, data_format, dilations = _frozen(strides), _frozen(padding), _frozen(data_format), _frozen(dilations)
    if strides is _UNCACHEABLE or padding is _UNCACHEABLE or data_format is _UNCACHEABLE or dilations is _UNCACHEABLE:
        return None, None
    key = (op, input.shape, filter.shape, strides, padding, data_format, dilations)
    known = _ops.remembered(key)
    return (known, None) if known is not None else (None, key)


__all__ = ["conv2d", "depthwise_conv2d", "separable_conv2d"]

# Imported for its side effect in the package: loading the library and checking its ABI.
del _capi
