"""Validate a built site: every internal link and asset resolves, every page has a title,
no two articles share a slug, every ``#fragment`` exists.

``check_site(site_dir)`` returns a sorted list of problems, one line each,
naming the page (relative to the site) and what is wrong; empty means good.
Links are resolved the way a browser would from the page's own URL. Absolute
paths are resolved under the site's base path, read from the home page's
canonical link. A site built with ``--no-search`` has no ``pagefind/`` folder;
links into it are then not counted as broken.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

__all__ = ["check_site"]

_LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action")}
_EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "data", "javascript"}
_ORIGIN = "http://site.invalid"


class _PageScan(HTMLParser):
    """Collects a page's title, element ids, links and canonical URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.canonical = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        for element, attribute in _LINK_ATTRIBUTES:
            if tag == element and attribute in values:
                if tag == "link" and values.get("rel") == "canonical":
                    self.canonical = values[attribute]
                    continue
                self.links.append(values[attribute])
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False if tag == "title" else self._in_title

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_site(site_dir: Path) -> list[str]:
    """Every problem found in the built site at ``site_dir``."""
    if not (site_dir / "index.html").is_file():
        return [f"{site_dir}: no index.html; is this a built site?"]
    pages = {PurePosixPath(p.relative_to(site_dir).as_posix()): _scan(p) for p in sorted(site_dir.rglob("*.html"))}
    base_path = urlsplit(pages[PurePosixPath("index.html")].canonical).path or "/"
    has_search_index = (site_dir / "pagefind").is_dir()
    problems = []
    for path, scan in pages.items():
        if not scan.title.strip():
            problems.append(f"{path}: page has no <title>")
        for link in scan.links:
            problem = _check_link(site_dir, pages, path, link, base_path, has_search_index)
            if problem:
                problems.append(f"{path}: {problem}")
    problems += _duplicate_slugs(site_dir)
    return sorted(set(problems))


def _scan(path: Path) -> _PageScan:
    scan = _PageScan()
    scan.feed(path.read_text(encoding="utf-8", errors="replace"))
    return scan


def _page_url(path: PurePosixPath) -> str:
    url = "/" + path.as_posix()
    return url[: -len("index.html")] if url.endswith("/index.html") or url == "/index.html" else url


def _check_link(site_dir: Path, pages: dict, page: PurePosixPath, link: str, base_path: str,
                has_search_index: bool) -> str:
    parts = urlsplit(link)
    if parts.scheme in _EXTERNAL_SCHEMES or parts.netloc:
        return ""
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return f"link {link!r} leaves the site's base path {base_path}"
        target_path = "/" + parts.path[len(base_path):]
    else:
        target_path = urlsplit(urljoin(_ORIGIN + _page_url(page), parts.path or _page_url(page))).path
    target = _resolve(site_dir, unquote(target_path))
    if target is None:
        if target_path.startswith("/pagefind/") and not has_search_index:
            return ""
        return f"broken link {link!r}"
    if parts.fragment and target.suffix == ".html":
        ids = pages.get(PurePosixPath(target.relative_to(site_dir).as_posix()))
        if ids is not None and parts.fragment not in ids.ids:
            return f"link {link!r}: no element with id {parts.fragment!r}"
    return ""


def _resolve(site_dir: Path, url_path: str) -> Path | None:
    relative = url_path.lstrip("/")
    if ".." in PurePosixPath(relative).parts:
        return None
    candidate = site_dir / relative
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _duplicate_slugs(site_dir: Path) -> list[str]:
    """Each article's front matter slug is unique and matches its folder."""
    owners: dict[str, list[str]] = defaultdict(list)
    problems = []
    for page in sorted((site_dir / "articles").glob("*/index.md")):
        folder = page.parent.name
        try:
            front = tomllib.loads(page.read_text(encoding="utf-8").split("+++")[1])
        except (IndexError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"articles/{folder}/index.md: unreadable front matter: {exc}")
            continue
        owners[str(front.get("slug", ""))].append(folder)
        if front.get("slug") != folder:
            problems.append(f"articles/{folder}/index.md: slug {front.get('slug')!r} does not match its folder")
    problems += [f"duplicate slug {slug!r}: articles {', '.join(folders)}"
                 for slug, folders in owners.items() if len(folders) > 1]
    return problems
