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


def numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype of a fixture dtype name (bfloat16 needs the ml_dtypes package)."""
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ValueError("bfloat16 fixtures need the ml_dtypes package") from None
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


@dataclass(frozen=True)
class Case:
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


def _tensor(entry: dict[str, Any], dtype: np.dtype) -> np.ndarray:
    """A tensor of the case's dtype, or of its own "dtype" where it has one (mismatched-dtype error cases)."""
    if "dtype" in entry:
        dtype = numpy_dtype(entry["dtype"])
    values = [_NON_FINITE.get(value, value) if isinstance(value, str) else value for value in entry["values"]]
    return np.array(values, dtype=dtype).reshape(entry["shape"])


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
        dtype = numpy_dtype(entry["dtype"])
        cases.append(Case(
            id=entry["id"],
            op=entry["op"],
            args=entry.get("args", {}),
            dtype=entry["dtype"],
            input=_tensor(entry["input"], dtype),
            filter=_tensor(entry["filter"], dtype),
            expected=_tensor(entry["expected"], dtype) if "expected" in entry else None,
            expected_error=entry.get("expected_error"),
            tolerance=entry.get("tolerance", "summation"),
            provenance=entry.get("provenance", ""),
            tags=tuple(entry.get("tags", ())),
            source=path.name,
        ))
    return cases


def default_fixture_paths() -> list[Path]:
    """The project's own fixtures, when running from a source checkout."""
    folder = Path(__file__).resolve().parents[3] / "conformance" / "fixtures"
    if not folder.is_dir():
        raise FileNotFoundError(
            "the project's fixtures (conformance/fixtures) are not beside this installation: pass fixture paths")
    return sorted(list(folder.glob("*.json")) + list(folder.glob("*.json.gz")))
