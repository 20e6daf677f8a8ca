"""Memory: 100,000 nn calls (small tensors, successes and failures mixed) in one fresh process.

The child process warms up with 10,000 calls, collects garbage and takes the resident set size from
/proc/self/statm as the baseline, then makes 100,000 more calls, sampling the resident set every 10,000. Every
sample must stay within 1 MiB of the baseline: a leak of one small buffer, exception or error string per call
(native or Python side) would exceed it several times over. The figures are printed (pytest -s).

The native library is .NET (NativeAOT): every failure it reports is a managed exception, garbage the GC
collects when its generation-0 budget fills. With the default budget the resident set climbs by about 17 MiB
over the first ~50,000 native failures and then stays flat (a plateau, not a leak: see docs/robustness.md), which
a 10,000-call warm-up does not reach. The child therefore runs with DOTNET_GCgen0size=100000 (hexadecimal: a
1 MiB budget), so that the managed heap settles during the warm-up and any growth afterwards is a real leak.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time

WARMUP_CALLS = 10_000
MEASURED_CALLS = 100_000
SAMPLE_EVERY = 10_000
TOLERANCE_BYTES = 1 << 20


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_calls():
    """A cycle of cheap calls: results of both ops, dtypes and layouts, and every kind of failure."""
    import numpy as np
    from depthwise_interop import nn

    rng = np.random.default_rng(7)
    x32 = rng.standard_normal((1, 6, 7, 3)).astype(np.float32)
    x64 = x32.astype(np.float64)
    w32 = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    wd32 = rng.standard_normal((2, 2, 3, 2)).astype(np.float32)
    x_be = x32.astype(">f4")
    x_f = np.asfortranarray(x64)
    x_list = x32[:, :3, :3].tolist()
    x_empty = np.ones((0, 4, 4, 3), np.float32)

    def expect(error_type, call):
        def run():
            try:
                call()
            except error_type:
                return
            raise AssertionError("expected an error")
        return run

    return [
        lambda: nn.conv2d(x32, w32, 1, "SAME"),
        lambda: nn.conv2d(x_f, w32.astype(np.float64), [1, 2], "VALID", data_format="NHWC", dilations=[1, 1]),
        lambda: nn.depthwise_conv2d(x32, wd32, [1, 1, 1, 1], [[0, 0], [1, 0], [0, 1], [0, 0]]),
        lambda: nn.depthwise_conv2d(x_be, wd32, [1, 2, 1, 1], "SAME"),
        lambda: nn.conv2d(x_list, w32, 1, "SAME"),
        lambda: nn.conv2d(x_empty, w32, 1, "SAME"),
        lambda: nn.conv2d(np.ascontiguousarray(np.moveaxis(x64, -1, 1)), w32.astype(np.float64), 1, "SAME",
                          data_format="NCHW"),
        expect(ValueError, lambda: nn.conv2d(x32, w32[:, :, :2], 1, "SAME")),              # native: depth
        expect(ValueError, lambda: nn.depthwise_conv2d(x32, w32[:, :, :2], [1, 1, 1, 1], "SAME")),
        expect(ValueError, lambda: nn.conv2d(x32, np.ones((9, 1, 3, 1), np.float32), 1, "VALID")),  # negative size
        expect(ValueError, lambda: nn.conv2d(x32, w32, [1, 2, 3], "SAME")),                # Python: strides
        expect(ValueError, lambda: nn.conv2d(x32, w32, 1, "same")),                        # Python: padding
        expect(ValueError, lambda: nn.depthwise_conv2d(x32, wd32.astype(np.float64), [1, 1, 1, 1], "SAME")),  # dtypes
        lambda: nn.conv2d(x32, w32.astype(np.float64), 1, "SAME"),                         # filter converted
        expect(TypeError, lambda: nn.depthwise_conv2d(x32.astype(np.int32), wd32, [1, 1, 1, 1], "SAME")),
        expect(ValueError, lambda: nn.depthwise_conv2d(x32, wd32, [1, 0, 1, 1], "SAME")),  # native: stride
        expect(ValueError, lambda: nn.conv2d(x32, w32, 1, [[0, 0], [2**31, 0], [0, 0], [0, 0]])),
    ]


def child() -> dict:
    calls = make_calls()
    count = len(calls)
    started = time.perf_counter()
    for i in range(WARMUP_CALLS):
        calls[i % count]()
    gc.collect()
    baseline = resident_bytes()
    warmup_seconds = time.perf_counter() - started
    samples = []
    started = time.perf_counter()
    for i in range(1, MEASURED_CALLS + 1):
        calls[i % count]()
        if i % SAMPLE_EVERY == 0:
            gc.collect()
            samples.append(resident_bytes())
    return {"warmup_calls": WARMUP_CALLS, "measured_calls": MEASURED_CALLS, "baseline": baseline,
            "samples": samples, "warmup_seconds": round(warmup_seconds, 2),
            "measured_seconds": round(time.perf_counter() - started, 2)}


def test_resident_set_stays_flat_over_100000_calls():
    env = {**os.environ, "DOTNET_GCgen0size": "100000"}
    process = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=600, env=env)
    assert process.returncode == 0, process.stderr[-3000:]
    figures = json.loads(process.stdout.splitlines()[-1])
    baseline, samples = figures["baseline"], figures["samples"]
    deltas = [sample - baseline for sample in samples]
    mib = 1 << 20
    print(f"\nmemory: baseline {baseline / mib:.2f} MiB after {figures['warmup_calls']} calls "
          f"({figures['warmup_seconds']} s); {figures['measured_calls']} calls in {figures['measured_seconds']} s; "
          f"RSS minus baseline every {SAMPLE_EVERY} calls (KiB): {[d // 1024 for d in deltas]}")
    assert len(samples) == MEASURED_CALLS // SAMPLE_EVERY
    assert max(abs(d) for d in deltas) <= TOLERANCE_BYTES, f"resident set moved by {max(deltas, key=abs)} bytes"


if __name__ == "__main__":
    print(json.dumps(child()))
