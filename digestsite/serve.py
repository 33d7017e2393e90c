"""``build.py serve``: build, serve the site on 127.0.0.1, rebuild on change and reload the browser.

Contract of ``serve(options, host, port) -> int``:

- Builds once with search off (fast); when ``options.search`` is set, Pagefind then indexes
  the served folder in a background thread and open pages reload when the index is ready.
- Serves ``options.out_dir`` at ``/`` from a ``ThreadingHTTPServer`` on ``host`` (127.0.0.1 by
  default), trying the next ports when one is taken, and prints one line on stdout:
  ``Serving <url> (Ctrl+C to stop)``. Summaries, warnings and errors go to stderr.
- Watches ``content_dir`` and ``templates_dir`` (never the output) and rebuilds, debounced,
  in one build thread; every build, good or bad, sends ``event: reload`` to every open page
  (all of that lives in ``reload.py``). A failed build keeps the last good site
  (``publish.staged_update`` changes nothing until a build succeeds) and overlays its error on every
  HTML page until a good build.
- ``/__reload/status`` answers ``{"generation", "error", "building", "indexing"}`` as JSON.
- Only GET and HEAD; any path that could leave the site folder (``..``, encoded or not,
  backslashes, NUL, symlinks pointing out) is a 404.
- Ctrl+C (or SIGTERM) stops the watcher, the build thread and the server, and returns 0.
"""

from __future__ import annotations

import errno
import json
import logging
import mimetypes
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from .errors import BuildError
from .model import BuildOptions
from .reload import (CLIENT_JS, CLIENT_PATH, EVENTS_PATH, STATUS_PATH, Rebuilder, ServerState,
                     decorate_html, is_temp_file, parse_since, stream_events, watch)

__all__ = ["Rebuilder", "ServerState", "is_temp_file", "make_server", "resolve_request", "serve", "watch"]

log = logging.getLogger(__name__)

PORT_TRIES = 20
BUILD_WAIT = 10.0  # seconds a page request waits for a running build before serving the old site
_NOT_FOUND = b"<!doctype html><title>Not found</title><h1>Not found</h1>"
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
          ".wasm": "application/wasm", ".webmanifest": "application/manifest+json", ".md": "text/markdown"}


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, serve and rebuild until Ctrl+C; returns the exit code (0)."""
    from .cache import memos_held_in_memory
    from .publish import check_output_dir

    # An unsafe --out is fatal before anything is served: we would otherwise serve that folder.
    check_output_dir(options.out_dir, [options.content_dir, options.templates_dir])
    state = ServerState()
    rebuilder = Rebuilder(options, state)
    server, url = make_server(options.out_dir, state, host, port)
    observer = None
    previous_sigterm = _stop_on_sigterm()
    with memos_held_in_memory():  # a rebuild skips reading and writing them; written when serving stops
        try:
            # Watch before the first build, so an edit made while it runs is not lost.
            observer = watch([options.content_dir, options.templates_dir], rebuilder.notify)
            rebuilder.build_now()
            rebuilder.start()
            print(f"Serving {url} (Ctrl+C to stop)", flush=True)
            server.serve_forever(poll_interval=0.25)
        except KeyboardInterrupt:
            pass
        finally:
            state.close()  # ends the event streams
            rebuilder.stop()
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
            server.server_close()
            if previous_sigterm is not None:
                signal.signal(signal.SIGTERM, previous_sigterm)
    return 0


def _stop_on_sigterm():
    """SIGTERM (a process manager, a test) stops as cleanly as Ctrl+C; returns the old handler."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    if threading.current_thread() is not threading.main_thread():  # signals only work there
        return None
    return signal.signal(signal.SIGTERM, interrupt)


# ---------------------------------------------------------------- serving


