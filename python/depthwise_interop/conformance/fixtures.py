"""Reads fixture files (conformance/FORMAT.md, version 1) into cases."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

FORMAT_NAME = "depthwise-interop-conformance"
FORMAT_VERSION = 1
_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
HALF_DTYPES = ("float16", "bfloat16")


@dataclass(frozen=True)
class Case:
    """A fixture case. Tensors are NumPy arrays of the case's dtype, except: a bfloat16 tensor is a float32
    array of bfloat16 values (NumPy has no bfloat16; the runner converts it), and the expectation of a
    float16 or bfloat16 case is float64, the exact result as written (FORMAT.md), not rounded to the type."""
    id: str
    op: str
    args: dict
    dtype: str
    input: np.ndarray
    filter: np.ndarray
    expected: Optional[np.ndarray]
    expected_error: Optional[dict]
    tolerance: str
    provenance: str
    tags: tuple = field(default_factory=tuple)
    source: str = ""
    input_dtype: str = ""   # the input's own "dtype" where it overrides the case's, else the case's
    filter_dtype: str = ""


def _tensor(entry: dict[str, Any], dtype: str, exact_result: bool = False) -> np.ndarray:
    """A tensor of the case's dtype, or of its own "dtype" where it has one (mismatched-dtype error cases)."""
    dtype = entry.get("dtype", dtype)
    values = [_NON_FINITE.get(value, value) if isinstance(value, str) else value for value in entry["values"]]
    shape = entry["shape"]
    if dtype not in HALF_DTYPES:
        return np.array(values, dtype=np.dtype(dtype)).reshape(shape)
    wide = np.array(values, dtype=np.float64).reshape(shape)
    if exact_result:
        return wide
    with np.errstate(over="ignore"):  # a value beyond the type's range becomes inf, refused just below
        narrow = _bfloat16_values(wide) if dtype == "bfloat16" else wide.astype(np.float16)
    if not np.array_equal(narrow.astype(np.float64), wide, equal_nan=True):
        # A value between two of the type's would be rounded here, silently and perhaps unlike TensorFlow.
        raise ValueError(f"a {dtype} tensor holds values that are not {dtype} numbers")
    return narrow


def _bfloat16_values(wide: np.ndarray) -> np.ndarray:
    """float64 values as float32, with any bits that bfloat16 lacks cleared (so that a non-bfloat16 value is
    seen as different from its bfloat16 truncation and refused by _tensor)."""
    narrow = wide.astype(np.float32)
    bits = narrow.view(np.uint32)
    cleared = np.where(np.isnan(narrow), bits, bits & np.uint32(0xFFFF_0000))
    return cleared.astype(np.uint32).view(np.float32)


def _read(path: Path) -> dict:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)


def load_cases(path: Path) -> list[Case]:
    document = _read(path)
    if document.get("format") != FORMAT_NAME or document.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: not a {FORMAT_NAME} version {FORMAT_VERSION} file")
    cases = []
    for entry in document["cases"]:
        dtype = entry["dtype"]
        cases.append(Case(
            id=entry["id"],
            op=entry["op"],
            args=entry.get("args", {}),
            dtype=entry["dtype"],
            input=_tensor(entry["input"], dtype),
            filter=_tensor(entry["filter"], dtype),
            expected=_tensor(entry["expected"], dtype, exact_result=True) if "expected" in entry else None,
            expected_error=entry.get("expected_error"),
            tolerance=entry.get("tolerance", "summation"),
            provenance=entry.get("provenance", ""),
            tags=tuple(entry.get("tags", ())),
            source=path.name,
            input_dtype=entry["input"].get("dtype", dtype),
            filter_dtype=entry["filter"].get("dtype", dtype),
        ))
    return cases


def default_fixture_paths() -> list[Path]:
    """The project's own fixtures, when running from a source checkout."""
    folder = Path(__file__).resolve().parents[3] / "conformance" / "fixtures"
    if not folder.is_dir():
        raise FileNotFoundError(
            "the project's fixtures (conformance/fixtures) are not beside this installation: pass fixture paths")
    return sorted(list(folder.glob("*.json")) + list(folder.glob("*.json.gz")))
