"""nn.depthwise_conv2d: TensorFlow's argument forms, values against the NumPy oracle, errors and messages."""

from __future__ import annotations

import numpy as np
import pytest

from depthwise_interop import errors, nn

from reference import depthwise_nhwc

WELL_KNOWN_INPUT = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
WELL_KNOWN_FILTER = np.array([1, 2, 3, 4], dtype=np.float32).reshape(2, 1, 1, 2)
WELL_KNOWN_OUTPUT = [[[[13, 18], [17, 24], [21, 30]], [[25, 36], [29, 42], [33, 48]]]]


def test_docstring_example_of_tf_nn_depthwise_conv2d() -> None:
    # tensorflow/python/ops/nn_impl.py, depthwise_conv2d's docstring.
    y = nn.depthwise_conv2d(WELL_KNOWN_INPUT, WELL_KNOWN_FILTER, strides=[1, 1, 1, 1], padding="VALID")
    assert y.shape == (1, 2, 3, 2)
    assert y.dtype == np.float32
    assert y.tolist() == WELL_KNOWN_OUTPUT


def test_nested_lists_become_float32_like_tf_convert_to_tensor() -> None:
    y = nn.depthwise_conv2d(WELL_KNOWN_INPUT.tolist(), WELL_KNOWN_FILTER.tolist(), [1, 1, 1, 1], "VALID")
    assert y.dtype == np.float32 and y.tolist() == WELL_KNOWN_OUTPUT


def test_float64_stays_float64() -> None:
    y = nn.depthwise_conv2d(WELL_KNOWN_INPUT.astype(np.float64), WELL_KNOWN_FILTER.astype(np.float64), (1, 1, 1, 1), "VALID")
    assert y.dtype == np.float64 and y.tolist() == WELL_KNOWN_OUTPUT


def test_a_list_operand_takes_the_dtype_of_the_array_operand() -> None:
    y = nn.depthwise_conv2d(WELL_KNOWN_INPUT.astype(np.float64), WELL_KNOWN_FILTER.tolist(), [1, 1, 1, 1], "VALID")
    assert y.dtype == np.float64


CASES = [
    # (input shape NHWC, filter shape, strides HW, dilations HW, padding)
    ((1, 7, 9, 3), (3, 3, 3, 2), (1, 1), (1, 1), "SAME"),
    ((2, 8, 8, 4), (3, 3, 4, 1), (2, 2), (1, 1), "SAME"),
    ((1, 9, 7, 2), (5, 5, 2, 3), (1, 1), (2, 2), "SAME"),
    ((3, 6, 10, 1), (2, 3, 1, 2), (1, 3), (1, 1), "VALID"),  # unequal strides: an extension
    ((1, 11, 5, 2), (3, 2, 2, 1), (1, 1), (3, 1), "VALID"),
    ((1, 5, 5, 2), (3, 3, 2, 1), (2, 1), (1, 1), ((2, 1), (0, 4))),
    ((1, 2, 2, 1), (3, 3, 1, 1), (1, 1), (1, 1), ((3, 3), (3, 3))),  # pads larger than the filter
]


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("input_shape, filter_shape, strides, dilations, padding", CASES)
def test_values_match_the_numpy_oracle(input_shape, filter_shape, strides, dilations, padding, data_format) -> None:
    rng = np.random.default_rng(sum(input_shape) * 31 + sum(filter_shape))
    x = rng.uniform(-1, 1, input_shape).astype(np.float32)
    w = rng.uniform(-1, 1, filter_shape).astype(np.float32)
    want = depthwise_nhwc(x, w, strides, dilations, padding)
    nchw = data_format == "NCHW"
    tf_padding = padding if isinstance(padding, str) else (
        [[0, 0], [0, 0], list(padding[0]), list(padding[1])] if nchw else [[0, 0], list(padding[0]), list(padding[1]), [0, 0]])
    tf_strides = [1, 1, *strides] if nchw else [1, *strides, 1]
    got = nn.depthwise_conv2d(x.transpose(0, 3, 1, 2) if nchw else x, w, tf_strides, tf_padding,
                              data_format=data_format, dilations=list(dilations))
    if nchw:
        got = got.transpose(0, 2, 3, 1)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_four_value_dilations_in_data_format_order_are_an_extension() -> None:
    x = np.random.default_rng(1).uniform(-1, 1, (1, 9, 9, 2)).astype(np.float32)
    w = np.random.default_rng(2).uniform(-1, 1, (3, 3, 2, 1)).astype(np.float32)
    two = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[2, 3])
    four = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[1, 2, 3, 1])
    np.testing.assert_array_equal(two, four)


def test_batch_zero_gives_an_empty_output() -> None:
    y = nn.depthwise_conv2d(np.zeros((0, 5, 5, 3), np.float32), np.ones((3, 3, 3, 2), np.float32), [1, 1, 1, 1], "SAME")
    assert y.shape == (0, 5, 5, 6)


def test_valid_window_missing_by_less_than_a_stride_gives_size_zero() -> None:
    # C++ truncating division in GetWindowedOutputSizeVerbose: (1 - 2 + 2) / 2 = 0.
    y = nn.depthwise_conv2d(np.ones((1, 1, 1, 1), np.float32), np.ones((2, 2, 1, 1), np.float32), [1, 2, 2, 1], "VALID")
    assert y.shape == (1, 0, 0, 1)


