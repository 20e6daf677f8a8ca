#!/usr/bin/env python3
"""Writes conformance/fixtures/derived_*.json from the committed tfjs_*.json fixtures.

Standard library only (no NumPy).  Run from anywhere:

    python3 conformance/derive/derive_fixtures.py           # (re)write the derived_*.json files
    python3 conformance/derive/derive_fixtures.py --check   # exit 1 if the committed files differ

TensorFlow.js cannot express grouped conv2d, float64, or a stride above 1 together with a dilation above 1.
This script derives such cases from the tfjs cases by exact identities (documented in README.md next to this
file).  No float32 sum is recomputed: every expected value is a tfjs expected value, moved (reshape, sampling,
channel concatenation) or multiplied by a power of two or -1, which is exact in binary floating point.

Output is deterministic: the sources are read in file-name order and line order, every choice depends only on
the source case (its seed), and the numbers of the source files are copied as their original JSON text.
"""

import argparse
import glob
import gzip
import json
import os
import sys
from decimal import Decimal

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))
FORMAT_NAME = "depthwise-interop-conformance"

GROUPED_FILE = "derived_grouped_conv2d.json"
FLOAT64_FILE = "derived_float64.json"
STRIDED_CONV_FILE = "derived_strided_dilated_conv2d.json"
STRIDED_DW_FILE = "derived_strided_dilated_depthwise.json"
# Written by derive_half.py (which needs NumPy): neither stray here nor deleted as stale.
OTHER_WRITERS = {"derived_float16.json", "derived_bfloat16.json"}

IDENTITY_GROUPED = "depthwise_conv2d(x, f[KH,KW,C,M]) == conv2d(x, reshape(f, [KH,KW,1,C*M])) (groups C, output channel c*M+m)"
IDENTITY_CONCAT = ("conv2d(concat_g(a_g*x), concat_g(b_g*f along out-channels)) == concat_g(a_g*b_g*conv2d(x, f)), "
                   "groups G, a_g and b_g in {1, 2, -1, 4} (exact scalings)")
IDENTITY_FLOAT64 = "float64 relabel of an exact small-integer case (every partial sum is an integer below 2^24)"
IDENTITY_STRIDED = ("stride-s output = stride-1 output sampled every s rows/cols, "
                    "out_s[b,i,j] = out_1[b,i*sh,j*sw] (VALID/explicit padding)")

PYTHON_REFUSAL = {"kind": "ValueError", "message": "not supported in conjunction with"}

# Scalings (input factor a_g, filter factor b_g) of the groups of the concatenation identity.  Powers of two
# and -1: multiplying by them is exact (no overflow or underflow at these magnitudes), so group g's exact
# result is a_g*b_g times the source's and tfjs's float32 result scales the same way.
CONCAT_SCALES = [(1, 1), (2, -1), (-1, 4)]


# ---------------------------------------------------------------------------
# JSON with the source numbers kept as their original text
# ---------------------------------------------------------------------------


class Num(float):
    """A float parsed from JSON that remembers its text, so it is written back unchanged."""

    __slots__ = ("text",)

    def __new__(cls, text):
        value = super().__new__(cls, text)
        value.text = text
        return value


def js_number(value):
    """JavaScript's Number.prototype.toString of a double (what the tfjs generator writes)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("non-finite values are not derived")
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()  # repr: the shortest round-trip digits
    all_digits = "".join(map(str, digit_tuple))
    digits = all_digits.rstrip("0")
    exponent += len(all_digits) - len(digits)
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = mantissa + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if sign else "") + text


def dump(value):
    """Compact JSON like JavaScript's JSON.stringify (the format of the tfjs fixture lines)."""
    if isinstance(value, Num):
        return value.text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dump(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(key, ensure_ascii=False) + ":" + dump(item) for key, item in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__}")


def read_json(path, keep_text=False):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return json.load(stream, parse_float=Num) if keep_text else json.load(stream)


def document(description, cases):
    lines = ["{", f'"format": "{FORMAT_NAME}",', '"format_version": 1,',
             f'"description": {json.dumps(description, ensure_ascii=False)},', '"cases": [']
    lines += [dump(case) + ("," if index + 1 < len(cases) else "") for index, case in enumerate(cases)]
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# helpers on cases
# ---------------------------------------------------------------------------


def is_nchw(case):
    return case["args"].get("data_format") == "NCHW"


def seed_of(case):
    return int(case["id"].rsplit("/seed", 1)[1])


def spatial(value, nchw):
    """(h, w) of a conv2d-style strides/dilations value (tf-semantics.md §2.1) or a depthwise 2-list of rates."""
    if value is None:
        return (1, 1)
    if isinstance(value, int):
        return (value, value)
    if len(value) == 1:
        return (value[0], value[0])
    if len(value) == 2:
        return (value[0], value[1])
    if len(value) == 4:
        return (value[2], value[3]) if nchw else (value[1], value[2])
    raise ValueError(f"bad strides/dilations {value!r}")


