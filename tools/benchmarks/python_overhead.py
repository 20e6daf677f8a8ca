#!/usr/bin/env python3
"""Per-call overhead of the Python layer: depthwise_interop.nn.depthwise_conv2d against a direct ctypes call
of di_depthwise_conv2d, in the same process, on the same library, for a tiny problem (1x8x8x8 input, 3x3x8x1
filter, SAME, stride 1) where the convolution itself costs little and the wrapper cost shows.

Both are timed call by call with perf_counter_ns, in alternating blocks (so drift hits both alike), and
summarised by medians. The difference of the medians is the Python layer's cost per call: argument
conversion and checks, the output-shape query, allocating the output array, error translation.

Usage: python_overhead.py [--repetitions N] [--rounds R] [--json PATH]
Needs NumPy and the depthwise_interop package (the project's .venv has both); the library is the one the
package loads ($DEPTHWISE_INTEROP_LIBRARY first).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import platform
import statistics
import sys
import time

import numpy as np

import depthwise_interop
from depthwise_interop import nn


class ConvParams(ctypes.Structure):
    # typedef struct di_conv_params { uint32_t struct_size; int32_t data_format; int32_t padding;
    #     int32_t reserved; int64_t strides[4]; int64_t dilations[4]; int64_t explicit_paddings[8]; }
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("data_format", ctypes.c_int32),
        ("padding", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
        ("strides", ctypes.c_int64 * 4),
        ("dilations", ctypes.c_int64 * 4),
        ("explicit_paddings", ctypes.c_int64 * 8),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5000, help="calls per block (default 5000)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating blocks per variant (default 6)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()

    path = depthwise_interop.library_path()
    lib = ctypes.CDLL(path)  # the same dlopen handle the package uses
    int64p = ctypes.POINTER(ctypes.c_int64)
    lib.di_conv_params_init.argtypes = [ctypes.POINTER(ConvParams)]
    lib.di_conv_params_init.restype = ctypes.c_int32
    lib.di_depthwise_conv2d.argtypes = [
        ctypes.c_int32,
        ctypes.c_void_p, ctypes.c_int64, int64p, ctypes.c_int32,
        ctypes.c_void_p, ctypes.c_int64, int64p, ctypes.c_int32,
        ctypes.POINTER(ConvParams), ctypes.c_void_p, ctypes.c_int64,
    ]
    lib.di_depthwise_conv2d.restype = ctypes.c_int32
    threads_note = "library default"
    if hasattr(lib, "di_set_num_threads"):
        lib.di_set_num_threads.argtypes = [ctypes.c_int32]
        lib.di_set_num_threads.restype = ctypes.c_int32
        lib.di_set_num_threads(1)
        threads_note = "1 (di_set_num_threads)"

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 8, 8), dtype=np.float32)
    w = rng.standard_normal((3, 3, 8, 1), dtype=np.float32)
    strides = [1, 1, 1, 1]

    # The direct call: everything prepared once, only the C function is called in the loop.
    out = np.empty((1, 8, 8, 8), dtype=np.float32)
    x_shape = (ctypes.c_int64 * 4)(*x.shape)
    w_shape = (ctypes.c_int64 * 4)(*w.shape)
    params = ConvParams()
    if lib.di_conv_params_init(ctypes.byref(params)) != 0:
        raise SystemExit("di_conv_params_init failed")
    params.padding = 1  # DI_PADDING_SAME
    params_ref = ctypes.byref(params)
    fn = lib.di_depthwise_conv2d
    x_ptr, w_ptr, out_ptr = x.ctypes.data, w.ctypes.data, out.ctypes.data

    def direct() -> None:
        status = fn(1, x_ptr, 512, x_shape, 4, w_ptr, 72, w_shape, 4, params_ref, out_ptr, 512)
        if status != 0:
            raise RuntimeError(f"di_depthwise_conv2d returned {status}")

    def wrapped() -> None:
        nn.depthwise_conv2d(x, w, strides, "SAME")

    direct()
    expected = nn.depthwise_conv2d(x, w, strides, "SAME")
    if not np.array_equal(out, expected):
        raise SystemExit("the direct call and nn.depthwise_conv2d disagree")

    def block(function) -> list[int]:
        clock = time.perf_counter_ns
        samples = []
        for _ in range(args.repetitions):
            start = clock()
            function()
            samples.append(clock() - start)
        return samples

    # Warm-up, then alternating blocks.
    block(direct)
    block(wrapped)
    direct_samples: list[int] = []
    wrapped_samples: list[int] = []
    for _ in range(args.rounds):
        direct_samples += block(direct)
        wrapped_samples += block(wrapped)

    # An empty loop body measured the same way: the timer's own cost, included in both medians.
    timer_samples = block(lambda: None)

    def us(ns: float) -> float:
        return ns / 1000.0

    result = {
        "problem": "depthwise_conv2d 1x8x8x8 float32, filter 3x3x8x1, SAME, stride 1",
        "library": path,
        "library_threads": threads_note,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "calls_per_variant": len(direct_samples),
        "direct_ctypes_median_us": us(statistics.median(direct_samples)),
        "nn_depthwise_conv2d_median_us": us(statistics.median(wrapped_samples)),
        "timer_median_us": us(statistics.median(timer_samples)),
    }
    result["overhead_us"] = result["nn_depthwise_conv2d_median_us"] - result["direct_ctypes_median_us"]

    print(f"{result['problem']}; library {path}; threads {threads_note}")
    print(f"  direct ctypes di_depthwise_conv2d : median {result['direct_ctypes_median_us']:8.2f} us per call")
    print(f"  nn.depthwise_conv2d               : median {result['nn_depthwise_conv2d_median_us']:8.2f} us per call")
    print(f"  empty timed call (timer cost)     : median {result['timer_median_us']:8.2f} us")
    print(f"  Python layer overhead             : {result['overhead_us']:8.2f} us per call "
          f"({len(direct_samples)} calls each, medians)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
