"""Pagefind indexes the article pages of the seed site with their filters and meta."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

# Pagefind's fragment files are gzip'd JSON behind this signature.
_SIGNATURE = b"pagefind_dcd"


def _fragments(site: Path) -> list[dict]:
    fragments = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        fragments.append(json.loads(data[len(_SIGNATURE):] if data.startswith(_SIGNATURE) else data))
    return fragments


def test_pagefind_wrote_its_index_and_ui(seed_site: Path) -> None:
    bundle = seed_site / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert sum(language["page_count"] for language in entry["languages"].values()) == 10


def test_only_articles_are_indexed_with_title_standfirst_and_filters(seed_site: Path) -> None:
    fragments = _fragments(seed_site)
    assert len(fragments) == 10
    assert all(f["url"].startswith("/articles/") for f in fragments)
    assert all(f["meta"].get("title") and f["meta"].get("standfirst") for f in fragments)
    mao = [f for f in fragments if "Mao Ning" in f["filters"].get("spokesperson", [])]
    assert len(mao) == 1 and "Ukraine" in mao[0]["content"]
    guo = [f for f in fragments if "Guo Jiakun" in f["filters"].get("spokesperson", [])]
    assert len(guo) == 5
    assert all(f["filters"].get("topic") for f in fragments)


def test_embroidery_is_in_exactly_the_miao_feature(seed_site: Path) -> None:
    hits = [f for f in _fragments(seed_site) if f["content"].lower().count("embroidery") >= 10]
    assert len(hits) == 1 and "Miao" in hits[0]["meta"]["title"] + hits[0]["content"][:400]
