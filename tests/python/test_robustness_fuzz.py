"""Seeded argument fuzzing of nn.conv2d and nn.depthwise_conv2d.

Every call must either return an ndarray of the right shape and dtype (with values checked against the small
NumPy reference below whenever the arguments are valid) or raise ValueError or TypeError: never another
exception, never a crash. Each case carries its expectation, derived from TensorFlow's rules:

  valid   the call must succeed and match the reference;
  error   TensorFlow rejects the arguments: the call must raise ValueError/TypeError;
  either  TensorFlow-specific leniency (bool, bytes, set strides ...): a result or ValueError/TypeError;
  converted  conv2d with a filter of another dtype: the outcome of the call with the filter cast to the input's
          dtype first (TensorFlow's eager conversion of a NumPy argument), bit for bit.

The fuzz runs in a child process so that a crash is reported with the case that caused it (the child prints
each case before calling). Run this file directly to fuzz longer: python test_robustness_fuzz.py SEED N.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time

import numpy as np

SEED = 20240917
ITERATIONS = 5000
TIME_LIMIT_SECONDS = 20.0
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


# --------------------------------------------------------------------------------------------------------------
# Reference (NHWC, float64): explicit padding, one strided window per filter tap.
# --------------------------------------------------------------------------------------------------------------

def reference(op, x, w, strides, dilations, pads):
    """x [N, H, W, C]; conv2d w [KH, KW, C/G, O]; depthwise w [KH, KW, C, M] (output channel c * M + m)."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    if op == "depthwise":
        m = w.shape[3]
        out = np.zeros((n, oh, ow, c, m))
    else:
        cpg, o = w.shape[2], w.shape[3]
        groups, out = c // cpg, np.zeros((n, oh, ow, o))
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dilations[0], j * dilations[1]
            win = xp[:, y0:y0 + (oh - 1) * strides[0] + 1:strides[0], x0:x0 + (ow - 1) * strides[1] + 1:strides[1], :]
            if op == "depthwise":
                out += win[..., :, None] * w[i, j]
            else:
                opg = o // groups
                for g in range(groups):
                    out[..., g * opg:(g + 1) * opg] += win[..., g * cpg:(g + 1) * cpg] @ w[i, j, :, g * opg:(g + 1) * opg]
    return out.reshape(n, oh, ow, -1)


