"""nn.separable_conv2d: TensorFlow's argument forms (tensorflow/python/ops/nn_impl.py separable_conv2d_v2),
values against nn.depthwise_conv2d followed by nn.conv2d and against the NumPy oracle, errors and messages."""

from __future__ import annotations

import re

import numpy as np
import pytest

from depthwise_interop import errors, nn

from reference import conv2d_nhwc, depthwise_nhwc

RNG = np.random.default_rng(20261125)


def _operands(n, h, w, c, kh, kw, m, cout, dtype=np.float32):
    x = RNG.standard_normal((n, h, w, c)).astype(dtype)
    dw = RNG.standard_normal((kh, kw, c, m)).astype(dtype)
    pw = RNG.standard_normal((1, 1, c * m, cout)).astype(dtype)
    return x, dw, pw


def _two_calls(x, dw, pw, strides, padding, data_format=None, dilations=None):
    mid = nn.depthwise_conv2d(x, dw, strides, padding, data_format=data_format, dilations=dilations)
    return nn.conv2d(mid, pw, [1, 1, 1, 1], "VALID", data_format="NHWC" if data_format is None else data_format)


def test_hand_computed_example() -> None:
    # tf.nn.depthwise_conv2d's docstring example, then the channel sum and difference.
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    dw = np.array([1, 2, 3, 4], dtype=np.float32).reshape(2, 1, 1, 2)
    pw = np.array([[1, 1], [1, -1]], dtype=np.float32).reshape(1, 1, 2, 2)
    y = nn.separable_conv2d(x, dw, pw, strides=[1, 1, 1, 1], padding="VALID")
    assert y.shape == (1, 2, 3, 2) and y.dtype == np.float32
    assert y.tolist() == [[[[31, -5], [41, -7], [51, -9]], [[61, -11], [71, -13], [81, -15]]]]


CASES = [
    # (n, h, w, c, kh, kw, m, cout), strides, padding, data_format, dilations
    ((2, 7, 6, 3, 3, 3, 1, 4), [1, 1, 1, 1], "VALID", None, None),
    ((1, 9, 8, 4, 3, 2, 2, 5), [1, 2, 2, 1], "SAME", "NHWC", None),
    ((2, 9, 9, 3, 3, 3, 3, 8), [1, 1, 2, 3], "SAME", "NCHW", None),
    ((1, 6, 7, 2, 2, 3, 2, 3), [1, 1, 1, 1], [[0, 0], [1, 2], [0, 3], [0, 0]], "NHWC", None),
    ((1, 6, 7, 2, 2, 3, 2, 3), [1, 1, 2, 1], [[0, 0], [0, 0], [2, 1], [1, 0]], "NCHW", None),
    ((1, 11, 10, 3, 3, 3, 2, 6), [1, 1, 1, 1], "SAME", None, [2, 3]),
    ((1, 11, 10, 3, 3, 3, 1, 2), (1, 1, 1, 1), "VALID", "NCHW", (2, 2)),
    ((3, 5, 5, 16, 3, 3, 1, 32), [1, 1, 1, 1], "SAME", None, None),
]


