"""Every fixture case in conformance/fixtures through the Python path (nn -> ctypes -> native library)."""

from __future__ import annotations

import pytest

from depthwise_interop.conformance import default_fixture_paths, load_cases, run_case

CASES = [case for path in default_fixture_paths() for case in load_cases(path)]


def test_the_suite_is_as_large_as_promised() -> None:
    values = [case for case in CASES if case.expected is not None]
    errors = [case for case in CASES if case.expected_error is not None]
    assert len(values) >= 1000 and len(errors) >= 50


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case) -> None:
    result = run_case(case)
    if result.skipped:
        pytest.skip(result.skipped)  # counted by pytest's summary, with the reason under -rs
    assert result.passed, f"{case.provenance}: {result.detail}"
