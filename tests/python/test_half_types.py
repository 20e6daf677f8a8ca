"""float16 and bfloat16 through the Python API: values against the float64 oracle on the rounded inputs, with
the bound of float32 accumulation plus one rounding to the type; rounding once; NaN; dtype rules; bfloat16
with ml_dtypes when it is installed, and always through bit patterns (_arrays.BFloat16Bits)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import depthwise_interop
from depthwise_interop import nn
from depthwise_interop._arrays import BFloat16Bits

import reference

HAVE_ML_DTYPES = importlib.util.find_spec("ml_dtypes") is not None

# Unit roundoff of the types: half an ulp of 1.
FLOAT32_U = 2.0 ** -24
TYPE_U = {"float16": 2.0 ** -11, "bfloat16": 2.0 ** -8}
TYPE_TINY = {"float16": 2.0 ** -24, "bfloat16": 2.0 ** -133}


def bfloat16_bits(values) -> np.ndarray:
    """Nearest bfloat16 (ties to even) of float32 values, as bits; written here from the definition."""
    bits = np.asarray(values, np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def bfloat16_values(bits: np.ndarray) -> np.ndarray:
    return (np.asarray(bits, np.uint32) << 16).view(np.float32)


def assert_within_rounding(got: np.ndarray, exact: np.ndarray, magnitude: np.ndarray, terms: int, dtype: str) -> None:
    """|got - exact| <= float32 accumulation (1.01 n u32 sum|x w|) + one rounding (u_T |exact| (1 + ...)) + tiny."""
    accumulation = 1.01 * terms * FLOAT32_U * magnitude
    bound = accumulation + TYPE_U[dtype] * (np.abs(exact) + accumulation) + TYPE_TINY[dtype]
    error = np.abs(got.astype(np.float64) - exact)
    worst = np.argmax(error - bound)
    assert np.all(error <= bound), f"element {worst}: got {got.flat[worst]}, exact {exact.flat[worst]}, bound {bound.flat[worst]}"


CASES = [
    # op, input shape (NHWC), filter shape, strides, padding, dilations
    ("depthwise_conv2d", (2, 13, 17, 24), (3, 3, 24, 1), (1, 1), "SAME", (1, 1)),
    ("depthwise_conv2d", (1, 20, 9, 5), (5, 5, 5, 3), (2, 2), "VALID", (1, 1)),
    ("depthwise_conv2d", (1, 30, 31, 16), (3, 3, 16, 2), (1, 1), "SAME", (2, 2)),
    ("conv2d", (2, 11, 12, 8), (3, 3, 8, 16), (1, 1), "SAME", (1, 1)),
    ("conv2d", (1, 9, 9, 6), (2, 3, 3, 4), (2, 1), "VALID", (1, 2)),
]


def _reference(op, x, w, strides, padding, dilations):
    function = reference.depthwise_nhwc if op == "depthwise_conv2d" else reference.conv2d_nhwc
    exact = function(x.astype(np.float64), w.astype(np.float64), strides, dilations, padding)
    magnitude = function(np.abs(x.astype(np.float64)), np.abs(w.astype(np.float64)), strides, dilations, padding)
    terms = w.shape[0] * w.shape[1] * (1 if op == "depthwise_conv2d" else w.shape[2])
    return exact, magnitude, terms


def _call(op, x, w, strides, padding, dilations, data_format="NHWC"):
    s = [1, strides[0], strides[1], 1] if data_format == "NHWC" else [1, 1, strides[0], strides[1]]
    if op == "depthwise_conv2d":
        return nn.depthwise_conv2d(x, w, s, padding, data_format=data_format, dilations=list(dilations))
    d = [1, dilations[0], dilations[1], 1] if data_format == "NHWC" else [1, 1, dilations[0], dilations[1]]
    return nn.conv2d(x, w, s, padding, data_format=data_format, dilations=d)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_float16_values(case, data_format) -> None:
    op, x_shape, w_shape, strides, padding, dilations = case
    rng = np.random.default_rng(sum(x_shape))
    x = rng.uniform(-4, 4, x_shape).astype(np.float16)
    w = rng.uniform(-1, 1, w_shape).astype(np.float16)
    exact, magnitude, terms = _reference(op, x, w, strides, padding, dilations)
    if data_format == "NCHW":
        got = _call(op, np.ascontiguousarray(x.transpose(0, 3, 1, 2)), w, strides, padding, dilations, "NCHW").transpose(0, 2, 3, 1)
    else:
        got = _call(op, x, w, strides, padding, dilations)
    assert got.dtype == np.float16
    assert_within_rounding(got, exact, magnitude, terms, "float16")


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_bfloat16_values_through_bit_patterns(case) -> None:
    op, x_shape, w_shape, strides, padding, dilations = case
    rng = np.random.default_rng(sum(w_shape))
    x_bits = bfloat16_bits(rng.uniform(-4, 4, x_shape))
    w_bits = bfloat16_bits(rng.uniform(-1, 1, w_shape))
    exact, magnitude, terms = _reference(op, bfloat16_values(x_bits), bfloat16_values(w_bits), strides, padding, dilations)
    got_bits = _call(op, BFloat16Bits.of(x_bits), BFloat16Bits.of(w_bits), strides, padding, dilations)
    assert got_bits.dtype == np.uint16
    assert_within_rounding(bfloat16_values(got_bits), exact, magnitude, terms, "bfloat16")


def test_float16_rounds_once_after_float32_accumulation() -> None:
    # 1024 + 1024 + 1 = 2049 is exact in float32 and not a half: one rounding, ties to even, gives 2048. A half
    # accumulator would give 2048 + 1 = 2048 as well, so also check 1 + 1024 + 1024 + 1 = 2050 (a half sum
    # order would lose both ones: 1 + 1024 = 1025, + 1024 = 2049 -> 2048, + 1 -> 2048).
    x = np.array([[[[1, 1024, 1024, 1]]]], np.float16)
    w = np.ones((1, 1, 4, 1), np.float16)
    assert nn.conv2d(x, w, 1, "VALID").item() == 2050.0
    y = nn.conv2d(np.array([[[[1024, 1024, 1]]]], np.float16), np.ones((1, 1, 3, 1), np.float16), 1, "VALID")
    assert y.dtype == np.float16 and y.item() == 2048.0


def test_float16_overflow_nan_and_infinity() -> None:
    x = np.array([[[[60000, 60000]], [[np.nan, 1]], [[np.inf, 0]]]], np.float16)  # [1, 3, 1, 2]
    w = np.ones((1, 1, 2, 1), np.float16)
    y = nn.conv2d(x, w, 1, "VALID").ravel()
    assert y[0] == np.inf  # 120000 overflows half
    assert np.isnan(y[1])
    assert y[2] == np.inf


def test_python_lists_take_the_float16_operand_dtype() -> None:
    x = np.ones((1, 2, 2, 1), np.float16)
    y = nn.depthwise_conv2d(x, [[[[0.5]]]], [1, 1, 1, 1], "VALID")
    assert y.dtype == np.float16 and np.all(y == 0.5)


def test_mixed_half_and_single() -> None:
    # depthwise refuses tensors of two dtypes with TensorFlow's eager message; conv2d converts its filter.
    with pytest.raises(ValueError, match="was expected to be a half tensor but is a float tensor"):
        nn.depthwise_conv2d(np.ones((1, 2, 2, 1), np.float16), np.ones((1, 1, 1, 1), np.float32), [1, 1, 1, 1], "VALID")
    y = nn.conv2d(np.ones((1, 2, 2, 1), np.float16), np.full((1, 1, 1, 1), 0.5, np.float32), 1, "VALID")
    assert y.dtype == np.float16 and np.all(y == 0.5)
    with pytest.raises(TypeError, match="DataType uint16 not in list"):
        nn.conv2d(BFloat16Bits.of(np.zeros((1, 2, 2, 1))), np.zeros((1, 1, 1, 1), np.uint16), 1, "VALID")
    # Bit patterns marked as bfloat16 have no NumPy dtype to convert to: both tensors must be marked.
    with pytest.raises(ValueError, match="was expected to be a bfloat16 tensor but is a half tensor"):
        nn.conv2d(BFloat16Bits.of(np.zeros((1, 2, 2, 1))), np.zeros((1, 1, 1, 1), np.float16), 1, "VALID")


def test_float16_separable_is_the_two_ops() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (1, 9, 10, 4)).astype(np.float16)
    dw = rng.uniform(-1, 1, (3, 3, 4, 2)).astype(np.float16)
    pw = rng.uniform(-1, 1, (1, 1, 8, 3)).astype(np.float16)
    fused = nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME")
    two_ops = nn.conv2d(nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME"), pw, [1, 1, 1, 1], "VALID")
    assert fused.dtype == np.float16
    np.testing.assert_array_equal(fused.view(np.uint16), two_ops.view(np.uint16))


@pytest.mark.skipif(HAVE_ML_DTYPES, reason="ml_dtypes is installed")
def test_bfloat16_without_ml_dtypes_says_how_to_get_it() -> None:
    with pytest.raises(ImportError, match=r"pip install 'depthwise_interop\[bfloat16\]'"):
        depthwise_interop.bfloat16


@pytest.mark.skipif(not HAVE_ML_DTYPES, reason="ml_dtypes is not installed (pip install 'depthwise_interop[bfloat16]')")
def test_bfloat16_with_ml_dtypes_matches_the_bit_pattern_path() -> None:
    bfloat16 = depthwise_interop.bfloat16
    rng = np.random.default_rng(8)
    x = rng.uniform(-2, 2, (1, 7, 8, 6)).astype(bfloat16)
    w = rng.uniform(-1, 1, (3, 3, 6, 1)).astype(bfloat16)
    y = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    assert y.dtype == bfloat16
    bits = nn.depthwise_conv2d(BFloat16Bits.of(x.view(np.uint16)), BFloat16Bits.of(w.view(np.uint16)), [1, 1, 1, 1], "SAME")
    np.testing.assert_array_equal(y.view(np.uint16), bits)