def resolve_request(site_dir: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``site_dir`` (a folder means its index.html), or None."""
    decoded = unquote(url_path)
    if (not url_path.startswith("/") or "\\" in url_path or "\\" in decoded or "\x00" in decoded):
        return None
    parts = decoded.split("/")[1:]
    if parts and parts[-1] == "":
        parts.pop()  # a trailing slash
    if any(part in ("", ".", "..") for part in parts):
        return None
    root = Path(site_dir).resolve()
    target = root.joinpath(*parts)
    if target.is_dir():
        target = target / "index.html"
    target = target.resolve()  # follows symlinks, so one pointing out of the site is caught here
    return target if root in target.parents and target.is_file() else None


def _read(path: Path | None) -> bytes | None:
    """A file's bytes, or None when it is gone: a build may have swapped the site in between."""
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


class DevServer(ThreadingHTTPServer):
    daemon_threads = True  # event streams never end by themselves
    block_on_close = False

    def __init__(self, address: tuple[str, int], site_dir: Path, state: ServerState):
        self.site_dir = Path(site_dir)
        self.state = state
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, SiteHandler)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], _GONE):
            log.debug("client %s went away", client_address)
            return
        super().handle_error(request, client_address)


def make_server(site_dir: Path, state: ServerState, host: str = "127.0.0.1",
                port: int = 8000, tries: int = PORT_TRIES) -> tuple[DevServer, str]:
    """Bind ``host:port``, or the next free port of ``tries``; returns the server and its URL."""
    problem: OSError | None = None
    for candidate in range(port, port + tries) if port else [0]:
        try:
            server = DevServer((host, candidate), site_dir, state)
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            problem = exc
            continue
        shown = f"[{host}]" if ":" in host else host
        return server, f"http://{shown}:{server.server_address[1]}/"
    raise BuildError(f"no free port on {host} from {port} to {port + tries - 1}: {problem}")


class SiteHandler(BaseHTTPRequestHandler):
    """GET/HEAD for the site plus the three ``/__reload/`` endpoints."""

    server: DevServer
    timeout = 60  # a client that connects and says nothing does not hold a thread forever

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        try:
            self._route(head)
        except _GONE as exc:  # the browser navigated away mid-response: nothing to do
            log.debug("client %s went away: %s", self.client_address, exc)
            self.close_connection = True

    def _route(self, head: bool) -> None:
        path, _, query = self.path.split("#", 1)[0].partition("?")
        state = self.server.state
        if path == EVENTS_PATH:
            self._headers(200, "text/event-stream", None, {"X-Accel-Buffering": "no"})
            if not head:
                stream_events(self.wfile, state, parse_since(query, self.headers.get("Last-Event-ID")))
        elif path == STATUS_PATH:
            self._send(200, "application/json", json.dumps(state.status()).encode(), head)
        elif path == CLIENT_PATH:
            self._send(200, "text/javascript; charset=utf-8", CLIENT_JS.encode(), head)
        else:
            self._serve_site(path, query, head)

    def _serve_site(self, path: str, query: str, head: bool) -> None:
        self.server.state.wait_idle(BUILD_WAIT)  # mid-build, answer with the new site
        target = resolve_request(self.server.site_dir, path)
        body = _read(target)
        if target is None or body is None:
            body = _read(resolve_request(self.server.site_dir, "/404.html")) or _NOT_FOUND
            return self._send(404, "text/html; charset=utf-8", self._decorate(body), head)
        if target.name == "index.html" and not path.endswith(("/", "/index.html")):
            # A folder without its slash: redirect, or the page's relative links would break.
            location = path + "/" + (f"?{query}" if query else "")
            return self._send(301, "text/plain; charset=utf-8", b"", head, {"Location": location})
        kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".html", ".htm"):
            body, kind = self._decorate(body), "text/html"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(200, kind, body, head)

    def _decorate(self, page: bytes) -> bytes:
        generation, error = self.server.state.snapshot()
        return decorate_html(page, generation, error)

    def _send(self, code: int, kind: str, body: bytes, head: bool, extra: dict | None = None) -> None:
        self._headers(code, kind, len(body), extra)
        if not head:
            self.wfile.write(body)

    def _headers(self, code: int, kind: str, length: int | None, extra: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        if length is not None:  # the length after injection, not the file's size
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # always the latest build
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("%s %s", self.address_string(), format % args)  # shown with --verbose only
