"""URL arithmetic for a site that may live under any sub-path of any host.

Two kinds of URL reach the output:

- Internal links are RELATIVE to the page that contains them. A page at
  ``articles/foo/index.html`` reaches the site root with ``../../``, so
  ``url("topics/")`` there is ``../../topics/``. Nothing in the HTML then
  depends on where the site is deployed: the same build works at
  ``https://host/``, ``https://host/digest/`` or ``http://localhost:8000/x/``.
- Absolute URLs (canonical, og:url, feeds, sitemap, JSON-LD) are built from
  ``settings.base_url``. A base with a scheme gives full URLs
  (``https://example.org/digest/articles/foo/``); a base without one (the
  default ``/``) gives root-relative paths under it (``/articles/foo/``).

``404.html`` is the exception to the first rule: a host serves it for any
missing URL at any depth, so its links use the absolute base *path*.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

__all__ = [
    "absolute_url",
    "base_path",
    "normalize_base",
    "page_url",
    "quote_segment",
    "relative_root",
]


@lru_cache(maxsize=64)  # a build has one base, normalized again for every absolute URL it makes
def normalize_base(base_url: str) -> str:
    """``base_url`` with exactly one trailing slash; a scheme-less base also gets a leading one."""
    base = (base_url or "/").strip()
    if not urlsplit(base).scheme:
        base = "/" + base.lstrip("/")
    return base.rstrip("/") + "/"


def base_path(base_url: str) -> str:
    """The path part of the base: ``https://example.org/digest/`` -> ``/digest/``."""
    return normalize_base(urlsplit(normalize_base(base_url)).path or "/")


def absolute_url(base_url: str, path: str) -> str:
    """``path`` (relative to the site root, e.g. ``articles/foo/``) made absolute under the base."""
    return normalize_base(base_url) + path.lstrip("/")


# Both take a page's file as a path or as its text ("a/b/index.html": relative, no "." or
# empty parts, as every planned page's is); text is what a build of 50,000 pages can afford.


def relative_root(url_path: PurePosixPath | str) -> str:
    """The relative link from the page at ``url_path`` to the site root ("" at the top level)."""
    return "../" * str(url_path).count("/")


def page_url(url_path: PurePosixPath | str) -> str:
    """The site-root path readers use for a file: ``a/b/index.html`` -> ``a/b/`` (pretty URL)."""
    text = str(url_path)
    if text == "index.html":
        return ""
    if text.endswith("/index.html"):
        return text[: -len("index.html")]
    return text


@lru_cache(maxsize=65536)  # tags recur on page after page
def quote_segment(text: str) -> str:
    """Percent-encode one path segment or query value (slugs pass through unchanged)."""
    return quote(text, safe="")
