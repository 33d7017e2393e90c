"""Shared fixtures: tiny projects written inline, the seed site built once per session."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_BASE_URL = "https://example.org/digest/"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from this build")


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


@pytest.fixture
def make_project(tmp_path: Path):
    """Write ``{relative path: text}`` under tmp_path/project and return its content dir."""
    def make(files: dict[str, str | bytes]) -> Path:
        project = tmp_path / "project"
        for name, data in files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
        (project / "content" / "digests").mkdir(parents=True, exist_ok=True)
        return project / "content"
    return make


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled content built once, with search, for a site under /digest/."""
    out = tmp_path_factory.mktemp("seed") / "site"
    result = run_cli("build", "--out", str(out), "--base-url", SEED_BASE_URL)
    assert result.returncode == 0, result.stderr
    return out
