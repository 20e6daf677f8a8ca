"""nn.conv2d: TensorFlow's argument forms, values against the NumPy oracle, batch dimensions, groups, errors."""

from __future__ import annotations

import numpy as np
import pytest

from depthwise_interop import errors, nn

from reference import conv2d_nhwc


def random(shape, seed, dtype=np.float32):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


@pytest.mark.parametrize("strides, expected", [
    (None, [1, 1, 1, 1]), (2, [1, 2, 2, 1]), ([3], [1, 3, 3, 1]), ([1, 2], [1, 1, 2, 1]), ([1, 2, 3, 1], [1, 2, 3, 1]),
    ((2, 1), [1, 2, 1, 1]), (np.array([2, 3]), [1, 2, 3, 1]),
])
def test_every_accepted_strides_form(strides, expected) -> None:
    x, w = random((1, 9, 8, 2), 1), random((3, 2, 2, 3), 2)
    got = nn.conv2d(x, w, strides=strides, padding="SAME")
    want = conv2d_nhwc(x, w, strides=(expected[1], expected[2]), padding="SAME")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dilations, rates", [(None, (1, 1)), (2, (2, 2)), ([3], (3, 3)), ([2, 1], (2, 1)), ([1, 1, 3, 1], (1, 3))])
def test_every_accepted_dilations_form(dilations, rates) -> None:
    x, w = random((1, 11, 10, 2), 3), random((3, 3, 2, 2), 4)
    got = nn.conv2d(x, w, strides=1, padding="SAME", dilations=dilations)
    np.testing.assert_allclose(got, conv2d_nhwc(x, w, dilations=rates, padding="SAME"), rtol=1e-5, atol=1e-5)


def test_stride_and_dilation_together_give_the_true_convolution() -> None:
    # TensorFlow's Conv2D kernel accepts both > 1 (tf-semantics.md §2.3).
    x, w = random((2, 13, 12, 3), 5), random((3, 2, 3, 4), 6)
    got = nn.conv2d(x, w, strides=[2, 3], padding="SAME", dilations=[2, 2])
    np.testing.assert_allclose(got, conv2d_nhwc(x, w, (2, 3), (2, 2), "SAME"), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 2), (3, 0)), ((0, 5), (4, 4))])
def test_nchw_is_nhwc_transposed(padding) -> None:
    x, w = random((2, 7, 6, 3), 7, np.float64), random((3, 3, 3, 5), 8, np.float64)
    tf_padding = padding if isinstance(padding, str) else [[0, 0], [0, 0], list(padding[0]), list(padding[1])]
    got = nn.conv2d(x.transpose(0, 3, 1, 2), w, strides=[1, 1, 2, 1], padding=tf_padding, data_format="NCHW")
    want = conv2d_nhwc(x, w, strides=(2, 1), padding=padding)
    np.testing.assert_allclose(got.transpose(0, 2, 3, 1), want, rtol=1e-12, atol=1e-12)


def test_grouped_convolution_uses_contiguous_group_major_blocks() -> None:
    x, w = random((1, 6, 6, 6), 9), random((3, 3, 2, 9), 10)  # 3 groups of 2 input and 3 output channels
    got = nn.conv2d(x, w, strides=1, padding="SAME")
    np.testing.assert_allclose(got, conv2d_nhwc(x, w, padding="SAME"), rtol=1e-5, atol=1e-5)


def test_leading_batch_dimensions_are_kept() -> None:
    # tensorflow/python/kernel_tests/nn_ops/conv_ops_test.py:testConv2DExpandedBatch
    x, w = random((2, 5, 4, 4, 3), 11), random((2, 2, 3, 2), 12)
    got = nn.conv2d(x, w, strides=1, padding="VALID")
    assert got.shape == (2, 5, 3, 3, 2)
    np.testing.assert_allclose(got.reshape(10, 3, 3, 2), nn.conv2d(x.reshape(10, 4, 4, 3), w, 1, "VALID"))


def test_only_padding_returns_zeros() -> None:
    # conv_ops_test.py:testConv2dOnlyPaddingReturnsZeros
    got = nn.conv2d(np.zeros((1, 0, 2, 1), np.float32), np.ones((1, 1, 1, 1), np.float32), 1, [[0, 0], [1, 1], [1, 1], [0, 0]])
    assert got.shape == (1, 2, 4, 1) and not got.any()


def test_empty_batch() -> None:
    # conv_ops_test.py:testConv2DEmpty
    assert nn.conv2d(np.zeros((0, 2, 3, 3), np.float32), np.ones((1, 1, 3, 3), np.float32), 1, "VALID").shape == (0, 2, 3, 3)


