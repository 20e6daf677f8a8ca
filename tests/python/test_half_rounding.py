"""The float32 -> bfloat16/float16 rounding that derives the half-type fixtures (conformance/derive/half_types.py)."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

DERIVE = Path(__file__).resolve().parents[2] / "conformance" / "derive"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, DERIVE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True
    spec.loader.exec_module(module)
    return module


half_types = _module("half_types")
verify_derived = _module("verify_derived")


def f32(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


@pytest.mark.parametrize("bits, expected", [
    (0x3F80_0000, 0x3F80),  # 1.0 is a bfloat16
    (0x3F80_7FFF, 0x3F80),  # just below the halfway point: down
    (0x3F80_8000, 0x3F80),  # halfway, kept bit even (0): stays
    (0x3F81_8000, 0x3F82),  # halfway, kept bit odd (1): up to even
    (0x3F80_8001, 0x3F81),  # just above halfway: up
    (0xBF80_8001, 0xBF81),  # the same for negatives (sign-magnitude)
    (0x3FFF_FFFF, 0x4000),  # carry into the exponent
    (0x7F7F_FFFF, 0x7F80),  # float32's largest rounds to inf
    (0x7F7F_7FFF, 0x7F7F),  # ... while just under bfloat16's halfway point stays finite
    (0x7F80_0000, 0x7F80),  # inf stays inf
    (0xFF80_0000, 0xFF80),
    (0x8000_0000, 0x8000),  # -0 keeps its sign
    (0x0000_8001, 0x0001),  # float32 subnormal to bfloat16 subnormal
])
def test_bfloat16_rounds_to_nearest_even(bits: int, expected: int) -> None:
    assert int(half_types.bfloat16_bits(np.array([f32(bits)], np.float32))[0]) == expected


@pytest.mark.parametrize("bits", [0x7FC0_0000, 0x7F80_0001, 0xFFFF_FFFF, 0x7F80_FFFF])
def test_bfloat16_keeps_nan(bits: int) -> None:
    # 0x7F80_0001 and 0x7F80_FFFF: NaNs whose payload lies only in the dropped bits; plain truncation or the
    # rounding carry would turn them into inf.
    value = np.array([bits], np.uint32).view(np.float32)
    rounded = half_types.bfloat16_to_float32(half_types.bfloat16_bits(value))
    assert np.isnan(rounded[0]) and np.signbit(rounded[0]) == bool(bits >> 31)


def test_bfloat16_agrees_with_the_verifier_on_random_finite_values() -> None:
    # Two implementations, NumPy vector arithmetic and verify_derived's integer arithmetic, on 20,000 patterns.
    bits = np.random.default_rng(7).integers(0, 2 ** 32, 20_000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values = values[np.isfinite(values)]
    ours = half_types.round_to(values, "bfloat16")
    theirs = np.array([verify_derived.round_bf16(float(v)) for v in values])
    assert np.array_equal(ours, theirs)  # including the values that round up to inf


def test_float16_rounds_to_nearest_even() -> None:
    one = 1.0
    ulp = 2.0 ** -10
    values = np.array([one + ulp / 2, one + 3 * ulp / 2, 65519.0, 65520.0, 2.0 ** -25, 3 * 2.0 ** -26], np.float32)
    assert half_types.round_to(values, "float16").tolist() == [
        one, one + 2 * ulp,  # ties to the even neighbour
        65504.0, np.inf,     # float16's largest finite, and the tie beyond it
        0.0, 2.0 ** -24,     # half the smallest subnormal ties to 0; 0.75 of it rounds up
    ]
