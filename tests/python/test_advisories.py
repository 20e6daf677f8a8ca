"""TensorFlow's security advisories about convolutions, translated to nn.conv2d / nn.depthwise_conv2d.

The advisories are listed, with where they come from, in advisories.py; docs/robustness.md explains each one.
Every advisory in scope (Conv2D / DepthwiseConv2dNative forward, their shape functions, the windowed output
size) or related (a convolution op whose inputs translate to this API) has at least one check here, and each
check asserts either a clear ValueError/TypeError with TensorFlow's message or the correct result, computed by
the small NumPy reference below.

Inputs that stand for huge tensors are as_strided views over a few bytes: valid only because the call must fail
(or finish) without reading them. Those run in a child process, so that a read — a segfault — fails the test
with the case named instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from depthwise_interop import nn

from advisories import ADVISORIES, TESTED_SCOPES, label

F32 = np.float32


# --------------------------------------------------------------------------------------------------------------
# A tiny NumPy reference: pad explicitly, then accumulate one strided window per filter tap (NHWC, float64).
# --------------------------------------------------------------------------------------------------------------

def reference_conv2d(x, w, strides=(1, 1), dilations=(1, 1), pads=((0, 0), (0, 0))):
    """Grouped 2-D convolution of x [N, H, W, C] with w [KH, KW, C / G, O]; pads are explicit (before, after)."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, h, wd, c = x.shape
    kh, kw, cpg, o = w.shape
    groups = c // cpg
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    out = np.zeros((n, oh, ow, o))
    opg = o // groups
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dilations[0], j * dilations[1]
            win = xp[:, y0:y0 + (oh - 1) * strides[0] + 1:strides[0], x0:x0 + (ow - 1) * strides[1] + 1:strides[1]]
            for g in range(groups):
                out[..., g * opg:(g + 1) * opg] += win[..., g * cpg:(g + 1) * cpg] @ w[i, j, :, g * opg:(g + 1) * opg]
    return out


def same_pads(size, kernel, stride, dilation):
    out = -(-size // stride)
    needed = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
    return needed // 2, needed - needed // 2


def assert_value_error(call, *fragments):
    with pytest.raises(ValueError) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def assert_empty(result, shape, dtype=F32):
    assert isinstance(result, np.ndarray)
    assert result.shape == tuple(shape) and result.dtype == dtype and result.size == 0


def assert_zeros(result, shape, dtype=F32):
    assert isinstance(result, np.ndarray)
    assert result.shape == tuple(shape) and result.dtype == dtype
    assert np.array_equal(result, np.zeros(shape, dtype))


# --------------------------------------------------------------------------------------------------------------
# In-process checks, keyed by advisory id.
# --------------------------------------------------------------------------------------------------------------

CHECKS: dict[str, dict] = {}


def check(advisory_id):
    def register(function):
        CHECKS.setdefault(advisory_id, {})[function.__name__] = function
        return function
    return register


# TFSA-2021-015 / CVE-2021-29526: Division by 0 in `Conv2D`
@check("TFSA-2021-015")
def conv2d_empty_input_and_filter():
    z = np.zeros((0, 0, 0, 0), F32)
    assert_value_error(lambda: nn.conv2d(z, z, [1, 1, 1, 1], "SAME"), "filter depth must be stricly positive, got 0")


@check("TFSA-2021-015")
def depthwise_empty_input_and_filter_is_an_empty_result():
    z = np.zeros((0, 0, 0, 0), F32)
    assert_empty(nn.depthwise_conv2d(z, z, [1, 1, 1, 1], "SAME"), (0, 0, 0, 0))


@check("TFSA-2021-015")
def conv2d_empty_input_and_filter_nchw_float64():
    z = np.zeros((0, 0, 0, 0))
    assert_value_error(lambda: nn.conv2d(z, z, 1, "VALID", data_format="NCHW"), "filter depth must be stricly positive")


# TFSA-2021-150 / CVE-2021-37675: Division by 0 in most convolution operators (shape inference)
@check("TFSA-2021-150")
def shape_function_rejects_zero_filter_depth_for_every_padding():
    z = np.zeros((0, 0, 0, 0), F32)
    for padding in ("SAME", "VALID", [[0, 0], [1, 1], [1, 1], [0, 0]]):
        assert_value_error(lambda: nn.conv2d(z, z, 1, padding), "filter depth must be stricly positive")


@check("TFSA-2021-150")
def shape_function_rejects_indivisible_input_depth():
    x, w = np.zeros((1, 2, 2, 3), F32), np.zeros((1, 1, 2, 1), F32)
    assert_value_error(lambda: nn.conv2d(x, w, 1, "SAME"), "input depth must be evenly divisible by filter depth: 3 vs 2")


@check("TFSA-2021-150")
def shape_function_rejects_depthwise_depth_mismatch():
    x, w = np.zeros((1, 2, 2, 3), F32), np.zeros((1, 1, 0, 1), F32)
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
                       "input and filter must have the same depth: 3 vs 0")


