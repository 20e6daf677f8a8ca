"""The loader, the ABI check and the version, which must agree across the C#, Python and package metadata."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import depthwise_interop

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_one_in_directory_build_props_and_pyproject() -> None:
    props = re.search(r"<Version>(.*)</Version>", (ROOT / "Directory.Build.props").read_text()).group(1)
    pyproject = re.search(r'^version = "(.*)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)
    assert depthwise_interop.__version__ == props == pyproject


def test_abi_version_matches_the_header() -> None:
    header = (ROOT / "csharp" / "DepthwiseInterop.Native" / "include" / "depthwise_interop.h").read_text()
    assert depthwise_interop.abi_version() == int(re.search(r"#define DI_ABI_VERSION (\d+)", header).group(1))


def run_import(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import depthwise_interop; print(depthwise_interop.library_path())"],
                          env=environment, capture_output=True, text=True)


def test_environment_variable_is_tried_first() -> None:
    library = depthwise_interop.library_path()
    result = run_import(dict(os.environ, DEPTHWISE_INTEROP_LIBRARY=library))
    assert result.returncode == 0 and result.stdout.strip() == library


def test_a_missing_library_is_an_import_error_listing_every_path_tried(tmp_path: Path) -> None:
    package = tmp_path / "depthwise_interop"
    package.mkdir()
    for source in Path(depthwise_interop.__file__).parent.glob("*.py"):
        (package / source.name).write_text(source.read_text())
    missing = tmp_path / "nowhere.so"
    result = run_import(dict(os.environ, PYTHONPATH=str(tmp_path), DEPTHWISE_INTEROP_LIBRARY=str(missing)))
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert f"{missing}: no such file" in result.stderr
    assert f"{package / 'libdepthwise_interop.so'}: no such file" in result.stderr