def _layout(case, data_format):
    (n, h, w, c, kh, kw, m, cout), *_ = case
    x, dw, pw = _operands(n, h, w, c, kh, kw, m, cout)
    return (np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if data_format == "NCHW" else x), dw, pw


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_values_equal_depthwise_then_conv2d_bitwise(case) -> None:
    _, strides, padding, data_format, dilations = case
    x, dw, pw = _layout(case, data_format)
    y = nn.separable_conv2d(x, dw, pw, strides, padding, data_format=data_format, dilations=dilations)
    want = _two_calls(x, dw, pw, strides, padding, data_format, dilations)
    assert y.shape == want.shape and y.dtype == want.dtype
    assert np.array_equal(y.view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_values_match_the_numpy_oracle(case) -> None:
    _, strides, padding, data_format, dilations = case
    x, dw, pw = _layout(case, data_format)
    x64, dw64, pw64 = x.astype(np.float64), dw.astype(np.float64), pw.astype(np.float64)
    y = nn.separable_conv2d(x64, dw64, pw64, strides, padding, data_format=data_format, dilations=dilations)
    nchw = data_format == "NCHW"
    nhwc = x64.transpose(0, 2, 3, 1) if nchw else x64
    s = (strides[2], strides[3]) if nchw else (strides[1], strides[2])
    pad = padding if isinstance(padding, str) else ([tuple(padding[2]), tuple(padding[3])] if nchw else [tuple(padding[1]), tuple(padding[2])])
    mid = depthwise_nhwc(nhwc, dw64, s, tuple(dilations) if dilations else (1, 1), pad)
    want = conv2d_nhwc(mid, pw64)
    if nchw:
        want = want.transpose(0, 3, 1, 2)
    assert y.dtype == np.float64 and y.shape == want.shape
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)


def test_argument_forms() -> None:
    x, dw, pw = _operands(1, 6, 6, 2, 3, 3, 2, 3)
    base = nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME")
    # Keyword names of tf.nn.separable_conv2d (v2), tuples, data_format None, name ignored, nested lists.
    same = nn.separable_conv2d(input=x, depthwise_filter=dw, pointwise_filter=pw, strides=(1, 1, 1, 1), padding="SAME",
                               data_format=None, dilations=[1, 1], name="sep")
    assert np.array_equal(base, same)
    assert np.array_equal(base, nn.separable_conv2d(x.tolist(), dw.tolist(), pw.tolist(), [1, 1, 1, 1], "SAME"))
    # Four-value dilations in data_format order (the depthwise extension).
    assert np.array_equal(nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1]),
                          nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME", dilations=[2, 2]))
    # float64 stays float64; a list pointwise filter takes the input's dtype.
    assert nn.separable_conv2d(x.astype(np.float64), dw.astype(np.float64), pw.tolist(), [1, 1, 1, 1], "SAME").dtype == np.float64


def test_batch_zero_gives_an_empty_output() -> None:
    x, dw, pw = _operands(1, 4, 4, 2, 3, 3, 1, 5)
    y = nn.separable_conv2d(np.zeros((0, 4, 4, 2), np.float32), dw, pw, [1, 1, 1, 1], "VALID")
    assert y.shape == (0, 2, 2, 5)


OK = dict(strides=[1, 1, 1, 1], padding="SAME")


@pytest.mark.parametrize(
    "pointwise_shape, overrides, error_type, message",
    [
        # The wrapper's pointwise checks: TensorShape.with_rank(4), Dimension.assert_is_compatible_with(1).
        ((1, 1, 4), {}, ValueError, "Shape (1, 1, 4) must have rank 4"),
        ((4,), {}, ValueError, "Shape (4,) must have rank 4"),
        ((3, 1, 4, 2), {}, ValueError, "Dimensions 3 and 1 are not compatible"),
        ((1, 2, 4, 2), {}, ValueError, "Dimensions 2 and 1 are not compatible"),
        # The pointwise Conv2D op's depth check on the C * M = 4 intermediate.
        ((1, 1, 3, 2), {}, errors.InvalidArgumentError, "input depth must be evenly divisible by filter depth: 4 vs 3 [Op:Conv2D]"),
        # The depthwise stage's argument forms, as depthwise_conv2d.
        ((1, 1, 4, 2), dict(strides=[1, 1, 1]), ValueError, "Sliding window strides field must specify 4 dimensions"),
        ((1, 1, 4, 2), dict(strides=2), TypeError, "Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not 2."),
        ((1, 1, 4, 2), dict(padding="same"), ValueError, "Value for attr 'padding' of \"same\" is not in the list of allowed values"),
        ((1, 1, 4, 2), dict(padding="EXPLICIT"), ValueError, "'EXPLICIT' is not a valid value for `padding`"),
        ((1, 1, 4, 2), dict(padding=[[0, 0], [1, 1], [1, 1]]), ValueError, "When padding is a list, it must be of size 4."),
        ((1, 1, 4, 2), dict(data_format="NWHC"), ValueError, "Value for attr 'data_format' of \"NWHC\" is not in the list"),
        ((1, 1, 4, 2), dict(strides=[2, 1, 1, 1]), errors.InvalidArgumentError,
         "Current implementation does not yet support strides in the batch and depth dimensions. [Op:DepthwiseConv2dNative]"),
        ((1, 1, 4, 2), dict(strides=[1, 2, 2, 1], dilations=[2, 2]), ValueError,
         "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=[1, 2, 2, 1] and dilation_rate=[2, 2]."),
        ((1, 1, 4, 2), dict(dilations=[2]), ValueError, "has a single rate"),
    ],
)
def test_errors_carry_tensorflow_wording(pointwise_shape, overrides, error_type, message) -> None:
    x = np.ones((1, 5, 5, 2), np.float32)
    dw = np.ones((3, 3, 2, 2), np.float32)
    pw = np.ones(pointwise_shape, np.float32)
    arguments = {**OK, **overrides}
    with pytest.raises(error_type) as raised:
        nn.separable_conv2d(x, dw, pw, **arguments)
    assert message in str(raised.value)