@check("TFSA-2021-150")
def shape_function_rejects_groups_not_dividing_output_depth():
    x, w = np.ones((1, 2, 2, 4), F32), np.ones((1, 1, 2, 3), F32)
    assert_value_error(lambda: nn.conv2d(x, w, 1, "SAME"), "output depth must be evenly divisible by number of groups: 3 vs 2")


# TFSA-2021-187 / CVE-2021-41209: FPE in convolutions with zero size filters
@check("TFSA-2021-187")
def conv2d_filter_with_a_zero_spatial_dimension():
    x = np.ones((1, 3, 3, 1), F32)
    for shape in ((0, 1, 1, 1), (1, 0, 1, 1), (0, 0, 1, 1)):
        for padding in ("SAME", "VALID"):
            assert_value_error(lambda: nn.conv2d(x, np.zeros(shape, F32), 1, padding),
                               "filter must not have zero elements (i.e. all dimensions must be non-zero)")


@check("TFSA-2021-187")
def depthwise_filter_with_a_zero_spatial_dimension():
    x = np.ones((1, 3, 3, 2), F32)
    for shape in ((0, 1, 2, 1), (1, 0, 2, 1)):
        assert_value_error(lambda: nn.depthwise_conv2d(x, np.zeros(shape, F32), [1, 1, 1, 1], "SAME"),
                           "filter must not have zero elements")


@check("TFSA-2021-187")
def zero_output_channels_give_an_empty_result():
    x = np.ones((2, 3, 3, 2), F32)
    assert_empty(nn.conv2d(x, np.zeros((2, 2, 2, 0), F32), 1, "SAME"), (2, 3, 3, 0))
    assert_empty(nn.conv2d(x, np.zeros((2, 2, 1, 0), F32), 1, "VALID"), (2, 2, 2, 0))
    assert_empty(nn.depthwise_conv2d(x, np.zeros((2, 2, 2, 0), F32), [1, 1, 1, 1], "SAME"), (2, 3, 3, 0))


# TFSA-2022-124 / CVE-2022-35996: Floating point exception in `Conv2D`
@check("TFSA-2022-124")
def conv2d_empty_input_with_explicit_padding_is_all_zeros():
    # The advisory's PoC: np.ones([1, 0, 2, 1]) (float64), filter ones [1, 1, 1, 1], EXPLICIT [0,0,1,1,1,1,0,0].
    result = nn.conv2d(np.ones([1, 0, 2, 1]), np.ones([1, 1, 1, 1]), [1, 1, 1, 1], [[0, 0], [1, 1], [1, 1], [0, 0]],
                       data_format="NHWC")
    assert_zeros(result, (1, 2, 4, 1), np.float64)


@check("TFSA-2022-124")
def conv2d_empty_input_with_explicit_padding_nchw():
    result = nn.conv2d(np.ones([1, 1, 0, 2], F32), np.ones([1, 1, 1, 3], F32), 1, [[0, 0], [0, 0], [1, 1], [1, 1]],
                       data_format="NCHW")
    assert_zeros(result, (1, 3, 2, 4))


@check("TFSA-2022-124")
def depthwise_empty_input_with_explicit_padding_is_all_zeros():
    result = nn.depthwise_conv2d(np.ones([1, 0, 2, 2], F32), np.ones([1, 1, 2, 2], F32), [1, 1, 1, 1],
                                 [[0, 0], [1, 1], [1, 1], [0, 0]])
    assert_zeros(result, (1, 2, 4, 4))


