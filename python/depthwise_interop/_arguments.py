"""TensorFlow's Python-level argument forms for tf.nn.conv2d and tf.nn.depthwise_conv2d, turned into the
op attributes the C ABI takes (four strides, four dilations, eight explicit paddings, in data_format order).

Only the forms are handled here, with the errors TensorFlow's Python wrappers raise for them; every value
rule (ranges, batch/depth entries, shapes) is checked once, by the native library.
"""

from __future__ import annotations

import collections.abc
import numbers
from typing import Any

from . import _capi

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def to_int64(value: Any, name: str) -> int:
    """An integer that fits int64, never a silent wrap or truncation."""
    if type(value) is int and _INT64_MIN <= value <= _INT64_MAX:  # the common case, without ABC checks
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must contain integers. Received: {value!r} of type {type(value).__name__}")
    value = int(value)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"{name} value {value} does not fit in a 64-bit integer")
    return value


def int64_list(values: Any, name: str) -> list[int]:
    return [to_int64(value, name) for value in values]


def data_format_code(data_format: Any) -> int:
    """The op attribute check: exactly "NHWC" or "NCHW", case-sensitive."""
    if not isinstance(data_format, str):
        raise TypeError(f"Expected string for argument 'data_format' not {data_format!r}.")
    if data_format == "NHWC":
        return _capi.DATA_FORMAT_NHWC
    if data_format == "NCHW":
        return _capi.DATA_FORMAT_NCHW
    raise ValueError(
        f"Value for attr 'data_format' of \"{data_format}\" is not in the list of allowed values: \"NHWC\", \"NCHW\""
    )


def convert_padding(padding: Any) -> tuple[int, list[int]]:
    """TensorFlow's convert_padding plus the op's attribute check: (padding code, explicit paddings)."""
    if isinstance(padding, (list, tuple)):
        for index, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)):
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                    f"Received: padding={padding} with element at index {index} of type {type(pair)}"
                )
            if len(pair) != 2:
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                    f"Received: padding={padding} with element at index {index} of size {len(pair)}"
                )
        if len(padding) != 4:
            raise ValueError(
                f"When padding is a list, it must be of size 4. Received: padding={padding} of size {len(padding)}"
            )
        return _capi.PADDING_EXPLICIT, int64_list((value for pair in padding for value in pair), "padding")
    if not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    if padding == "EXPLICIT":
        raise ValueError(
            "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` must be a list."
        )
    if padding == "SAME":
        return _capi.PADDING_SAME, []
    if padding == "VALID":
        return _capi.PADDING_VALID, []
    raise ValueError(
        f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
        "\"SAME\", \"VALID\", \"EXPLICIT\""
    )


def conv2d_sequence(value: Any, channel_index: int, name: str) -> list[int]:
    """TensorFlow's _get_sequence(value, 2, channel_index, name): None, an int, or 1, 2 or 4 values."""
    if value is None:
        value = [1]
    elif not isinstance(value, collections.abc.Sized) or isinstance(value, str):
        value = [value]
    count = len(value)
    if count == 4:
        return int64_list(value, name)
    if count == 1:
        spatial = int64_list(list(value) * 2, name)
    elif count == 2:
        spatial = int64_list(value, name)
    else:
        shown = list(value) if not isinstance(value, list) else value
        raise ValueError(f"{name} should be of length 1, 2 or 4. Received: {name}={shown} of length {count}")
    return [1, 1] + spatial if channel_index == 1 else [1] + spatial + [1]


def depthwise_strides(strides: Any) -> list[int]:
    """depthwise_conv2d passes strides to the op untouched: a list or tuple of exactly four values."""
    if not isinstance(strides, (list, tuple)):
        raise TypeError(f"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not {strides!r}.")
    if len(strides) != 4:
        raise ValueError("Sliding window strides field must specify 4 dimensions")
    return int64_list(strides, "strides")


def depthwise_dilations(dilations: Any, data_format_nchw: bool) -> tuple[list[int], list[int]]:
    """(four-value op attribute, spatial rates) from TensorFlow's depthwise `dilations`: a list of the two
    spatial rates [rate_height, rate_width]. As an extension, four values in data_format order are accepted
    too (TensorFlow refuses them for an implementation reason). A single rate is refused: TensorFlow applies
    it to the height only and silently pads the width VALID."""
    if dilations is None:
        return [1, 1, 1, 1], [1, 1]
    if not isinstance(dilations, collections.abc.Sized) or isinstance(dilations, str):
        raise ValueError(
            f"`dilation_rate.shape.rank` must be 1. Received: dilation_rate={dilations!r} of rank 0"
        )
    rates = int64_list(dilations, "dilations")
    if len(rates) == 2:
        spatial = rates
        four = [1, 1] + spatial if data_format_nchw else [1] + spatial + [1]
        return four, spatial
    if len(rates) == 4:
        return rates, rates[2:4] if data_format_nchw else rates[1:3]
    if len(rates) == 1:
        raise ValueError(
            f"depthwise_conv2d dilations={rates} has a single rate: TensorFlow would dilate the height only and "
            "pad the width VALID whatever `padding` says; pass both rates, e.g. "
            f"dilations=[{rates[0]}, {rates[0]}] or [{rates[0]}, 1]"
        )
    raise ValueError(
        f"depthwise_conv2d dilations must hold the 2 spatial rates [rate_height, rate_width]. "
        f"Received: dilations={rates} of length {len(rates)}"
    )


def conv_params(data_format: int, padding: int, strides: list[int], dilations: list[int],
                explicit_paddings: list[int]) -> _capi.ConvParams:
    """The C parameter struct, filled the way di_conv_params_init does and then overridden."""
    params = _capi.ConvParams()
    _capi.lib.di_conv_params_init(params)
    params.data_format = data_format
    params.padding = padding
    params.strides[:] = strides
    params.dilations[:] = dilations
    if explicit_paddings:
        params.explicit_paddings[:] = explicit_paddings
    return params
