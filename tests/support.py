"""Helpers the tests import: paths, the shared/ folder, the command line in a subprocess.

(A module of its own rather than conftest.py: tests/browser has a conftest too,
and two modules named conftest cannot both be imported by name.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_BASE_URL = "https://example.org/digest/"


def require_shared() -> Path:
    """../shared, or skip (fail under CI, where it must be present)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("shared/ not present, and CI is set")
        pytest.skip("shared/ not present")
    return SHARED


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` in a subprocess, text output captured."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