# TFSA-2022-001 / CVE-2022-21725: Floating point division by 0 when executing convolution operators
@check("TFSA-2022-001")
def zero_stride_from_the_advisory_poc_nchw():
    x = np.ones((3, 1, 3, 1), F32)   # the PoC's grad: 3 x 1 x 3 x 1, NCHW, strides [1, 1, 1, 0]
    assert_value_error(lambda: nn.conv2d(x, np.ones((1, 1, 1, 1), F32), [1, 1, 1, 0], "VALID", data_format="NCHW"),
                       "Row and column strides should be larger than 0.")
    assert_value_error(lambda: nn.depthwise_conv2d(x, np.ones((1, 1, 1, 1), F32), [1, 1, 1, 0], "VALID",
                                                   data_format="NCHW"), "Stride must be > 0, but got 0")


@check("TFSA-2022-001")
def zero_and_negative_strides_every_form():
    x, w, wd = np.ones((1, 4, 4, 2), F32), np.ones((2, 2, 2, 1), F32), np.ones((2, 2, 2, 1), F32)
    for strides in (0, -1, [0], [1, 0], [0, 1], [1, 0, 1, 1], [1, 1, -3, 1]):
        for padding in ("SAME", "VALID", [[0, 0], [1, 1], [1, 1], [0, 0]]):
            assert_value_error(lambda: nn.conv2d(x, w, strides, padding), "strides should be larger than 0")
    for strides in ([1, 0, 1, 1], [1, 1, 0, 1], [1, -2, 1, 1]):
        for padding in ("SAME", "VALID", [[0, 0], [1, 1], [1, 1], [0, 0]]):
            assert_value_error(lambda: nn.depthwise_conv2d(x, wd, strides, padding), "Stride must be > 0")


# TFSA-2021-198 / CVE-2021-41197: Crashes due to overflow and CHECK-fail in ops with large tensor shapes
@check("TFSA-2021-198")
def explicit_paddings_overflowing_the_output_element_count():
    x, w = np.ones((1, 3, 3, 1), F32), np.ones((1, 1, 1, 1), F32)
    big = 2**31 - 1
    assert_value_error(lambda: nn.conv2d(x, w, 1, [[0, 0], [big, big], [big, big], [0, 0]]),
                       "output would have more elements than fit in 64 bits")


@check("TFSA-2021-198")
def paddings_strides_and_dilations_beyond_int32_and_int64():
    x, w = np.ones((1, 3, 3, 1), F32), np.ones((1, 1, 1, 1), F32)
    assert_value_error(lambda: nn.conv2d(x, w, 1, [[0, 0], [2**31, 0], [0, 0], [0, 0]]), "explicit padding 2147483648 is too large")
    assert_value_error(lambda: nn.conv2d(x, w, 2**31, "SAME"), "stride 2147483648 is too large")
    assert_value_error(lambda: nn.conv2d(x, w, 1, "SAME", dilations=2**40), "dilation 1099511627776 is too large")
    assert_value_error(lambda: nn.conv2d(x, w, 2**63, "SAME"), "does not fit in a 64-bit integer")
    assert_value_error(lambda: nn.conv2d(x, w, 1, [[0, 0], [2**64, 0], [0, 0], [0, 0]]), "does not fit in a 64-bit integer")
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 2**31, 2**31, 1], "SAME"), "stride 2147483648 is too large")
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[2**70, 1]),
                       "does not fit in a 64-bit integer")


@check("TFSA-2021-198")
def zero_size_input_with_a_dimension_beyond_int32():
    w = np.ones((1, 1, 1, 1), F32)
    assert_value_error(lambda: nn.conv2d(np.empty((0, 2**31, 1, 1), F32), w, 1, "VALID"), "Input rows too large")
    assert_value_error(lambda: nn.conv2d(np.empty((0, 1, 2**31, 1), F32), w, 1, "VALID"), "Input cols too large")
    assert_value_error(lambda: nn.conv2d(np.empty((2**30, 2**30, 1, 1, 0), F32), w, 1, "VALID"), "batch is too large")
    assert_value_error(lambda: nn.depthwise_conv2d(np.empty((0, 2**31, 1, 1), F32), w, [1, 1, 1, 1], "VALID"),
                       "Input rows too large")
    assert_value_error(lambda: nn.conv2d(np.ones((1, 1, 1, 1), F32), np.empty((2**31, 1, 1, 0), F32), 1, "VALID"),
                       "filter too large")


