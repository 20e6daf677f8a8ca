#!/usr/bin/env python3
"""Independent re-check of conformance/fixtures/tensorflow_{values,values_float16,lifted}.json.

Standard library only.  Reads each value case the way a tf.nn caller would
(args in tf.nn form, data_format order, NCHW data as given), computes the
convolution with a plain float64 loop written directly in the case's own
layout, and compares with `expected`:
  * tolerance "exact": equal;
  * tolerance "summation": |got - want| <= 4 * eps(dtype) * sum|x*w| + tiny.
Also checks the structure of every case (keys, shapes vs. value counts) in
all three files.  Exit status 1 on any failure.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "fixtures"))
EPS = {"float16": 2.0 ** -10, "float32": 2.0 ** -23, "float64": 2.0 ** -52}


def num(v):
    if isinstance(v, str):
        return float({"NaN": "nan", "Infinity": "inf",
                      "-Infinity": "-inf"}[v])
    return float(v)


def prod(s):
    n = 1
    for d in s:
        n *= d
    return n


def seq4(v, df, name):
    """conv2d _get_sequence: int / [k] / [h, w] / 4-list -> 4-list."""
    c = 1 if df.startswith("NC") else 3
    if v is None:
        return [1, 1, 1, 1]
    if isinstance(v, int):
        v = [v]
    if len(v) == 4:
        return list(v)
    if len(v) == 1:
        v = v * 2
    assert len(v) == 2, name
    return [1, 1] + v if c == 1 else [1] + v + [1]


def run(case):
    op, a = case["op"], case["args"]
    df = a.get("data_format") or "NHWC"
    xs, x = case["input"]["shape"], [num(v) for v in case["input"]["values"]]
    fs, f = case["filter"]["shape"], [num(v) for v in case["filter"]["values"]]
    batch_shape = None
    if len(xs) > 4:  # conv2d batch_shape support
        batch_shape = xs[:-3]
        xs = [prod(batch_shape)] + xs[-3:]
    nchw = df == "NCHW"
    if nchw:
        n, c, h, w = xs
    else:
        n, h, w, c = xs

    def X(b, ch, y, xx):
        if nchw:
            return x[((b * c + ch) * h + y) * w + xx]
        return x[((b * h + y) * w + xx) * c + ch]

    kh, kw, ci, co = fs
    if op == "conv2d":
        st = seq4(a.get("strides"), df, "strides")
        dl = seq4(a.get("dilations"), df, "dilations")
        groups = c // ci
        cout = co
    else:
        st = a["strides"]
        d = a.get("dilations")
        if d is None:
            d = [1, 1]
        if len(d) == 2:
            dl = [1, 1] + list(d) if nchw else [1] + list(d) + [1]
        else:
            dl = list(d)
        groups = c
        cout = c * co
    if nchw:
        sh, sw, dh, dw = st[2], st[3], dl[2], dl[3]
    else:
        sh, sw, dh, dw = st[1], st[2], dl[1], dl[2]
    pad = a["padding"]

    def dim(size, k, s, dd, which):
        eff = (k - 1) * dd + 1
        if pad == "VALID":
            o, b0 = int((size - eff + s) / s), 0
        elif pad == "SAME":
            o = -(-size // s)
            need = max(0, (o - 1) * s + eff - size)
            b0 = need // 2
        else:
            p = pad[(2 if nchw else 1) + which]
            o, b0 = int((size + p[0] + p[1] - eff + s) / s), p[0]
        return o, b0

    oh, pt = dim(h, kh, sh, dh, 0)
    ow, pl = dim(w, kw, sw, dw, 1)
    gin = c // groups
    gout = cout // groups
    out, bound = [], []
    for b in range(n):
        for o in (range(cout) if nchw else [None]):
            for y in range(oh):
                for xx in range(ow):
                    for oc in ([o] if nchw else range(cout)):
                        g = oc // gout
                        acc = sab = 0.0
                        for ky in range(kh):
                            iy = y * sh - pt + ky * dh
                            if not 0 <= iy < h:
                                continue
                            for kx in range(kw):
                                ix = xx * sw - pl + kx * dw
                                if not 0 <= ix < w:
                                    continue
                                for i in range(gin):
                                    if op == "conv2d":
                                        wv = f[((ky * kw + kx) * ci + i)
                                               * co + oc]
                                    else:
                                        wv = f[((ky * kw + kx) * c + g) * co
                                               + oc % co]
                                    p = X(b, g * gin + i, iy, ix) * wv
                                    acc += p
                                    sab += abs(p)
                        out.append(acc)
                        bound.append(sab)
    shape = [n, cout, oh, ow] if nchw else [n, oh, ow, cout]
    if batch_shape is not None:
        shape = batch_shape + shape[1:]
    return shape, out, bound


def structure(case, fname):
    for k in ("id", "op", "args", "dtype", "input", "filter", "tolerance",
              "provenance", "tags"):
        assert k in case, (fname, case.get("id"), k)
    assert ("expected" in case) != ("expected_error" in case), case["id"]
    assert case["op"] in ("conv2d", "depthwise_conv2d")
    assert case["tolerance"] in ("exact", "summation")
    for t in ("input", "filter", "expected"):
        if t in case:
            assert len(case[t]["values"]) == prod(case[t]["shape"]), \
                (case["id"], t)
    if "expected_error" in case:
        assert case["expected_error"]["kind"] in ("ValueError", "TypeError")
        assert case["expected_error"]["message"]


def main():
    bad = 0
    total = 0
    for fname in ("tensorflow_values.json", "tensorflow_values_float16.json",
                  "tensorflow_lifted.json", "tensorflow_errors.json"):
        doc = json.load(open(os.path.join(FIX, fname), encoding="utf-8"))
        assert doc["format"] == "depthwise-interop-conformance"
        assert doc["format_version"] == 1
        ids = set()
        for case in doc["cases"]:
            structure(case, fname)
            assert case["id"] not in ids, case["id"]
            ids.add(case["id"])
            if "expected" not in case:
                continue
            total += 1
            shape, got, bound = run(case)
            want = [num(v) for v in case["expected"]["values"]]
            if shape != case["expected"]["shape"]:
                print("SHAPE", case["id"], shape, case["expected"]["shape"])
                bad += 1
                continue
            eps = EPS[case["dtype"]]
            for i, (g, wv, bd) in enumerate(zip(got, want, bound)):
                if case["tolerance"] == "exact":
                    ok = g == wv
                else:
                    ok = abs(g - wv) <= 4 * eps * bd + 1e-300
                if not ok:
                    print("VALUE", case["id"], i, g, wv)
                    bad += 1
                    break
    print("checked %d value cases, %d failures" % (total, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
