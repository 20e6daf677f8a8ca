"""Every code example in README.md runs: Python blocks here, the C block compiled against the staged install,
the C# block compared with the NUnit test that runs it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def numbered(language: str):
    found = blocks(language)
    return pytest.mark.parametrize("code", found, ids=[f"{language}-example-{i + 1}" for i in range(len(found))])


@numbered("python")
def test_python_example_runs(code: str) -> None:
    exec(compile(code, "README.md", "exec"), {})


def test_readme_has_each_kind_of_example() -> None:
    assert blocks("python") and blocks("c") and blocks("csharp")


@numbered("c")
def test_c_example_compiles_and_runs(code: str, tmp_path: Path) -> None:
    prefix = ROOT / "build" / "prefix"
    if not (prefix / "lib" / "pkgconfig" / "depthwise_interop.pc").is_file():
        pytest.fail("the staged install is missing: run `make stage` (make test does)")
    source = tmp_path / "example.c"
    source.write_text(code)
    environment = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "depthwise_interop"], env=environment,
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", str(source), "-o", str(tmp_path / "example"), *flags], check=True)
    result = subprocess.run([str(tmp_path / "example")], env=dict(environment, LD_LIBRARY_PATH=str(prefix / "lib")),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "13 18 17 24 21 30 25 36 29 42 33 48" in result.stdout


@numbered("csharp")
def test_csharp_example_is_the_one_the_nunit_suite_runs(code: str) -> None:
    test_source = (ROOT / "tests" / "DepthwiseInterop.Tests" / "ReadmeExampleTests.cs").read_text()
    normalized = lambda text: [line.strip() for line in text.strip().splitlines() if line.strip()]
    example = normalized(code)
    source_lines = normalized(test_source)
    starts = [i for i, line in enumerate(source_lines) if line == example[0]]
    assert any(source_lines[i:i + len(example)] == example for i in starts), \
        "README's C# example must appear verbatim in tests/DepthwiseInterop.Tests/ReadmeExampleTests.cs"
