"""fork(): a child process of a program that has used the library can still call it.

The worker pool's threads do not survive fork (only the forking thread does). A child's call must not wait for
them: the calling thread takes every chunk of the work, and the result is the parent's, bit for bit. (Before the
pool ended a job on its last chunk rather than on every worker's report, such a child hung on its first call
that the pool split.) Python's multiprocessing forks on Linux before 3.14, so this is an ordinary way to use the
library: e.g. data-loading workers started after the model ran once.
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import pytest

import depthwise_interop
from depthwise_interop import nn

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CHILD_SECONDS = 60


def calls(x: np.ndarray, w: np.ndarray, pointwise: np.ndarray) -> list[np.ndarray]:
    """Calls large enough to be split over the pool's threads (depthwise, conv2d, separable)."""
    return [
        nn.depthwise_conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME"),
        nn.conv2d(x, pointwise, strides=1, padding="SAME"),
        nn.separable_conv2d(x, w, pointwise, strides=[1, 1, 1, 1], padding="SAME"),
    ]


def test_a_forked_child_computes_the_parents_results_without_waiting_for_the_pool() -> None:
    previous = depthwise_interop.get_num_threads()
    depthwise_interop.set_num_threads(2)
    try:
        rng = np.random.default_rng(7)
        x = rng.standard_normal((1, 28, 28, 192)).astype(np.float32)
        w = rng.standard_normal((3, 3, 192, 1)).astype(np.float32)
        pointwise = rng.standard_normal((1, 1, 192, 64)).astype(np.float32)
        expected = calls(x, w, pointwise)   # the pool's threads start here, in the parent

        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork of a multi-threaded process
            pid = os.fork()
        if pid == 0:  # the child: report through the pipe, never return into pytest
            status = 1
            try:
                os.close(read_end)
                same = all(np.array_equal(got, want) for _ in range(20) for got, want in zip(calls(x, w, pointwise), expected))
                os.write(write_end, b"same" if same else b"different")
                status = 0
            finally:
                os._exit(status)

        os.close(write_end)
        deadline = time.monotonic() + CHILD_SECONDS
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                pytest.fail(f"the forked child's calls did not finish within {CHILD_SECONDS} s")
            time.sleep(0.05)
        report = os.read(read_end, 64)
        os.close(read_end)
        assert os.waitstatus_to_exitcode(status) == 0
        assert report == b"same"
    finally:
        depthwise_interop.set_num_threads(previous)
