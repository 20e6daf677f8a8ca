"""Input arrays of every memory layout give the same values as a plain C-contiguous copy."""

from __future__ import annotations

import numpy as np
import pytest

from depthwise_interop import nn

BASE = np.random.default_rng(42).uniform(-1, 1, (2, 6, 7, 3))
FILTER = np.random.default_rng(43).uniform(-1, 1, (3, 3, 3, 2))


def expected(dtype):
    return nn.depthwise_conv2d(BASE.astype(dtype), FILTER.astype(dtype), [1, 1, 1, 1], "SAME")


def misaligned(array: np.ndarray) -> np.ndarray:
    raw = np.empty(array.nbytes + 1, np.uint8)[1:]
    view = raw.view(array.dtype).reshape(array.shape)
    view[...] = array
    assert not view.flags.aligned
    return view


def read_only(array: np.ndarray) -> np.ndarray:
    array = array.copy()
    array.flags.writeable = False
    return array


LAYOUTS = {
    "fortran-ordered": lambda a: np.asfortranarray(a),
    "negatively-strided": lambda a: a[:, ::-1][:, ::-1],
    "non-contiguous": lambda a: np.repeat(a, 2, axis=2)[:, :, ::2],
    "byte-swapped": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "misaligned": misaligned,
    "read-only": read_only,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_give_identical_results(layout, dtype) -> None:
    make = LAYOUTS[layout]
    x = make(BASE.astype(dtype))
    w = make(FILTER.astype(dtype))
    got = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, expected(dtype))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_, np.complex128, object, np.str_])
def test_non_float_arrays_are_type_errors(dtype) -> None:
    with pytest.raises(TypeError):
        nn.conv2d(np.ones((1, 3, 3, 1)).astype(dtype), np.ones((1, 1, 1, 1)), 1, "VALID")


def test_inputs_are_not_modified() -> None:
    x, w = BASE.astype(np.float32), FILTER.astype(np.float32)
    x_before, w_before = x.copy(), w.copy()
    nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)
