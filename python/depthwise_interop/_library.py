"""Finds and loads the native library: $DEPTHWISE_INTEROP_LIBRARY first, then the copy inside this package."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

LIBRARY_ENV_VAR = "DEPTHWISE_INTEROP_LIBRARY"
LIBRARY_FILE = "libdepthwise_interop.so"


def candidate_paths() -> list[Path]:
    """Where the library is looked for, in order."""
    paths = []
    override = os.environ.get(LIBRARY_ENV_VAR)
    if override:
        paths.append(Path(override))
    paths.append(Path(__file__).resolve().parent / LIBRARY_FILE)
    return paths


def load_library() -> tuple[ctypes.CDLL, Path]:
    """Loads the first candidate that exists and loads; ImportError naming every path tried otherwise."""
    tried = []
    for path in candidate_paths():
        if not path.is_file():
            tried.append(f"{path}: no such file")
            continue
        try:
            return ctypes.CDLL(str(path)), path
        except OSError as error:
            tried.append(f"{path}: {error}")
    raise ImportError(
        "depthwise_interop could not load its native library. Tried:\n  "
        + "\n  ".join(tried)
        + f"\nBuild it with `make native` (or `pip install .`), or set {LIBRARY_ENV_VAR} to the path of "
        + f"{LIBRARY_FILE}."
    )
