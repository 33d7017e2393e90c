"""Live reload for ``build.py serve``: watch, rebuild, tell the pages, decorate the HTML.

Contract:

- ``watch(folders, on_change)`` calls ``on_change(path)`` for real file changes (created,
  modified, deleted, moved), never for directories or editor temp files (``is_temp_file``).
- ``Rebuilder.notify`` marks a change; its one build thread waits until changes stop for
  ``debounce`` seconds and then builds, so two builds never overlap (MkDocs' design). Builds
  run with search off; with ``options.search`` Pagefind then indexes the served folder in a
  background thread (never while a build replaces that folder).
- ``ServerState`` is what the build thread and the request threads share: the generation
  (bumped after every build, good or bad, and when a search index is ready), the last build
  error, and whether a build or an index is running, all under one ``threading.Condition``.
- ``stream_events`` writes server-sent events to one client: ``event: reload`` whenever the
  generation moves past the one the client last saw, and a ``: keepalive`` comment when
  idle. A client that names the generation its page was served at (``?since=N`` or
  ``Last-Event-ID``) gets a reload at once if it is stale, so a build that ended before
  the stream connected is not missed.
- ``decorate_html`` is pure: it adds the generation marker, the error overlay (if any) and
  ``SCRIPT_TAG`` before the last ``</body>`` (at the end when there is none). The server
  applies it as it serves; files on disk never have it, so ``build`` output never does.
- The client is a separate file (``CLIENT_JS`` at ``CLIENT_PATH``) because the site's CSP is
  ``script-src 'self'``: inline scripts are blocked, inline style attributes are not.
"""

from __future__ import annotations

import html
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .errors import BuildError, SourceError
from .model import BuildOptions, BuildReport

__all__ = [
    "BuildFailure", "CLIENT_JS", "CLIENT_PATH", "EVENTS_PATH", "OVERLAY_ID", "SCRIPT_TAG",
    "STATUS_PATH", "Rebuilder", "ServerState", "decorate_html", "error_overlay",
    "inject_before_body_end", "is_temp_file", "parse_since", "stream_events", "watch",
]

log = logging.getLogger(__name__)

CLIENT_PATH = "/__reload/client.js"
EVENTS_PATH = "/__reload/events"
STATUS_PATH = "/__reload/status"
SCRIPT_TAG = f'<script src="{CLIENT_PATH}" defer></script>'
OVERLAY_ID = "digestsite-error-overlay"

# The page says which generation it was served at, so the client can ask the stream
# "anything newer than N?" and not miss a build that ended before it connected.
CLIENT_JS = """\
// digestsite dev server: reload this page when the site is rebuilt.
(function () {
  "use strict";
  var mark = document.querySelector("[data-digestsite-generation]");
  var since = mark ? mark.getAttribute("data-digestsite-generation") : "";
  var source = new EventSource("%s?since=" + encodeURIComponent(since));
  source.addEventListener("reload", function () {
    source.close();
    location.reload();
  });
})();
""" % EVENTS_PATH

_OVERLAY_STYLE = (
    "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:60vh;overflow:auto;"
    "margin:0;padding:1rem 1.25rem;background:#fff0f0;color:#5c0000;border-bottom:3px solid #b00;"
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left"
)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_CHANGES = {"created", "modified", "deleted", "moved"}  # not "opened"/"closed": builds read files
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", "~", "jb_tmp___", "jb_old___", "jb_bak___")


@dataclass(frozen=True, slots=True)
class BuildFailure:
    """What the overlay and /__reload/status show about a failed build."""

    text: str  # as the terminal prints it: "file:line: message"
    message: str
    path: str | None = None
    line: int | None = None  # 1-based, as printed

    @classmethod
    def from_exception(cls, exc: BaseException) -> BuildFailure:
        if isinstance(exc, SourceError):
            line = None if exc.line is None else exc.line + 1
            return cls(text=str(exc), message=exc.message, path=exc.path, line=line)
        text = str(exc) or type(exc).__name__
        if not isinstance(exc, BuildError):
            text = f"{type(exc).__name__}: {text}"  # an unexpected error: say what kind
        return cls(text=text, message=text)


