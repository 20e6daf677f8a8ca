#!/usr/bin/env python3
"""Builds conformance/fixtures/tensorflow_{values,errors,lifted}.json.

Standard library only.  Run from anywhere:

    python3 conformance/transcribe/build_tensorflow_fixtures.py [--check]

What it does
------------
* Value cases transcribed from TensorFlow's own tests
  (tensorflow/python/kernel_tests/nn_ops/conv_ops_test.py,
  tensorflow/python/kernel_tests/nn_ops/depthwise_conv_op_base.py,
  the tf.nn.depthwise_conv2d docstring in tensorflow/python/ops/nn_impl.py)
  and from tfjs's tests (tfjs-core/src/ops/conv2d_test.ts,
  tfjs-core/src/ops/depthwise_conv2d_test.ts, numbers in tfjs_literals.py).
  Inputs follow each test's own rule (TF: 1..N as float, or (1..N)/N for the
  depthwise numpy-reference tests; tfjs: the literal arrays).
* Every value case is recomputed here with an exact (rational) naive
  convolution and compared with the test's hard-coded numbers.  Hard-coded
  TF numbers must match exactly; tfjs's 6-digit literals must match within
  tfjs's own test tolerance (1e-3).  Cases whose expected values the TF test
  does not hard-code (it compares against another TF computation or a numpy
  reference) get the recomputed values and the tag "expected-by-rule".
* Error cases with TensorFlow's message texts.
* "Lifted" value cases: inputs TensorFlow refuses only because of an
  implementation limit this library lifts; expected values are computed
  exactly here.

Nothing here is copied from TensorFlow's code; only numbers, shapes, argument
values and message texts are transcribed.
"""

import json
import os
import struct
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep conformance/transcribe free of caches
import tfjs_literals as L  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

TF_CONV = "tensorflow/python/kernel_tests/nn_ops/conv_ops_test.py"
TF_DW = "tensorflow/python/kernel_tests/nn_ops/depthwise_conv_op_base.py"
TF_IMPL = "tensorflow/python/ops/nn_impl.py"
TFJS_CONV = "tfjs-core/src/ops/conv2d_test.ts"
TFJS_DW = "tfjs-core/src/ops/depthwise_conv2d_test.ts"

REPORT = {"mismatches": [], "tfjs_max_dev": 0.0, "notes": []}

# ---------------------------------------------------------------------------
# floating-point helpers
# ---------------------------------------------------------------------------


def _f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _f16(x):
    return struct.unpack("<e", struct.pack("<e", x))[0]


def _bits32(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def _from_bits32(b):
    return struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0]


def _bits16(v):
    return struct.unpack("<H", struct.pack("<e", v))[0]


def _from_bits16(b):
    return struct.unpack("<e", struct.pack("<H", b & 0xFFFF))[0]


def _neighbours(v, dtype):
    """v and its two neighbours in the format (finite values only)."""
    if dtype == "float32":
        bits, frm = _bits32, _from_bits32
    else:
        bits, frm = _bits16, _from_bits16
    out = [v]
    b = bits(v)
    for nb in (b + 1, b - 1):
        try:
            w = frm(nb)
        except (OverflowError, struct.error):
            continue
        if w == w and abs(w) != float("inf"):
            out.append(w)
    if v == 0.0:  # both signs of the smallest subnormal
        out.append(frm(1))
        out.append(-frm(1))
    return out


def round_to(q, dtype):
    """Correctly rounded (nearest, ties to even) value of rational q."""
    q = Fraction(q)
    d = float(q)
    if dtype == "float64":
        return d
    c = _f32(d) if dtype == "float32" else _f16(d)
    best = None
    for cand in _neighbours(c, dtype):
        err = abs(Fraction(cand) - q)
        if best is None or err < best[0]:
            best = (err, cand)
        elif err == best[0]:
            bits = _bits32 if dtype == "float32" else _bits16
            if bits(cand) % 2 == 0:
                best = (err, cand)
    return best[1]


def fmt_number(v, dtype):
    """JSON number: int if integral, else the shortest decimal that reads back
    to v both directly (decimal -> dtype) and via a double."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if float(v).is_integer() and abs(v) < 2 ** 53:
        return int(v)
    if dtype == "float64":
        return float(v)
    for p in range(1, 18):
        s = format(v, ".%dg" % p)
        if round_to(Fraction(s), dtype) != v:
            continue
        via = _f32(float(s)) if dtype == "float32" else _f16(float(s))
        if via != v:
            continue
        return float(s)  # json.dumps(float) prints repr(); check below
    return float(v)


def _check_fmt(vals, dtype):
    # json.dumps writes repr(float(s)); make sure that still reads back.
    for v in vals:
        if isinstance(v, float):
            r = Fraction(repr(v))
            if dtype != "float64":
                assert round_to(r, dtype) == (_f32(v) if dtype == "float32"
                                              else _f16(v))


def cast(vals, dtype):
    if dtype == "float32":
        return [_f32(float(v)) for v in vals]
    if dtype == "float16":
        return [_f16(float(v)) for v in vals]
    if dtype == "float64":
        return [float(v) for v in vals]
    return [int(v) for v in vals]  # integer dtypes (error cases only)


def prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# ---------------------------------------------------------------------------
# layout helpers
# ---------------------------------------------------------------------------


def nhwc_to_nchw(vals, shape):
    n, h, w, c = shape
    out = [0] * len(vals)
    for b in range(n):
        for y in range(h):
            for x in range(w):
                for ch in range(c):
                    out[((b * c + ch) * h + y) * w + x] = \
                        vals[((b * h + y) * w + x) * c + ch]
    return out, [n, c, h, w]


def to_layout4(lst_nhwc, data_format):
    """A 4-list given in NHWC order, rewritten in data_format order."""
    if data_format == "NCHW":
        return [lst_nhwc[0], lst_nhwc[3], lst_nhwc[1], lst_nhwc[2]]
    return list(lst_nhwc)


# ---------------------------------------------------------------------------
# reference convolution (exact, rational)
# ---------------------------------------------------------------------------


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def out_size_and_pads(in_size, k, stride, dilation, padding):
    """TensorFlow's GetWindowedOutputSizeVerbose rule (C++ truncating
    division).  padding: "SAME", "VALID" or (before, after)."""
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        out, pb, pa = trunc_div(in_size - eff + stride, stride), 0, 0
    elif padding == "SAME":
        out = trunc_div(in_size + stride - 1, stride)
        need = max(0, (out - 1) * stride + eff - in_size)
        pb = need // 2
        pa = need - pb
    else:
        pb, pa = padding
        out = trunc_div(in_size + pb + pa - eff + stride, stride)
    if out < 0:
        raise ValueError("Computed output size would be negative: %d "
                         "[input_size: %d, effective_filter_size: %d, "
                         "stride: %d]" % (out, in_size, eff, stride))
    return out, pb, pa


def ref_conv_nhwc(x, xs, f, fs, strides, dilations, padding):
    """Grouped conv2d, NHWC input, HWIO filter, exact arithmetic.

    padding: "SAME" / "VALID" / ((pt, pb), (pl, pr)).
    Returns (values, shape, abs_sums, all_integral)."""
    n, h, w, c = xs
    kh, kw, ci, co = fs
    assert ci > 0 and c % ci == 0, "bad grouping"
    g = c // ci
    assert co % g == 0, "bad grouping"
    cog = co // g
    sh, sw = strides
    dh, dw = dilations
    if isinstance(padding, str):
        ph = pw = padding
    else:
        ph, pw = tuple(padding[0]), tuple(padding[1])
    oh, pt, _ = out_size_and_pads(h, kh, sh, dh, ph)
    ow, pl, _ = out_size_and_pads(w, kw, sw, dw, pw)
    integral = all(float(v).is_integer() for v in x) and \
        all(float(v).is_integer() for v in f)
    conv = int if integral else Fraction
    X = [conv(v) for v in x]
    F = [conv(v) for v in f]
    out, sums = [], []
    for b in range(n):
        for oy in range(oh):
            for ox in range(ow):
                for o in range(co):
                    grp = o // cog
                    acc = 0
                    asum = 0
                    for ky in range(kh):
                        iy = oy * sh - pt + ky * dh
                        if iy < 0 or iy >= h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pl + kx * dw
                            if ix < 0 or ix >= w:
                                continue
                            xb = ((b * h + iy) * w + ix) * c + grp * ci
                            fb = ((ky * kw + kx) * ci) * co + o
                            for i in range(ci):
                                p = X[xb + i] * F[fb + i * co]
                                acc += p
                                asum += abs(p)
                    out.append(acc)
                    sums.append(asum)
    return out, [n, oh, ow, co], sums, integral


def ref_depthwise_nhwc(x, xs, f, fs, strides, dilations, padding):
    kh, kw, c, m = fs
    assert xs[3] == c
    # depthwise == grouped conv with filter [kh, kw, 1, c*m]; same flat order
    return ref_conv_nhwc(x, xs, f, [kh, kw, 1, c * m], strides, dilations,
                         padding)


# ---------------------------------------------------------------------------
# case construction
# ---------------------------------------------------------------------------

LIMIT = {"float16": 2048, "float32": 2 ** 24, "float64": 2 ** 53}


def tensor(shape, vals, dtype):
    out = [fmt_number(v, dtype) for v in vals]
    _check_fmt(out, dtype)
    return {"shape": list(shape), "values": out}


def make_tags(op, layout, padding, strides, dilations, fs, xs, dtype,
              extra=()):
    tags = [layout]
    if isinstance(padding, str):
        tags.append(padding)
    else:
        tags.append("explicit")
    sh, sw = strides
    tags.append("stride%d" % sh if sh == sw else "stride%dx%d" % (sh, sw))
    dh, dw = dilations
    tags.append("dilation%d" % dh if dh == dw else "dilation%dx%d" % (dh, dw))
    tags.append("k%dx%d" % (fs[0], fs[1]))
    if op == "depthwise_conv2d":
        tags.append("multiplier%d" % fs[3])
    else:
        if fs[2] > 0 and xs[3] // fs[2] > 1:
            tags.append("groups%d" % (xs[3] // fs[2]))
    tags.append("batch%d" % xs[0])
    if 0 in xs or 0 in fs:
        tags.append("zero-size")
    tags.append(dtype)
    tags.extend(extra)
    return tags


def value_case(cid, op, xs, x, fs, f, strides, dilations, padding,
               data_format, dtype, provenance, literal=None,
               literal_kind="exact", extra_tags=(), args_override=None,
               want_exact=None):
    """xs/x in NHWC; strides/dilations (h, w); padding "SAME"/"VALID"/
    [[pt,pb],[pl,pr]].  Returns the case dict or None (float16 not exact)."""
    xv = cast(x, dtype)
    fv = cast(f, dtype)
    ref = ref_depthwise_nhwc if op == "depthwise_conv2d" else ref_conv_nhwc
    vals, oshape, sums, integral = ref(xv, xs, fv, fs, strides, dilations,
                                       padding)
    exact = integral and all(s <= LIMIT[dtype] for s in sums)
    if dtype == "float16" and not exact:
        return None
    if want_exact is not None:
        assert want_exact == exact, cid
    expected = [round_to(Fraction(v), dtype) for v in vals]
    # cross-check against the test's own numbers
    if literal is not None:
        assert len(literal) == len(vals), (cid, len(literal), len(vals))
        for i, (lit, got) in enumerate(zip(literal, vals)):
            if literal_kind == "exact":
                if Fraction(lit) != Fraction(got):
                    REPORT["mismatches"].append((cid, i, lit, float(got)))
            else:
                dev = abs(float(lit) - float(got))
                REPORT["tfjs_max_dev"] = max(REPORT["tfjs_max_dev"], dev)
                if dev > 1e-3:
                    REPORT["mismatches"].append((cid, i, lit, float(got)))
    # layout
    xin, xshape = xv, xs
    exp, eshape = expected, oshape
    if data_format == "NCHW":
        xin, xshape = nhwc_to_nchw(xv, xs)
        exp, eshape = nhwc_to_nchw(expected, oshape)
    # args in tf.nn form
    if args_override is not None:
        args = args_override
    else:
        s4 = to_layout4([1, strides[0], strides[1], 1], data_format)
        if isinstance(padding, str):
            pad = padding
        else:
            pad = to_layout4([[0, 0], list(padding[0]), list(padding[1]),
                              [0, 0]], data_format)
        args = {"strides": s4, "padding": pad, "data_format": data_format}
        if op == "conv2d":
            args["dilations"] = to_layout4([1, dilations[0], dilations[1], 1],
                                           data_format)
        else:
            args["dilations"] = (None if tuple(dilations) == (1, 1)
                                 else [dilations[0], dilations[1]])
    tags = make_tags(op, data_format, padding, strides, dilations, fs, xs,
                     dtype, extra_tags)
    return {
        "id": cid,
        "op": op,
        "args": args,
        "dtype": dtype,
        "input": tensor(xshape, xin, dtype),
        "filter": tensor(fs, fv, dtype),
        "expected": tensor(eshape, exp, dtype),
        "tolerance": "exact" if exact else "summation",
        "provenance": provenance,
        "tags": tags,
    }


def seq(shape, scale=None):
    """TF's test input rule: 1..N (as float), or (1..N)/N when scale='N'."""
    n = prod(shape)
    if scale is None:
        return list(range(1, n + 1))
    return [Fraction(i, n) for i in range(1, n + 1)]