def explicit_pads(case):
    """(top, bottom, left, right), or None for SAME."""
    padding = case["args"]["padding"]
    if padding == "VALID":
        return (0, 0, 0, 0)
    if padding == "SAME":
        return None
    h, w = (padding[2], padding[3]) if is_nchw(case) else (padding[1], padding[2])
    return (h[0], h[1], w[0], w[1])


def channel_axis(case):
    return 1 if is_nchw(case) else 3


def spatial_dims(shape, nchw):
    return (shape[2], shape[3]) if nchw else (shape[1], shape[2])


def scale(value, factor):
    if factor == 1:
        return value
    if isinstance(value, int):
        return value * factor
    result = float(value) * factor
    if isinstance(value, Num):  # a JSON text the generator wrote: our formatter must agree with it
        assert js_number(float(value)) == value.text, (value.text, js_number(float(value)))
    return result


def concat_axis(values, shape, axis, parts):
    """Concatenates along `axis` the copies of a flat row-major tensor scaled by each factor in `parts`."""
    outer = 1
    for size in shape[:axis]:
        outer *= size
    chunk = 1
    for size in shape[axis:]:
        chunk *= size
    out = []
    for o in range(outer):
        block = values[o * chunk:(o + 1) * chunk]
        for factor in parts:
            out += [scale(v, factor) for v in block]
    new_shape = list(shape)
    new_shape[axis] *= len(parts)
    return {"shape": new_shape, "values": out}


def retag(tags, drop_prefixes=(), drop=(), add=()):
    kept = [t for t in tags if t not in drop and not any(t.startswith(p) for p in drop_prefixes)]
    for tag in add:
        if tag not in kept:
            kept.append(tag)
    return kept


def stride_tags(sh, sw):
    if sh == sw:
        return [f"stride{sh}"]
    return [f"stride{sh}x{sw}", "asymmetric-stride"]


def provenance(identity, source):
    return f"derived: {identity} from {source['id']}"


# ---------------------------------------------------------------------------
# identity 1: depthwise as grouped conv2d; identity 1b: concatenation of scaled copies
# ---------------------------------------------------------------------------


def grouped_from_depthwise(src):
    kh, kw, c, m = src["filter"]["shape"]
    args = dict(src["args"])
    dilations = args.get("dilations")
    # depthwise: strides a 4-list in data_format order, dilations null or the 2-list [rate_h, rate_w]:
    # conv2d reads both forms with the same meaning (_get_sequence, tf-semantics.md §2.1).
    assert isinstance(args["strides"], list) and len(args["strides"]) == 4
    assert dilations is None or (isinstance(dilations, list) and len(dilations) == 2)
    tags = retag(src["tags"], add=["derived", "derived-grouped", "grouped", f"groups{c}", f"outchannels{c * m}",
                                   "depthwise-as-conv2d"])
    return {
        "id": "derived/grouped/" + src["id"],
        "op": "conv2d",
        "args": args,
        "dtype": src["dtype"],
        "input": src["input"],
        "filter": {"shape": [kh, kw, 1, c * m], "values": src["filter"]["values"]},
        "expected": src["expected"],
        "tolerance": src["tolerance"],
        "provenance": provenance(IDENTITY_GROUPED, src),
        "tags": tags,
    }


def grouped_concat(src, groups):
    scales = CONCAT_SCALES[:groups]
    axis = channel_axis(src)
    cin = src["input"]["shape"][axis]
    cout = src["filter"]["shape"][3]
    x = concat_axis(src["input"]["values"], src["input"]["shape"], axis, [a for a, _ in scales])
    f = concat_axis(src["filter"]["values"], src["filter"]["shape"], 3, [b for _, b in scales])
    y = concat_axis(src["expected"]["values"], src["expected"]["shape"], axis, [a * b for a, b in scales])
    tags = retag(src["tags"], drop_prefixes=("channels", "outchannels"),
                 add=["derived", "derived-grouped-concat", "grouped", f"groups{groups}", f"channels{cin * groups}",
                      f"outchannels{cout * groups}", f"group-depth{cin}"])
    return {
        "id": f"derived/grouped-concat/g{groups}/" + src["id"],
        "op": "conv2d",
        "args": dict(src["args"]),
        "dtype": src["dtype"],
        "input": x,
        "filter": f,
        "expected": y,
        "tolerance": src["tolerance"],
        "provenance": provenance(IDENTITY_CONCAT, src),
        "tags": tags,
    }


# ---------------------------------------------------------------------------
# identity 2: float64 relabel
# ---------------------------------------------------------------------------


