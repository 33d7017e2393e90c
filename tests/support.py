"""Helpers the tests import: paths, the shared/ folder, the command line in a subprocess.

(A module of its own rather than conftest.py: tests/browser has a conftest too,
and two modules named conftest cannot both be imported by name.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from digestsite.model import Segment

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


def shared_path(relative: str) -> Path:
    """A path inside ../shared, or skip (fail under CI) when shared/ is absent."""
    return require_shared() / relative


def site_files(folder: Path) -> dict[str, bytes]:
    """Every file of a built site but the marker, whose stamp only a build with a cache writes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".digestsite-output"}


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` in a subprocess, text output captured."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


SEED_STEM = "000_a0ad6f8e3763169b"


def gold_segments(txt: Path, gold: dict) -> list[tuple[dict, "Segment"]]:
    """Segments on a gold file's spans: blank lines skipped, gold subheads (seed only) attached."""
    from digestsite.model import Paragraph, Segment, Subhead

    lines = txt.read_text(encoding="utf-8").splitlines()
    result = []
    for entry in gold["articles"]:
        paragraphs = tuple(Paragraph(i, lines[i]) for i in range(entry["start"], entry["end"]) if lines[i].strip())
        subheads = tuple(Subhead(s["text"], s["line"], s["kind"]) for s in entry.get("subheads", ()))
        result.append((entry, Segment(PurePosixPath(txt.name), entry["start"], entry["end"], paragraphs, subheads)))
    return result


def seed_segments() -> list[tuple[dict, "Segment"]]:
    """The seed digest cut on its gold spans (skips without ../shared)."""
    folder = require_shared() / "seed"
    gold = json.loads((folder / f"{SEED_STEM}.gold.json").read_text(encoding="utf-8"))
    return gold_segments(folder / f"{SEED_STEM}.txt", gold)


def bbc_segments(variant: str) -> list[tuple[dict, "Segment"]]:
    """Every BBC digest of a variant ("digests" or "digests_resplit") cut on its gold spans."""
    folder = require_shared() / "corpora" / "bbc" / variant
    result = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        result.extend(gold_segments(folder / gold["digest"], gold))
    assert result, f"no gold files in {folder}"
    return result