# ---------------------------------------------------------------------------
# TensorFlow value cases
# ---------------------------------------------------------------------------


def tf_value_cases():
    cases = []

    def add(c):
        if c is not None:
            cases.append(c)

    conv_dtypes = ["float32", "float64", "float16"]  # _DtypesToTest (CPU)
    layouts = ["NHWC", "NCHW"]  # GetTestConfigs (NCHW = its GPU path)

    # --- Conv2DTest._VerifyValues with hard-coded expected outputs --------
    hard = [
        ("testConv2D1x1Filter", None, [1, 2, 3, 3], [1, 1, 3, 3], [1, 1],
         "VALID",
         [30, 36, 42, 66, 81, 96, 102, 126, 150, 138, 171, 204, 174, 216,
          258, 210, 261, 312]),
        ("testConv2DEmpty", None, [0, 2, 3, 3], [1, 1, 3, 3], [1, 1],
         "VALID", []),
        ("testConv2D2x2Filter", None, [1, 2, 3, 3], [2, 2, 3, 3], [1, 1],
         "VALID", [2271, 2367, 2463, 2901, 3033, 3165]),
        ("testConv2D1x2Filter", None, [1, 2, 3, 3], [1, 2, 3, 3], [1, 1],
         "VALID",
         [231, 252, 273, 384, 423, 462, 690, 765, 840, 843, 936, 1029]),
        ("testConv2D2x2FilterStride2", None, [1, 2, 3, 3], [2, 2, 3, 3],
         [2, 2], "VALID", [2271, 2367, 2463]),
        ("testConv2D2x2FilterStride2Same", None, [1, 2, 3, 3], [2, 2, 3, 3],
         [2, 2], "SAME", [2271, 2367, 2463, 1230, 1305, 1380]),
        ("testConv2D2x2FilterStride1x2", None, [1, 3, 6, 1], [2, 2, 1, 1],
         [1, 2], "VALID", [58, 78, 98, 118, 138, 158]),
        ("testConv2DKernelSmallerThanStrideValid", None, [1, 7, 7, 1],
         [2, 2, 1, 1], [3, 3], "VALID", [65, 95, 275, 305]),
        ("testConv2DKernelSmallerThanStrideSame", 1, [1, 3, 3, 1],
         [1, 1, 1, 1], [2, 2], "SAME", [1, 3, 7, 9]),
        ("testConv2DKernelSmallerThanStrideSame", 2, [1, 4, 4, 1],
         [1, 1, 1, 1], [2, 2], "SAME", [1, 3, 9, 11]),
        ("testConv2DKernelSmallerThanStrideSame", 3, [1, 4, 4, 1],
         [2, 2, 1, 1], [3, 3], "SAME", [44, 28, 41, 16]),
        ("testConv2DKernelSizeMatchesInputSize", None, [1, 2, 2, 1],
         [2, 2, 1, 2], [1, 1], "VALID", [50, 60]),
        ("testConv2dOnlyPaddingReturnsZeros", None, [1, 0, 2, 1],
         [1, 1, 1, 1], [1, 1], [[1, 1], [1, 1]], [0] * 8),
    ]
    for test, call, xs, fs, st, pad, lit in hard:
        for lay in layouts:
            for dt in conv_dtypes:
                cid = "tensorflow/conv2d/conv_ops_test/%s%s/%s/%s" % (
                    test, "/call%d" % call if call else "", lay, dt)
                add(value_case(cid, "conv2d", xs, seq(xs), fs, seq(fs), st,
                               (1, 1), pad, lay, dt,
                               "tensorflow %s:%s" % (TF_CONV, test),
                               literal=lit, extra_tags=["hard-coded"]))

    # --- _VerifyExplicitPaddings: expected = VALID conv2d of tf.pad(input)
    explicit = [
        ("testConv2D0x0Padding", [1, 2, 3, 3], [2, 2, 3, 3], [1, 1],
         [[0, 0], [0, 0]], (1, 1)),
        ("testConv2D0x0Padding", [3, 4, 3, 2], [1, 1, 2, 1], [2, 2],
         [[0, 0], [0, 0]], (1, 1)),
        ("testConv2D1x1Padding", [1, 2, 3, 2], [2, 2, 2, 2], [1, 1],
         [[1, 1], [1, 1]], (1, 1)),
        ("testConv2D1x1Padding", [1, 2, 2, 1], [1, 1, 1, 2], [1, 1],
         [[1, 1], [1, 1]], (1, 1)),
        ("testConv2D2x2Padding", [1, 2, 1, 2], [2, 1, 2, 1], [1, 1],
         [[2, 2], [2, 2]], (1, 1)),
        ("testConv2D2x2Padding", [1, 2, 1, 2], [1, 1, 2, 1], [2, 1],
         [[2, 2], [2, 2]], (1, 1)),
        ("testConv2DOnlyBottomPadding", [1, 2, 3, 3], [2, 2, 3, 2], [1, 1],
         [[0, 3], [0, 0]], (1, 1)),
        ("testConv2DOnlyBottomPadding", [2, 2, 4, 3], [1, 2, 3, 2], [2, 2],
         [[0, 3], [0, 0]], (1, 1)),
        ("testConv2DOnlyTopRightPadding", [1, 2, 3, 3], [2, 2, 3, 2], [1, 1],
         [[1, 0], [0, 2]], (1, 1)),
        ("testConv2DOnlyTopRightPadding", [1, 2, 4, 2], [2, 2, 2, 2], [1, 3],
         [[1, 0], [0, 2]], (1, 1)),
        ("testConv2DLotsPadding", [1, 1, 1, 3], [2, 2, 3, 3], [1, 1],
         [[3, 4], [4, 2]], (1, 1)),
        ("testConv2DLotsPadding", [1, 2, 1, 1], [2, 2, 1, 3], [2, 1],
         [[3, 4], [4, 2]], (1, 1)),
        ("testConv2DExplicitPaddingWithDilations", [1, 3, 2, 1],
         [1, 2, 1, 2], [1, 1], [[1, 0], [0, 1]], (2, 1)),
        ("testConv2DExplicitPaddingWithDilations", [1, 2, 3, 2],
         [3, 2, 2, 1], [1, 1], [[2, 1], [1, 2]], (2, 3)),
    ]
    calls = {}
    for test, xs, fs, st, pad, dil in explicit:
        calls[test] = calls.get(test, 0) + 1
        for lay in layouts:
            for dt in conv_dtypes:
                cid = "tensorflow/conv2d/conv_ops_test/%s/call%d/%s/%s" % (
                    test, calls[test], lay, dt)
                add(value_case(cid, "conv2d", xs, seq(xs), fs, seq(fs), st,
                               dil, pad, lay, dt,
                               "tensorflow %s:%s" % (TF_CONV, test),
                               extra_tags=["expected-by-rule"]))

    # --- _VerifyDilatedConvValues: expected = tf.nn.convolution (float32) -
    dilated = [
        ("testConv2D2x2Filter2x1Dilation", [1, 4, 4, 1], [2, 2, 1, 1],
         (2, 1)),
        ("testConv2DEmptyDilation", [0, 2, 3, 3], [1, 1, 3, 3], (2, 1)),
        ("testConv2D2x2FilterDilation", [1, 2, 3, 3], [2, 2, 3, 3], (1, 2)),
        ("testConv2D1x2FilterDilation", [1, 2, 3, 3], [1, 2, 3, 3], (2, 1)),
        ("testConv2DKernelSizeMatchesInputSizeDilation", [1, 3, 3, 1],
         [2, 2, 1, 2], (2, 2)),
    ]
    for test, xs, fs, dil in dilated:
        for lay in layouts:
            cid = "tensorflow/conv2d/conv_ops_test/%s/%s/float32" % (test, lay)
            add(value_case(cid, "conv2d", xs, seq(xs), fs, seq(fs), (1, 1),
                           dil, "VALID", lay, "float32",
                           "tensorflow %s:%s" % (TF_CONV, test),
                           extra_tags=["expected-by-rule"]))

    # --- testConv2DExpandedBatch: rank-5 input [2,5,2,3,3] == [10,2,3,3] ---
    xs10 = [10, 2, 3, 3]
    fs = [1, 1, 3, 3]
    c = value_case("tensorflow/conv2d/conv_ops_test/testConv2DExpandedBatch/"
                   "NHWC/float32", "conv2d", xs10, seq(xs10), fs, seq(fs),
                   (1, 1), (1, 1), "VALID", "NHWC", "float32",
                   "tensorflow %s:testConv2DExpandedBatch" % TF_CONV,
                   extra_tags=["expected-by-rule", "batch-shape-rank5"],
                   args_override={"strides": [1, 1], "padding": "VALID"})
    c["input"]["shape"] = [2, 5, 2, 3, 3]
    c["expected"]["shape"] = [2, 5, 2, 3, 3]
    c["tags"] = [t for t in c["tags"] if t != "batch10"] + ["batch2x5"]
    add(c)

    # --- depthwise: hand values ------------------------------------------
    dw_lit = [196, 216, 272, 296, 252, 280, 344, 376]
    add(value_case(
        "tensorflow/depthwise_conv2d/conv_ops_test/DepthwiseConv2DTest."
        "testConv2D2x2Filter/NHWC/float32", "depthwise_conv2d",
        [1, 2, 3, 2], seq([1, 2, 3, 2]), [2, 2, 2, 2], seq([2, 2, 2, 2]),
        (1, 1), (1, 1), "VALID", "NHWC", "float32",
        "tensorflow %s:DepthwiseConv2DTest.testConv2D2x2Filter" % TF_CONV,
        literal=dw_lit, extra_tags=["hard-coded"]))
    add(value_case(
        "tensorflow/depthwise_conv2d/depthwise_conv_op_base/"
        "testConv2D2x2Filter/NHWC/float32", "depthwise_conv2d",
        [1, 2, 3, 2], seq([1, 2, 3, 2]), [2, 2, 2, 2], seq([2, 2, 2, 2]),
        (1, 1), (1, 1), "VALID", "NHWC", "float32",
        "tensorflow %s:DepthwiseConv2DBase.testConv2D2x2Filter" % TF_DW,
        literal=dw_lit, extra_tags=["hard-coded"]))

    # --- depthwise: tf.nn.depthwise_conv2d docstring "Usage Example" -----
    dx = [1, 2, 3, 4, 5, 6]
    dk = [1, 2, 3, 4]
    add(value_case(
        "tensorflow/depthwise_conv2d/nn_impl_docstring/VALID/NHWC/float32",
        "depthwise_conv2d", [1, 3, 2, 1], dx, [2, 1, 1, 2], dk, (1, 1),
        (1, 1), "VALID", "NHWC", "float32",
        "tensorflow %s:depthwise_conv2d_v2 (docstring usage example 1)"
        % TF_IMPL, literal=[10, 14, 14, 20, 18, 26, 22, 32],
        extra_tags=["hard-coded"]))
    add(value_case(
        "tensorflow/depthwise_conv2d/nn_impl_docstring/explicit/NHWC/float32",
        "depthwise_conv2d", [1, 3, 2, 1], dx, [2, 1, 1, 2], dk, (1, 1),
        (1, 1), [[1, 0], [1, 0]], "NHWC", "float32",
        "tensorflow %s:depthwise_conv2d_v2 (docstring usage example 2)"
        % TF_IMPL,
        literal=[0, 0, 3, 4, 6, 8, 0, 0, 10, 14, 14, 20, 0, 0, 18, 26, 22,
                 32], extra_tags=["hard-coded"]))

    # --- depthwise: testDepthwiseConv2DExplicit small configs ------------
    # inputs (1..N)/N and (1..M)/M, compared by TF with a numpy reference.
    dw_explicit = [
        ([5, 29, 31, 1], [5, 4, 1, 2], [5, 26, 23, 2], 1, [[3, 2], [1, 0]],
         (2, 3), 7),
        ([4, 5, 5, 48], [3, 3, 48, 1], [4, 5, 5, 48], 1, [[0, 2], [0, 2]],
         (1, 1), 8),
        ([1, 8, 7, 2], [8, 7, 2, 1], [1, 8, 7, 2], 1, [[0, 7], [3, 3]],
         (1, 1), 9),
        ([2, 4, 3, 2], [3, 2, 2, 1], [2, 4, 3, 2], 1, [[2, 0], [1, 0]],
         (1, 1), 10),
    ]
    for xs, fs, outs, st, pad, dil, idx in dw_explicit:
        for lay in layouts:
            for dt in ["float32", "float64"]:
                cid = ("tensorflow/depthwise_conv2d/depthwise_conv_op_base/"
                       "testDepthwiseConv2DExplicit/config%d/%s/%s"
                       % (idx, lay, dt))
                c = value_case(cid, "depthwise_conv2d", xs, seq(xs, "N"),
                               fs, seq(fs, "N"), (st, st), dil, pad, lay, dt,
                               "tensorflow %s:testDepthwiseConv2DExplicit"
                               % TF_DW, extra_tags=["expected-by-rule"])
                want = outs if lay == "NHWC" else \
                    [outs[0], outs[3], outs[1], outs[2]]
                assert c["expected"]["shape"] == want, (cid, want)
                add(c)
    return cases