# TFSA-2021-016 / CVE-2021-29527: Division by 0 in `QuantizedConv2D`
@check("TFSA-2021-016")
def quantized_conv2d_poc_in_float():
    x, w = np.zeros([1, 1, 1, 1], F32), np.zeros([1, 0, 1, 1], F32)
    assert_value_error(lambda: nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), "filter must not have zero elements")


# TFSA-2022-075 / CVE-2022-29201: Missing validation results in undefined behavior in `QuantizedConv2D`
@check("TFSA-2022-075")
def quantized_conv2d_tensors_are_valid_and_computed():
    x = np.ones([1, 2, 3, 3], F32)
    w = np.ones([1, 2, 3, 3], F32)
    got = nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    want = reference_conv2d(x, w, pads=(same_pads(2, 1, 1, 1), same_pads(3, 2, 1, 1)))
    assert got.shape == (1, 2, 3, 3) and got.dtype == F32
    np.testing.assert_array_equal(got, want.astype(F32))


# TFSA-2021-006 / CVE-2021-29517: Division by zero in `Conv3D`
@check("TFSA-2021-006")
def conv3d_first_poc_in_2d():
    z = np.zeros((0, 0, 0, 0), F32)
    assert_value_error(lambda: nn.conv2d(z, z, [1, 56, 56, 1], "VALID", dilations=[1, 1, 23, 1]),
                       "filter depth must be stricly positive")


@check("TFSA-2021-006")
def conv3d_second_poc_in_2d_is_zeros_from_the_empty_input():
    result = nn.conv2d(np.zeros((2, 2, 2, 0), F32), np.zeros((0, 2, 6, 2), F32), [1, 56, 39, 1], "VALID")
    assert_zeros(result, (2, 1, 1, 2))


# TFSA-2022-147 / CVE-2022-41885: Overflow in `FusedResizeAndPadConv2D`
@check("TFSA-2022-147")
def resize_to_1879048192_as_explicit_padding():
    x, w = np.full((1, 3, 3, 1), 147, F32), np.full((1, 3, 1, 1), 123, F32)
    pad = 1879048192
    assert_value_error(lambda: nn.conv2d(x, w, [1, 1, 1, 1], [[0, 0], [pad, pad], [pad, pad], [0, 0]]),
                       "output would have more elements than fit in 64 bits")
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], [[0, 0], [pad, pad], [pad, pad], [0, 0]]),
                       "output would have more elements than fit in 64 bits")


# TFSA-2022-146 / CVE-2022-41884: Seg fault in `ndarray_tensor_bridge` due to zero and large inputs
@check("TFSA-2022-146")
def zero_size_input_with_huge_dimensions_gives_an_empty_result():
    x = np.empty((0, 2**20, 2**20, 1), F32)
    assert_empty(nn.conv2d(x, np.ones((1, 1, 1, 2**20), F32), 1, "VALID"), (0, 2**20, 2**20, 2**20))
    assert_empty(nn.depthwise_conv2d(x, np.ones((1, 1, 1, 3), F32), [1, 1, 1, 1], "SAME"), (0, 2**20, 2**20, 3))


@check("TFSA-2022-146")
def an_empty_output_numpy_cannot_represent_is_a_value_error():
    # (0, 2**30, 2**30, 2**12) float32: zero elements, but NumPy refuses the shape ('array is too big').
    x = np.empty((0, 2**30, 2**30, 1), F32)
    with pytest.raises(ValueError):
        nn.conv2d(x, np.ones((1, 1, 1, 2**12), F32), 1, "VALID")