class ServerState:
    """Generation counter, last error and build/index flags, all guarded by one Condition."""

    def __init__(self, keepalive: float = 15.0):
        self.condition = threading.Condition()
        self.keepalive = keepalive  # seconds between comments on an idle event stream
        self.generation = 0
        self.error: BuildFailure | None = None
        self.building = False
        self.indexing = False
        self.closed = False

    def build_started(self) -> None:
        with self.condition:
            self.building = True
            self.condition.notify_all()

    def build_finished(self, error: BuildFailure | None) -> int:
        """Record the outcome and bump the generation: every client reloads, good or bad."""
        with self.condition:
            self.building = False
            self.error = error
            self.generation += 1
            self.condition.notify_all()
            return self.generation

    def set_indexing(self, indexing: bool) -> None:
        """Indexing finished bumps the generation too, so open pages pick up the new search."""
        with self.condition:
            self.indexing = indexing
            if not indexing:
                self.generation += 1
            self.condition.notify_all()

    def close(self) -> None:
        """Ends every event stream (they check ``closed`` when woken)."""
        with self.condition:
            self.closed = True
            self.condition.notify_all()

    def status(self) -> dict:
        with self.condition:
            return {"generation": self.generation, "error": self.error.text if self.error else None,
                    "building": self.building, "indexing": self.indexing}

    def snapshot(self) -> tuple[int, BuildFailure | None]:
        with self.condition:
            return self.generation, self.error

    def wait_idle(self, timeout: float) -> bool:
        """Block while a build runs (a page asked for mid-build is the new one); False on timeout."""
        with self.condition:
            return self.condition.wait_for(lambda: not self.building or self.closed, timeout)

    def wait_past(self, seen: int, timeout: float) -> int | None:
        """The generation once it is past ``seen``; None on timeout or when closed."""
        with self.condition:
            self.condition.wait_for(lambda: self.generation > seen or self.closed, timeout)
            return None if self.closed or self.generation <= seen else self.generation


def parse_since(query: str, last_event_id: str | None) -> int | None:
    """The generation a client last saw: ``Last-Event-ID`` (a reconnect) or ``?since=N``."""
    for value in (last_event_id, *re.findall(r"(?:^|&)since=(\d+)", query)):
        if value and value.strip().isdigit():
            return int(value.strip())
    return None


def stream_events(wfile: BinaryIO, state: ServerState, since: int | None) -> None:
    """Write events until the client goes away (OSError propagates) or the state closes."""
    current = state.snapshot()[0]
    seen = current if since is None else since
    if seen > current:
        seen = -1  # the page came from an earlier run of the server: reload it at once
    wfile.write(b"retry: 1000\n\n")  # EventSource reconnects after a second if we drop
    wfile.flush()
    while True:
        generation = state.wait_past(seen, state.keepalive)
        if state.closed:
            return
        if generation is None:
            # A comment line: keeps proxies and the browser from timing out, and lets us
            # notice a client that has gone (the write fails).
            wfile.write(b": keepalive\n\n")
        else:
            seen = generation
            wfile.write(f"id: {generation}\nevent: reload\ndata: {generation}\n\n".encode())
        wfile.flush()


def error_overlay(failure: BuildFailure) -> str:
    """A fixed banner over the page with the error; every piece of text is escaped."""
    esc = html.escape
    where = ""
    if failure.path:
        line = f", line <code>{failure.line}</code>" if failure.line is not None else ""
        where = f'<p style="margin:.25rem 0">in <code>{esc(failure.path)}</code>{line}</p>'
    line_attr = "" if failure.line is None else failure.line
    attrs = f' data-file="{esc(failure.path or "")}" data-line="{line_attr}"'
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="{_OVERLAY_STYLE}"{attrs}>'
        '<p style="margin:0 0 .25rem;font-weight:bold">Build failed: the last good site is shown</p>'
        f'{where}<pre style="margin:.5rem 0 0;white-space:pre-wrap">{esc(failure.text)}</pre></div>'
    )


def inject_before_body_end(page: bytes, snippet: bytes) -> bytes:
    """Insert before the last ``</body>`` (any case), or append when the page has none."""
    matches = list(_BODY_END.finditer(page))
    if not matches:
        return page + snippet
    at = matches[-1].start()
    return page[:at] + snippet + page[at:]


def decorate_html(page: bytes, generation: int, error: BuildFailure | None = None) -> bytes:
    """The page as the dev server sends it: generation marker, overlay if any, reload script."""
    marker = f'<span hidden data-digestsite-generation="{generation}"></span>'
    overlay = error_overlay(error) if error else ""
    return inject_before_body_end(page, (marker + overlay + SCRIPT_TAG).encode("utf-8"))


# ---------------------------------------------------------------- rebuilding


