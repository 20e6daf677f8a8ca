"""Concurrency: 8 Python threads x 1,000 nn calls each, failing and succeeding calls interleaved.

ctypes releases the GIL during every native call, so the threads really run in the native library at the same
time. Every result must be bitwise equal to the same call made single-threaded beforehand, and every error
must be the thread's own: each thread's failing calls use shapes only that thread uses, so a message read from
another thread's failure (di_last_error_message is per thread) would not match.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from depthwise_interop import nn

THREADS = 8
CALLS_PER_THREAD = 1000


def thread_cases(t: int) -> list[tuple[str, object]]:
    """(label, zero-argument call) for thread t: shapes, dtypes and ops differ between threads."""
    rng = np.random.default_rng(1000 + t)
    dtype = np.float32 if t % 2 == 0 else np.float64
    c = t + 1                       # input channels: unique per thread, so are the messages below
    h = 5 + t
    x = rng.standard_normal((2, h, h + 1, c)).astype(dtype)
    x_nchw = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    big = rng.standard_normal((1, 24, 24, 2 * c)).astype(dtype)
    w_conv = rng.standard_normal((3, 3, c, 2)).astype(dtype)
    w_group = rng.standard_normal((3, 2, 1, 2 * c)).astype(dtype)
    w_dw = rng.standard_normal((3, 3, c, 2)).astype(dtype)
    w_big = rng.standard_normal((5, 5, 2 * c, 8)).astype(dtype)
    other = np.float64 if dtype == np.float32 else np.float32
    cases = [
        ("conv2d SAME", lambda: nn.conv2d(x, w_conv, 1, "SAME")),
        ("conv2d NCHW strided dilated", lambda: nn.conv2d(x_nchw, w_conv, [1, 2], "VALID", data_format="NCHW",
                                                           dilations=[1, 1, 1, 1])),
        ("error: indivisible depth", lambda: nn.conv2d(x, rng_filter(c + 1, dtype), 1, "SAME")),
        ("grouped conv2d", lambda: nn.conv2d(x, w_group, [2, 1], [[0, 0], [1, 2], [0, 1], [0, 0]])),
        ("error: depthwise depth mismatch", lambda: nn.depthwise_conv2d(x, rng_filter(c + 2, dtype, m=1),
                                                                        [1, 1, 1, 1], "SAME")),
        ("depthwise SAME", lambda: nn.depthwise_conv2d(x, w_dw, [1, 1, 1, 1], "SAME")),
        ("error: negative output size", lambda: nn.conv2d(x, np.ones((h + 3, 1, c, 1), dtype), 1, "VALID")),
        ("depthwise dilated NCHW", lambda: nn.depthwise_conv2d(x_nchw, w_dw, [1, 1, 1, 1], "VALID", data_format="NCHW",
                                                               dilations=[2, 1])),
        ("error: strides of length 3", lambda: nn.conv2d(x, w_conv, [1, 1, t], "SAME")),
        ("bigger conv2d", lambda: nn.conv2d(big, w_big, 1, "SAME")),
        ("error: dtype mismatch", lambda: nn.depthwise_conv2d(x, w_dw.astype(other), [1, 1, 1, 1], "SAME")),
        ("conv2d filter of the other dtype", lambda: nn.conv2d(x, w_conv.astype(other), 1, "SAME")),
        ("error: explicit padding too large",
         lambda: nn.depthwise_conv2d(x, w_dw, [1, 1, 1, 1], [[0, 0], [2**31 + t, 0], [0, 0], [0, 0]])),
        ("depthwise strided explicit", lambda: nn.depthwise_conv2d(x, w_dw, [1, 2, 3, 1], [[0, 0], [2, 0], [1, 1], [0, 0]])),
        ("error: negative stride", lambda: nn.depthwise_conv2d(x, w_dw, [1, -1 - t, 1, 1], "SAME")),
    ]
    return cases


def rng_filter(depth, dtype, m=2):
    return np.ones((2, 2, depth, m), dtype)


def outcome(call):
    """('ok', dtype, shape, bytes) or ('error', type name, message)."""
    try:
        result = call()
    except (ValueError, TypeError) as error:
        return ("error", type(error).__name__, str(error))
    return ("ok", result.dtype.str, result.shape, result.tobytes())


def test_eight_threads_get_single_threaded_results_and_their_own_errors():
    cases = [thread_cases(t) for t in range(THREADS)]
    expected = [[outcome(call) for _, call in thread] for thread in cases]
    # The failing calls of different threads carry different messages, so a mix-up would be visible.
    messages = [{o[2] for o in thread if o[0] == "error"} for thread in expected]
    for t in range(THREADS):
        for u in range(t + 1, THREADS):
            shared = messages[t] & messages[u]
            assert all("was expected to be a" in m for m in shared), shared

    barrier = threading.Barrier(THREADS)
    problems: list[str] = []
    counts = [[0, 0] for _ in range(THREADS)]

    def worker(t):
        try:
            barrier.wait()
            for i in range(CALLS_PER_THREAD):
                k = (i * 5 + t) % len(cases[t])          # interleave the failing and succeeding calls
                got = outcome(cases[t][k][1])
                counts[t][got[0] == "error"] += 1
                if got != expected[t][k]:
                    detail = got[:3] if got[0] == "error" else got[:3] + ("different bytes",)
                    problems.append(f"thread {t} call {i} ({cases[t][k][0]}): {detail} != {expected[t][k][:3]}")
        except BaseException as error:  # noqa: BLE001 - reported below
            problems.append(f"thread {t} died: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    seconds = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    oks, errors = sum(c[0] for c in counts), sum(c[1] for c in counts)
    print(f"\nthreads: {THREADS} x {CALLS_PER_THREAD} calls in {seconds:.2f} s: {oks} results, {errors} errors")
    assert not problems, f"{len(problems)} mismatches, e.g.:\n" + "\n".join(problems[:20])
    assert oks + errors == THREADS * CALLS_PER_THREAD


def test_native_calls_release_the_gil():
    """While one thread is inside a long native convolution, another Python thread keeps running."""
    x = np.ones((1, 64, 64, 16), np.float32)
    w = np.ones((3, 3, 16, 32), np.float32)
    nn.conv2d(x[:1, :8, :8], w, 1, "SAME")   # warm-up
    start = time.perf_counter()
    nn.conv2d(x, w, 1, "SAME")
    alone = time.perf_counter() - start
    if alone < 0.005:
        pytest.skip(f"the native call takes only {alone * 1000:.1f} ms here: too short to observe")
    done = threading.Event()
    ticks = 0

    def convolve():
        nn.conv2d(x, w, 1, "SAME")
        done.set()

    thread = threading.Thread(target=convolve)
    thread.start()
    time.sleep(0.002)
    while not done.is_set():
        ticks += 1
    thread.join()
    print(f"\nGIL: {ticks} Python iterations ran during a {alone * 1000:.0f} ms native call")
    assert ticks > 1000


def test_threads_with_more_distinct_shapes_than_the_plan_cache_holds():
    """nn caches validated call plans (512 at most, then the cache is cleared): 8 threads x 160 distinct shapes
    make the cache overflow and clear while other threads hold and use plans. Results stay bitwise equal to the
    single-threaded ones, and failures keep their own messages."""
    def calls(t):
        rng = np.random.default_rng(50 + t)
        out = []
        for k in range(160):
            h, w, c = 3 + k % 7, 2 + (k // 7) % 5, 1 + t % 3
            x = rng.standard_normal((1, h, w, c)).astype(np.float32 if k % 2 else np.float64)
            f = rng.standard_normal((2, 2, c, 1 + k % 3)).astype(x.dtype)
            if k % 5 == 0:   # a failure whose message names this thread's shapes
                tall = np.ones((h + 2 + k + 200 * t, 1, c, 1), x.dtype)
                out.append(lambda x=x, tall=tall: nn.conv2d(x, tall, 1, "VALID"))
            elif k % 2:
                out.append(lambda x=x, f=f, k=k: nn.conv2d(x, f, [1, 1 + k % 2], "SAME"))
            else:
                out.append(lambda x=x, f=f, k=k: nn.depthwise_conv2d(x, f, [1, 1, 1 + k % 3, 1], [[0, 0], [k % 2, 1], [0, 1], [0, 0]]))
        return out

    cases = [calls(t) for t in range(THREADS)]
    expected = [[outcome(call) for call in thread] for thread in cases]
    barrier = threading.Barrier(THREADS)
    problems: list[str] = []

    def worker(t):
        try:
            barrier.wait()
            for _ in range(3):
                for k, call in enumerate(cases[t]):
                    got = outcome(call)
                    if got != expected[t][k]:
                        problems.append(f"thread {t} case {k}: {got[:3]} != {expected[t][k][:3]}")
        except BaseException as error:  # noqa: BLE001 - reported below
            problems.append(f"thread {t} died: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not problems, f"{len(problems)} mismatches, e.g.:\n" + "\n".join(problems[:20])
