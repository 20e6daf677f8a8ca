"""python -m depthwise_interop.conformance [PATH ...] [--report FILE.md]"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from .fixtures import default_fixture_paths, load_cases
from .report import write_report
from .runner import run_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m depthwise_interop.conformance",
                                     description="Check depthwise_interop against TensorFlow reference fixtures.")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="fixture files or folders (default: the project's conformance/fixtures)")
    parser.add_argument("--report", type=Path, help="write a Markdown coverage and error report here")
    options = parser.parse_args(argv)

    files: list[Path] = []
    for path in options.paths or default_fixture_paths():
        files += sorted(list(path.glob("*.json")) + list(path.glob("*.json.gz"))) if path.is_dir() else [path]
    cases = [case for file in files for case in load_cases(file)]

    show_progress = sys.stderr.isatty()
    results = []
    for index, case in enumerate(cases, 1):
        result = run_case(case)
        results.append(result)
        if not result.passed and not result.skipped:
            if show_progress:
                sys.stderr.write("\r\033[K")
            print(f"FAILED {case.id} [{case.op}, {case.source}]: {result.detail}")
        if show_progress and (index % 50 == 0 or index == len(cases)):
            sys.stderr.write(f"\r{index}/{len(cases)} cases")
            sys.stderr.flush()
    if show_progress:
        sys.stderr.write("\r\033[K")

    if options.report:
        sources = " ".join(str(path) for path in options.paths) or "(the project's fixtures)"
        write_report(results, options.report, f"python -m depthwise_interop.conformance {sources} --report FILE")
    passed = sum(result.passed for result in results)
    skips = Counter(result.skipped for result in results if result.skipped)
    failed = len(results) - passed - sum(skips.values())
    for reason, count in sorted(skips.items()):
        print(f"skipped {count} cases: {reason}")
    print(f"{passed} passed, {failed} failed" + (f", {sum(skips.values())} skipped" if skips else ""))
    return 0 if passed and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
