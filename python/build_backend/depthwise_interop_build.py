"""In-tree PEP 517/660 build backend, standard library only, so that `pip install .` works offline.

The wheel holds the Python package plus libdepthwise_interop.so, built by `dotnet publish` (the .NET SDK must
be on PATH) unless DEPTHWISE_INTEROP_PREBUILT_LIBRARY names an already built library. The editable wheel
points Python at python/ in the source tree and puts the library next to the sources.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "python" / "depthwise_interop"
LIBRARY_FILE = "libdepthwise_interop.so"
# The same kernels for wider instruction sets; the library loads the widest one the CPU runs.
VARIANT_FILES = ["libdepthwise_interop_avx2.so", "libdepthwise_interop_avx512.so"]
NATIVE_PROJECTS = [ROOT / "csharp" / "DepthwiseInterop.Native",
                   ROOT / "csharp" / "DepthwiseInterop.Native.Kernels" / "Avx2",
                   ROOT / "csharp" / "DepthwiseInterop.Native.Kernels" / "Avx512"]
DISTRIBUTION = "depthwise_interop"
WHEEL_TAG = "py3-none-linux_x86_64"
SDIST_PARTS = ["pyproject.toml", "README.md", "Directory.Build.props", "DepthwiseInterop.sln", "csharp", "python"]


def _project() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^(\w[\w-]*)\s*=\s*"([^"]*)"', section, re.MULTILINE))
    dependencies = re.search(r"^dependencies\s*=\s*\[(.*?)\]", section, re.MULTILINE | re.DOTALL)
    fields["dependencies"] = re.findall(r'"([^"]+)"', dependencies.group(1)) if dependencies else []
    return fields


def _extras() -> dict[str, list[str]]:
    """[project.optional-dependencies]: extra name -> requirements."""
    text = (ROOT / "pyproject.toml").read_text()
    if "[project.optional-dependencies]" not in text:
        return {}
    section = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    return {name: re.findall(r'"([^"]+)"', requirements)
            for name, requirements in re.findall(r"^(\w[\w-]*)\s*=\s*\[(.*?)\]", section, re.MULTILINE | re.DOTALL)}


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.9')}",
        "License: MIT",
    ]
    lines += [f"Requires-Dist: {requirement}" for requirement in project["dependencies"]]
    for extra, requirements in _extras().items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {requirement}; extra == "{extra}"' for requirement in requirements]
    readme = ROOT / "README.md"
    if readme.is_file():
        lines += ["Description-Content-Type: text/markdown", "", readme.read_text()]
    return "\n".join(lines) + "\n"


def _dist_info_name() -> str:
    return f"{DISTRIBUTION}-{_project()['version']}.dist-info"


def _replace(source: Path, destination: Path) -> None:
    """Copies without writing into the old file, which a running process may have mapped."""
    temporary = destination.with_name(destination.name + ".tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, destination)


def _build_libraries(destination: Path) -> list[Path]:
    """Builds (or copies, from DEPTHWISE_INTEROP_PREBUILT_LIBRARY's folder) the library and its variants."""
    prebuilt = os.environ.get("DEPTHWISE_INTEROP_PREBUILT_LIBRARY")
    files = [LIBRARY_FILE] + VARIANT_FILES
    if prebuilt:
        source = Path(prebuilt).parent
        _replace(Path(prebuilt), destination / LIBRARY_FILE)
        for variant in VARIANT_FILES:
            if (source / variant).is_file():
                _replace(source / variant, destination / variant)
        return [destination / name for name in files if (destination / name).is_file()]
    if shutil.which("dotnet") is None:
        raise RuntimeError(
            "building depthwise_interop needs the .NET SDK (dotnet) on PATH, or "
            "DEPTHWISE_INTEROP_PREBUILT_LIBRARY naming a built libdepthwise_interop.so"
        )
    with tempfile.TemporaryDirectory() as out:
        for project in NATIVE_PROJECTS:
            subprocess.run(["dotnet", "publish", str(project), "-c", "Release", "-r", "linux-x64", "-o", out], check=True)
        for name in files:
            _replace(Path(out) / name, destination / name)
    return [destination / name for name in files]


class _WheelWriter:
    def __init__(self, path: Path):
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self._records: list[str] = []

    def add(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self._records.append(f"{name},sha256={digest},{len(data)}")

    def close(self, dist_info: str) -> None:
        self.add(f"{dist_info}/METADATA", _metadata().encode())
        self.add(f"{dist_info}/WHEEL", (
            "Wheel-Version: 1.0\nGenerator: depthwise_interop_build\nRoot-Is-Purelib: false\n"
            f"Tag: {WHEEL_TAG}\n").encode())
        record = "\n".join(self._records + [f"{dist_info}/RECORD,,"]) + "\n"
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(2020, 1, 1, 0, 0, 0))
        self._zip.writestr(info, record)
        self._zip.close()


def _wheel_name() -> str:
    return f"{DISTRIBUTION}-{_project()['version']}-{WHEEL_TAG}.whl"


def _package_sources() -> list[Path]:
    return sorted(path for path in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in path.parts)


# PEP 517 hooks

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = Path(metadata_directory) / _dist_info_name()
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata())
    return dist_info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = Path(wheel_directory) / _wheel_name()
    writer = _WheelWriter(wheel)
    for source in _package_sources():
        writer.add(f"depthwise_interop/{source.relative_to(PACKAGE_DIR).as_posix()}", source.read_bytes())
    with tempfile.TemporaryDirectory() as scratch:
        for library in _build_libraries(Path(scratch)):
            writer.add(f"depthwise_interop/{library.name}", library.read_bytes())
    writer.close(_dist_info_name())
    return wheel.name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _build_libraries(PACKAGE_DIR)
    wheel = Path(wheel_directory) / _wheel_name()
    writer = _WheelWriter(wheel)
    writer.add("depthwise_interop_editable.pth", f"{PACKAGE_DIR.parent}\n".encode())
    writer.close(_dist_info_name())
    return wheel.name


def build_sdist(sdist_directory, config_settings=None):
    base = f"{DISTRIBUTION}-{_project()['version']}"
    sdist = Path(sdist_directory) / f"{base}.tar.gz"
    skip = {"bin", "obj", "__pycache__", "node_modules"}

    def keep(info: tarfile.TarInfo):
        parts = Path(info.name).parts
        if skip.intersection(parts) or info.name.endswith((".so", ".pyc")):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(sdist, "w:gz") as tar:
        for part in SDIST_PARTS:
            if (ROOT / part).exists():
                tar.add(ROOT / part, arcname=f"{base}/{part}", filter=keep)
        pkg_info = io.BytesIO(_metadata().encode())
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info.getvalue())
        tar.addfile(info, pkg_info)
    return sdist.name
