"""Browser fixtures: the seed site served under /digest/ with the production CSP, one Chromium.

``site_url`` is ``http://127.0.0.1:<port>/digest/``. ``page`` (and ``new_page(**context_options)``
for e.g. ``java_script_enabled=False``) record console errors, uncaught page errors and CSP
violations, and fail the test at teardown if there were any. Without Chromium or Playwright the
tests skip; with ``CI`` set they fail, because CI must run them.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the `browser` fixture: skipped locally, failed under CI
    sync_playwright = None

PREFIX = "/digest/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# The policy a production host would send; base.html carries the same one as a <meta>.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'self'")
# Chromium logs CSP violations as console errors too; this makes them explicit and catches
# the ones (e.g. in workers' parents) that only fire the DOM event.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves ``directory`` at /digest/ only (404 elsewhere), with the site's CSP header."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript",
                      ".mjs": "text/javascript", ".md": "text/markdown; charset=utf-8",
                      ".xml": "application/xml"}

    def send_head(self):
        path = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(self.path).path))
        if not (path + "/").startswith(PREFIX):
            self.send_error(404, "Not under " + PREFIX)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        # only the file lookup drops the prefix: self.path stays as requested, so the
        # directory redirect (/digest/x -> /digest/x/) keeps it
        query_free = urllib.parse.urlsplit(path).path
        rest = posixpath.normpath(urllib.parse.unquote(query_free))[len(PREFIX):]
        full = Path(self.directory, *[p for p in rest.split("/") if p not in ("", ".", "..")])
        return str(full) + ("/" if query_free.endswith("/") else "")

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def site_url(seed_site: Path) -> Iterator[str]:
    """The seed site at http://127.0.0.1:<free port>/digest/."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_SubPathHandler, directory=str(seed_site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: the browser tests must run there")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for the whole session."""
    if sync_playwright is None:
        _unavailable("Python playwright is not installed")
    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or CHROMIUM)
    if not executable.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen by one page."""

    def __init__(self, page) -> None:
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: uncaught {error}"))
        self._page = page

    def _console(self, message) -> None:
        if message.type == "error":
            self.items.append(f"{self._page.url}: console error: {message.text}")

    def take(self) -> list[str]:
        """The problems so far, and start afresh."""
        items, self.items = self.items, []
        return items


@pytest.fixture
def new_page(browser, site_url: str) -> Iterator[Callable[..., object]]:
    """``new_page(**context_options)``: a page in a fresh context; problems fail the test."""
    contexts, recorders = [], []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=site_url, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_CSP)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems(page)
        recorders.append(page.problems)
        return page

    yield make
    problems = [item for recorder in recorders for item in recorder.take()]
    for context in contexts:
        context.close()
    assert problems == [], "console errors, page errors or CSP violations:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A 1280x900 page in the light colour scheme; see ``new_page``."""
    return new_page()
