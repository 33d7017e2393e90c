"""Incremental builds: what the expensive stages made last time, keyed by input hashes.

The cache lives outside the output folder (``.cache/digestsite/`` beside
``content/`` unless told otherwise) and is only ever an optimisation: every
entry is keyed by a hash of everything that could change it (the inputs and
the package's own source code), so a stale entry is never found, and deleting
the folder only makes the next build slower. What it keeps:

- per digest: the enriched articles, keyed by the digest's paragraphs, the
  corrections, the taxonomy and its date;
- per Markdown page: the parsed page, the hand-written article made from it
  and that article's hash, by the page's path, size and time (``read.PageMemo``,
  stored in parts with ``store_parts``, as are the word lists of
  ``related.RelatedMemo``; its last answer is one memo);
- the templates each template refers to, by the template's source hash, and
  compiled templates (Jinja's bytecode cache, one folder per code version);
- per output file: the hash of (template and everything it includes, what
  the page is made from: its context, or for most pages the articles they
  show, see ``PageSpec.key_of``; an article's ``index.md`` the article alone),
  and the file's size and time; an unchanged page is not rendered again: it
  stays in the site, which only the changed files replace (or, when a whole
  new site must be staged, it is hard-linked from the current one); the
  static files are keyed by their own bytes;
- per build: the plan's shape, each article's hash and its related articles
  (``render.SitePlan``: a rebuild of the same shape keys only the pages that
  show a changed article), and a hash of every input file and option; when
  that matches the one stored for this output folder, the site is already
  up to date. Memos and records are pickles, (un)pickled with Python's cycle
  collector paused.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import operator
import os
import pickle
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

from .model import Article, BuildOptions, BuildReport
from .publish import check_output_dir, output_stamp, write_atomic

__all__ = ["BuildCache", "article_hash", "check_inputs", "code_hash", "hash_values", "inputs_stamp",
           "memos_held_in_memory", "template_hashes", "unchanged_file"]

_VERSION = b"digestsite-cache-1"


def hash_values(*values: Any) -> str:
    """A hex key for picklable values (equal values may hash differently: only ever a miss).

    Pickled without the memo: a normal pickle writes a second reference to the
    same object as a back-reference, so two equal contexts whose strings are
    shared differently (one topic name object for every article enriched in
    this build, a copy per digest for articles loaded from the cache) would
    hash differently and re-render pages whose bytes did not change.
    """
    parts = [_VERSION]  # hashed in one call: a page key is a few short strings
    for value in values:
        if type(value) is str:  # most page keys are a few hashes: no pickling for them
            data = b"s" + value.encode("utf-8", "surrogatepass")
        else:
            data = value if isinstance(value, bytes) else _pickle_by_value(value)
        parts += (len(data).to_bytes(8, "little"), data)
    return hashlib.sha256(b"".join(parts)).hexdigest()


_FIELDS_BUT_ORDER = operator.attrgetter(*(name for name in Article.__dataclass_fields__ if name != "order"))


def article_hash(article: Article) -> str:
    """``hash_values`` of an article for the keys of the pages made from it: every field
    but ``order``, its place in the whole build, which adding an article anywhere
    before it shifts and which no page shows (reading order and neighbours are keyed
    where they are shown)."""
    return hash_values(_FIELDS_BUT_ORDER(article))


def _pickle_by_value(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on the values only, not on object identity
    pickler.dump(value)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def code_hash() -> str:
    """The package's own source: a code change invalidates everything it could change."""
    package = Path(__file__).parent
    files = sorted(p for p in package.iterdir() if p.suffix in (".py", ".json"))
    return hash_values(*[(p.name, p.read_bytes()) for p in files])


def tree_hash(folder: Path, known: dict[str, list] | None = None,
              stats: dict[str, os.stat_result] | None = None) -> str:
    """Every entry's relative path, kind and bytes under ``folder`` (for the no-op check).

    Folders and links count too: a folder or a broken link where a file
    belongs must make the next build run (and fail), not look up to date.
    ``known`` maps a file to [size, mtime_ns, sha256] from an earlier call, as
    git's index does: a file whose size and time match is not read again (files
    changed in the last few seconds always are, in case of a same-tick edit).
    The hash is of contents either way, so it never depends on file times.
    ``stats``: filled with each file's stat by its path (for ``read.read_content``).
    """
    known = {} if known is None else known
    stats = {} if stats is None else stats
    recent = time.time_ns() - _SAME_TICK_NS
    digest = hashlib.sha256()
    if folder.is_dir():
        for name, entry in _tree_entries(str(folder), ""):
            path = name.encode() + b"\0"
            if entry.is_symlink():
                digest.update(b"link\0" + path + os.fsencode(os.readlink(entry.path)) + b"\0")
            if entry.is_file():
                digest.update(b"file\0" + path + _file_hash(entry, known, recent, stats).encode() + b"\0")
            elif entry.is_dir():
                digest.update(b"dir\0" + path)
    return digest.hexdigest()


