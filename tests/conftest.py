"""Shared fixtures: tiny projects written inline, the seed site built once per session."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from support import SEED_BASE_URL, run_cli


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from this build")


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
