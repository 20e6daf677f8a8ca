#!/usr/bin/env python3
"""Independent re-check of conformance/fixtures/derived_*.json (standard library only, no NumPy).

    python3 conformance/derive/verify_derived.py [FILE ...]

For every derived case it recomputes the convolution from `input`, `filter` and `args` with a naive loop in
float64 (math.fsum of the products, each exact in float64 for float32 inputs: so the reference is the exact
result rounded once to float64).  It reads `args` as tf.nn does (tf-semantics.md §2, §3, §8): the conv2d
_get_sequence forms, depthwise 4-list strides and 2-list rates, explicit pads in data_format order,
data_format None = NHWC, grouped conv2d with contiguous group-major channel blocks.  It does not use
derive_fixtures.py.

Checks:
* the output shape is TensorFlow's (C++ truncating division for VALID/explicit, §3);
* "exact" cases: every value is an integer and equals the recomputation exactly;
* "summation" cases: |expected - reference| <= 1e-5 * S, S = sum |x*w| of the element (and == when S == 0);
  the maximum of |expected - reference| / S is reported;
* depthwise cases with stride > 1 and dilation > 1: expected_error is the Python refusal and
  expected_managed holds the true strided dilated convolution (checked as above);
* float32 values are exactly float32; ids are unique across every fixture file; the provenance names an
  existing tfjs case; float64 and grouped (reshape) cases reuse the source's numbers unchanged;
* float16 and bfloat16 cases (derive_half.py): every input and filter value is its source value times the
  power of two the provenance names, rounded to the type to nearest-even (redone here without NumPy: struct's
  binary16 packing, and integer arithmetic on the float32 bits for bfloat16), and every expected value is the
  float64 recomputation exactly (not rounded to the type).
Exits 1 on any failure.
"""

import glob
import json
import math
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))
RELATIVE_BOUND = 1e-5


def is_f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0] == v


def is_f16(v):
    try:
        return struct.unpack("<e", struct.pack("<e", v))[0] == v
    except OverflowError:
        return False


def f32_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def round_bf16(v):
    """float32 v rounded to bfloat16, nearest-even, on the integer bits (finite v only)."""
    bits = f32_bits(v)
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]


def round_f16(v):
    return struct.unpack("<e", struct.pack("<e", v))[0]


HALF_TYPES = {"float16": round_f16, "bfloat16": round_bf16}


def get_sequence(value, channel_index, name):
    """tf.nn.conv2d's _get_sequence(value, 2, channel_index, name)."""
    if value is None:
        return [1, 1, 1, 1]
    if isinstance(value, int):
        value = [value]
    if len(value) == 4:
        return list(value)
    if len(value) == 1:
        value = [value[0], value[0]]
    if len(value) != 2:
        raise ValueError(f"{name} should be of length 1, 2 or 4")
    full = [1, 1, 1, 1]
    if channel_index == 3:
        full[1], full[2] = value
    else:
        full[2], full[3] = value
    return full


def output_size(size, kernel, rate, stride, padding, before_after):
    """(out, pad_before) following GetWindowedOutputSizeVerbose (tf-semantics.md §3)."""
    effective = (kernel - 1) * rate + 1
    if padding == "SAME":
        out = (size + stride - 1) // stride
        needed = max(0, (out - 1) * stride + effective - size)
        return out, needed // 2
    numerator = size + before_after[0] + before_after[1] - effective + stride
    out = int(numerator / stride) if numerator < 0 else numerator // stride  # C++ truncation
    if out < 0:
        raise ValueError("Computed output size would be negative")
    return out, before_after[0]