# TFSA-2021-073 / CVE-2021-29585: Division by zero in padding computation in TFLite
@check("TFSA-2021-073")
def zero_stride_in_the_output_size_computation():
    x, w = np.ones((1, 5, 5, 1), F32), np.ones((3, 3, 1, 1), F32)
    for padding in ("SAME", "VALID", [[0, 0], [1, 1], [1, 1], [0, 0]]):
        assert_value_error(lambda: nn.conv2d(x, w, [0, 0], padding), "strides should be larger than 0")
        assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 0, 0, 1], padding), "Stride must be > 0, but got 0")


# TFSA-2021-082 / CVE-2021-29594: Division by zero in TFLite's convolution code
@check("TFSA-2021-082")
def zero_batch_and_zero_size_inputs():
    w = np.ones((2, 2, 2, 3), F32)
    assert_empty(nn.conv2d(np.ones((0, 3, 3, 2), F32), w, 1, "SAME"), (0, 3, 3, 3))
    assert_empty(nn.conv2d(np.ones((0, 2, 3, 3, 2), F32), w, 1, "VALID"), (0, 2, 2, 2, 3))
    assert_empty(nn.conv2d(np.ones((2, 0, 3, 2), F32), w, 1, "SAME"), (2, 0, 3, 3))
    assert_empty(nn.depthwise_conv2d(np.ones((0, 3, 3, 2), F32), np.ones((2, 2, 2, 2), F32), [1, 1, 1, 1], "SAME"),
                 (0, 3, 3, 4))


# TFSA-2021-089 / CVE-2021-29602: Division by zero in TFLite's implementation of `DepthwiseConv`
@check("TFSA-2021-089")
def zero_input_channels():
    assert_empty(nn.depthwise_conv2d(np.ones((1, 2, 2, 0), F32), np.ones((1, 1, 0, 2), F32), [1, 1, 1, 1], "SAME"),
                 (1, 2, 2, 0))
    assert_empty(nn.depthwise_conv2d(np.ones((1, 0, 2, 2), F32), np.ones((1, 1, 0, 2), F32), [1, 1, 1, 1], "SAME",
                                     data_format="NCHW"), (1, 0, 2, 2))
    assert_value_error(lambda: nn.conv2d(np.ones((1, 2, 2, 0), F32), np.ones((1, 1, 0, 1), F32), 1, "SAME"),
                       "filter depth must be stricly positive")


# TFSA-2022-022 / CVE-2022-21741: FPE in depthwise convolutions in TFLite
@check("TFSA-2022-022")
def depthwise_zero_stride_and_dilation():
    x, w = np.ones((1, 4, 4, 2), F32), np.ones((3, 3, 2, 1), F32)
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 0, 1, 1], "SAME"), "Stride must be > 0")
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[0, 1]),
                       "`dilation_rate` must be positive")
    assert_value_error(lambda: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[1, 1, 0, 1]),
                       "`dilation_rate` must be positive")
    assert_value_error(lambda: nn.conv2d(x, w[:, :, :1], 1, "SAME", dilations=[1, 0]), "Dilated rates should be larger than 0.")


# TFSA-2023-001 / CVE-2023-27579: FPE in TFLite in conv kernel
@check("TFSA-2023-001")
def filter_input_channel_below_one():
    x = np.ones((1, 3, 3, 1), F32)
    assert_value_error(lambda: nn.conv2d(x, np.ones((1, 1, 0, 1), F32), 1, "SAME"), "filter depth must be stricly positive, got 0")
    assert_value_error(lambda: nn.depthwise_conv2d(x, np.ones((1, 1, 0, 1), F32), [1, 1, 1, 1], "SAME"),
                       "input and filter must have the same depth: 1 vs 0")


# GHSA-fxgc-95xx-grvq / CVE-2023-25661: Convolution3DTranspose with a zero dimension
@check("GHSA-fxgc-95xx-grvq")
def input_with_a_zero_spatial_dimension():
    x = np.ones((1, 32, 0, 3), F32)
    assert_empty(nn.conv2d(x, np.ones((3, 3, 3, 2), F32), 1, "SAME"), (1, 32, 0, 2))
    assert_empty(nn.depthwise_conv2d(x, np.ones((3, 3, 3, 2), F32), [1, 1, 1, 1], "SAME"), (1, 32, 0, 6))
    assert_empty(nn.conv2d(x, np.ones((3, 3, 3, 2), F32), 2, "SAME", dilations=1), (1, 16, 0, 2))


