"""`pip install .` builds the native library into a wheel and installs a working package, offline; the
source distribution holds everything needed to build it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["pyproject.toml", "README.md", "Directory.Build.props", "csharp", "python"]


def copy_sources(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("bin", "obj", "__pycache__", "*.so")
    destination.mkdir(parents=True)
    for part in SOURCES:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=ignore)
        else:
            shutil.copy2(source, destination / part)
    return destination


def test_pip_install_builds_a_working_wheel(tmp_path: Path) -> None:
    project = copy_sources(tmp_path / "project")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", str(project)], check=True)
    check = ("import numpy as np, depthwise_interop; from depthwise_interop import nn; "
             "print(depthwise_interop.library_path()); "
             "print(nn.depthwise_conv2d(np.ones((1, 3, 3, 1), np.float32), np.ones((2, 2, 1, 1), np.float32), "
             "[1, 1, 1, 1], 'VALID').ravel().tolist())")
    result = subprocess.run([str(venv / "bin" / "python"), "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    library, values = result.stdout.splitlines()
    assert library.startswith(str(venv)), "the installed package must use its own copy of the library"
    assert values == "[4.0, 4.0, 4.0, 4.0]"


def test_sdist_holds_the_sources_and_no_binaries(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "python" / "build_backend"))
    try:
        import depthwise_interop_build
        name = depthwise_interop_build.build_sdist(str(tmp_path))
    finally:
        sys.path.pop(0)
    with tarfile.open(tmp_path / name) as archive:
        names = archive.getnames()
    base = name[: -len(".tar.gz")]
    for required in ["pyproject.toml", "csharp/DepthwiseInterop.Native/include/depthwise_interop.h",
                     "csharp/DepthwiseInterop/Shapes/ShapeInference.cs", "python/depthwise_interop/nn.py",
                     "python/build_backend/depthwise_interop_build.py", "PKG-INFO"]:
        assert f"{base}/{required}" in names
    assert not [entry for entry in names if entry.endswith(".so") or "/obj/" in entry or "/bin/" in entry]
