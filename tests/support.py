"""Helpers the tests import: paths, the shared/ folder, the command line in a subprocess.

(A module of its own rather than conftest.py: tests/browser has a conftest too,
and two modules named conftest cannot both be imported by name.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
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

# Four wire stories of one desk (invented), each opening on a dateline in a different form.
WIRE_STORIES: list[list[str]] = [
    [
        'LONDON, May 3 (Reuters) - British shares edged higher on Friday as investors bet the Bank of England would hold interest rates next week, while miners gained on firmer metal prices.',
        'The blue-chip FTSE 100 index rose 0.4%, and the domestically focused mid-cap index added 0.6%.',
        '"The market is pricing in a long pause, and that suits equities," said Karen Lowe, a strategist at Harwell Capital.',
        'Mining stocks climbed 1.8% after copper touched a two-week high on hopes of stronger demand from China.',
        'Among individual movers, grocer Fennick fell 3% after a broker cut its rating to "sell".',
    ],
    [
        "Tokyo, May 3 (Kyodo) -- Japan's Nikkei share average slipped on Friday, snapping a three-day winning streak, as a stronger yen weighed on exporters such as carmakers.",
        'The Nikkei fell 0.5% to close at 38,112.40, while the broader Topix lost 0.3%.',
        'Toyota Motor and Honda Motor each lost more than 1%, and chip-related shares also retreated.',
        '"Exporters are sensitive to any move in the yen, and today\'s move was sharp," said Hiroshi Sato, chief equity strategist at Kaname Securities.',
        'The dollar weakened to 151.20 yen after softer U.S. jobs data lowered expectations for further Federal Reserve tightening.',
    ],
    [
        '(Bloomberg) -- Oil prices rose more than 1% on Friday, heading for a weekly gain, as supply concerns in the Middle East outweighed worries about slowing demand in the United States.',
        'Brent crude futures were up 92 cents at $84.10 a barrel by 1405 GMT, and U.S. West Texas Intermediate crude rose 88 cents to $79.45.',
        'Both benchmarks were on track for weekly gains of about 2%.',
        '"Geopolitical risk is back in the price," said Tom Riker, an analyst at Pelham Energy Advisers.',
        'U.S. crude stockpiles fell by 3.2 million barrels last week, the Energy Information Administration said on Wednesday, more than analysts had expected.',
    ],
    [
        'FRANKFURT (Reuters) - Euro zone bond yields fell on Friday after data showed inflation in the bloc eased more than expected in April, strengthening the case for a European Central Bank rate cut in June.',
        "Germany's 10-year yield, the benchmark for the bloc, dropped 6 basis points to 2.41%.",
        'Consumer price inflation slowed to 2.3% from 2.6% in March, Eurostat said, below the 2.5% forecast in a Reuters poll of economists.',
        '"June is now a done deal for the first cut," said Marta Keller, a rates strategist at Nordwall Bank.',
        "Italy's 10-year yield fell 8 basis points, narrowing its gap over Germany to the tightest in two years.",
    ],
]


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


def write_brief_digests(folder: Path, words: int, variant: str = "digests_resplit") -> Path:
    """The BBC digests of ``variant`` (re-split: a sentence a line; or "digests": the dataset's
    paragraphs) with every article cut to its first ``words`` words (whole lines, at least three
    sentence lines or one paragraph), with gold files to match, written into ``folder``: a
    digest of short stories."""
    fewest = 3 if variant == "digests_resplit" else 1

    def cut(article_lines: list[str]) -> list[str]:
        kept: list[str] = []
        for line in article_lines:
            if len(kept) >= fewest and sum(len(k.split()) for k in kept) >= words:
                break
            kept.append(line)
        return kept

    return _rewritten_digests(variant, folder, cut)


def write_joined_digests(folder: Path, lines_per_article: int) -> Path:
    """The BBC digests with every article's paragraphs run into ``lines_per_article`` lines
    (one: a whole story a line), with gold files to match, written into ``folder``."""
    def joined(article_lines: list[str]) -> list[str]:
        paragraphs = [line.strip() for line in article_lines if line.strip()]
        size = -(-len(paragraphs) // lines_per_article)  # paragraphs a line, rounded up
        return [" ".join(paragraphs[at:at + size]) for at in range(0, len(paragraphs), size)]

    return _rewritten_digests("digests", folder, joined)


def _rewritten_digests(variant: str, folder: Path, rewrite: Callable[[list[str]], list[str]]) -> Path:
    """Every BBC digest of ``variant`` with each article's lines replaced by ``rewrite`` of them,
    and gold files to match, written into ``folder``."""
    source = require_shared() / "corpora/bbc" / variant
    folder.mkdir(parents=True, exist_ok=True)
    for gold_path in sorted(source.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        lines = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt")).read_text(encoding="utf-8").splitlines()
        written: list[str] = []
        articles = []
        for article in gold["articles"]:
            rewritten = rewrite(lines[article["start"]:article["end"]])
            articles.append({**article, "start": len(written), "end": len(written) + len(rewritten)})
            written += rewritten
        (folder / gold_path.name.replace(".gold.json", ".txt")).write_text("\n".join(written) + "\n", encoding="utf-8")
        (folder / gold_path.name).write_text(json.dumps({**gold, "n_lines": len(written), "articles": articles}),
                                             encoding="utf-8")
    return folder
