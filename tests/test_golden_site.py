"""The built seed site, as a reader and a maintainer see it.

A manifest, not a mirror: every page's title, h1 and internal links, and every
article's front matter, compared with tests/golden/seed_site.json. Rewrite the
manifest with ``pytest tests/test_golden_site.py --update-golden`` and review
the diff like code.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digestsite.check import check_site

GOLDEN = Path(__file__).parent / "golden" / "seed_site.json"


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.h1, self.links, self._inside = "", "", set(), ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag in ("title", "h1"):
            self._inside = tag
        href = values.get("href") if tag == "a" else None
        if href and "://" not in href and not href.startswith(("#", "mailto:")):
            self.links.add(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = ""

    def handle_data(self, data: str) -> None:
        if self._inside:
            setattr(self, self._inside, getattr(self, self._inside) + data)


def site_manifest(site: Path) -> dict:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        outline = _Outline()
        outline.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = {
            "title": " ".join(outline.title.split()), "h1": " ".join(outline.h1.split()),
            "links": sorted(outline.links)}
    front = {p.parent.name: tomllib.loads(p.read_text(encoding="utf-8").split("+++")[1])
             for p in sorted((site / "articles").glob("*/index.md"))}
    other = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                   if p.is_file() and p.suffix not in (".html", ".md") and "pagefind" not in p.parts)
    return {"pages": pages, "front_matter": front, "other_files": other}


def test_seed_site_matches_the_golden_manifest(seed_site: Path, request: pytest.FixtureRequest) -> None:
    manifest = site_manifest(seed_site)
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if request.config.getoption("--update-golden") or not GOLDEN.exists():
        GOLDEN.write_text(text, encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"wrote a new {GOLDEN.name}; review and commit it")
    expected = GOLDEN.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "golden", "built", n=2))
    assert not diff, f"the seed site changed; if intended, rerun with --update-golden\n{diff[:6000]}"


def test_seed_site_passes_check(seed_site: Path) -> None:
    assert check_site(seed_site) == []


def test_seed_site_has_every_kind_of_page(seed_site: Path) -> None:
    for name in ("index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "search/index.html",
                 "topics/index.html", "spokespersons/index.html"):
        assert (seed_site / name).is_file(), name
    assert len(list((seed_site / "articles").glob("*/index.html"))) == 10
    assert len(list((seed_site / "articles").glob("*/index.md"))) == 10


def test_spokesperson_pages_are_guo_jiakun_and_mao_ning_only(seed_site: Path) -> None:
    pages = sorted(p.parent.name for p in (seed_site / "spokespersons").glob("*/index.html"))
    assert pages == ["guo-jiakun", "mao-ning"]
    front = [tomllib.loads(p.read_text(encoding="utf-8").split("+++")[1])
             for p in (seed_site / "articles").glob("*/index.md")]
    speakers = [s["name"] for f in front for s in f["spokespersons"]]
    assert (speakers.count("Guo Jiakun"), speakers.count("Mao Ning"), len(speakers)) == (5, 1, 6)
    guo = (seed_site / "spokespersons" / "guo-jiakun" / "index.html").read_text(encoding="utf-8")
    assert "Guo said" in guo  # statements by surname after the full name was introduced


def test_front_matter_has_the_fields_the_issue_names(seed_site: Path) -> None:
    lines = []
    for page in sorted((seed_site / "articles").glob("*/index.md")):
        front = tomllib.loads(page.read_text(encoding="utf-8").split("+++")[1])
        assert {"id", "slug", "title", "standfirst", "topics", "tags", "spokespersons", "source"} <= set(front)
        assert front["source"]["digest"] == "digests/global-times-china-world-digest.txt"
        lines.append((front["source"]["start"], front["source"]["end"]))
    assert sorted(lines) == [(0, 3), (3, 8), (8, 51), (51, 59), (59, 64), (64, 76), (76, 80), (80, 95),
                             (95, 98), (98, 121)]


def test_links_work_under_the_sub_path(seed_site: Path) -> None:
    home = (seed_site / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/digest/"' in home  # canonical
    feed = (seed_site / "feed.xml").read_text(encoding="utf-8")
    assert "https://example.org/digest/articles/" in feed
    assert 'href="/articles/' not in home and 'href="/topics/' not in home


def test_every_page_of_the_seed_site_is_valid_html5(seed_site: Path) -> None:
    import html5lib

    for page in sorted(seed_site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(seed_site)}: {exc}")


def test_feeds_and_sitemap_of_the_seed_site_parse_as_xml(seed_site: Path) -> None:
    import xml.etree.ElementTree as ET

    feeds = sorted(seed_site.rglob("feed.xml"))
    assert len(feeds) > 10  # the site's, and one per topic and spokesperson
    for path in [*feeds, seed_site / "sitemap.xml"]:
        ET.parse(path)