# ---------------------------------------------------------------------------
# tfjs value cases
# ---------------------------------------------------------------------------


def _stack_c(tlist):
    """tf.stack([T_c as [2,2]], 2).expandDims(3) -> flat [2,2,C,1]."""
    out = []
    for pos in range(4):
        for t in tlist:
            out.append(t[pos])
    return out


def tfjs_value_cases():
    cases = []

    def add(c):
        if c is not None:
            cases.append(c)

    def dw(name, xs, x, fs, f, s, d, pad, lit=None, kind="approx",
           extra=(), prov=None, idsuffix=""):
        cid = "tfjs/depthwise_conv2d/%s%s/NHWC/float32" % (name, idsuffix)
        tags = ["hard-coded"] if lit is not None else ["expected-by-rule"]
        add(value_case(cid, "depthwise_conv2d", xs, x, fs, f, (s, s), (d, d),
                       pad, "NHWC", "float32",
                       prov or "tfjs %s:%s" % (TFJS_DW, name), literal=lit,
                       literal_kind=kind, extra_tags=tags + list(extra)))

    X3, W2 = L.X_1x3x3x1, L.W_2x2x1x1
    X5, W3 = L.X_1x5x5x1, L.W_3x3x1x1
    dw("input=1x3x3x1,f=2,s=1,d=1,p=valid,chMul=1", [1, 3, 3, 1], X3,
       [2, 2, 1, 1], W2, 1, 1, "VALID", L.DW_1x3x3x1_VALID_EXPECTED)
    dw("input=1x3x3x1,f=2,s=1,d=1,p=explicit,chMul=1", [1, 3, 3, 1], X3,
       [2, 2, 1, 1], W2, 1, 1, [[1, 2], [0, 1]],
       L.DW_1x3x3x1_EXPLICIT_EXPECTED)
    dw("input=1x5x5x1,f=3,s=1,d=1,p=valid,chMul=1", [1, 5, 5, 1], X5,
       [3, 3, 1, 1], W3, 1, 1, "VALID", L.DW_1x5x5x1_VALID_EXPECTED)
    # dilation tests: expected = depthwise with a zero-dilated filter
    dw("input=1x3x3x1,f=2,s=1,d=2,p=valid,chMul=1", [1, 3, 3, 1], X3,
       [2, 2, 1, 1], W2, 1, 2, "VALID")
    dw("input=1x5x5x1,f=3,s=1,d=2,p=valid,chMul=1", [1, 5, 5, 1], X5,
       [3, 3, 1, 1], W3, 1, 2, "VALID")
    dw("input=1x5x5x1,f=2,s=1,d=4,p=valid,chMul=1", [1, 5, 5, 1], X5,
       [2, 2, 1, 1], L.W_2x2x1x1_B, 1, 4, "VALID")
    dw("input=1x3x3x2,f=2,s=1,d=1,p=same,chMul=1", [1, 3, 3, 2],
       L.X_1x3x3x2, [2, 2, 2, 1], L.W_2x2x2x1_FLAT, 1, 1, "SAME",
       L.DW_1x3x3x2_SAME_EXPECTED)
    dw("input=1x5x5x1,f=3,s=1,d=1,p=same,chMul=1", [1, 5, 5, 1], X5,
       [3, 3, 1, 1], W3, 1, 1, "SAME", L.DW_1x5x5x1_SAME_EXPECTED)
    dw("input=1x3x3x2,f=2,s=1,d=2,p=same,chMul=1", [1, 3, 3, 2],
       L.X_1x3x3x2, [2, 2, 2, 1], _stack_c([L.W_STACK_T0, L.W_STACK_T1]),
       1, 2, "SAME")
    # NB: this test's body uses no dilation despite "d=2" in its name (the
    # older source copy also said "p=same"; 4.22.0 says "p=valid").
    # (4.22.0 has two it() blocks with this name; this is the second one)
    dw("input=1x5x5x1,f=3,s=1,d=2,p=valid,chMul=1", [1, 5, 5, 1], X5,
       [3, 3, 1, 1], W3, 1, 1, "VALID", L.DW_1x5x5x1_VALID_EXPECTED,
       extra=["test-name-mislabelled"], idsuffix="/second-it-of-this-name")
    dw("input=1x5x5x4,f=3,s=1,d=1,p=same,chMul=1", [1, 5, 5, 4],
       L.DW_1x5x5x4_X, [3, 3, 4, 1], L.DW_1x5x5x4_W3, 1, 1, "SAME",
       L.DW_1x5x5x4_SAME_EXPECTED)
    dw("input=1x5x5x4,f=5,s=2,d=1,p=same,chMul=1", [1, 5, 5, 4],
       L.DW_1x5x5x4_X_B, [5, 5, 4, 1], L.DW_1x5x5x4_W5, 2, 1, "SAME",
       L.DW_1x5x5x4_F5S2_EXPECTED)
    dw("input=1x3x3x4,f=3,s=1,d=2,p=same,chMul=1", [1, 3, 3, 4],
       L.DW_1x3x3x4_X, [3, 3, 4, 1], L.DW_1x3x3x4_W, 1, 2, "SAME",
       L.DW_1x3x3x4_D2_EXPECTED)
    dw("input=1x8x8x2,f=3,s=1,d=3,p=valid,chMul=1", [1, 8, 8, 2],
       L.DW_1x8x8x2_X, [3, 3, 2, 1], L.DW_1x8x8x2_W, 1, 3, "VALID",
       L.DW_1x8x8x2_D3_EXPECTED)
    # tfjs pads the channel dim here ([0,1]) which TF rejects; the value
    # case drops it (tfjs ignores it); the error case is in the errors file.
    name = "input=1x5x5x1,f=3,s=1,d=2,p=explicit,chMul=1"
    dw(name, [1, 5, 5, 1], X5, [3, 3, 1, 1], W3, 1, 1, [[0, 0], [0, 1]],
       L.DW_1x5x5x1_EXPLICIT_EXPECTED,
       prov="derived: channel padding [0, 1] removed (TensorFlow rejects "
            "it, tfjs ignores it) from tfjs %s:%s" % (TFJS_DW, name),
       idsuffix="/channel-pad-removed")
    dw("input=1x3x3x2,f=2,s=1,p=same,chMul=2", [1, 3, 3, 2], L.X_1x3x3x2_B,
       [2, 2, 2, 2], L.W_2x2x2x2_B, 1, 1, "SAME",
       L.DW_1x3x3x2_CHMUL2_EXPECTED)
    dw("input=2x3x3x2,f=2,s=1,p=same,chMul=2", [2, 3, 3, 2], L.X_2x3x3x2,
       [2, 2, 2, 2], L.W_2x2x2x2_C, 1, 1, "SAME",
       L.DW_2x3x3x2_CHMUL2_EXPECTED)
    wst = []
    T = {(0, 0): L.W_STACK_T00, (0, 1): L.W_STACK_T01,
         (1, 0): L.W_STACK_T10, (1, 1): L.W_STACK_T11}
    for pos in range(4):
        for ch in range(2):
            for mm in range(2):
                wst.append(T[(mm, ch)][pos])
    dw("input=2x3x3x2,f=2,s=1,d=2,p=same,chMul=2", [2, 3, 3, 2],
       L.X_2x3x3x2, [2, 2, 2, 2], wst, 1, 2, "SAME")
    dw("input=2x3x3x2,f=3,s=1,d=2,p=same,chMul=2", [1, 7, 7, 2],
       L.X_1x7x7x2, [3, 3, 2, 1], L.W_3x3x2x1, 1, 2, "SAME",
       L.DW_1x7x7x2_D2_EXPECTED, extra=["test-name-mislabelled"])
    # gradients suite: forward value asserted against `result`
    add(value_case(
        "tfjs/depthwise_conv2d/depthwiseConv2d gradients wrt input/NHWC/"
        "float32", "depthwise_conv2d", [2, 2, 2, 3], L.GRAD_IMAGES_2x2x2x3,
        [2, 2, 3, 2], L.GRAD_FILTER_2x2x3x2, (1, 1), (1, 1), "SAME", "NHWC",
        "float32", "tfjs %s:depthwiseConv2d gradients wrt input" % TFJS_DW,
        literal=L.GRAD_RESULT_2x2x2x6, literal_kind="exact",
        extra_tags=["hard-coded"]))

    # ------------------------------ conv2d ------------------------------
    def cv(name, xs, x, fs, f, s, d, pad, lay, lit=None, kind="exact",
           extra=()):
        cid = "tfjs/conv2d/%s/%s/float32" % (name, lay)
        tags = ["hard-coded"] if lit is not None else ["expected-by-rule"]
        xs_nhwc, x_nhwc = xs, x
        if lay == "NCHW":  # test gives NCHW data; compute in NHWC
            n, c, h, w = xs
            x_nhwc = [0] * len(x)
            for b in range(n):
                for ch in range(c):
                    for yy in range(h):
                        for xx in range(w):
                            x_nhwc[((b * h + yy) * w + xx) * c + ch] = \
                                x[((b * c + ch) * h + yy) * w + xx]
            xs_nhwc = [n, h, w, c]
            if lit is not None:  # expected literal is NCHW: bring to NHWC
                lit = _nchw_lit_to_nhwc(lit, xs_nhwc[0], fs[3], xs_nhwc, fs,
                                        s, d, pad)
        add(value_case(cid, "conv2d", xs_nhwc, x_nhwc, fs, f, s, d, pad, lay,
                       "float32", "tfjs %s:%s" % (TFJS_CONV, name),
                       literal=lit, literal_kind=kind,
                       extra_tags=tags + list(extra)))

    Z = [[0, 0], [0, 0]]  # tfjs pad=0 == explicit zero padding
    cv("x=[1,4,4,1] f=[1,1,1,3] s=2 d=1 p=same", [1, 4, 4, 1], L.C_X_4x4x1,
       [1, 1, 1, 3], L.C_W_1x1x1x3, (2, 2), (1, 1), "SAME", "NHWC",
       L.C_EXP_S2_SAME, extra=["rank3-input-batched"])
    cv("x=[2,2,2,2] f=[1,1,2,2] s=1 d=1 p=0", [2, 2, 2, 2],
       list(range(1, 17)), [1, 1, 2, 2], L.C_W_1x1x2x2, (1, 1), (1, 1), Z,
       "NHWC", L.C_EXP_2x2x2x2)
    cv("x=[2,2,1] f=[1,1,1,2] s=1 d=1 p=0", [1, 2, 2, 1], [1, 2, 3, 4],
       [1, 1, 1, 1], [2], (1, 1), (1, 1), Z, "NHWC", [2, 4, 6, 8],
       extra=["rank3-input-batched"])
    cv("x=[3,3,2] f=[2,2,2,1] s=1 d=1 p=valid", [1, 3, 3, 2], L.C_X_3x3x2,
       [2, 2, 2, 1], L.C_W_2x2x2x1_DEC, (1, 1), (1, 1), "VALID", "NHWC",
       L.C_EXP_3x3x2_VALID, kind="approx", extra=["rank3-input-batched"])
    cv("x=[2,2,2,1] f=[1,1,1,1] s=1 d=1 p=0", [2, 2, 2, 1],
       list(range(1, 9)), [1, 1, 1, 1], [2], (1, 1), (1, 1), Z, "NHWC",
       [2, 4, 6, 8, 10, 12, 14, 16])
    cv("x=[2,1,2,2] f=[1,1,1,1] s=1 d=1 p=0 NCHW", [2, 1, 2, 2],
       list(range(1, 9)), [1, 1, 1, 1], [2], (1, 1), (1, 1), Z, "NCHW",
       [2, 4, 6, 8, 10, 12, 14, 16])
    cv("x=[4,2,1] f=[4,2,1,1] s=1 d=1 p=same", [1, 4, 2, 1],
       list(range(1, 9)), [4, 2, 1, 1], L.C_W_4x2x1x1, (1, 1), (1, 1),
       "SAME", "NHWC", L.C_EXP_4x2, extra=["rank3-input-batched"])
    cv("x=[4,2,1] f=[4,2,1,1] s=1 d=1 p=explicit", [1, 4, 2, 1],
       list(range(1, 9)), [4, 2, 1, 1], L.C_W_4x2x1x1, (1, 1), (1, 1),
       [[1, 2], [0, 1]], "NHWC", L.C_EXP_4x2, extra=["rank3-input-batched"])
    cv("x=[2,2,1] f=[2,2,1,1] s=1 d=1 p=same", [1, 2, 2, 1], [1, 2, 3, 4],
       [2, 2, 1, 1], L.C_W_3150, (1, 1), (1, 1), "SAME", "NHWC",
       L.C_EXP_20_26_13_12, extra=["rank3-input-batched"])
    cv("x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW", [1, 1, 2, 2],
       [1, 2, 3, 4], [2, 2, 1, 1], L.C_W_3150, (1, 1), (1, 1), "SAME",
       "NCHW", L.C_EXP_20_26_13_12, extra=["rank3-input-batched"])
    cv("x=[4,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW", [1, 4, 2, 2],
       L.C_X_4x2x2, [1, 1, 4, 4], L.C_W_1x1x4x4, (1, 1), (1, 1), "SAME",
       "NCHW", L.C_EXP_9_18_27_36, extra=["rank3-input-batched"])
    cv("x=[3,2,2] f=[1,1,3,4] s=1 d=1 p=same NCHW", [1, 3, 2, 2],
       L.C_X_3x2x2, [1, 1, 3, 4], L.C_W_1x1x3x4, (1, 1), (1, 1), "SAME",
       "NCHW", L.C_EXP_9_18_27_36_B, extra=["rank3-input-batched"])
    # NB: despite its name this test's filter is [1,1,2,2]
    cv("x=[2,2,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW", [2, 2, 2, 2],
       L.C_X_2x2x2x2_NCHW, [1, 1, 2, 2], L.C_W_1x1x2x2_B, (1, 1), (1, 1),
       "SAME", "NCHW", L.C_EXP_2x2x2x2_NCHW,
       extra=["test-name-mislabelled"])
    cv("x=[4,2,2] f=[2,2,4,4] s=1 d=1 p=same NCHW", [1, 4, 2, 2],
       L.C_X_4x2x2, [2, 2, 4, 4], L.C_W_2x2x4x4, (1, 1), (1, 1), "SAME",
       "NCHW", L.C_EXP_4x2x2, extra=["rank3-input-batched"])
    cv("x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=explicit NCHW", [1, 1, 2, 2],
       [1, 2, 3, 4], [2, 2, 1, 1], L.C_W_3150, (1, 1), (1, 1),
       [[0, 1], [0, 1]], "NCHW", L.C_EXP_20_26_13_12,
       extra=["rank3-input-batched"])
    cv("x=[2,2,2] f=[2,2,2,1] s=1 d=1 p=same NCHW", [1, 2, 2, 2],
       list(range(1, 9)), [2, 2, 2, 1], L.C_W_2x2x2x1, (1, 1), (1, 1),
       "SAME", "NCHW", L.C_EXP_81, extra=["rank3-input-batched"])
    cv("x=[2,1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW", [2, 1, 2, 2],
       list(range(1, 9)), [2, 2, 1, 1], L.C_W_3150, (1, 1), (1, 1), "SAME",
       "NCHW", L.C_EXP_2x1x2x2)
    cv("x=[2,2,1] f=[2,2,1,1] s=1 d=1 p=0", [1, 2, 2, 1], [1, 2, 3, 4],
       [2, 2, 1, 1], L.C_W_3150, (1, 1), (1, 1), Z, "NHWC", [20],
       extra=["rank3-input-batched"])
    cv("x=[4,4,1] f=[2,2,1,1] s=1 d=2 p=0", [1, 4, 4, 1],
       list(range(1, 17)), [2, 2, 1, 1], L.C_W_3152, (1, 1), (2, 2), Z,
       "NHWC", None, extra=["rank3-input-batched"])
    cv("x=[1,3,6,1] f=[2,2,1,1] s=[1,2] d=1 p=valid", [1, 3, 6, 1],
       list(range(1, 19)), [2, 2, 1, 1], [1, 2, 3, 4], (1, 2), (1, 1),
       "VALID", "NHWC", [58, 78, 98, 118, 138, 158])
    x16 = [i % 5 for i in range(8 * 8 * 16)]
    w16 = [i % 5 for i in range(3 * 3 * 16)]
    cv("x=[1,8,8,16] f=[3,3,16,1] s=[2,2] d=1 p=same", [1, 8, 8, 16], x16,
       [3, 3, 16, 1], w16, (2, 2), (1, 1), "SAME", "NHWC", L.C_EXP_1x8x8x16)
    x3 = [i % 5 for i in range(8 * 8 * 3)]
    w3 = [i % 5 for i in range(3 * 3 * 3 * 4)]
    cv("x=[1,8,8,3] f=[3,3,3,4] s=[2,2] d=1 p=same", [1, 8, 8, 3], x3,
       [3, 3, 3, 4], w3, (2, 2), (1, 1), "SAME", "NHWC",
       L.C_EXP_1x8x8x3_SAME)
    cv("x=[1,8,8,3] f=[3,3,3,4] s=[2,2] d=1 p=valid", [1, 8, 8, 3], x3,
       [3, 3, 3, 4], w3, (2, 2), (1, 1), "VALID", "NHWC",
       L.C_EXP_1x8x8x3_VALID)
    cv("x=[1,2,2,3] f=[1,1] s=2 p=1 fractional outputs default rounding",
       [1, 2, 2, 3], list(range(1, 13)), [1, 1, 3, 1], L.C_W_2x2x1_FRAC,
       (2, 2), (1, 1), [[1, 1], [1, 1]], "NHWC", L.C_EXP_FRAC)
    return cases