ERRORS = [
    (dict(strides=[1, 1, 1]), ValueError, "strides should be of length 1, 2 or 4. Received: strides=[1, 1, 1] of length 3"),
    (dict(dilations=[1, 1, 1]), ValueError, "dilations should be of length 1, 2 or 4"),
    (dict(strides=[2, 1, 1, 1]), ValueError, "Current implementation does not yet support strides in the batch and depth dimensions."),
    (dict(strides=0), ValueError, "Row and column strides should be larger than 0."),
    (dict(dilations=[1, 1, 1, 2]), ValueError, "Current implementation does not yet support dilations in the batch and depth dimensions."),
    (dict(dilations=0), ValueError, "Dilated rates should be larger than 0."),
    # TensorFlow's attribute conversion takes int(v): 1.5 would stride 1 and True 1; we refuse (README, known differences).
    (dict(strides=1.5), TypeError, "strides must contain integers"),
    (dict(strides=[1, True, True, 1]), TypeError, "strides must contain integers. Received: True of type bool"),
    (dict(dilations=[1, 2.0, 2.0, 1]), TypeError, "dilations must contain integers. Received: 2.0 of type float"),
    (dict(padding=[0, 0, 0, 0]), ValueError, "with element at index 0 of type <class 'int'>"),
    (dict(padding=[[0], [0], [0], [0]]), ValueError, "with element at index 0 of size 1"),
    (dict(padding=7), TypeError, "Expected string for argument 'padding'"),
    (dict(data_format="NCHW_VECT_C"), ValueError, "is not in the list of allowed values: \"NHWC\", \"NCHW\""),
    (dict(filters=np.ones((2, 2, 2, 1), np.float32)), ValueError, "input depth must be evenly divisible by filter depth: 3 vs 2"),
    (dict(filters=np.ones((2, 2, 1, 2), np.float32)), ValueError, "output depth must be evenly divisible by number of groups: 2 vs 3"),
    (dict(filters=np.ones((2, 2, 0, 2), np.float32)), ValueError, "filter depth must be stricly positive, got 0"),
    (dict(filters=np.ones((0, 2, 3, 2), np.float32)), ValueError, "filter must not have zero elements"),
    (dict(input=np.ones((2, 2, 3), np.float32)), ValueError, "input must be 4-dimensional[2,2,3]"),
    (dict(input=np.array([["a"]])), TypeError, "not in list of allowed values"),
    (dict(input=np.ones((1, 4, 4, 3), np.complex64)), TypeError, "complex64"),
    (dict(input=np.ones((1, 4, 4, 3), np.int32)), TypeError, "Conv2D also accepts int32 on CPU; depthwise_interop does not"),
]


@pytest.mark.parametrize("input_dtype, filter_dtype", [
    (np.float64, np.float32), (np.float32, np.float64), (np.float16, np.float32), (np.float32, np.float16),
    (np.float32, np.int64), (np.float64, np.int32)])
def test_a_filter_of_another_dtype_is_converted_to_the_input_dtype(input_dtype, filter_dtype) -> None:
    # TensorFlow's eager conv2d converts a NumPy filter to the dtype its input fixed (a force-cast, lossy or not),
    # so the result is the input's dtype and equals the call with the filter cast first.
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 5, 6, 3)).astype(input_dtype)
    w = (rng.standard_normal((3, 3, 3, 2)) * 4).astype(filter_dtype)
    got = nn.conv2d(x, w, 1, "SAME")
    assert got.dtype == np.dtype(input_dtype)
    np.testing.assert_array_equal(got, nn.conv2d(x, w.astype(input_dtype), 1, "SAME"))
    # A Python list filter takes the input's dtype too.
    np.testing.assert_array_equal(nn.conv2d(x, w.tolist(), 1, "SAME"), nn.conv2d(x, np.array(w.tolist()).astype(input_dtype), 1, "SAME"))


def test_a_list_input_takes_the_filters_float_dtype() -> None:
    # TensorFlow's conv2d reads input.shape first (a list fails there); the library converts the list.
    x = np.arange(18, dtype=np.float64).reshape(1, 3, 3, 2)
    w = np.ones((2, 2, 2, 1), np.float64)
    got = nn.conv2d(x.tolist(), w, 1, "VALID")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, nn.conv2d(x, w, 1, "VALID"))


@pytest.mark.parametrize("overrides, error_type, fragment", ERRORS)
def test_errors_carry_tensorflow_wording(overrides, error_type, fragment) -> None:
    arguments = dict(input=np.ones((1, 4, 4, 3), np.float32), filters=np.ones((2, 2, 3, 2), np.float32), strides=1, padding="VALID")
    arguments.update(overrides)
    with pytest.raises(error_type) as raised:
        nn.conv2d(**arguments)
    assert fragment in str(raised.value)


def test_invalid_argument_error_is_a_value_error_with_the_op_name() -> None:
    with pytest.raises(errors.InvalidArgumentError, match=r"\[Op:Conv2D\]$") as raised:
        nn.conv2d(np.ones((1, 2, 2, 1), np.float32), np.ones((4, 4, 1, 1), np.float32), 1, "VALID")
    assert isinstance(raised.value, ValueError)
    assert "Computed output size would be negative: -1 [input_size: 2, effective_filter_size: 4, stride: 1]" in str(raised.value)
