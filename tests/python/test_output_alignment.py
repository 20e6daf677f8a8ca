"""Results large enough for the kernels' vector stores to matter start on a 64-byte boundary and are ordinary arrays."""

from __future__ import annotations

import numpy as np
import pytest

from depthwise_interop import nn
from reference import depthwise_nhwc


def _ops(x: np.ndarray, w: np.ndarray):
    pointwise = np.ones((1, 1, w.shape[2] * w.shape[3], 5), x.dtype)
    yield "depthwise_conv2d", nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    yield "conv2d", nn.conv2d(x, w[:, :, :, :1].repeat(4, axis=3), [1, 1, 1, 1], "SAME")
    yield "separable_conv2d", nn.separable_conv2d(x, w, pointwise, [1, 1, 1, 1], "SAME")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_large_results_are_64_byte_aligned_owned_c_arrays(dtype) -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (1, 48, 48, 8)).astype(dtype)
    w = rng.uniform(-1, 1, (3, 3, 8, 1)).astype(dtype)
    for op, out in _ops(x, w):
        assert out.nbytes >= 1 << 14, op
        assert out.ctypes.data % 64 == 0, op
        assert out.dtype == dtype and out.flags.c_contiguous and out.flags.writeable, op


def test_aligned_result_holds_the_computed_values() -> None:
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 1, (2, 33, 31, 16)).astype(np.float32)
    w = rng.uniform(-1, 1, (3, 3, 16, 2)).astype(np.float32)
    out = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    assert out.ctypes.data % 64 == 0
    np.testing.assert_allclose(out, depthwise_nhwc(x.astype(np.float64), w.astype(np.float64), padding="SAME"),
                               rtol=1e-5, atol=1e-5)
    out[...] = 0  # an ordinary writable array, independent of the next call's result
    assert np.any(nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME") != 0)


def test_small_results_keep_their_shape_and_dtype() -> None:
    x = np.ones((1, 3, 3, 2), np.float32)
    out = nn.depthwise_conv2d(x, np.ones((3, 3, 2, 1), np.float32), [1, 1, 1, 1], "SAME")
    assert out.shape == (1, 3, 3, 2) and out.dtype == np.float32
    assert out[0, 1, 1, 0] == 9.0 and out[0, 0, 0, 0] == 4.0
