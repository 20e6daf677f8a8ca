"""The conformance runner: checks depthwise_interop against fixtures of TensorFlow reference outputs.

    python -m depthwise_interop.conformance [PATH ...] [--report FILE.md]

The fixture format is conformance/FORMAT.md; the tolerance rule is in `tolerance.py` and conformance/README.md.
"""

from .fixtures import Case, load_cases, default_fixture_paths
from .runner import CaseResult, run_case

__all__ = ["Case", "CaseResult", "load_cases", "default_fixture_paths", "run_case"]