def test_wrapper_errors_have_no_op_suffix_and_depthwise_errors_name_the_depthwise_op() -> None:
    x = np.ones((1, 5, 5, 2), np.float32)
    with pytest.raises(errors.InvalidArgumentError) as raised:
        nn.separable_conv2d(x, np.ones((3, 3, 2, 2), np.float32), np.ones((2, 1, 4, 2), np.float32), **OK)
    assert str(raised.value) == "Dimensions 2 and 1 are not compatible"
    # The pointwise checks come first, as in TensorFlow, even when the depthwise filter is wrong too.
    with pytest.raises(errors.InvalidArgumentError, match=r"^Dimensions 2 and 1"):
        nn.separable_conv2d(x, np.ones((3, 3, 5, 2), np.float32), np.ones((2, 1, 4, 2), np.float32), **OK)
    with pytest.raises(errors.InvalidArgumentError) as raised:
        nn.separable_conv2d(x, np.ones((3, 3, 3, 2), np.float32), np.ones((1, 1, 6, 2), np.float32), **OK)
    assert str(raised.value) == "input and filter must have the same depth: 2 vs 3 [Op:DepthwiseConv2dNative]"


def test_dtype_errors() -> None:
    x, dw, pw = _operands(1, 4, 4, 2, 3, 3, 1, 2)
    # TensorFlow converts the three tensors one by one: each op then refuses a tensor of another dtype (the
    # pointwise filter is not converted to the input's dtype, as a bare conv2d's would be).
    with pytest.raises(ValueError, match=re.escape(
            "cannot compute DepthwiseConv2dNative as input #1(zero-based) was expected to be a float tensor but is a double tensor")):
        nn.separable_conv2d(x, dw.astype(np.float64), pw, **OK)
    with pytest.raises(ValueError, match=re.escape(
            "cannot compute Conv2D as input #1(zero-based) was expected to be a float tensor but is a double tensor [Op:Conv2D]")):
        nn.separable_conv2d(x, dw, pw.astype(np.float64), **OK)
    with pytest.raises(TypeError, match="DataType int32"):
        nn.separable_conv2d(x.astype(np.int32), dw, pw, **OK)


def test_strided_dilated_convolution_is_refused_in_nchw_too() -> None:
    x = np.ones((1, 2, 9, 9), np.float32)
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        nn.separable_conv2d(x, np.ones((3, 3, 2, 1), np.float32), np.ones((1, 1, 2, 2), np.float32),
                            [1, 1, 2, 2], "SAME", data_format="NCHW", dilations=[2, 2])
