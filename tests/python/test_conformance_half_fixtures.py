"""How the Python runner reads float16 and bfloat16 cases (conformance/FORMAT.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from depthwise_interop.conformance import load_cases


def _file(tmp_path, dtype: str, input_values: list, expected_values: list):
    case = {"id": "t", "op": "conv2d", "args": {"strides": 1, "padding": "VALID"}, "dtype": dtype,
            "input": {"shape": [1, 1, 1, 1], "values": input_values},
            "filter": {"shape": [1, 1, 1, 1], "values": [1]},
            "expected": {"shape": [1, 1, 1, 1], "values": expected_values},
            "tolerance": "half-accumulate-float32", "provenance": "test", "tags": []}
    path = tmp_path / "half.json"
    path.write_text(json.dumps({"format": "depthwise-interop-conformance", "format_version": 1,
                                "description": "test", "cases": [case]}))
    return path


def test_expectations_are_kept_exact_not_rounded_to_the_type(tmp_path) -> None:
    exact = 1 + 2.0 ** -12  # between two float16 (and two bfloat16) numbers
    for dtype in ("float16", "bfloat16"):
        case, = load_cases(_file(tmp_path, dtype, [1.5], [exact]))
        assert case.expected.dtype == np.float64 and case.expected.ravel()[0] == exact


def test_tensors_have_the_type_or_a_float32_carrier_for_bfloat16(tmp_path) -> None:
    case, = load_cases(_file(tmp_path, "float16", [1.5], [1.5]))
    assert case.input.dtype == np.float16
    # NumPy has no bfloat16: the values are held in float32, exactly, non-finite ones included.
    values = [1.5, -(2.0 ** 100), "Infinity", "NaN"]
    path = _file(tmp_path, "bfloat16", values, [1.5])
    document = json.loads(path.read_text())
    document["cases"][0]["input"]["shape"] = [1, 1, 2, 2]
    path.write_text(json.dumps(document))
    case, = load_cases(path)
    assert case.input.dtype == np.float32
    assert case.input.ravel()[:3].tolist() == [1.5, -(2.0 ** 100), np.inf] and np.isnan(case.input.ravel()[3])


@pytest.mark.parametrize("dtype, value", [("float16", 0.1), ("float16", 70000.0), ("bfloat16", 1 + 2.0 ** -8),
                                          ("bfloat16", 1e39)])
def test_values_that_are_not_numbers_of_the_type_are_refused(tmp_path, dtype: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"not {dtype} numbers"):
        load_cases(_file(tmp_path, dtype, [value], [value]))