def _tree_entries(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(relative path, entry) under ``folder``, depth first in name order, not into linked folders.

    ``os.scandir`` entries know their kind without a ``stat`` call each: a
    content folder of 10,000 pages is walked in a fraction of pathlib's time."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        name = prefix + entry.name
        yield name, entry
        if entry.is_dir(follow_symlinks=False):
            yield from _tree_entries(entry.path, name + "/")


_SAME_TICK_NS = 2_000_000_000


def unchanged_file(stat: os.stat_result, saved: Sequence | None, recent: int | None = None) -> bool:
    """Whether a file is still the one ``saved`` ([size, mtime_ns, ...]) describes, as
    git's index tells: the same size and time, and not written in the last few seconds
    (before ``recent`` ns), when a second edit could keep both."""
    recent = time.time_ns() - _SAME_TICK_NS if recent is None else recent
    return bool(saved) and saved[0] == stat.st_size and saved[1] == stat.st_mtime_ns and stat.st_mtime_ns < recent


def _file_hash(entry: os.DirEntry, known: dict[str, list], recent: int, stats: dict[str, os.stat_result]) -> str:
    stat = stats[entry.path] = entry.stat()
    saved = known.get(entry.path)
    if unchanged_file(stat, saved, recent):
        return saved[2]  # type: ignore[index]
    with open(entry.path, "rb") as file:
        sha = hashlib.sha256(file.read()).hexdigest()
    known[entry.path] = [stat.st_size, stat.st_mtime_ns, sha]
    return sha


def inputs_stamp(options: BuildOptions, known: dict[str, list] | None = None,
                 stats: dict[str, os.stat_result] | None = None) -> str:
    """A hash of everything a build reads: equal stamps, byte-identical sites
    (``known``, ``stats``: see ``tree_hash``)."""
    return hash_values(code_hash(), tree_hash(options.content_dir, known, stats),
                       tree_hash(options.templates_dir, known, stats),
                       options.base_url, options.search, options.search_later,
                       os.environ.get("SOURCE_DATE_EPOCH", ""))


@dataclass
class InputsCheck:
    """What ``check_inputs`` found: ``fresh``, the last build's report when the output
    folder was built from exactly these inputs (else None); ``stamp``, the inputs'
    stamp ("" with no cache, which never compares it); ``stats``, the stat of every
    input file by its path, as the check took it (a rebuild reads them from here
    rather than asking for 10,000 again)."""

    fresh: BuildReport | None
    stamp: str
    stats: dict[str, os.stat_result] = field(default_factory=dict)


def check_inputs(options: BuildOptions) -> InputsCheck:
    """Whether the output folder is up to date with the inputs (see ``InputsCheck``).

    Cheap on purpose (no stage module is imported, unchanged files are not read),
    so a no-op rebuild costs little more than starting Python."""
    # an unsafe --out is refused before the cache folder is touched
    check_output_dir(options.out_dir, [options.content_dir, options.templates_dir])
    cache = BuildCache(options.cache_dir, options.out_dir)
    if not cache.enabled:
        return InputsCheck(None, "")
    known = cache.load_file_hashes()
    before = dict(known)
    stats: dict[str, os.stat_result] = {}
    stamp = inputs_stamp(options, known, stats)
    if known != before:  # a file read again (10,000 entries: not rewritten by every check)
        cache.store_file_hashes(known)
    report = cache.load_json("report.json")
    if report and report.get("stamp") == stamp and output_stamp(options.out_dir) == stamp:
        return InputsCheck(BuildReport(**{k: v for k, v in report.items() if k != "stamp"}, unchanged=True),
                           stamp, stats)
    return InputsCheck(None, stamp, stats)


def template_hashes(env: "jinja2.Environment", memo: dict[str, frozenset[str] | None] | None = None) -> dict[str, str]:
    """Each template's hash over its own source and every template it extends, includes or imports.

    ``memo``: the templates each source refers to, by the source's hash, from an earlier
    call (parsing every template is a twentieth of a rebuild); afterwards it holds this call's."""
    loader = env.loader
    assert loader is not None
    sources = {name: loader.get_source(env, name)[0] for name in env.list_templates()}
    known = dict(memo or {})
    source_hashes = {name: hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
                     for name, source in sources.items()}
    references = {}
    for name, source in sources.items():
        if source_hashes[name] not in known:
            known[source_hashes[name]] = _referenced_templates(env, source)
        found = known[source_hashes[name]]
        references[name] = set(sources) if found is None else found  # unparsable: depends on anything
    if memo is not None:
        memo.clear()
        memo.update({digest: known[digest] for digest in source_hashes.values()})
    hashes = {}
    for name in sources:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in closure or current not in sources:
                continue
            closure.add(current)
            todo += references[current]
        hashes[name] = hash_values(sorted((n, sources[n]) for n in closure), env.globals.get("asset_version"))
    return hashes


def _referenced_templates(env: "jinja2.Environment", source: str) -> frozenset[str] | None:
    """The templates ``source`` names statically; None when it does not parse (rendering reports it)."""
    import jinja2  # here: the no-op check must not pay for importing Jinja
    import jinja2.meta

    try:
        return frozenset(r for r in jinja2.meta.find_referenced_templates(env.parse(source)) if r)
    except jinja2.TemplateSyntaxError:
        return None


class BuildCache:
    """The cache folder for one output folder; ``BuildCache(None)`` remembers nothing."""

    def __init__(self, directory: Path | None, out_dir: Path | None = None):
        self.directory = directory
        self._site_key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16] if out_dir else ""
        self._used_articles: set[str] = set()
        self._memo_sizes: dict[str, int] = {}  # what load_memo read, to skip writing it back unchanged

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _site_file(self, name: str) -> Path:
        assert self.directory is not None
        return self.directory / "sites" / self._site_key / name

    # -- enriched articles, per digest ---------------------------------------

    def load_articles(self, key: str) -> list | None:
        if not self.enabled:
            return None
        self._used_articles.add(key)
        return _read_pickle(self.directory / "articles" / f"{key}.pickle")  # type: ignore[operator]

    def store_articles(self, key: str, articles: list) -> None:
        if self.enabled:
            self._used_articles.add(key)
            _write_pickle(self.directory / "articles" / f"{key}.pickle", articles)  # type: ignore[operator]

    def prune_articles(self) -> None:
        """Forget digests this build did not use, so the cache does not grow forever."""
        folder = self.directory / "articles" if self.directory else None
        if folder and folder.is_dir():
            for path in folder.glob("*.pickle"):
                if path.stem not in self._used_articles:
                    path.unlink(missing_ok=True)

    # -- what the stages remember (memos) and compiled templates ---------------

    def code_folder(self, name: str) -> Path | None:
        """A folder of the cache for what this code and this Jinja make (compiled templates);
        the folders of other versions are removed. None with no cache."""
        if not self.enabled:
            return None
        import jinja2  # here: the no-op check must not pay for importing Jinja

        parent = self.directory / name  # type: ignore[operator]
        folder = parent / hash_values(code_hash(), jinja2.__version__)[:16]
        if not folder.is_dir():
            if parent.is_dir():
                for old in parent.iterdir():
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True)
        return folder

    def load_memo(self, name: str) -> Any:
        """What a stage stored under ``name`` last time (for this code: see ``code_hash``), else None."""
        if not self.enabled:
            return None
        path = self.directory / f"{name}.pickle"  # type: ignore[operator]
        if _held_memos is not None and path in _held_memos:
            return _held_memos[path]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        stored = _unpickled(data)
        if not isinstance(stored, dict) or stored.get("code") != code_hash():
            return None
        self._memo_sizes[name] = len(data)
        return stored["memo"]

    def store_memo(self, name: str, memo: Any) -> None:
        """Store ``memo`` under ``name``; not written again when it is what was loaded,
        and only kept in memory while ``memos_held_in_memory`` runs."""
        if not self.enabled:
            return
        path = self.directory / f"{name}.pickle"  # type: ignore[operator]
        if _held_memos is not None:
            _held_memos[path] = memo
            return
        data = _memo_bytes(memo)
        # a changed memo nearly always changes size: the bytes are compared only when not
        if self._memo_sizes.get(name) != len(data) or not _holds(path, data):
            write_atomic(path, data)

    def load_parts(self, name: str, count: int) -> list[Any]:
        """The ``count`` parts stored by ``store_parts`` (None for each one missing)."""
        return [self.load_memo(f"{name}-{number}") for number in range(count)]

    def store_parts(self, name: str, parts: Sequence[Any], changed: Iterable[int]) -> None:
        """Store the ``changed`` ones of a memo's parts: after one edit, one part or two."""
        for number in sorted(changed):
            self.store_memo(f"{name}-{number}", parts[number])

    # -- pages and the whole build, per output folder --------------------------

    def load_json(self, name: str) -> dict:
        if not self.enabled:
            return {}
        try:
            return json.loads(self._site_file(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def store_json(self, name: str, data: dict) -> None:
        if self.enabled:
            write_atomic(self._site_file(name), json.dumps(data, sort_keys=True).encode("utf-8"))

    def load_records(self, name: str) -> dict:
        """``store_records``'s dict, else {}: also when other code stored it (pickled: the
        page records of a 10,000-article site are 21,000 entries, read and written by
        every rebuild)."""
        stored = _read_dict(self._site_file(name)) if self.enabled else {}
        return stored.get("records", {}) if stored.get("code") == code_hash() else {}

    def store_records(self, name: str, data: dict) -> None:
        if self.enabled:
            _write_pickle(self._site_file(name), {"code": code_hash(), "records": data})

    def load_file_hashes(self) -> dict[str, list]:
        return _read_dict(self.directory / "files.pickle") if self.enabled else {}  # type: ignore[operator]

    def store_file_hashes(self, known: dict[str, list]) -> None:
        if self.enabled:
            _write_pickle(self.directory / "files.pickle", known)  # type: ignore[operator]


_held_memos: dict[Path, Any] | None = None  # see memos_held_in_memory


@contextmanager
def memos_held_in_memory() -> Iterator[None]:
    """Within this block, memos stay in memory from one build to the next instead of
    being read and written each build (``serve``: a rebuild after an edit skips a few
    tenths of a second of pickling); they are written when the block ends."""
    global _held_memos
    _held_memos = {}
    try:
        yield
    finally:
        held, _held_memos = _held_memos, None
        for path, memo in held.items():
            write_atomic(path, _memo_bytes(memo))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while. (Un)pickling a memo makes or visits
    hundreds of thousands of objects, none of them garbage, and the collector would
    walk the whole heap several times meanwhile: a fifth of a rebuild at 10,000 articles.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _memo_bytes(memo: Any) -> bytes:
    with _collector_paused():
        return pickle.dumps({"code": code_hash(), "memo": memo}, protocol=5)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _write_pickle(path: Path, value: Any) -> None:
    with _collector_paused():
        data = pickle.dumps(value, protocol=5)
    write_atomic(path, data)


def _read_dict(path: Path) -> dict:
    """The dict ``_write_pickle`` stored at ``path``, else {}."""
    stored = _read_pickle(path)
    return stored if isinstance(stored, dict) else {}


def _read_pickle(path: Path) -> Any:
    """What ``path`` holds; None when it is missing or unreadable (a cache entry is only ever a miss)."""
    try:
        return _unpickled(path.read_bytes())
    except OSError:
        return None


def _unpickled(data: bytes) -> Any:
    try:
        with _collector_paused():
            return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


# What a build remembers of each file it wrote: the key it was made from (the hash of
# its inputs), and its size and modification time (ns) as written. A tuple, not a dict:
# 21,000 of them are loaded and stored by every rebuild of a 10,000-article site.
Record = tuple[str, int, int]


def file_record(key: str, stat: os.stat_result) -> Record:
    return key, stat.st_size, stat.st_mtime_ns


def previous_file(out_dir: Path, url_path: PurePosixPath | str, record: Record | None, key: str) -> str | None:
    """The previous build's file for ``url_path`` when it was made from the same ``key``
    and has not been touched since (same size and modification time)."""
    if not record or record[0] != key:
        return None
    path = os.path.join(out_dir, url_path)  # not pathlib: called for every page of a rebuild
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return path if file_record(key, stat) == record else None