# --------------------------------------------------------------------------------------------------------------
# Checks with as_strided views standing for huge tensors, in one child process.
# --------------------------------------------------------------------------------------------------------------

CHILD = textwrap.dedent('''
    import json, sys
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    from depthwise_interop import nn

    def fake(shape, dtype=np.float32):
        """A read-only C-contiguous view of `shape` over one element: any read past it is a crash."""
        dtype = np.dtype(dtype)
        strides, step = [], dtype.itemsize
        for dim in reversed(shape):
            strides.append(0 if dim == 1 else step)
            step *= max(dim, 1)
        view = as_strided(np.zeros(1, dtype), shape=shape, strides=tuple(reversed(strides)), writeable=False)
        assert view.flags.c_contiguous and view.flags.aligned
        return view

    f32 = np.float32
    one = np.ones((1, 1, 1, 1), f32)
    CASES = {CASES}
    for name in sys.argv[1:]:
        print(json.dumps({"start": name}), flush=True)
        try:
            result = eval(CASES[name])
            outcome = {"name": name, "result": "ok", "shape": list(result.shape), "dtype": str(result.dtype),
                       "all_zero": bool(result.size == 0 or not result.any())}
        except BaseException as error:
            outcome = {"name": name, "result": "error", "type": type(error).__name__,
                       "value_error": isinstance(error, ValueError), "message": str(error)}
        print(json.dumps(outcome), flush=True)
''')

# name: (advisory id, expression, expected): expected is ("error", message fragment) or ("ok", shape, all_zero).
ISOLATED = {
    "batch_2_31": ("TFSA-2021-198", "nn.conv2d(fake((2**31, 1, 1, 1)), one, 1, 'VALID')", ("error", "batch is too large")),
    "leading_batch_dims_2_32": ("TFSA-2021-198", "nn.conv2d(fake((2**16, 2**16, 1, 1, 1)), one, 1, 'SAME')",
                                ("error", "batch is too large")),
    "rows_2_31": ("TFSA-2021-198", "nn.conv2d(fake((1, 2**31, 1, 1)), one, 1, 'VALID')", ("error", "Input rows too large")),
    "cols_2_31": ("TFSA-2021-198", "nn.conv2d(fake((1, 1, 2**31, 1)), one, 1, 'VALID')", ("error", "Input cols too large")),
    "depth_2_31": ("TFSA-2021-198", "nn.conv2d(fake((1, 1, 1, 2**31)), one, 1, 'VALID')", ("error", "Input depth too large")),
    "depthwise_rows_2_31": ("TFSA-2021-198", "nn.depthwise_conv2d(fake((1, 2**31, 1, 1)), one, [1, 1, 1, 1], 'VALID')",
                            ("error", "Input rows too large")),
    "depthwise_depth_2_31": ("TFSA-2021-198",
                             "nn.depthwise_conv2d(fake((1, 1, 1, 2**31)), fake((1, 1, 2**31, 1)), [1, 1, 1, 1], 'VALID')",
                             ("error", "too large")),
    "filter_2_31": ("TFSA-2021-198", "nn.conv2d(one, fake((2**31, 1, 1, 1)), 1, 'SAME')", ("error", "filter too large")),
    "output_beyond_int64": ("TFSA-2021-198", "nn.conv2d(fake((1, 2**30, 2**30, 1)), fake((1, 1, 1, 16)), 1, 'VALID')",
                            ("error", "output would have more elements than fit in 64 bits")),
    "fused_resize_input": ("TFSA-2022-147",
                           "nn.conv2d(fake((1, 2**30, 2**30, 1)), fake((1, 3, 1, 16)), [1, 1, 1, 1], 'SAME')",
                           ("error", "more elements than fit in 64 bits")),
    "empty_output_huge_input": ("TFSA-2021-198",
                                "nn.conv2d(fake((1, 2**16, 2**16, 1)), np.ones((1, 1, 1, 0), f32), 1, 'SAME')",
                                ("ok", [1, 2**16, 2**16, 0], True)),
    "empty_output_huge_filter": ("TFSA-2022-146",
                                 "nn.conv2d(np.empty((0, 1, 1, 1), f32), fake((2**30, 2**30, 1, 1)), 1, 'SAME')",
                                 ("ok", [0, 1, 1, 1], True)),
    "empty_input_huge_filter_is_zeros": ("TFSA-2022-124",
                                         "nn.conv2d(np.empty((1, 0, 0, 1), f32), fake((2**30, 2**30, 1, 1)), 1, "
                                         "[[0, 0], [2**30, 0], [2**30, 0], [0, 0]])",
                                         ("ok", [1, 1, 1, 1], True)),
}