def convolve(case, strides_hw, rates_hw):
    """Returns (shape, reference values, S values) of the case's op with the given spatial strides/rates."""
    args = case["args"]
    nchw = args.get("data_format") == "NCHW"
    xs, ws = case["input"]["shape"], case["filter"]["shape"]
    x, w = [float(v) for v in case["input"]["values"]], [float(v) for v in case["filter"]["values"]]
    if nchw:
        batch, channels, height, width = xs
    else:
        batch, height, width, channels = xs
    kh, kw, fdepth, fout = ws
    padding = args["padding"]
    if isinstance(padding, list):
        ph, pw = (padding[2], padding[3]) if nchw else (padding[1], padding[2])
        assert padding[0] == [0, 0] and (padding[1] if nchw else padding[3]) == [0, 0]
        mode = "EXPLICIT"
    else:
        ph = pw = (0, 0)
        mode = padding
    oh, top = output_size(height, kh, rates_hw[0], strides_hw[0], mode, ph)
    ow, left = output_size(width, kw, rates_hw[1], strides_hw[1], mode, pw)

    if case["op"] == "depthwise_conv2d":
        assert fdepth == channels
        cout = channels * fout
        # output channel o = c*M + m reads input channel c with filter [.., c, m]
        terms = [[(c, c * fout + m)] for c in range(channels) for m in range(fout)]
    else:
        assert channels % fdepth == 0
        groups = channels // fdepth
        cout = fout
        assert cout % groups == 0
        per_group = cout // groups
        # output channel o of group g = o // per_group reads input channels g*fdepth + ci with filter [.., ci, o]
        terms = [[((o // per_group) * fdepth + ci, ci * fout + o) for ci in range(fdepth)] for o in range(cout)]
    filter_row = fdepth * fout  # stride of (kh, kw) in the flat filter

    def xindex(b, i, j, c):
        return ((b * channels + c) * height + i) * width + j if nchw else ((b * height + i) * width + j) * channels + c

    ref, mag = {}, {}
    for b in range(batch):
        for i in range(oh):
            rows = [(p, i * strides_hw[0] - top + p * rates_hw[0]) for p in range(kh)]
            rows = [(p, r) for p, r in rows if 0 <= r < height]
            for j in range(ow):
                cols = [(q, j * strides_hw[1] - left + q * rates_hw[1]) for q in range(kw)]
                cols = [(q, s) for q, s in cols if 0 <= s < width]
                for o in range(cout):
                    products = [x[xindex(b, r, s, c)] * w[(p * kw + q) * filter_row + f]
                                for p, r in rows for q, s in cols for c, f in terms[o]]
                    ref[(b, i, j, o)] = math.fsum(products)
                    mag[(b, i, j, o)] = math.fsum(abs(v) for v in products)
    if nchw:
        shape = [batch, cout, oh, ow]
        order = [(b, i, j, o) for b in range(batch) for o in range(cout) for i in range(oh) for j in range(ow)]
    else:
        shape = [batch, oh, ow, cout]
        order = [(b, i, j, o) for b in range(batch) for i in range(oh) for j in range(ow) for o in range(cout)]
    return shape, [ref[k] for k in order], [mag[k] for k in order]


def spatial_args(case):
    args = case["args"]
    nchw = args.get("data_format") == "NCHW"
    if case["op"] == "conv2d":
        channel_index = 1 if nchw else 3
        strides = get_sequence(args.get("strides"), channel_index, "strides")
        rates = get_sequence(args.get("dilations"), channel_index, "dilations")
        hw = (2, 3) if nchw else (1, 2)
        return (strides[hw[0]], strides[hw[1]]), (rates[hw[0]], rates[hw[1]])
    strides = args["strides"]
    assert isinstance(strides, list) and len(strides) == 4, "depthwise strides must be a 4-list"
    s = (strides[2], strides[3]) if nchw else (strides[1], strides[2])
    rates = args.get("dilations")
    r = (1, 1) if rates is None else tuple(rates)
    assert len(r) == 2, "tf.nn.depthwise_conv2d rates are [rate_h, rate_w]"
    return s, r


def compare(case, tensor, shape, ref, mag, stats):
    problems = []
    if tensor["shape"] != shape:
        return [f"shape {tensor['shape']} != recomputed {shape}"]
    want = tensor["values"]
    if len(want) != len(ref):
        return [f"{len(want)} values for shape {shape}"]
    exact = case["tolerance"] == "exact"
    for index, (v, r, s) in enumerate(zip(want, ref, mag)):
        if isinstance(v, str):
            problems.append(f"non-finite value {v} at {index}")
            continue
        if case["dtype"] == "float32" and not is_f32(v):
            problems.append(f"value {v!r} at {index} is not a float32")
        if case["dtype"] == "float16" and not is_f16(float(v)) and case["tolerance"] == "exact":
            problems.append(f"exact float16 value {v!r} at {index} is not a float16")
        if case["dtype"] in HALF_TYPES and v != r:
            problems.append(f"{case['dtype']} case: expected {v!r} is not the float64 recomputation {r!r} at {index}")
            continue
        if exact:
            if v != r or v != int(v):
                problems.append(f"exact case: {v!r} != {r!r} at {index}")
            continue
        diff = abs(v - r)
        if s == 0:
            if diff != 0:
                problems.append(f"S = 0 but {v!r} != {r!r} at {index}")
            continue
        ratio = diff / s
        if ratio > stats["max_ratio"]:
            stats["max_ratio"], stats["max_at"] = ratio, f"{case['id']} [{index}]"
        if ratio > RELATIVE_BOUND:
            problems.append(f"|{v!r} - {r!r}| / S = {ratio:.3g} > {RELATIVE_BOUND} at {index}")
    return problems[:3]


def all_ids():
    ids = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True)):
        with open(path, encoding="utf-8") as stream:
            for case in json.load(stream)["cases"]:
                ids.setdefault(case["id"], []).append(os.path.relpath(path, FIXTURES))
    return ids


def tfjs_sources():
    sources = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "tfjs_*.json"))):
        with open(path, encoding="utf-8") as stream:
            for case in json.load(stream)["cases"]:
                sources[case["id"]] = case
    return sources