ERRORS = [
    # (kwargs overriding the valid call, exception type, message fragment)
    (dict(strides=1), TypeError, "Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not 1."),
    (dict(strides=[1, 1]), ValueError, "Sliding window strides field must specify 4 dimensions"),
    (dict(strides=[2, 1, 1, 1]), ValueError, "strides in the batch and depth dimensions"),
    (dict(strides=[1, 0, 0, 1]), ValueError, "Stride must be > 0, but got 0"),
    (dict(padding="same"), ValueError, "Value for attr 'padding' of \"same\" is not in the list of allowed values"),
    (dict(padding="EXPLICIT"), ValueError, "To use explicit padding, `padding` must be a list."),
    (dict(padding=[[0, 0], [0, 0], [0, 0]]), ValueError, "it must be of size 4"),
    (dict(padding=[[0, 0], [-1, 0], [0, 0], [0, 0]]), ValueError, "All elements of explicit_paddings must be nonnegative"),
    (dict(padding=[[1, 0], [0, 0], [0, 0], [0, 0]]), ValueError, "Nonzero explicit padding in the batch or depth dimensions"),
    # Dilated too (TensorFlow's space-to-batch path would drop the channel pads: README, known differences).
    (dict(padding=[[0, 0], [1, 1], [1, 1], [0, 1]], dilations=[2, 2]), ValueError,
     "Nonzero explicit padding in the batch or depth dimensions"),
    (dict(data_format="NCWH"), ValueError, "Value for attr 'data_format' of \"NCWH\" is not in the list of allowed values"),
    (dict(dilations=2), ValueError, "`dilation_rate.shape.rank` must be 1"),
    (dict(dilations=[0, 1]), ValueError, "`dilation_rate` must be positive"),
    (dict(dilations=[2]), ValueError, "single rate"),
    (dict(dilations=[1, 2, 2]), ValueError, "2 spatial rates"),
    (dict(strides=[1, 2, 2, 1], dilations=[2, 2]), ValueError, "not supported in conjunction with `dilation_rate > 1`"),
    (dict(filter=np.ones((2, 2, 3, 1), np.float32)), ValueError, "input and filter must have the same depth: 1 vs 3"),
    (dict(filter=np.ones((2, 2, 1), np.float32)), ValueError, "filter must be 4-dimensional: [2,2,1]"),
    (dict(input=np.ones((3, 3, 1), np.float32)), ValueError, "input must be 4-dimensional[3,3,1]"),
    (dict(input=np.ones((3, 3), np.float32)), ValueError,
     "`input.shape.rank` must be at least 3. Received: input.shape=(3, 3) with rank 2"),
    (dict(filter=np.ones((5, 5, 1, 1), np.float32)), ValueError, "Computed output size would be negative: -1"),
    (dict(filter=np.ones((2, 1, 1, 2), np.float64)), ValueError,
     "cannot compute DepthwiseConv2dNative as input #1(zero-based) was expected to be a float tensor but is a double tensor "
     "[Op:DepthwiseConv2dNative]"),
    (dict(input=np.ones((1, 3, 3, 1), np.int32)), TypeError, "has DataType int32 not in list of allowed values"),
    (dict(strides=[1, 2**63, 1, 1]), ValueError, "does not fit in a 64-bit integer"),
    (dict(strides=[1, 2**40, 2**40, 1]), ValueError, "too large"),
]


@pytest.mark.parametrize("overrides, error_type, fragment", ERRORS)
def test_errors_carry_tensorflow_wording(overrides, error_type, fragment) -> None:
    arguments = dict(input=WELL_KNOWN_INPUT, filter=WELL_KNOWN_FILTER, strides=[1, 1, 1, 1], padding="VALID")
    arguments.update(overrides)
    with pytest.raises(error_type) as raised:
        nn.depthwise_conv2d(**arguments)
    assert fragment in str(raised.value)


def test_native_errors_name_the_op_like_tensorflow_eager() -> None:
    with pytest.raises(errors.InvalidArgumentError, match=r"\[Op:DepthwiseConv2dNative\]$"):
        nn.depthwise_conv2d(WELL_KNOWN_INPUT, WELL_KNOWN_FILTER, [2, 1, 1, 1], "VALID")


def test_subnormals_are_computed_not_flushed_to_zero() -> None:
    # Documented in docs/robustness.md: IEEE arithmetic throughout, unlike TensorFlow's CPU kernels, which flush
    # subnormals to zero; the conformance tolerance's n * tiny floor covers that difference.
    tiny = np.float32(1e-40)  # subnormal in float32
    x = np.full((1, 4, 4, 8), tiny, np.float32)
    w = np.ones((1, 1, 8, 1), np.float32)
    y = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID")
    assert np.all(y == tiny)


def test_nan_and_infinity_propagate_and_a_padded_infinite_weight_gives_nan() -> None:
    x = np.ones((1, 3, 3, 4), np.float32)
    x[0, 1, 1, 0] = np.nan
    w = np.ones((3, 3, 4, 1), np.float32)
    w[0, 0, 1, 0] = np.inf  # top-left tap of channel 1: over padding for the first output row and column
    y = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    assert np.isnan(y[0, :, :, 0]).all()  # every output of channel 0 reads the NaN
    assert np.isnan(y[0, 0, :, 1]).all() and np.isnan(y[0, :, 0, 1]).all()  # inf * 0 (padding) = NaN
    assert np.isposinf(y[0, 1:, 1:, 1]).all()  # inf * 1 inside the image