@pytest.fixture(scope="module")
def isolated_outcomes():
    code = CHILD.replace("{CASES}", repr({name: expr for name, (_, expr, _) in ISOLATED.items()}))
    child = subprocess.run([sys.executable, "-c", code, *ISOLATED], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    outcomes, started = {}, None
    for line in child.stdout.splitlines():
        record = json.loads(line)
        if "start" in record:
            started = record["start"]
        else:
            outcomes[record["name"]] = record
            started = None
    if started is not None:
        outcomes[started] = {"result": "crash", "returncode": child.returncode, "stderr": child.stderr[-2000:]}
    return outcomes, child


def run_isolated(name, isolated_outcomes):
    outcomes, child = isolated_outcomes
    assert name in outcomes, f"{name} did not run: exit {child.returncode}\n{child.stderr[-2000:]}"
    outcome = outcomes[name]
    assert outcome["result"] != "crash", f"{name} crashed the process (exit {outcome['returncode']}):\n{outcome['stderr']}"
    expected = ISOLATED[name][2]
    if expected[0] == "error":
        assert outcome["result"] == "error", f"{name}: expected an error, got {outcome}"
        assert outcome["value_error"], f"{name}: expected ValueError, got {outcome['type']}: {outcome['message']}"
        assert expected[1] in outcome["message"], f"{name}: {expected[1]!r} not in {outcome['message']!r}"
    else:
        assert outcome["result"] == "ok", f"{name}: expected a result, got {outcome}"
        assert outcome["shape"] == expected[1] and outcome["all_zero"] == expected[2], outcome


# --------------------------------------------------------------------------------------------------------------
# Parametrization: one test per (advisory, check); the id carries the advisory id, the CVE and the title.
# --------------------------------------------------------------------------------------------------------------

ENTRIES = {entry["id"]: entry for entry in ADVISORIES}


def _id(entry, name):
    return f"{label(entry)} {entry['title']} :: {name}"


IN_PROCESS = [pytest.param(function, id=_id(ENTRIES[advisory], name))
              for advisory, functions in CHECKS.items() for name, function in functions.items()]
CHILD_PARAMS = [pytest.param(name, id=_id(ENTRIES[advisory], name)) for name, (advisory, _, _) in ISOLATED.items()]


@pytest.mark.parametrize("function", IN_PROCESS)
def test_advisory(function):
    """Each advisory's input, translated to this API: a clear error or the right result (see the check's name)."""
    function()


@pytest.mark.parametrize("name", CHILD_PARAMS)
def test_advisory_with_huge_views(name, isolated_outcomes):
    """Advisories about huge shapes, with views that must never be read (a read would crash the child)."""
    run_isolated(name, isolated_outcomes)


@pytest.mark.parametrize("entry", [e for e in ADVISORIES if e["scope"] in TESTED_SCOPES], ids=label)
def test_every_advisory_in_scope_or_related_has_a_check(entry):
    names = list(CHECKS.get(entry["id"], {})) + [n for n, (a, _, _) in ISOLATED.items() if a == entry["id"]]
    assert names, f"{label(entry)} ({entry['title']}) has no check"


def test_every_check_belongs_to_a_listed_advisory():
    assert set(CHECKS) <= set(ENTRIES)
    assert {advisory for advisory, _, _ in ISOLATED.values()} <= set(ENTRIES)


def test_docs_list_every_advisory():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "robustness.md")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    missing = [label(entry) for entry in ADVISORIES if entry["id"] not in text or entry["cve"] not in text]
    assert not missing, f"docs/robustness.md does not list {missing}"