def float64_relabel(src):
    case = {}
    for key, value in src.items():
        case[key] = value
    case["id"] = "derived/float64/" + src["id"]
    case["dtype"] = "float64"
    case["provenance"] = provenance(IDENTITY_FLOAT64, src)
    case["tags"] = retag(src["tags"], add=["derived", "derived-float64", "float64"])
    return case


# ---------------------------------------------------------------------------
# identity 3: strided dilated = sampled stride-1 dilated output
# ---------------------------------------------------------------------------


def stride_variants(src):
    seed = seed_of(src)
    return [(2, 2), (3, 3), (2, 3) if seed % 2 == 0 else (3, 2)]


def tf_output_size(size, pad_total, effective, stride):
    """GetWindowedOutputSizeVerbose for VALID/EXPLICIT (tf-semantics.md §3), C++ truncating division."""
    numerator = size + pad_total - effective + stride
    assert numerator >= 0
    return numerator // stride  # equals truncation for a non-negative numerator


def strided(src, sh, sw, form):
    nchw = is_nchw(src)
    args = src["args"]
    pads = explicit_pads(src)
    assert pads is not None and spatial(args["strides"], nchw) == (1, 1)
    depthwise = src["op"] == "depthwise_conv2d"
    rh, rw = spatial(args.get("dilations"), nchw)
    kh, kw = src["filter"]["shape"][:2]
    h, w = spatial_dims(src["input"]["shape"], nchw)
    shape1 = src["expected"]["shape"]
    oh1, ow1 = spatial_dims(shape1, nchw)
    eh, ew = (kh - 1) * rh + 1, (kw - 1) * rw + 1
    assert (oh1, ow1) == (tf_output_size(h, pads[0] + pads[1], eh, 1), tf_output_size(w, pads[2] + pads[3], ew, 1))
    oh, ow = (oh1 - 1) // sh + 1, (ow1 - 1) // sw + 1  # the number of sampled rows/cols (0 when oh1 == 0)
    assert (oh, ow) == (tf_output_size(h, pads[0] + pads[1], eh, sh), tf_output_size(w, pads[2] + pads[3], ew, sw))

    y = src["expected"]["values"]
    if nchw:
        b, co = shape1[0], shape1[1]
        values = [y[((bi * co + c) * oh1 + i * sh) * ow1 + j * sw]
                  for bi in range(b) for c in range(co) for i in range(oh) for j in range(ow)]
        shape = [b, co, oh, ow]
    else:
        b, co = shape1[0], shape1[3]
        values = [y[((bi * oh1 + i * sh) * ow1 + j * sw) * co + c]
                  for bi in range(b) for i in range(oh) for j in range(ow) for c in range(co)]
        shape = [b, oh, ow, co]

    list4 = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
    strides_value = {"int": sh, "list2": [sh, sw], "list4": list4}[form]
    new_args = {key: (strides_value if key == "strides" else value) for key, value in args.items()}
    add = ["derived", "derived-strided-dilated", "strided-dilated"] + stride_tags(sh, sw) + [f"strides-{form}"]
    if 0 in shape:
        add.append("zero-size")
    tags = retag(src["tags"], drop_prefixes=("stride",), drop=("asymmetric-stride", "zero-size"), add=add)
    case = {
        "id": f"derived/strided-dilated/s{sh}x{sw}/" + src["id"],
        "op": src["op"],
        "args": new_args,
        "dtype": src["dtype"],
        "input": src["input"],
        "filter": src["filter"],
    }
    if depthwise:
        case["expected_error"] = dict(PYTHON_REFUSAL)
        case["expected_managed"] = {"shape": shape, "values": values}
        tags = retag(tags, add=["expected-managed", "python-refuses"])
    else:
        case["expected"] = {"shape": shape, "values": values}
    case["tolerance"] = src["tolerance"]
    case["provenance"] = provenance(IDENTITY_STRIDED, src)
    case["tags"] = tags
    return case


def strided_cases(src):
    nchw = is_nchw(src)
    seed = seed_of(src)
    out = []
    for k, (sh, sw) in enumerate(stride_variants(src)):
        if src["op"] == "depthwise_conv2d":
            form = "list4"  # tf.nn.depthwise_conv2d takes only the 4-list
        elif sh == sw:
            form = ("int", "list2", "list4")[(seed + k) % 3]
        else:
            form = ("list2", "list4")[(seed + k) % 2]
        out.append(strided(src, sh, sw, form))
    return out


def is_strided_source(src):
    if "expected" not in src or explicit_pads(src) is None:
        return False
    nchw = is_nchw(src)
    return (spatial(src["args"]["strides"], nchw) == (1, 1)
            and max(spatial(src["args"].get("dilations"), nchw)) > 1)


# ---------------------------------------------------------------------------
# selection and files
# ---------------------------------------------------------------------------


def load_sources():
    cases = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "tfjs_*.json"))):
        data = read_json(path, keep_text=True)
        assert data["format"] == FORMAT_NAME and data["format_version"] == 1, path
        cases += data["cases"]
    return cases