class Rebuilder:
    """Runs builds one at a time: ``notify`` marks a change, the build thread debounces and builds."""

    def __init__(self, options: BuildOptions, state: ServerState,
                 build_fn: Callable[[BuildOptions], BuildReport] | None = None,
                 index_fn: Callable[[Path, str], int] | None = None, debounce: float = 0.15):
        self.options = options
        self.state = state
        self.build_fn = build_fn or _pipeline_build
        self.index_fn = index_fn or _index_site
        self.debounce = debounce
        self._wake = threading.Condition()
        self._pending = False
        self._stopping = False
        self._last_change = 0.0
        # Pagefind writes into the served folder; a build replaces that folder. Never both at once.
        self._site_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def notify(self, path: str = "") -> None:
        """A watched file changed (called from the watchdog thread)."""
        log.debug("changed: %s", path)
        with self._wake:
            self._pending = True
            self._last_change = time.monotonic()
            self._wake.notify_all()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="digestsite-build", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending or self._stopping)
                # Debounce: editors save in bursts (temp file, rename, chmod); build once it is quiet.
                while not self._stopping and time.monotonic() - self._last_change < self.debounce:
                    self._wake.wait(self.debounce - (time.monotonic() - self._last_change))
                if self._stopping:
                    return
                self._pending = False
            self.build_now()

    def build_now(self) -> bool:
        """One build (search off); prints the outcome and reloads every page either way."""
        self.state.build_started()
        try:
            with self._site_lock:
                report = self.build_fn(replace(self.options, search=False, search_later=self.options.search))
        except Exception as exc:  # noqa: BLE001 - any failure must leave the server running
            failure = BuildFailure.from_exception(exc)
            if not isinstance(exc, (SourceError, BuildError)):
                log.error("unexpected build failure", exc_info=exc)  # a bug: keep the traceback
            _say(f"error: {failure.text}")
            self.state.build_finished(failure)
            return False
        if not self.options.quiet:
            _say(report.summary_line())
        for warning in report.warnings:
            _say(f"warning: {warning}")
        self.state.build_finished(None)
        if self.options.search:
            self.state.set_indexing(True)
            threading.Thread(target=self._index, name="digestsite-index", daemon=True).start()
        return True

    def _index(self) -> None:
        """Pagefind over the served folder, then one more reload so pages find the index."""
        with self._site_lock:
            with self._wake:
                stale = self._pending or self._stopping  # a newer build will replace the folder
            if not stale:
                try:
                    pages = self.index_fn(self.options.out_dir, _site_language(self.options.content_dir))
                    if not self.options.quiet:
                        _say(f"indexed {pages} pages for search")
                except Exception as exc:  # noqa: BLE001 - search is optional in the dev server
                    _say(f"warning: search index not built: {exc}")
        self.state.set_indexing(False)


def _pipeline_build(options: BuildOptions) -> BuildReport:
    from .pipeline import build  # imported late: serving must not need every stage importable

    return build(options)


def _index_site(site_dir: Path, language: str) -> int:
    from .search import index_site

    return index_site(site_dir, language)


def _site_language(content_dir: Path) -> str:
    try:
        from .read import SETTINGS_FILE, read_settings

        return read_settings(content_dir / SETTINGS_FILE, content_dir, [])[0].language
    except Exception:  # noqa: BLE001 - a broken site.toml is reported by the build itself
        return "en"


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)




def is_temp_file(path: str | os.PathLike) -> bool:
    """Editor scratch files (vim, emacs, JetBrains, macOS): saving them must not rebuild."""
    name = os.path.basename(os.fsdecode(path))
    return (name.endswith(_TEMP_SUFFIXES) or name.startswith(".#") or name == "4913"
            or (name.startswith("#") and name.endswith("#")) or name == ".DS_Store")


class _ChangeHandler(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[str], None]):
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in _CHANGES:
            return
        # A save by rename (temp file -> real name) counts through its destination.
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        relevant = [p for p in paths if not is_temp_file(p)]
        if relevant:
            self.on_change(relevant[-1])


def watch(folders: Iterable[Path], on_change: Callable[[str], None]) -> Observer:
    """Start a watchdog observer calling ``on_change(path)`` for real file changes under ``folders``."""
    observer = Observer()
    handler = _ChangeHandler(on_change)
    for folder in folders:
        if Path(folder).is_dir():
            observer.schedule(handler, str(folder), recursive=True)
        else:
            log.warning("not watching %s: not a folder", folder)
    observer.daemon = True
    observer.start()
    return observer
