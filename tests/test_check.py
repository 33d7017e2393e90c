"""build.py check: broken links, missing titles, duplicate slugs, missing anchors."""

from __future__ import annotations

from pathlib import Path

from digestsite.check import check_site


def _page(title: str, body: str, canonical: str = "https://example.org/digest/") -> str:
    return (f'<!doctype html><html lang="en"><head><title>{title}</title>'
            f'<link rel="canonical" href="{canonical}"></head><body>{body}</body></html>')


def _site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _front(slug: str) -> str:
    return f'+++\nid = "x"\nslug = "{slug}"\ntitle = "T"\n+++\n\nBody.\n'


def test_a_good_site_has_no_problems(tmp_path: Path) -> None:
    site = _site(tmp_path, {
        "index.html": _page("Home", '<a href="articles/a/">A</a><a href="#top" id="top">top</a>'
                                    '<link rel="stylesheet" href="assets/site.css">'),
        "assets/site.css": "body{}",
        "articles/a/index.html": _page("A", '<a href="../../">home</a><a href="../../articles/a/index.md">md</a>'
                                            '<a href="https://elsewhere.example/">x</a><a href="/digest/">abs</a>'),
        "articles/a/index.md": _front("a"),
        "404.html": _page("Not found", '<a href="/digest/articles/a/#">a</a>'),
    })
    assert check_site(site) == []


def test_broken_link_missing_title_missing_anchor_are_reported(tmp_path: Path) -> None:
    site = _site(tmp_path, {
        "index.html": _page("Home", '<a href="articles/nope/">x</a><a href="other/#missing">y</a>'),
        "other/index.html": _page("", "<p id='here'>x</p>"),
        "far/index.html": _page("Far", '<a href="/elsewhere/">out of base</a>'),
    })
    assert check_site(site) == [
        "far/index.html: link '/elsewhere/' leaves the site's base path /digest/",
        "index.html: broken link 'articles/nope/'",
        "index.html: link 'other/#missing': no element with id 'missing'",
        "other/index.html: page has no <title>",
    ]


def test_duplicate_and_mismatched_slugs_are_reported(tmp_path: Path) -> None:
    site = _site(tmp_path, {
        "index.html": _page("Home", ""),
        "articles/a/index.md": _front("a"),
        "articles/b/index.md": _front("a"),
    })
    problems = check_site(site)
    assert "articles/b/index.md: slug 'a' does not match its folder" in problems
    assert "duplicate slug 'a': articles a, b" in problems


def test_search_links_are_fine_only_when_built_without_search(tmp_path: Path) -> None:
    files = {"index.html": _page("Home", '<script src="pagefind/pagefind-ui.js"></script>')}
    assert check_site(_site(tmp_path / "a", files)) == []
    site = _site(tmp_path / "b", {**files, "pagefind/other.js": ""})
    assert check_site(site) == ["index.html: broken link 'pagefind/pagefind-ui.js'"]


def test_not_a_site(tmp_path: Path) -> None:
    assert check_site(tmp_path) == [f"{tmp_path}: no index.html; is this a built site?"]