def build():
    sources = load_sources()
    grouped, concat, float64, strided_conv, strided_dw = [], [], [], [], []
    for src in sources:
        if "expected" not in src:
            continue
        cin = src["input"]["shape"][channel_axis(src)]
        seed = seed_of(src)
        if src["op"] == "depthwise_conv2d" and cin >= 2 and seed % 2 == 0:
            grouped.append(grouped_from_depthwise(src))
        if src["op"] == "conv2d" and cin >= 2 and (seed % 8 == 1 or seed % 16 == 5):
            concat.append(grouped_concat(src, 2 if seed % 8 == 1 else 3))
        if src["tolerance"] == "exact":
            float64.append(float64_relabel(src))
        if is_strided_source(src):
            (strided_dw if src["op"] == "depthwise_conv2d" else strided_conv).extend(strided_cases(src))
    return {
        GROUPED_FILE: (
            "Grouped tf.nn.conv2d (TensorFlow.js has none), derived exactly from the tfjs fixtures: depthwise cases "
            "as conv2d with the filter reshaped to [KH,KW,1,C*M], and conv2d cases as groups of scaled copies "
            "concatenated along channels; conformance/derive/derive_fixtures.py.", grouped + concat),
        FLOAT64_FILE: (
            "float64 cases (TensorFlow.js has no float64): every exact small-integer tfjs value case relabelled "
            "float64, values unchanged; conformance/derive/derive_fixtures.py.", float64),
        STRIDED_CONV_FILE: (
            "tf.nn.conv2d with stride > 1 and dilation > 1 (TensorFlow.js refuses them), derived exactly by "
            "sampling stride-1 dilated tfjs outputs (VALID and explicit padding); "
            "conformance/derive/derive_fixtures.py.", strided_conv),
        STRIDED_DW_FILE: (
            "depthwise_conv2d with stride > 1 and dilation > 1: the Python tf.nn mirror refuses them (as "
            "tf.nn.convolution does); expected_managed holds the true strided dilated convolution for the C and "
            ".NET runners, sampled from stride-1 dilated tfjs outputs; conformance/derive/derive_fixtures.py.",
            strided_dw),
    }


def existing_ids():
    """Ids of every fixture file other than the ones this script writes."""
    ids = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*.json*"), recursive=True)):
        if os.path.basename(path).startswith("derived_") or not path.endswith((".json", ".json.gz")):
            continue
        for case in read_json(path)["cases"]:
            ids.setdefault(case["id"], path)
    return ids


def render():
    files = build()
    taken = existing_ids()
    seen = set()
    for name, (_, cases) in files.items():
        for case in cases:
            assert case["id"] not in taken, f"{case['id']} also in {taken[case['id']]}"
            assert case["id"] not in seen, f"duplicate id {case['id']}"
            seen.add(case["id"])
    return {name: document(description, cases) for name, (description, cases) in files.items()}, files


def summary(files):
    lines = []
    for name, (_, cases) in files.items():
        counts = {}
        for case in cases:
            for tag in case["tags"]:
                counts[tag] = counts.get(tag, 0) + 1
        lines.append(f"{name}: {len(cases)} cases")
        lines.append("  " + ", ".join(f"{tag} {counts[tag]}" for tag in sorted(counts)))
    return "\n".join(lines)


def check(texts):
    status = 0
    for name, text in texts.items():
        path = os.path.join(FIXTURES, name)
        if not os.path.exists(path):
            print(f"{name}: missing (run python3 conformance/derive/derive_fixtures.py)")
            status = 1
            continue
        with open(path, "rb") as stream:
            committed = stream.read()
        wanted = text.encode("utf-8")
        if committed != wanted:
            old, new = committed.split(b"\n"), wanted.split(b"\n")
            line = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            print(f"{name}: differs from the regenerated file at line {line + 1}")
            status = 1
    for path in sorted(glob.glob(os.path.join(FIXTURES, "derived_*.json*"))):
        if os.path.basename(path) not in texts and os.path.basename(path) not in OTHER_WRITERS:
            print(f"{os.path.basename(path)}: stray file, not produced by derive_fixtures.py")
            status = 1
    if status == 0:
        print(f"derived fixtures are current ({len(texts)} files)")
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory; exit 1 if the committed files differ byte for byte")
    options = parser.parse_args(argv)
    texts, files = render()
    if options.check:
        return check(texts)
    for path in sorted(glob.glob(os.path.join(FIXTURES, "derived_*.json*"))):
        if os.path.basename(path) not in texts and os.path.basename(path) not in OTHER_WRITERS:
            os.remove(path)  # stale output of an earlier version
    for name, text in texts.items():
        with open(os.path.join(FIXTURES, name), "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    print(summary(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