def _nchw_lit_to_nhwc(lit, n, co, xs_nhwc, fs, s, d, pad):
    """Reorder an NCHW expected literal to NHWC (output dims from the rule)."""
    _, h, w, _ = xs_nhwc
    ph = pad if isinstance(pad, str) else tuple(pad[0])
    pw = pad if isinstance(pad, str) else tuple(pad[1])
    oh = out_size_and_pads(h, fs[0], s[0], d[0], ph)[0]
    ow = out_size_and_pads(w, fs[1], s[1], d[1], pw)[0]
    assert len(lit) == n * co * oh * ow
    out = [0] * len(lit)
    for b in range(n):
        for ch in range(co):
            for y in range(oh):
                for x in range(ow):
                    out[((b * oh + y) * ow + x) * co + ch] = \
                        lit[((b * co + ch) * oh + y) * ow + x]
    return out


# ---------------------------------------------------------------------------
# error cases
# ---------------------------------------------------------------------------


def tf_error_cases():
    cases = []
    n = {"i": 0}

    def err(name, op, args, xs, fs, kind, msg, prov, tags, dtype="float32",
            xvals=None, fvals=None, xdtype=None, fdtype=None):
        xv = xvals if xvals is not None else [1] * prod(xs)
        fv = fvals if fvals is not None else [1] * prod(fs)
        c = {
            "id": "tensorflow-error/%s/%s" % (op, name),
            "op": op,
            "args": args,
            "dtype": dtype,
            "input": {"shape": xs, "values": xv},
            "filter": {"shape": fs, "values": fv},
            "expected_error": {"kind": kind, "message": msg},
            "tolerance": "exact",
            "provenance": prov,
            "tags": ["error"] + tags,
        }
        if xdtype:
            c["input"]["dtype"] = xdtype
        if fdtype:
            c["filter"]["dtype"] = fdtype
        cases.append(c)

    CONVCC = "tensorflow-source tensorflow/core/kernels/conv_ops.cc"
    PADCC = ("tensorflow-source tensorflow/core/util/padding.cc:"
             "CheckValidPadding")
    SHAPE = ("tensorflow-source tensorflow/core/framework/"
             "kernel_shape_util.cc:GetWindowedOutputSizeVerbose")
    NNOPS = "tensorflow-source tensorflow/python/ops/nn_ops.py"
    DWCC = "tensorflow-source tensorflow/core/kernels/depthwise_conv_op.cc"
    OPDEF = ("tensorflow-source tensorflow/python/framework/"
             "op_def_library.py:_apply_op_helper")
    EAGER = ("tensorflow-source tensorflow/core/common_runtime/eager/"
             "execute.cc (the eager kernel's input dtype check; "
             "nn_impl.depthwise_conv2d converts input and filter to tensors "
             "one by one, so their dtypes reach the op as they are)")
    ATTR = ("tensorflow-source tensorflow/core/framework/op_def_util.cc:"
            "ValidateAttrValue")
    EDGE = "tensorflow %s:testOpEdgeCases" % TF_CONV
    SHAPEEDGE = "tensorflow %s:testShapeFunctionEdgeCases" % TF_CONV
    BD_STRIDE = "strides in the batch and depth dimensions"
    BD_DIL = "dilations in the batch and depth dimensions"
    X = [1, 3, 3, 1]
    F = [2, 2, 1, 1]

    def cargs(strides=(1, 1, 1, 1), padding="VALID", df="NHWC",
              dil=(1, 1, 1, 1)):
        a = {"strides": list(strides) if isinstance(strides, (list, tuple))
             else strides, "padding": padding, "data_format": df}
        a["dilations"] = list(dil) if isinstance(dil, (list, tuple)) else dil
        return a

    # ------------------------------- conv2d ------------------------------
    C = "conv2d"
    err("strides-batch-2", C, cargs([2, 1, 1, 1], "SAME"), X, F,
        "ValueError", BD_STRIDE, EDGE, ["strides"])
    err("strides-depth-2", C, cargs([1, 1, 1, 2], "SAME"), X, F,
        "ValueError", BD_STRIDE, EDGE, ["strides"])
    err("strides-batch-2-nchw", C, cargs([2, 1, 1, 1], "SAME", "NCHW"),
        [1, 1, 3, 3], F, "ValueError", BD_STRIDE,
        CONVCC + ":InitConv2DParameters", ["strides", "NCHW"])
    err("strides-channel-2-nchw", C, cargs([1, 2, 1, 1], "SAME", "NCHW"),
        [1, 1, 3, 3], F, "ValueError", BD_STRIDE,
        CONVCC + ":InitConv2DParameters", ["strides", "NCHW"])
    err("strides-zero", C, cargs([1, 0, 0, 1]), X, F, "ValueError",
        "Row and column strides should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["strides"])
    err("strides-negative", C, cargs([1, -1, 1, 1]), X, F, "ValueError",
        "Row and column strides should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["strides"])
    err("strides-int-zero", C, cargs(0), X, F, "ValueError",
        "Row and column strides should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["strides"])
    err("strides-len3", C, cargs([1, 1, 1]), X, F, "ValueError",
        "strides should be of length 1, 2 or 4", NNOPS + ":_get_sequence",
        ["strides"])
    err("strides-len5", C, cargs([1, 1, 1, 1, 1]), X, F, "ValueError",
        "strides should be of length 1, 2 or 4", NNOPS + ":_get_sequence",
        ["strides"])
    err("dilations-zero", C, cargs(dil=[1, 0, 1, 1]), X, F, "ValueError",
        "Dilated rates should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["dilations"])
    err("dilations-negative", C, cargs(dil=[1, 1, -2, 1]), X, F,
        "ValueError", "Dilated rates should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["dilations"])
    err("dilations-int-zero", C, cargs(dil=0), X, F, "ValueError",
        "Dilated rates should be larger than 0.",
        CONVCC + ":InitConv2DParameters", ["dilations"])
    err("dilations-batch-2", C, cargs(dil=[2, 1, 1, 1]), X, F, "ValueError",
        BD_DIL, CONVCC + ":InitConv2DParameters", ["dilations"])
    err("dilations-depth-2", C, cargs(dil=[1, 1, 1, 2]), X, F, "ValueError",
        BD_DIL, CONVCC + ":InitConv2DParameters", ["dilations"])
    err("dilations-channel-2-nchw", C, cargs(df="NCHW", dil=[1, 2, 1, 1]),
        [1, 1, 3, 3], F, "ValueError", BD_DIL,
        CONVCC + ":InitConv2DParameters", ["dilations", "NCHW"])
    err("dilations-len3", C, cargs(dil=[1, 1, 1]), X, F, "ValueError",
        "dilations should be of length 1, 2 or 4", NNOPS + ":_get_sequence",
        ["dilations"])
    err("padding-EXPLICIT-string", C, cargs(padding="EXPLICIT"), X, F,
        "ValueError", "'EXPLICIT' is not a valid value for `padding`",
        NNOPS + ":convert_padding", ["padding"])
    err("padding-lowercase-same", C, cargs(padding="same"), X, F,
        "ValueError",
        "Value for attr 'padding' of \"same\" is not in the list of "
        "allowed values", ATTR, ["padding"])
    err("padding-lowercase-valid", C, cargs(padding="valid"), X, F,
        "ValueError",
        "Value for attr 'padding' of \"valid\" is not in the list of "
        "allowed values", ATTR, ["padding"])
    err("padding-list-3-pairs", C, cargs(padding=[[0, 0], [0, 0], [0, 0]]),
        X, F, "ValueError", "When padding is a list, it must be of size 4",
        SHAPEEDGE, ["padding", "explicit"])
    err("padding-list-5-pairs", C,
        cargs(padding=[[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]), X, F,
        "ValueError", "When padding is a list, it must be of size 4",
        NNOPS + ":convert_padding", ["padding", "explicit"])
    err("padding-list-single-elements", C,
        cargs(padding=[[0], [0], [0], [0]]), X, F, "ValueError",
        "each element of `padding` must be a list/tuple of size 2",
        SHAPEEDGE, ["padding", "explicit"])
    err("padding-list-of-ints", C, cargs(padding=[0, 0, 0, 0]), X, F,
        "ValueError",
        "each element of `padding` must be a list/tuple of size 2",
        SHAPEEDGE, ["padding", "explicit"])
    err("padding-list-triples", C,
        cargs(padding=[[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]), X, F,
        "ValueError",
        "each element of `padding` must be a list/tuple of size 2",
        NNOPS + ":convert_padding", ["padding", "explicit"])
    err("padding-negative", C,
        cargs(padding=[[0, 0], [0, -1], [1, 2], [0, 0]]), X, F,
        "ValueError", "All elements of explicit_paddings must be nonnegative",
        SHAPEEDGE, ["padding", "explicit"])
    err("padding-negative-left", C,
        cargs(padding=[[0, 0], [0, 0], [-1, 0], [0, 0]]), X, F,
        "ValueError", "All elements of explicit_paddings must be nonnegative",
        PADCC, ["padding", "explicit"])
    NZ = ("Nonzero explicit padding in the batch or depth dimensions is not "
          "supported")
    err("padding-batch-nonzero", C,
        cargs(padding=[[1, 0], [0, 0], [0, 0], [0, 0]]), X, F, "ValueError",
        NZ, SHAPEEDGE, ["padding", "explicit"])
    err("padding-depth-nonzero", C,
        cargs(padding=[[0, 0], [0, 0], [0, 0], [0, 1]]), X, F, "ValueError",
        NZ, PADCC, ["padding", "explicit"])
    err("padding-channel-nonzero-nchw", C,
        cargs(padding=[[0, 0], [0, 1], [0, 0], [0, 0]], df="NCHW"),
        [1, 1, 3, 3], F, "ValueError", NZ, SHAPEEDGE,
        ["padding", "explicit", "NCHW"])
    err("data-format-NCWH", C, cargs(df="NCWH"), [1, 1, 3, 3], F,
        "ValueError",
        "Value for attr 'data_format' of \"NCWH\" is not in the list of "
        "allowed values", ATTR, ["data_format"])
    err("data-format-lowercase", C, cargs(df="nhwc"), X, F, "ValueError",
        "Value for attr 'data_format' of \"nhwc\" is not in the list of "
        "allowed values", ATTR, ["data_format"])
    err("input-rank3", C, cargs(), [3, 3, 1], F, "ValueError",
        "input must be 4-dimensional", CONVCC + ":ComputeConv2DDimension",
        ["rank"])
    err("input-rank2", C, cargs(padding="SAME"), [1, 3], [1, 1, 1, 1],
        "ValueError", "input must be 4-dimensional", SHAPEEDGE, ["rank"])
    err("filter-rank3", C, cargs(), X, [2, 2, 1], "ValueError",
        "filter must be 4-dimensional", CONVCC + ":ComputeConv2DDimension",
        ["rank"])
    err("filter-rank2", C, cargs(padding="SAME"), X, [1, 1], "ValueError",
        "filter must be 4-dimensional", SHAPEEDGE, ["rank"])
    err("filter-rank5", C, cargs(), X, [2, 2, 1, 1, 1], "ValueError",
        "filter must be 4-dimensional", CONVCC + ":ComputeConv2DDimension",
        ["rank"])
    err("depth-not-divisible-3-vs-2", C, cargs(padding="SAME"),
        [1, 4, 4, 3], [2, 2, 2, 2], "ValueError",
        "input depth must be evenly divisible by filter depth: 3 vs 2",
        SHAPEEDGE, ["channels"])
    err("depth-not-divisible-5-vs-2", C, cargs(), [1, 2, 2, 5],
        [1, 1, 2, 1], "ValueError",
        "input depth must be evenly divisible by filter depth: 5 vs 2",
        CONVCC + ":ComputeConv2DDimension", ["channels"])
    err("depth-not-divisible-1-vs-2", C, cargs(), [1, 2, 2, 1],
        [1, 1, 2, 1], "ValueError",
        "input depth must be evenly divisible by filter depth: 1 vs 2",
        CONVCC + ":ComputeConv2DDimension", ["channels"])
    err("groups-out-depth-not-divisible", C, cargs(), [1, 2, 2, 4],
        [1, 1, 2, 3], "ValueError",
        "output depth must be evenly divisible by number of groups: 3 vs 2",
        CONVCC + ":LaunchConv2DOp<CPUDevice>", ["channels", "groups"])
    err("groups-out-depth-less-than-groups", C, cargs(), [1, 2, 2, 4],
        [1, 1, 1, 2], "ValueError",
        "output depth must be evenly divisible by number of groups: 2 vs 4",
        CONVCC + ":LaunchConv2DOp<CPUDevice>", ["channels", "groups"])
    err("filter-depth-zero", C, cargs(), [1, 2, 2, 1], [1, 1, 0, 1],
        "ValueError", "filter depth must be stricly positive",
        CONVCC + ":ComputeConv2DDimension", ["zero-size", "channels"])
    err("filter-zero-width", C, cargs(padding="SAME"), [1, 1, 1, 1],
        [1, 0, 1, 1], "ValueError", "filter must not have zero elements",
        EDGE, ["zero-size"])
    err("filter-zero-height", C, cargs(padding="SAME"), [1, 2, 2, 1],
        [0, 1, 1, 1], "ValueError", "filter must not have zero elements",
        "tensorflow-source tensorflow/core/kernels/conv_ops.cc:"
        "ComputeConv2DDimension", ["zero-size"])
    NEG = "Computed output size would be negative"
    err("output-negative-valid", C, cargs(), [1, 2, 2, 1], [4, 4, 1, 1],
        "ValueError", NEG, SHAPE, ["output-size"])
    err("output-negative-dilated", C, cargs(dil=[1, 2, 2, 1]), [1, 3, 3, 1],
        [3, 3, 1, 1], "ValueError", NEG, SHAPE,
        ["output-size", "dilations"])
    err("output-negative-explicit", C,
        cargs(padding=[[0, 0], [1, 0], [1, 0], [0, 0]]), [1, 1, 1, 1],
        [4, 4, 1, 1], "ValueError", NEG, SHAPE, ["output-size", "explicit"])
    err("output-negative-strided", C, cargs([1, 2, 2, 1]), [1, 1, 1, 1],
        [5, 5, 1, 1], "ValueError", NEG, SHAPE, ["output-size", "strides"])
    # conv2d with a filter of another dtype converts it to the input's: see tf_conversion_cases.
    err("dtype-int64", C, cargs(), X, F, "TypeError",
        "has DataType int64 not in list of allowed values", OPDEF,
        ["dtype"], xdtype="int64", fdtype="int64")

    # --------------------------- depthwise_conv2d ------------------------
    D = "depthwise_conv2d"

    def dargs(strides=(1, 1, 1, 1), padding="VALID", df=None, dil=None):
        return {"strides": list(strides) if isinstance(strides, (list, tuple))
                else strides, "padding": padding, "data_format": df,
                "dilations": dil}

    XD = [1, 3, 3, 2]
    FD = [2, 2, 2, 1]
    DWCTOR = DWCC + ":DepthwiseConv2dNativeOp"
    err("strides-batch-2", D, dargs([2, 1, 1, 1]), XD, FD, "ValueError",
        BD_STRIDE, DWCTOR, ["strides"])
    err("strides-depth-2", D, dargs([1, 1, 1, 2]), XD, FD, "ValueError",
        BD_STRIDE, DWCTOR, ["strides"])
    err("strides-depth-2-spatial-2", D, dargs([1, 2, 2, 2]), XD, FD,
        "ValueError", BD_STRIDE, DWCTOR, ["strides"])
    err("strides-channel-2-nchw", D, dargs([1, 2, 1, 1], df="NCHW"),
        [1, 2, 3, 3], FD, "ValueError", BD_STRIDE, DWCTOR,
        ["strides", "NCHW"])
    err("strides-zero", D, dargs([1, 0, 0, 1]), XD, FD, "ValueError",
        "Stride must be > 0, but got 0", SHAPE, ["strides"])
    err("strides-negative", D, dargs([1, -1, -1, 1]), XD, FD, "ValueError",
        "Stride must be > 0, but got -1", SHAPE, ["strides"])
    SW4 = "Sliding window strides field must specify 4 dimensions"
    err("strides-len2", D, dargs([1, 1]), XD, FD, "ValueError", SW4, DWCTOR,
        ["strides"])
    err("strides-len3", D, dargs([1, 1, 1]), XD, FD, "ValueError", SW4,
        DWCTOR, ["strides"])
    err("strides-len5", D, dargs([1, 1, 1, 1, 1]), XD, FD, "ValueError",
        SW4, DWCTOR, ["strides"])
    GENOP = ("tensorflow-source tensorflow/python/ops/gen_nn_ops.py:"
             "depthwise_conv2d_native")
    err("strides-int-1", D, dargs(1), XD, FD, "TypeError",
        "Expected list for 'strides' argument to 'depthwise_conv2d_native' "
        "Op, not 1", GENOP, ["strides"])
    err("strides-int-2", D, dargs(2), XD, FD, "TypeError",
        "Expected list for 'strides' argument to 'depthwise_conv2d_native' "
        "Op, not 2", GENOP, ["strides"])
    W2B = NNOPS + ":_WithSpaceToBatch.__init__"
    err("dilations-int-2", D, dargs(dil=2), XD, FD, "ValueError",
        "`dilation_rate.shape.rank` must be 1", W2B, ["dilations"])
    err("dilations-int-1", D, dargs(dil=1), XD, FD, "ValueError",
        "`dilation_rate.shape.rank` must be 1", W2B, ["dilations"])
    err("dilations-zero", D, dargs(dil=[0, 1]), XD, FD, "ValueError",
        "`dilation_rate` must be positive", W2B, ["dilations"])
    err("dilations-negative", D, dargs(dil=[1, -1]), XD, FD, "ValueError",
        "`dilation_rate` must be positive", W2B, ["dilations"])
    err("dilations-both-zero", D, dargs(dil=[0, 0]), XD, FD, "ValueError",
        "`dilation_rate` must be positive", W2B, ["dilations"])
    err("padding-EXPLICIT-string", D, dargs(padding="EXPLICIT"), XD, FD,
        "ValueError", "'EXPLICIT' is not a valid value for `padding`",
        NNOPS + ":convert_padding", ["padding"])
    err("padding-lowercase-same", D, dargs(padding="same"), XD, FD,
        "ValueError",
        "Value for attr 'padding' of \"same\" is not in the list of "
        "allowed values", ATTR, ["padding"])
    err("padding-mixedcase-Valid", D, dargs(padding="Valid"), XD, FD,
        "ValueError",
        "Value for attr 'padding' of \"Valid\" is not in the list of "
        "allowed values", ATTR, ["padding"])
    err("padding-list-3-pairs", D, dargs(padding=[[0, 0], [0, 0], [0, 0]]),
        XD, FD, "ValueError", "When padding is a list, it must be of size 4",
        NNOPS + ":convert_padding", ["padding", "explicit"])
    err("padding-list-single-elements", D,
        dargs(padding=[[0], [0], [0], [0]]), XD, FD, "ValueError",
        "each element of `padding` must be a list/tuple of size 2",
        NNOPS + ":convert_padding", ["padding", "explicit"])
    err("padding-negative", D,
        dargs(padding=[[0, 0], [-1, 0], [0, 0], [0, 0]]), XD, FD,
        "ValueError", "All elements of explicit_paddings must be nonnegative",
        PADCC, ["padding", "explicit"])
    err("padding-batch-nonzero", D,
        dargs(padding=[[1, 0], [0, 0], [0, 0], [0, 0]]), XD, FD,
        "ValueError", NZ, PADCC, ["padding", "explicit"])
    # tfjs's own test pads the channel dim; TensorFlow refuses that.
    err("padding-depth-nonzero-tfjs-input=1x5x5x1,f=3,s=1,d=2,p=explicit",
        D, dargs(padding=[[0, 0], [0, 0], [0, 1], [0, 1]]), [1, 5, 5, 1],
        [3, 3, 1, 1], "ValueError", NZ, PADCC, ["padding", "explicit"],
        xvals=cast(L.X_1x5x5x1, "float32"),
        fvals=cast(L.W_3x3x1x1, "float32"))
    err("data-format-NCWH", D, dargs(df="NCWH"), [1, 2, 3, 3], FD,
        "ValueError",
        "Value for attr 'data_format' of \"NCWH\" is not in the list of "
        "allowed values", ATTR, ["data_format"])
    err("input-rank3", D, dargs(), [3, 3, 2], FD, "ValueError",
        "input must be 4-dimensional", DWCC + ":Compute", ["rank"])
    err("input-rank2", D, dargs(), [3, 2], FD, "ValueError",
        "`input.shape.rank` must be at least 3. Received: "
        "input.shape=(3, 2) with rank 2", W2B, ["rank"])
    err("filter-rank3", D, dargs(), XD, [2, 2, 2], "ValueError",
        "filter must be 4-dimensional", DWCC + ":Compute", ["rank"])
    err("depth-mismatch-2-vs-3", D, dargs(), XD, [2, 2, 3, 1], "ValueError",
        "input and filter must have the same depth: 2 vs 3",
        DWCC + ":Compute", ["channels"])
    err("depth-mismatch-4-vs-2", D, dargs(), [1, 3, 3, 4], [1, 1, 2, 2],
        "ValueError", "input and filter must have the same depth: 4 vs 2",
        DWCC + ":Compute", ["channels"])
    err("output-negative-valid", D, dargs(), [1, 2, 2, 1], [4, 4, 1, 1],
        "ValueError", NEG, SHAPE, ["output-size"])
    err("output-negative-strided", D, dargs([1, 2, 2, 1]), [1, 1, 1, 1],
        [5, 5, 1, 1], "ValueError", NEG, SHAPE, ["output-size", "strides"])
    err("dtype-int32", D, dargs(), XD, FD, "TypeError",
        "has DataType int32 not in list of allowed values", OPDEF,
        ["dtype"], xdtype="int32", fdtype="int32")
    err("dtype-int64", D, dargs(), XD, FD, "TypeError",
        "has DataType int64 not in list of allowed values", OPDEF,
        ["dtype"], xdtype="int64", fdtype="int64")
    err("dtype-mismatch-f64-f32", D, dargs(), XD, FD, "ValueError",
        "cannot compute DepthwiseConv2dNative as input #1(zero-based) was "
        "expected to be a double tensor but is a float tensor", EAGER,
        ["dtype"], dtype="float64", fdtype="float32")
    POL = ("derived: library policy (TensorFlow returns a space_to_batch "
           "result that is not the strided dilated convolution, see "
           "tf-semantics.md 2.3); message wording from tensorflow-source "
           "tensorflow/python/ops/nn_ops.py:_get_strides_and_dilation_rate")
    err("policy-stride2-dilation2", D, dargs([1, 2, 2, 1], dil=[2, 2]),
        [1, 8, 8, 1], [2, 2, 1, 1], "ValueError",
        "not supported in conjunction with", POL, ["policy", "strides",
                                                    "dilations"],
        xvals=list(range(1, 65)))
    err("policy-stride2-dilation2x1", D,
        dargs([1, 2, 2, 1], padding="SAME", dil=[2, 1]), [1, 5, 5, 2],
        [3, 3, 2, 1], "ValueError", "not supported in conjunction with",
        POL, ["policy", "strides", "dilations"])
    return cases


# ---------------------------------------------------------------------------
# lifted cases (TensorFlow refuses; the result is mathematically defined)
# ---------------------------------------------------------------------------


def tf_conversion_cases():
    """conv2d with a NumPy filter of another dtype than the input: the
    eager op converts the filter to the dtype its input fixed (a NumPy array
    force-cast), so the result has the input's dtype."""
    prov = ("tensorflow-source tensorflow/python/eager/pywrap_tfe_src.cc:"
            "ConvertToTensor (an input that is not a tensor is converted with "
            "the dtype an earlier input of the same type attr fixed) and "
            "tensorflow/python/lib/core/py_seq_tensor.cc (NumPy arrays "
            "converted with NPY_ARRAY_FORCECAST); tf.nn.conv2d hands NumPy "
            "arguments to the op unconverted (nn_ops.py)")
    cases = []
    for xdtype, fdtype in (("float32", "float64"), ("float64", "float32")):
        cases.append({
            "id": "tensorflow-conversion/conv2d/filter-%s-to-%s" % (
                fdtype, xdtype),
            "op": "conv2d",
            "args": {"strides": [1, 1, 1, 1], "padding": "VALID"},
            "dtype": xdtype,
            "input": {"shape": [1, 3, 3, 1],
                      "values": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
            "filter": {"shape": [2, 2, 1, 1], "values": [1, 2, 3, 4],
                       "dtype": fdtype},
            "expected": {"shape": [1, 2, 2, 1],
                         "values": [37, 47, 67, 77]},
            "tolerance": "exact",
            "provenance": prov,
            "tags": ["dtype", "conversion"],
        })
    return cases


def lifted_cases():
    cases = []
    M_NCHW_CONV = ("The Conv2D op currently only supports the NHWC tensor "
                   "format on the CPU. The op was given the format: NCHW")
    M_NCHW_DW = "Depthwise convolution on CPU is only supported for NHWC format"
    M_STRIDES = ("Current implementation only supports equal length strides "
                 "in the row and column dimensions.")
    M_GROUP = ("The Conv2D op currently does not support grouped "
               "convolutions on the CPU. A grouped convolution was attempted "
               "to be run because the input depth of %d does not match the "
               "filter input depth of %d")
    M_DIL4 = ("`input.shape.rank` must be at least 5. Received: "
              "input.shape=%s with rank 4")

    def prov(msg):
        return ("derived: mathematically defined result of a case TensorFlow "
                "refuses (%s)" % msg)

    def add(cid, op, xs, fs, st, dil, pad, lay, msg, args_override=None,
            extra=()):
        c = value_case("tensorflow-lifted/%s/%s/%s/float32" % (op, cid, lay),
                       op, xs, seq(xs), fs, seq(fs), st, dil, pad, lay,
                       "float32", prov(msg), extra_tags=["lifted"] +
                       list(extra), want_exact=True)
        if args_override is not None:
            c["args"] = args_override(c)
        cases.append(c)

    # depthwise NCHW (CPU kernel refuses NCHW)
    add("nchw-2x2-valid", "depthwise_conv2d", [1, 2, 3, 2], [2, 2, 2, 2],
        (1, 1), (1, 1), "VALID", "NCHW", M_NCHW_DW)
    add("nchw-3x3-same-stride2", "depthwise_conv2d", [2, 5, 4, 3],
        [3, 3, 3, 2], (2, 2), (1, 1), "SAME", "NCHW", M_NCHW_DW)
    add("nchw-explicit", "depthwise_conv2d", [1, 3, 2, 1], [2, 1, 1, 2],
        (1, 1), (1, 1), [[1, 0], [1, 0]], "NCHW", M_NCHW_DW)
    add("nchw-dilated-same", "depthwise_conv2d", [1, 5, 5, 2], [2, 2, 2, 1],
        (1, 1), (2, 2), "SAME", "NCHW", M_NCHW_DW)
    # conv2d NCHW on CPU
    add("nchw-3x3-same-stride2", "conv2d", [2, 5, 4, 3], [3, 3, 3, 2],
        (2, 2), (1, 1), "SAME", "NCHW", M_NCHW_CONV)
    add("nchw-explicit-dilated", "conv2d", [1, 4, 5, 2], [2, 3, 2, 2],
        (1, 2), (2, 1), [[1, 2], [0, 1]], "NCHW", M_NCHW_CONV)
    # unequal depthwise strides
    add("strides-1x2-valid", "depthwise_conv2d", [1, 4, 5, 2], [2, 2, 2, 1],
        (1, 2), (1, 1), "VALID", "NHWC", M_STRIDES)
    add("strides-2x1-same", "depthwise_conv2d", [1, 5, 4, 2], [3, 3, 2, 2],
        (2, 1), (1, 1), "SAME", "NHWC", M_STRIDES)
    add("strides-3x2-explicit", "depthwise_conv2d", [2, 7, 6, 1],
        [2, 3, 1, 2], (3, 2), (1, 1), [[1, 0], [2, 1]], "NHWC", M_STRIDES)
    add("strides-1x2-same-nchw", "depthwise_conv2d", [1, 4, 5, 2],
        [2, 2, 2, 1], (1, 2), (1, 1), "SAME", "NCHW",
        M_STRIDES + "; " + M_NCHW_DW)
    # grouped conv2d (refused on CPU before grouped support)
    add("groups2", "conv2d", [1, 3, 3, 4], [2, 2, 2, 6], (1, 1), (1, 1),
        "VALID", "NHWC", M_GROUP % (4, 2))
    add("groups3-1x1", "conv2d", [2, 2, 2, 6], [1, 1, 2, 3], (1, 1), (1, 1),
        "VALID", "NHWC", M_GROUP % (6, 2))
    add("groups2-same-stride2", "conv2d", [1, 5, 5, 4], [3, 3, 2, 4],
        (2, 2), (1, 1), "SAME", "NHWC", M_GROUP % (4, 2))
    add("groups4-depthwise-like", "conv2d", [1, 4, 4, 4], [2, 2, 1, 8],
        (1, 1), (2, 2), "SAME", "NHWC", M_GROUP % (4, 1))
    add("groups2-explicit-nchw", "conv2d", [1, 3, 4, 4], [2, 2, 2, 2],
        (1, 1), (1, 1), [[1, 0], [0, 1]], "NCHW",
        (M_GROUP % (4, 2)) + "; " + M_NCHW_CONV)

    # 4-element depthwise dilations (TF: only [rate_h, rate_w] is accepted)
    def d4(lst):
        def f(c):
            a = dict(c["args"])
            a["dilations"] = lst
            return a
        return f
    add("dilations4-1221-valid", "depthwise_conv2d", [1, 5, 5, 1],
        [2, 2, 1, 1], (1, 1), (2, 2), "VALID", "NHWC",
        M_DIL4 % "(1, 5, 5, 1)", args_override=d4([1, 2, 2, 1]))
    add("dilations4-1111-same", "depthwise_conv2d", [1, 3, 3, 2],
        [2, 2, 2, 2], (1, 1), (1, 1), "SAME", "NHWC",
        M_DIL4 % "(1, 3, 3, 2)", args_override=d4([1, 1, 1, 1]))
    add("dilations4-1321-same", "depthwise_conv2d", [1, 6, 5, 2],
        [2, 2, 2, 1], (1, 1), (3, 2), "SAME", "NHWC",
        M_DIL4 % "(1, 6, 5, 2)", args_override=d4([1, 3, 2, 1]))
    add("dilations4-1122-nchw", "depthwise_conv2d", [1, 5, 5, 2],
        [2, 2, 2, 1], (1, 1), (2, 2), "VALID", "NCHW",
        M_DIL4 % "(1, 2, 5, 5)" + "; " + M_NCHW_DW,
        args_override=d4([1, 1, 2, 2]))
    return cases


# ---------------------------------------------------------------------------


def write(name, description, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate ids in " + name
    doc = {
        "format": "depthwise-interop-conformance",
        "format_version": 1,
        "description": description,
        "cases": cases,
    }
    path = os.path.join(FIXTURES, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # one case per line: compact but diff-friendly
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"},
                      indent=1)[:-2]
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False)
             for c in cases]
    text = head + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    assert json.loads(text) == doc
    check = "--check" in sys.argv
    if check:
        with open(path, encoding="utf-8") as fh:
            if fh.read() != text:
                print("STALE:", path)
                sys.exit(1)
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return path


def main():
    tfv = tf_value_cases()
    jsv = tfjs_value_cases()
    errs = tf_error_cases()
    conversions = tf_conversion_cases()
    lifted = lifted_cases()
    write("tensorflow_values.json",
          "Value cases transcribed from TensorFlow's own tests "
          "(conv_ops_test.py, depthwise_conv_op_base.py, the "
          "tf.nn.depthwise_conv2d docstring) and tfjs-core's conv2d/"
          "depthwiseConv2d tests; every case recomputed exactly by "
          "conformance/transcribe/build_tensorflow_fixtures.py. Also conv2d "
          "with a filter of another dtype (TensorFlow's eager conversion, "
          "read from its source).",
          [c for c in tfv + jsv if c["dtype"] != "float16"] + conversions)
    # A file of their own: the float16 cases need a runner with float16 support (issue #7).
    write("tensorflow_values_float16.json",
          "float16 value cases transcribed from TensorFlow's conv_ops_test.py "
          "(only where every partial sum is exact in float16, hence exact "
          "under float32 accumulation and one rounding as well); built by "
          "conformance/transcribe/build_tensorflow_fixtures.py.",
          [c for c in tfv + jsv if c["dtype"] == "float16"])
    write("tensorflow_errors.json",
          "Inputs TensorFlow rejects, with TensorFlow's message texts "
          "(from TF tests and kernel/Python source), plus library policy "
          "cases; built by conformance/transcribe/"
          "build_tensorflow_fixtures.py.",
          errs)
    write("tensorflow_lifted.json",
          "Inputs TensorFlow refuses only because of an implementation limit "
          "this library lifts; expected values computed exactly by "
          "conformance/transcribe/build_tensorflow_fixtures.py.",
          lifted)
    # summary
    def count(cases, key):
        out = {}
        for c in cases:
            k = key(c)
            out[k] = out.get(k, 0) + 1
        return out
    src = lambda c: c["provenance"].split(":")[0]  # noqa: E731
    print("values:", len(tfv) + len(jsv))
    for k, v in sorted(count(tfv + jsv, src).items()):
        print("   %4d  %s" % (v, k))
    print("errors:", len(errs))
    for k, v in sorted(count(errs, lambda c: c["op"]).items()):
        print("   %4d  %s" % (v, k))
    print("lifted:", len(lifted))
    print("tfjs literal max deviation from exact recomputation: %.3g"
          % REPORT["tfjs_max_dev"])
    if REPORT["mismatches"]:
        print("MISMATCHES:")
        for m in REPORT["mismatches"]:
            print("  ", m)
    else:
        print("no mismatches between transcribed expectations and the "
              "recomputation")


if __name__ == "__main__":
    main()