def windowed(size, kernel, stride, dilation, mode, before=0, after=0):
    """TensorFlow's GetWindowedOutputSizeVerbose: (output size or None if negative, pad before, pad after)."""
    effective = (kernel - 1) * dilation + 1
    if mode == "SAME":
        out = (size + stride - 1) // stride
        needed = max(0, (out - 1) * stride + effective - size)
        return out, needed // 2, needed - needed // 2
    numerator = size + before + after - effective + stride
    out = int(numerator / stride) if numerator >= 0 else -((-numerator) // stride)   # C++ truncation
    return (out if out >= 0 else None), before, after


# --------------------------------------------------------------------------------------------------------------
# Case generation.
# --------------------------------------------------------------------------------------------------------------

class Case:
    def __init__(self, op, x, w, kwargs, expect, note, expected=None, tolerance=0.0):
        self.op, self.x, self.w, self.kwargs = op, x, w, kwargs
        self.expect, self.note, self.expected, self.tolerance = expect, note, expected, tolerance
        self.dtype = None

    def describe(self):
        def arg(value):
            if isinstance(value, np.ndarray):
                return f"ndarray{value.shape}:{value.dtype}{'' if value.flags.c_contiguous else ':strided'}"
            if isinstance(value, list) and value and isinstance(value[0], list) and len(str(value)) > 60:
                return f"list{np.shape(value)}"
            return repr(value)
        args = ", ".join(f"{k}={arg(v)}" for k, v in self.kwargs.items())
        return f"{self.op}({arg(self.x)}, {arg(self.w)}, {args}) expect={self.expect} [{self.note}]"


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.np = np.random.default_rng(seed)

    # ---- array forms: same values, different memory layouts -----------------------------------------------
    def layout(self, a):
        r = self.r.random()
        if r < 0.45 or a.ndim == 0:
            return a, "C"
        if r < 0.55:
            return np.asfortranarray(a), "F"
        if r < 0.65:
            wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
            wide[..., ::2] = a
            return wide[..., ::2], "strided"
        if r < 0.72:
            return np.flip(np.flip(a, 0).copy(), 0), "negative strides"
        if r < 0.80:
            return a.astype(a.dtype.newbyteorder(">")), "big-endian"
        if r < 0.87:
            raw = np.zeros(a.nbytes + 1, np.uint8)
            view = np.ndarray(a.shape, a.dtype, buffer=raw, offset=1)
            view[...] = a
            return view, "misaligned"
        if r < 0.93:
            b = a.copy()
            b.setflags(write=False)
            return b, "read-only"
        return a, "C"

    def values(self, shape, dtype):
        return self.np.uniform(-1, 1, shape).astype(dtype)

    # ---- argument forms -----------------------------------------------------------------------------------
    def conv2d_sequence(self, h, w, nchw, default_ok):
        forms = [[h, w], (h, w), np.array([h, w]), [np.int64(h), np.int32(w)],
                 [1, 1, h, w] if nchw else [1, h, w, 1]]
        if h == w:
            forms += [h, [h], np.int16(h), (h,)]
            if h == 1 and default_ok:
                forms.append(None)
        return self.r.choice(forms)

    def depthwise_strides(self, h, w, nchw):
        four = [1, 1, h, w] if nchw else [1, h, w, 1]
        return self.r.choice([four, tuple(four), [np.int64(v) for v in four]])

    def depthwise_dilations(self, h, w, nchw):
        forms = [[h, w], (h, w), [1, 1, h, w] if nchw else [1, h, w, 1]]
        if h == w == 1:
            forms.append(None)
        return self.r.choice(forms)

    def padding(self, mode, pads, nchw):
        if mode != "EXPLICIT":
            return mode
        (t, b), (l, rr) = pads
        pairs = [[0, 0], [0, 0], [t, b], [l, rr]] if nchw else [[0, 0], [t, b], [l, rr], [0, 0]]
        return self.r.choice([pairs, [tuple(p) for p in pairs], tuple(pairs)])

    # ---- a valid configuration ----------------------------------------------------------------------------
    def config(self):
        r = self.r
        op = r.choice(["conv2d", "depthwise"])
        fmt = r.choice(["NHWC", "NHWC", "NCHW", None])
        cfg = dict(op=op, fmt=fmt, nchw=fmt == "NCHW", dtype=r.choice([F32, F64]),
                   n=r.choice([0, 1, 1, 2]), h=r.randint(0, 6), w=r.randint(0, 6),
                   kh=r.randint(1, 3), kw=r.randint(1, 3),
                   s=(r.randint(1, 3), r.randint(1, 3)), d=(r.choice([1, 1, 2, 3]), r.choice([1, 1, 2, 3])),
                   mode=r.choice(["SAME", "VALID", "EXPLICIT"]),
                   pads=((r.randint(0, 2), r.randint(0, 2)), (r.randint(0, 2), r.randint(0, 2))), lead=())
        if op == "conv2d":
            groups = r.choice([1, 1, 2])
            cpg = r.randint(1, 3)
            cfg.update(c=groups * cpg, cpg=cpg, cout=groups * r.choice([0, 1, 1, 2]))
            if r.random() < 0.15:
                cfg["lead"] = (r.randint(0, 2),)
        else:
            cfg.update(c=r.randint(1, 3), m=r.choice([0, 1, 1, 2]))
            if max(cfg["s"]) > 1 and max(cfg["d"]) > 1:
                cfg["d" if r.random() < 0.5 else "s"] = (1, 1)
        return cfg

    def arrays(self, cfg):
        nhwc = cfg["lead"] + (cfg["n"], cfg["h"], cfg["w"], cfg["c"])
        x = self.values(nhwc, cfg["dtype"])
        fshape = (cfg["kh"], cfg["kw"], cfg["c"], cfg["m"]) if cfg["op"] == "depthwise" else (
            cfg["kh"], cfg["kw"], cfg["cpg"], cfg["cout"])
        w = self.values(fshape, cfg["dtype"])
        return x, w


def model(cfg, x_nhwc, w):
    """The outcome TensorFlow gives: ('error', why) or ('ok', nhwc output array). Shapes from the arrays."""
    op = cfg["op"]
    if x_nhwc.ndim < 4 or (op == "depthwise" and x_nhwc.ndim != 4):
        return "error", "input rank"
    if w.ndim != 4:
        return "error", "filter rank"
    c = x_nhwc.shape[-1]
    kh, kw, fdepth, fout = w.shape
    if op == "conv2d":
        if fdepth <= 0:
            return "error", "filter depth 0"
        if c % fdepth:
            return "error", "input depth not divisible"
    elif c != fdepth:
        return "error", "depth mismatch"
    h, wd = x_nhwc.shape[-3], x_nhwc.shape[-2]
    (t, b), (l, rr) = cfg["pads"] if cfg["mode"] == "EXPLICIT" else ((0, 0), (0, 0))
    oh, t, b = windowed(h, kh, cfg["s"][0], cfg["d"][0], cfg["mode"], t, b)
    ow, l, rr = windowed(wd, kw, cfg["s"][1], cfg["d"][1], cfg["mode"], l, rr)
    if oh is None or ow is None:
        return "error", "negative output size"
    cout = c * fout if op == "depthwise" else fout
    lead = x_nhwc.shape[:-3]
    out_shape = lead + (oh, ow, cout)
    out_empty, in_empty = math.prod(out_shape) == 0, x_nhwc.size == 0
    if not out_empty and not in_empty:
        if w.size == 0:
            return "error", "filter with zero elements"
        if op == "conv2d":
            groups = c // fdepth
            if fout % groups or fout < groups:
                return "error", "output depth not divisible by groups"
    if out_empty or in_empty:
        return "ok", np.zeros(out_shape)
    flat = x_nhwc.reshape((-1,) + x_nhwc.shape[-3:])
    out = reference(op, flat, w, cfg["s"], cfg["d"], ((t, b), (l, rr)))
    return "ok", out.reshape(out_shape)


def to_format(a_nhwc, nchw):
    return np.moveaxis(a_nhwc, -1, -3) if nchw else a_nhwc


def build_call(g, cfg, x_nhwc, w, note):
    """A call for cfg with argument forms and memory layouts chosen at random, and the model's expectation."""
    r = g.r
    nchw = cfg["nchw"]
    x = np.ascontiguousarray(to_format(x_nhwc, nchw))
    x_list = r.random() < 0.08 and x.size > 0 and min(x.shape) > 0
    w_list = (r.random() < 0.06 or (x_list and r.random() < 0.3)) and w.size > 0 and min(w.shape) > 0
    # Nested Python lists become float32, or take the other operand's dtype (tf.convert_to_tensor's rule).
    dtype = F32 if x_list and w_list else (w.dtype if x_list else x.dtype)
    x_arg, x_layout = (x.tolist(), "list") if x_list else g.layout(x)
    w_arg, w_layout = (w.tolist(), "list") if w_list else g.layout(w)
    kwargs = {}
    if cfg["op"] == "conv2d":
        kwargs["strides"] = g.conv2d_sequence(*cfg["s"], nchw, default_ok=True)
        kwargs["padding"] = g.padding(cfg["mode"], cfg["pads"], nchw)
        if cfg["fmt"] is not None or r.random() < 0.5:
            kwargs["data_format"] = cfg["fmt"]
        if cfg["d"] != (1, 1) or r.random() < 0.5:
            kwargs["dilations"] = g.conv2d_sequence(*cfg["d"], nchw, default_ok=True)
    else:
        kwargs["strides"] = g.depthwise_strides(*cfg["s"], nchw)
        kwargs["padding"] = g.padding(cfg["mode"], cfg["pads"], nchw)
        if cfg["fmt"] is not None or r.random() < 0.5:
            kwargs["data_format"] = cfg["fmt"]
        if cfg["d"] != (1, 1) or r.random() < 0.5:
            kwargs["dilations"] = g.depthwise_dilations(*cfg["d"], nchw)
    if r.random() < 0.1:
        kwargs["name"] = r.choice(["conv", None, "x/y"])
    outcome, value = model(cfg, to_format_inverse(x.astype(dtype), nchw), w.astype(dtype))
    layouts = f"{note}; x={x_layout} w={w_layout}"
    if outcome == "error":
        return Case(cfg["op"], x_arg, w_arg, kwargs, "error", f"{layouts}; {value}")
    terms = w.shape[0] * w.shape[1] * (w.shape[2] if cfg["op"] == "conv2d" else 1)
    tolerance = (1e-5 if dtype == F32 else 1e-12) * max(terms, 1)
    case = Case(cfg["op"], x_arg, w_arg, kwargs, "valid", layouts, to_format(value, nchw), tolerance)
    case.dtype = np.dtype(dtype)
    return case


def to_format_inverse(a, nchw):
    return np.moveaxis(a, -3, -1) if nchw else a


# ---- mutations: (name, function(g, cfg, case) -> (kwargs changes or arrays), expectation) ----------------------

def sp(cfg, h, w):
    """A 4-value attribute in the case's data_format order with spatial values h, w."""
    return [1, 1, h, w] if cfg["nchw"] else [1, h, w, 1]


def explicit(cfg, pairs_hw, batch=(0, 0), channel=(0, 0)):
    (t, b), (l, rr) = pairs_hw
    return [list(batch), list(channel), [t, b], [l, rr]] if cfg["nchw"] else [list(batch), [t, b], [l, rr], list(channel)]


def mutations(cfg):
    """Argument-form mutations: (description, kwargs update, expectation) valid for this configuration."""
    op, conv = cfg["op"], cfg["op"] == "conv2d"
    out = []
    if conv:
        for value in (0, -1, [0, 1], [1, -2], sp(cfg, 0, 1), sp(cfg, 1, -3), 2**70, -2**70, 2**63, 2**31,
                      1.5, 2.0, "1", "SAME", [1, 2, 3], [], [1, 1, 1, 1, 1], [[1], [1]], [1.0, 1.0],
                      [1, 1, 1, 2] if not cfg["nchw"] else [1, 2, 1, 1], [2, 1, 1, 1], np.float32(1), object()):
            out.append((f"strides={value!r}", {"strides": value}, "error"))
        for value in (True, b"\x01", {1}, {1: 0}, np.array([1])):
            out.append((f"strides={value!r} (TensorFlow list()s it)", {"strides": value}, "either"))
        for value in (0, -1, [1, 0], sp(cfg, 0, 1), 2**70, 2**31, 1.5, "2", [1, 1, 1], [[2], [2]],
                      [2, 1, 1, 1], [1, 1, 1, 2] if not cfg["nchw"] else [1, 2, 1, 1]):
            out.append((f"dilations={value!r}", {"dilations": value}, "error"))
    else:
        for value in (None, 1, 2, [1, 1], [1, 1, 1], np.array(sp(cfg, 1, 1)), "1111", sp(cfg, 0, 1),
                      sp(cfg, 1, -1), [2, 1, 1, 1], [1, 1, 1, 2] if not cfg["nchw"] else [1, 2, 1, 1],
                      sp(cfg, 2**70, 1), sp(cfg, 2**31, 1), [1.0, 1, 1, 1], [1, "1", 1, 1], [1, None, 1, 1]):
            out.append((f"strides={value!r}", {"strides": value}, "error"))
        for value in (0, 2, -1, 1.0, "22", [0, 1], [1, -1], [1, 1, 1], [2**70, 1], [2**31, 1], [1.5, 1],
                      [[1], [1]], [2, 1, 1, 1], [1, 1, 1, 2] if not cfg["nchw"] else [1, 2, 1, 1]):
            out.append((f"dilations={value!r}", {"dilations": value}, "error"))
        # Deliberate, documented refusals of inputs TensorFlow's Python wrapper mishandles (nn.py docstring).
        out.append(("single depthwise rate", {"dilations": [2]}, "either"))
        out.append(("strides>1 with dilations>1", {"strides": sp(cfg, 2, 1), "dilations": [1, 2]}, "either"))
    for value in ("same", "Valid", "SAME ", " VALID", "EXPLICIT", "explicit", "", None, 0, b"SAME", ["SAME"],
                  [[0, 0]] * 3, [[0, 0]] * 5, [[0, 0, 0]] * 4, [0] * 8, [[0, 0], [0, 0], [0, 0], 0],
                  explicit(cfg, ((0, 0), (0, 0)), channel=(0, 1)), explicit(cfg, ((0, 0), (0, 0)), batch=(1, 0)),
                  explicit(cfg, ((-1, 0), (0, 0))), explicit(cfg, ((0, 0), (0, -5))),
                  explicit(cfg, ((2**31, 0), (0, 0))), explicit(cfg, ((0, 0), (0, 2**70))),
                  explicit(cfg, ((0.5, 0), (0, 0))), explicit(cfg, (("1", 0), (0, 0))), np.zeros((4, 2), int),
                  {"SAME": 1}):
        out.append((f"padding={value!r}", {"padding": value}, "error"))
    for value in ("nhwc", "nchw", "NCW", "NHW", "NDHWC", "", "NHWC ", " NCHW", b"NHWC", 1, "NCHW_VECT_C", "HWCN",
                  ["NHWC"]):
        out.append((f"data_format={value!r}", {"data_format": value}, "error"))
    return out


def dtype_mutation(g, op, x, w):
    """Unsupported or mismatched dtypes: (x, w, note, expectation)."""
    r = g.r
    # conv2d converts its filter to the dtype of a supported input (TensorFlow's eager conversion of NumPy
    # arguments); depthwise refuses tensors of two dtypes.
    mismatched = "converted" if op == "conv2d" else "error"
    if r.random() < 0.25:
        other = F64 if x.dtype == F32 else F32
        if r.random() < 0.5:
            return x, w.astype(other), f"mismatched {x.dtype}/{other}", mismatched
        return x.astype(other), w, f"mismatched {other}/{w.dtype}", mismatched
    dt = np.dtype(r.choice([np.int32, np.int64, np.uint8, np.bool_, np.complex64, np.complex128, np.float16,
                            object, "U3", np.longdouble]))
    which = r.choice(["x", "w", "both"])
    xx = x.astype(dt) if which in ("x", "both") else x
    ww = w.astype(dt) if which in ("w", "both") else w
    # float16 on both tensors is computed (its values are checked in test_half_types.py); TensorFlow computes
    # int32 (Conv2D on CPU), which is a documented gap; object arrays of floats are converted element by element
    # by tf.convert_to_tensor. The library may refuse the last two with TypeError.
    lenient = which == "both" and (dt == np.float16 or dt == object or (dt == np.int32 and op == "conv2d"))
    if op == "conv2d" and (which == "w" or (which == "x" and dt == np.float16)):
        return xx, ww, f"dtype {dt} on {which}", "converted"
    return xx, ww, f"dtype {dt} on {which}", "either" if lenient else "error"


def shape_mutation(g, cfg, x_nhwc, w):
    """Shape changes whose outcome the model decides (an error or a result)."""
    r = g.r
    kind = r.randrange(9)
    x2, w2 = x_nhwc, w
    if kind == 0:
        x2 = x_nhwc.reshape(x_nhwc.shape[:-4] + (x_nhwc.shape[-4] * x_nhwc.shape[-3],) + x_nhwc.shape[-2:])
        note = "input rank - 1"
    elif kind == 1:
        x2 = x_nhwc[None]
        note = "input rank + 1"
    elif kind == 2:
        w2 = g.values(w.shape[:3], w.dtype)
        note = "filter rank 3"
    elif kind == 3:
        w2 = w[None]
        note = "filter rank 5"
    elif kind == 4:
        w2 = g.values(w.shape[:2] + (w.shape[2] + 1, w.shape[3]), w.dtype)
        note = "filter depth + 1"
    elif kind == 5:
        w2 = g.values((0,) + w.shape[1:] if r.random() < 0.5 else (w.shape[0], 0) + w.shape[2:], w.dtype)
        note = "filter with a zero spatial dimension"
    elif kind == 6:
        w2 = g.values((x_nhwc.shape[-3] + r.randint(2, 6),) + w.shape[1:], w.dtype)
        note = "filter taller than the input"
    elif kind == 7:
        if cfg["op"] == "conv2d" and cfg["c"] % w.shape[2] == 0 and cfg["c"] // w.shape[2] > 1:
            w2 = g.values(w.shape[:3] + (w.shape[3] + 1,), w.dtype)
            note = "output depth not a multiple of the groups"
        else:
            x2 = g.values(x_nhwc.shape[:-1] + (0,), x_nhwc.dtype)
            w2 = g.values(w.shape[:2] + (0,) + w.shape[3:], w.dtype)
            note = "zero input channels"
    else:
        x2 = g.values(x_nhwc.shape[:-3] + (0,) + x_nhwc.shape[-2:], x_nhwc.dtype)
        note = "zero input rows"
    return x2, w2, note


def generate(seed, iterations):
    g = Generator(seed)
    for index in range(iterations):
        cfg = g.config()
        x_nhwc, w = g.arrays(cfg)
        roll = g.r.random()
        if roll < 0.45:
            yield index, build_call(g, cfg, x_nhwc, w, "valid configuration")
        elif roll < 0.75:
            case = build_call(g, cfg, x_nhwc, w, "argument mutation")
            description, update, expect = g.r.choice(mutations(cfg))
            case.kwargs.update(update)
            case.expect = "error" if case.expect == "error" else expect
            case.note = f"{description}; {case.note}"
            yield index, case
        elif roll < 0.87:
            case = build_call(g, cfg, x_nhwc, w, "dtype mutation")
            x = np.ascontiguousarray(to_format(x_nhwc, cfg["nchw"]))
            case.x, case.w, note, expect = dtype_mutation(g, cfg["op"], x, w)
            case.expect = "error" if case.expect == "error" else expect
            case.note = f"{note}; {case.note}"
            yield index, case
        else:
            x2, w2, note = shape_mutation(g, cfg, x_nhwc, w)
            if x2.ndim < 4 and cfg["nchw"]:
                cfg = dict(cfg, nchw=False, fmt="NHWC")
            yield index, build_call(g, cfg, x2, w2, f"shape mutation: {note}")


# --------------------------------------------------------------------------------------------------------------
# Running.
# --------------------------------------------------------------------------------------------------------------

def call(case):
    from depthwise_interop import nn
    function = nn.conv2d if case.op == "conv2d" else nn.depthwise_conv2d
    return function(case.x, case.w, **case.kwargs)


def judge(case, result, error):
    """None if the outcome is acceptable, else what went wrong."""
    if case.expect == "converted":
        return judge_converted(case, result, error)
    if error is not None:
        if not isinstance(error, (ValueError, TypeError)):
            return f"raised {type(error).__module__}.{type(error).__name__} (not ValueError/TypeError): {error}"
        if not str(error).strip():
            return f"raised {type(error).__name__} with an empty message"
        if case.expect == "valid":
            return f"rejected valid arguments: {type(error).__name__}: {error}"
        return None
    if not isinstance(result, np.ndarray):
        return f"returned {type(result).__name__}, not an ndarray"
    if case.expect == "error":
        return f"accepted arguments TensorFlow rejects: returned {result.shape} {result.dtype}"
    if case.expect == "either":
        return None if result.dtype in (F32, F64, np.float16) and result.ndim >= 4 else f"returned {result.shape} {result.dtype}"
    expected = case.expected
    if result.shape != expected.shape:
        return f"shape {result.shape}, expected {expected.shape}"
    if result.dtype != case.dtype:
        return f"dtype {result.dtype}, expected {case.dtype}"
    if not np.allclose(result, expected, rtol=case.tolerance, atol=case.tolerance):
        worst = float(np.max(np.abs(result - expected)))
        return f"values differ from the reference by up to {worst:g} (tolerance {case.tolerance:g})"
    return None


def judge_converted(case, result, error):
    """conv2d with a filter of another dtype: the outcome of the same call with the filter converted first (NumPy's
    cast to the input's dtype, as TensorFlow's eager conversion), bit for bit, or the same exception type."""
    if error is not None and not isinstance(error, (ValueError, TypeError)):
        return f"raised {type(error).__module__}.{type(error).__name__} (not ValueError/TypeError): {error}"
    try:
        converted = np.asarray(case.w).astype(np.asarray(case.x).dtype)
    except (ValueError, TypeError):
        return None if error is not None else "accepted a filter NumPy cannot convert to the input's dtype"
    want = want_error = None
    try:
        want = call(Case(case.op, case.x, converted, case.kwargs, case.expect, case.note))
    except (ValueError, TypeError) as caught:
        want_error = caught
    if want_error is not None or error is not None:
        if type(want_error) is type(error) and str(want_error) == str(error):
            return None
        return f"raised {error!r} where the call with the filter converted first gave {want_error!r}"
    if result.dtype != want.dtype or result.shape != want.shape or not np.array_equal(result, want, equal_nan=True):
        return f"returned {result.shape} {result.dtype}, not the result with the filter converted first"
    return None


def run(seed, iterations, log=None):
    counts = {"valid": 0, "error": 0, "either": 0, "converted": 0, "returned": 0, "ValueError": 0, "TypeError": 0}
    failures = []
    started = time.perf_counter()
    g_index = 0
    for g_index, case in generate(seed, iterations):
        if log is not None:
            log.write(f"{g_index}: {case.describe()}\n")
            log.flush()
        counts[case.expect] += 1
        result = error = None
        try:
            result = call(case)
        except BaseException as caught:  # noqa: BLE001 - every exception is judged
            error = caught
        if error is None:
            counts["returned"] += 1
        elif isinstance(error, ValueError):
            counts["ValueError"] += 1
        elif isinstance(error, TypeError):
            counts["TypeError"] += 1
        problem = judge(case, result, error)
        if problem:
            failures.append(f"#{g_index} {case.describe()}: {problem}")
    return {"seed": seed, "iterations": g_index + 1, "seconds": round(time.perf_counter() - started, 3),
            "counts": counts, "failures": failures}


def test_fuzz_conv2d_and_depthwise_conv2d():
    """5,000 seeded cases, in a child process; every failure is listed with its case."""
    child = subprocess.run([sys.executable, __file__, str(SEED), str(ITERATIONS), "--json"], capture_output=True,
                           text=True, timeout=300, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    if child.returncode != 0:
        last = [line for line in child.stderr.splitlines() if line[:1].isdigit()][-1:]
        raise AssertionError(f"the fuzz child died (exit {child.returncode}) during case {last}:\n"
                             f"{child.stderr[-3000:]}")
    summary = json.loads(child.stdout.splitlines()[-1])
    print(f"\nfuzz: seed {summary['seed']}, {summary['iterations']} iterations in {summary['seconds']} s, "
          f"{summary['counts']}")
    assert summary["iterations"] >= 2000
    assert not summary["failures"], f"{len(summary['failures'])} failures:\n" + "\n".join(summary["failures"][:40])
    assert summary["seconds"] < TIME_LIMIT_SECONDS


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else SEED
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else ITERATIONS
    summary = run(seed, iterations, log=sys.stderr)
    if "--json" in sys.argv:
        print(json.dumps(summary))
    else:
        print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
        print("\n".join(summary["failures"][:100]))
        print(f"{len(summary['failures'])} failures")