def check_case(case, sources):
    problems = []
    prov = case.get("provenance", "")
    source = None
    if not (case["id"].startswith("derived/") and prov.startswith("derived: ") and " from " in prov):
        problems.append("id/provenance not of the derived form")
    else:
        source = sources.get(prov.rsplit(" from ", 1)[1])
        if source is None:
            problems.append("provenance names no tfjs case")
    tags = case.get("tags", [])
    if "derived-float64" in tags and source is not None:
        if case["dtype"] != "float64" or source["tolerance"] != "exact" or any(
                case[k] != source[k] for k in ("op", "args", "input", "filter", "expected")):
            problems.append("float64 case is not its source relabelled")
    if "depthwise-as-conv2d" in tags and source is not None:
        kh, kw, c, m = source["filter"]["shape"]
        if (case["filter"] != {"shape": [kh, kw, 1, c * m], "values": source["filter"]["values"]}
                or case["input"] != source["input"] or case["expected"] != source["expected"]):
            problems.append("grouped case is not its source with the filter reshaped")
    if case["dtype"] in HALF_TYPES and source is not None:
        problems += half_inputs(case, source)
    if ("expected" in case) == ("expected_error" in case):
        problems.append("needs exactly one of expected / expected_error")
    return problems


def half_inputs(case, source):
    """The case's tensors are the source's, scaled by the provenance's powers of two and rounded to the type."""
    match = re.search(r"scaled by (\S+) and (\S+) \(powers of two\)", case["provenance"])
    if match is None:
        return ["provenance names no scaling"]
    scales = [1.0 if text == "1" else 2.0 ** int(text[2:]) for text in match.groups()]
    rounding = HALF_TYPES[case["dtype"]]
    for key, scale in zip(("input", "filter"), scales):
        # the scaling is done in float32 (exact for these powers of two and magnitudes), then one rounding
        wanted = [rounding(struct.unpack("<f", struct.pack("<f", float(v) * scale))[0]) for v in source[key]["values"]]
        if case[key]["shape"] != source[key]["shape"] or [float(v) for v in case[key]["values"]] != wanted:
            return [f"{key} is not the source's scaled by {scale} and rounded to {case['dtype']}"]
    return []


def main(argv):
    paths = argv or sorted(glob.glob(os.path.join(FIXTURES, "derived_*.json")))
    ids = all_ids()
    duplicates = {i: p for i, p in ids.items() if len(p) > 1}
    sources = tfjs_sources()
    failures = 0
    overall = {"max_ratio": 0.0, "max_at": ""}
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            cases = json.load(stream)["cases"]
        stats = {"max_ratio": 0.0, "max_at": ""}
        counted = {"value": 0, "error+managed": 0, "exact": 0}
        for case in cases:
            problems = check_case(case, sources)
            if case["id"] in duplicates:
                problems.append(f"id also in {duplicates[case['id']]}")
            try:
                strides, rates = spatial_args(case)
                shape, ref, mag = convolve(case, strides, rates)
            except (AssertionError, ValueError) as error:
                problems.append(f"cannot recompute: {error}")
            else:
                if "expected" in case:
                    counted["value"] += 1
                    problems += compare(case, case["expected"], shape, ref, mag, stats)
                else:
                    counted["error+managed"] += 1
                    strided_dilated = max(strides) > 1 and max(rates) > 1
                    if case["op"] != "depthwise_conv2d" or not strided_dilated:
                        problems.append("error case that is not a strided dilated depthwise case")
                    if case["expected_error"] != {"kind": "ValueError", "message": "not supported in conjunction with"}:
                        problems.append(f"unexpected expected_error {case['expected_error']}")
                    if "expected_managed" not in case:
                        problems.append("no expected_managed")
                    else:
                        problems += compare(case, case["expected_managed"], shape, ref, mag, stats)
            counted["exact"] += case["tolerance"] == "exact"
            if problems:
                failures += 1
                print(f"FAILED {case['id']}: " + "; ".join(problems))
        name = os.path.basename(path)
        print(f"{name}: {len(cases)} cases ({counted['value']} value, {counted['error+managed']} error with "
              f"expected_managed, {counted['exact']} exact); max |expected - float64 reference| / sum|x*w| = "
              f"{stats['max_ratio']:.3g}" + (f" ({stats['max_at']})" if stats["max_at"] else ""))
        if stats["max_ratio"] >= overall["max_ratio"]:
            overall = stats
    print(f"{'FAILED' if failures else 'OK'}: {failures} failing cases; overall max relative error "
          f"{overall['max_ratio']:.3g} (bound {RELATIVE_BOUND})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
