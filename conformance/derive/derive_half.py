#!/usr/bin/env python3
"""Writes conformance/fixtures/derived_float16.json and derived_bfloat16.json from the tfjs float32 fixtures.

    python3 conformance/derive/derive_half.py           # (re)write the two files
    python3 conformance/derive/derive_half.py --check   # exit 1 if the committed files differ

Needs NumPy (for the rounding, half_types.py).  A case takes a tfjs value case, optionally scales its input
and filter by powers of two (to reach float16's subnormal results or its overflow, or bfloat16's large
exponents), rounds both to the type (nearest, ties to even), and stores as `expected` the exact convolution of
the rounded tensors, rounded once to float64 (verify_derived.convolve: math.fsum of products that are exact in
float64).  The expectation is deliberately not rounded to the type: the tolerance "half-accumulate-float32"
(conformance/FORMAT.md) allows the float32 accumulation and the one final rounding to the type.
"""

import argparse
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from derive_fixtures import FIXTURES, document, load_sources, provenance, read_json, retag, seed_of  # noqa: E402
from half_types import round_to  # noqa: E402
from verify_derived import convolve, spatial_args  # noqa: E402

FLOAT16_FILE = "derived_float16.json"
BFLOAT16_FILE = "derived_bfloat16.json"
OUTPUTS = (FLOAT16_FILE, BFLOAT16_FILE)
TOLERANCE = "half-accumulate-float32"

# (variant name, dtype, input scale, filter scale, which seeds).  Scales are powers of two, so the only
# change to a source value besides the scaling is the rounding to the type.  The residues pick disjoint,
# seed-spread subsets of about a fifth (plain) or a twentieth (scaled) of the 1,742 tfjs value cases.
VARIANTS = [
    # float16: the tfjs values (|x| <= 1 or small integers) as they are.
    ("float16", "float16", 1.0, 1.0, lambda seed: seed % 5 == 0),
    # results of magnitude ~2^-16: many below float16's smallest normal 2^-14, inputs partly subnormal too.
    ("float16-subnormal", "float16", 2.0 ** -8, 2.0 ** -8, lambda seed: seed % 20 == 3),
    # products up to 2^16: sums beyond float16's largest finite 65504 overflow to inf, the rest stay finite.
    ("float16-overflow", "float16", 2.0 ** 8, 2.0 ** 8, lambda seed: seed % 20 == 7),
    ("bfloat16", "bfloat16", 1.0, 1.0, lambda seed: seed % 5 == 2),
    # products near 2^120: far above float16's range, still below float32's largest 2^128 with any sum.
    ("bfloat16-large", "bfloat16", 2.0 ** 60, 2.0 ** 60, lambda seed: seed % 20 == 11),
]

IDENTITY = ("input and filter scaled by {a} and {b} (powers of two) and rounded to {dtype} (nearest, ties to "
            "even); expected = the exact convolution of the rounded tensors in float64, not rounded to {dtype}")


def power_text(scale):
    exponent = int(np.log2(scale))
    return "1" if exponent == 0 else f"2^{exponent}"


def tensor(shape, values):
    return {"shape": list(shape), "values": [float(v) for v in values]}


def derive(src, variant, dtype, input_scale, filter_scale):
    x = round_to(np.array([float(v) for v in src["input"]["values"]], np.float32) * np.float32(input_scale), dtype)
    w = round_to(np.array([float(v) for v in src["filter"]["values"]], np.float32) * np.float32(filter_scale), dtype)
    case = {
        "id": f"derived/{variant}/{src['id']}",
        "op": src["op"],
        "args": dict(src["args"]),
        "dtype": dtype,
        "input": tensor(src["input"]["shape"], x),
        "filter": tensor(src["filter"]["shape"], w),
    }
    shape, reference, _ = convolve(case, *spatial_args(case))
    assert shape == src["expected"]["shape"], (src["id"], shape)
    exact = src["tolerance"] == "exact" and input_scale == filter_scale == 1.0
    if exact:
        # small integers: every partial sum is an integer far below 2^11, exact in float32 and in the type.
        assert all(v == int(v) and abs(v) <= 2048 for v in reference), src["id"]
    case["expected"] = tensor(shape, reference)
    case["tolerance"] = "exact" if exact else TOLERANCE
    identity = IDENTITY.format(a=power_text(input_scale), b=power_text(filter_scale), dtype=dtype)
    case["provenance"] = provenance(identity, src)
    case["tags"] = retag(src["tags"], drop=("float32",), add=["derived", f"derived-{variant}", dtype])
    return case


def build():
    files = {FLOAT16_FILE: [], BFLOAT16_FILE: []}
    sources = [src for src in load_sources() if "expected" in src]
    for variant, dtype, input_scale, filter_scale, chosen in VARIANTS:
        target = files[FLOAT16_FILE if dtype == "float16" else BFLOAT16_FILE]
        target += [derive(src, variant, dtype, input_scale, filter_scale) for src in sources if chosen(seed_of(src))]
    return {
        FLOAT16_FILE: ("float16 cases derived from the tfjs float32 fixtures: inputs rounded to float16 (and scaled by "
                       "powers of two to reach subnormal results and overflow), expected = the exact result in "
                       "float64; conformance/derive/derive_half.py.", files[FLOAT16_FILE]),
        BFLOAT16_FILE: ("bfloat16 cases derived from the tfjs float32 fixtures: inputs rounded to bfloat16 (and "
                        "scaled by powers of two to large exponents), expected = the exact result in float64; "
                        "conformance/derive/derive_half.py.", files[BFLOAT16_FILE]),
    }


def check_ids(files):
    """Ids unique across every fixture file (the other writers' outputs included)."""
    seen = {}
    for root, _, names in os.walk(FIXTURES):
        for name in sorted(names):
            if name.endswith(".json") and name not in OUTPUTS:
                for case in read_json(os.path.join(root, name))["cases"]:
                    seen[case["id"]] = name
    for name, (_, cases) in files.items():
        for case in cases:
            assert case["id"] not in seen, f"{case['id']} also in {seen[case['id']]}"
            seen[case["id"]] = name


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ byte for byte")
    options = parser.parse_args(argv)
    files = build()
    check_ids(files)
    status = 0
    for name, (description, cases) in files.items():
        text = document(description, cases)
        path = os.path.join(FIXTURES, name)
        if options.check:
            with open(path, encoding="utf-8") as stream:
                if stream.read() != text:
                    print(f"{name}: differs from the regenerated file (run python3 conformance/derive/derive_half.py)")
                    status = 1
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        variants = {}
        for case in cases:
            variant = case["id"].split("/")[1]
            variants[variant] = variants.get(variant, 0) + 1
        print(f"{name}: {len(cases)} cases " + ", ".join(f"{v} {n}" for v, n in variants.items()))
    if options.check and status == 0:
        print(f"half-type derived fixtures are current ({len(files)} files)")
    return status


if __name__ == "__main__":
    sys.exit(main())
