"""The README's demo: TensorFlow's documented depthwise example, then a MobileNet-style block."""

import json
import time

import numpy as np

import depthwise_interop
from depthwise_interop import nn

print(f"depthwise_interop {depthwise_interop.__version__} ({depthwise_interop.library_path()})")

# tf.nn.depthwise_conv2d's docstring example.
x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
kernel = np.array([1, 2, 3, 4], dtype=np.float32).reshape(2, 1, 1, 2)
y = nn.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
print("depthwise_conv2d(1..9 as [1,3,3,1], [1,2,3,4] as [2,1,1,2], VALID) =")
print(json.dumps(y.astype(int).tolist(), separators=(",", ":")), "shape", y.shape)
assert y.tolist() == [[[[13, 18], [17, 24], [21, 30]], [[25, 36], [29, 42], [33, 48]]]]

# A MobileNet block: depthwise 3x3 then pointwise 1x1, on a 1x112x112x32 input.
rng = np.random.default_rng(0)
activations = rng.standard_normal((1, 112, 112, 32), dtype=np.float32)
depthwise_filter = rng.standard_normal((3, 3, 32, 1), dtype=np.float32)
pointwise_filter = rng.standard_normal((1, 1, 32, 64), dtype=np.float32)


def best_time(call, repeats=10):
    """Best of several calls after a warm-up one (the first call also loads the kernels)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, min(times)


hidden, depthwise_time = best_time(lambda: nn.depthwise_conv2d(activations, depthwise_filter, strides=[1, 1, 1, 1], padding="SAME"))
block, pointwise_time = best_time(lambda: nn.conv2d(hidden, pointwise_filter, strides=1, padding="SAME"))
print(f"MobileNet block on {activations.shape} ({depthwise_interop.cpu_info()['isa']}, "
      f"{depthwise_interop.get_num_threads()} threads): depthwise 3x3 -> {hidden.shape} in {1e3 * depthwise_time:.2f} ms, "
      f"pointwise 1x1 -> {block.shape} in {1e3 * pointwise_time:.2f} ms (best of 10)")
