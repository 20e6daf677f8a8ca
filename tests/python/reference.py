"""A NumPy convolution written independently of the library: pad explicitly, then sum one strided slice per
filter tap. Used as the oracle for the Python front end's values."""

from __future__ import annotations

import numpy as np


def output_size(size: int, kernel: int, stride: int, dilation: int, padding) -> tuple[int, int, int]:
    """(output size, pad before, pad after); `padding` is "SAME", "VALID" or a (before, after) pair."""
    effective = (kernel - 1) * dilation + 1
    if padding == "VALID":
        before = after = 0
    elif padding == "SAME":
        out = -(-size // stride)
        needed = max(0, (out - 1) * stride + effective - size)
        before, after = needed // 2, needed - needed // 2
    else:
        before, after = padding
    span = size + before + after - effective
    return (span // stride + 1 if span >= 0 else 0), before, after


def conv2d_nhwc(x, w, strides=(1, 1), dilations=(1, 1), padding="VALID"):
    """Grouped conv2d on NHWC input x [N,H,W,C] and filter w [KH,KW,C/G,O], computed in float64."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, h, wd, c = x.shape
    kh, kw, cpg, o = w.shape
    groups = c // cpg
    pad_h = padding if isinstance(padding, str) else padding[0]
    pad_w = padding if isinstance(padding, str) else padding[1]
    oh, top, bottom = output_size(h, kh, strides[0], dilations[0], pad_h)
    ow, left, right = output_size(wd, kw, strides[1], dilations[1], pad_w)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out = np.zeros((n, oh, ow, o))
    per_group = o // groups
    for ky in range(kh):
        for kx in range(kw):
            y0, x0 = ky * dilations[0], kx * dilations[1]
            window = padded[:, y0:y0 + (oh - 1) * strides[0] + 1:strides[0], x0:x0 + (ow - 1) * strides[1] + 1:strides[1], :]
            for g in range(groups):
                out[..., g * per_group:(g + 1) * per_group] += (
                    window[..., g * cpg:(g + 1) * cpg] @ w[ky, kx, :, g * per_group:(g + 1) * per_group])
    return out


def depthwise_nhwc(x, w, strides=(1, 1), dilations=(1, 1), padding="VALID"):
    """Depthwise as grouped conv2d: filter [KH,KW,C,M] read as [KH,KW,1,C*M], output channel c*M+m."""
    kh, kw, c, m = np.shape(w)
    return conv2d_nhwc(x, np.reshape(w, (kh, kw, 1, c * m)), strides, dilations, padding)
