"""The per-call fast path of nn.conv2d / nn.depthwise_conv2d: a repeated call with the same argument forms and
shapes reuses its validated plan without converting the arguments again. It must never change a result or
an error: forms that equal ints but convert differently (bools, NumPy integers) are not keys, errors are never
remembered, and the dtype and memory layout are checked on every call."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from depthwise_interop import _ops, nn

import reference


def test_repeated_calls_hit_the_remembered_plan_and_stay_exact() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 9, 8, 4)).astype(np.float32)
    w = rng.standard_normal((3, 3, 4, 2)).astype(np.float32)
    first = nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    key = ("depthwise_conv2d", x.shape, w.shape, (1, 2, 2, 1), "SAME", None, None)
    assert _ops.remembered(key) is not None
    again = nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(again, reference.depthwise_nhwc(x, w, (2, 2), (1, 1), "SAME"), rtol=1e-5, atol=1e-5)


def test_bool_and_numpy_integer_forms_are_converted_every_time() -> None:
    x = np.ones((1, 4, 4, 1), np.float32)
    w = np.ones((1, 1, 1, 1), np.float32)
    nn.conv2d(x, w, [1, 1, 1, 1], "VALID")  # remembers the int form
    with pytest.raises((TypeError, ValueError)):
        nn.conv2d(x, w, [True, 1, 1, True], "VALID")  # equal to [1, 1, 1, 1] as a key, but TensorFlow refuses bools
    y = nn.conv2d(x, w, [np.int64(1)] * 4, "VALID")
    assert y.shape == (1, 4, 4, 1)


def test_errors_are_not_remembered_and_dtype_is_checked_on_a_hit() -> None:
    x = np.ones((1, 4, 4, 2), np.float32)
    w = np.ones((6, 6, 2, 1), np.float32)
    for _ in range(2):
        with pytest.raises(ValueError, match="Computed output size would be negative"):
            nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID")
    small = np.ones((1, 1, 2, 1), np.float32)
    nn.depthwise_conv2d(x, small, [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="expected to be a double tensor but is a float tensor"):
        nn.depthwise_conv2d(x.astype(np.float64), small, [1, 1, 1, 1], "VALID")
    # conv2d converts the filter to the input's dtype on a hit as on a miss.
    nn.conv2d(x, small, 1, "VALID")
    assert nn.conv2d(x.astype(np.float64), small, 1, "VALID").dtype == np.float64
    # Same shapes and forms, other dtype and a non-contiguous view: converted and computed correctly.
    y = nn.conv2d(np.asfortranarray(x.astype(np.float64)), small.astype(np.float64), 1, "VALID")
    assert y.dtype == np.float64 and np.all(y == 2)


def test_threads_with_different_shapes_never_share_a_plan() -> None:
    rng = np.random.default_rng(2)
    problems = []
    for size in range(5, 13):
        x = rng.standard_normal((1, size, size + 1, 3)).astype(np.float32)
        w = rng.standard_normal((3, 3, 3, 1)).astype(np.float32)
        problems.append((x, w, reference.depthwise_nhwc(x, w, (1, 1), (1, 1), "SAME")))
    failures = []

    def work(offset: int) -> None:
        for i in range(400):
            x, w, want = problems[(i + offset) % len(problems)]
            got = nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
            if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
                failures.append((offset, i))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
