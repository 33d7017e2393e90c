"""Stage 1: ``content/`` -> ``Content``.

Reads the site settings (``site.toml``), the topic taxonomy (``topics.toml``),
every digest in ``digests/`` (one paragraph per line, blank lines ignored),
the maintainer's corrections (``corrections.toml``) and the hand-written or
corrected articles in ``articles/*.md``. Never writes anything.

Bad input raises ``SourceError`` naming the file and 0-based line; doubtful
input (an unknown key, a topic with no keywords, a digest with no text)
becomes a warning in ``Content.warnings``. Digest line numbers count ``\\n``, ``\\r\\n`` and a lone
``\\r`` as line ends, like every editor, and nothing else.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .cache import unchanged_file
from .errors import SourceError, toml_error
from .markdown_pages import override_from_mapping, override_from_markdown, valid_date
from .model import (
    Article,
    ArticleOverride,
    Content,
    Digest,
    Paragraph,
    Settings,
    SplitCorrection,
    Taxonomy,
    TopicDefinition,
)
from .parallel import parallel_map, usable_workers
from .text import slugify

__all__ = ["PageMemo", "read_content", "read_digest", "read_settings", "read_taxonomy", "read_corrections"]

SETTINGS_FILE = "site.toml"
TAXONOMY_FILE = "topics.toml"
CORRECTIONS_FILE = "corrections.toml"
_LINE_END = re.compile(r"\r\n|\r|\n")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_SETTINGS_KEYS = {"title", "description", "language", "base_url", "author", "date", "encodings"}
_TAXONOMY_KEYS = {"topic", "min_score", "max_topics"}
_TOPIC_KEYS = {"name", "description", "keywords", "strong", "slug"}
_STRONG_KEYWORD_WEIGHT = 3.0  # a "strong" keyword is as much evidence as three ordinary ones


def read_content(content_dir: Path, page_memo: PageMemo | None = None,
                 stats: Mapping[str, os.stat_result] = {}) -> Content:
    """Read the whole content folder; digests and articles in file-name order.
    ``page_memo``: the Markdown pages parsed by an earlier call (see ``PageMemo``);
    ``stats``: the files' stats by path, as ``cache.check_inputs`` took them just before
    (with the page memo, only a page missing there is asked for its stat)."""
    if not content_dir.is_dir():
        raise SourceError(content_dir, None, "content folder not found")
    warnings: list[str] = []
    settings, encodings = read_settings(content_dir / SETTINGS_FILE, content_dir, warnings)
    taxonomy = read_taxonomy(content_dir / TAXONOMY_FILE, warnings, relative_to=content_dir)
    digests = tuple(
        read_digest(path, relative_to=content_dir, default_date=settings.date,
                    encoding=encodings.get(path.name, ""))
        for path in sorted((content_dir / "digests").glob("*.txt"))
    )
    warnings += [f"{_display(content_dir / d.path, content_dir)}: has no text; it adds no articles"
                 for d in digests if not d.paragraphs]
    # a digest dropped beside digests/ rather than into it would otherwise vanish without a word
    warnings += [f"{_display(path, content_dir)}: not read; digests go in {_display(content_dir / 'digests', content_dir)}/"
                 for path in sorted(content_dir.glob("*.txt"))]
    splits, overrides = read_corrections(content_dir / CORRECTIONS_FILE, content_dir)
    pages = _read_article_pages(content_dir, page_memo, stats)
    return Content(settings, taxonomy, digests, splits, overrides, pages, tuple(warnings))


def _display(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return (PurePosixPath(relative_to.name) / path.relative_to(relative_to).as_posix()).as_posix()
        except ValueError:
            pass
    return str(path)


# -- digests ---------------------------------------------------------------

def read_digest(path: Path, *, relative_to: Path, default_date: str | None = None,
                encoding: str = "") -> Digest:
    """One digest file -> Digest; the path kept relative to ``relative_to``."""
    display = _display(path, relative_to)
    text = decode_digest(_read_bytes(path, display), display, encoding)
    lines = text.split("\n") if "\r" not in text else _LINE_END.split(text)  # the same lines, at C speed
    paragraphs = tuple(Paragraph(index, line.strip()) for index, line in enumerate(lines) if line.strip())
    date_match = _DATE_PREFIX.match(path.name)
    date = date_match.group(1) if date_match and valid_date(date_match.group(1)) else default_date
    return Digest(PurePosixPath(path.relative_to(relative_to).as_posix()), paragraphs, date)


def decode_digest(data: bytes, display: str, encoding: str = "") -> str:
    """Bytes -> NFC text. UTF-8 (BOM optional) unless a BOM or ``encoding`` says otherwise."""
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise SourceError(display, None, f"cannot decode as {encoding}: {exc}") from exc
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            hint = f'declare its encoding in site.toml: [encodings] "{PurePosixPath(display).name}" = "latin-1"'
            raise _utf8_error(exc, data, display, hint) from exc
    # NUL and other C0 controls (bar tab) are never text in a digest; they would break XML output.
    if any(control in text for control in _CONTROLS):  # rarely: a substring test per control is quicker
        text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


_CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))
_CONTROL = re.compile(f"[{re.escape(_CONTROLS)}]")


def _utf8_error(exc: UnicodeDecodeError, data: bytes, display: str, hint: str = "") -> SourceError:
    """Where ``data`` stops being UTF-8: the line, the byte offset and the column."""
    line = data.count(b"\n", 0, exc.start)
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
    return SourceError(display, line, f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset "
                       f"{exc.start} (column {column + 1})", hint=hint)


def _read_bytes(path: Path | str, display: str) -> bytes:
    """A file's bytes; a folder, a broken link or a file we may not read is a SourceError."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise SourceError(display, None, f"cannot read: {exc.strerror or exc}") from exc


def _read_utf8(path: Path | str, display: str) -> str:
    """A UTF-8 text file (BOM optional); a bad byte is an error at its line."""
    data = _read_bytes(path, display)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _utf8_error(exc, data, display, hint="save the file as UTF-8") from exc


# -- TOML files ------------------------------------------------------------

def load_toml(path: Path, display: str, *, required: bool = False) -> dict[str, Any] | None:
    """Parse a TOML file; None when it is absent and not required."""
    if not path.is_file():
        if required:
            raise SourceError(display, None, "file not found")
        return None
    text = _read_utf8(path, display)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, display, text) from exc


def key_line(path: Path, key: str, occurrence: int = 0) -> int | None:
    """0-based line of the ``occurrence``-th ``key =`` in a TOML file, for messages."""
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    seen = 0
    for index, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines()):
        if pattern.match(line):
            if seen == occurrence:
                return index
            seen += 1
    return None


def _line_of(path: Path, key: str) -> int | None:
    """0-based line of ``key = ...`` or of its ``[key]`` / ``[[key]]`` table."""
    line = key_line(path, key)
    return line if line is not None else _table_line(path, key)


def _expect(value: Any, kind: type | tuple[type, ...], path: Path, key: str, display: str) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise SourceError(display, _line_of(path, key), f"'{key}' must be a {names}")
    return value


def read_settings(path: Path, content_dir: Path, warnings: list[str]) -> tuple[Settings, dict[str, str]]:
    """site.toml -> Settings and the per-digest encodings; defaults when it is missing."""
    display = _display(path, content_dir)
    data = load_toml(path, display)
    if data is None:
        warnings.append(f"{display}: not found; using default settings")
        return Settings(), {}
    for key in sorted(set(data) - _SETTINGS_KEYS):
        line = key_line(path, key)
        where = f"{display}:{line + 1}" if line is not None else display
        warnings.append(f"{where}: unknown setting '{key}' ignored (known: {', '.join(sorted(_SETTINGS_KEYS))})")
    values = {}
    for key in ("title", "description", "language", "base_url", "author", "date"):
        if key in data:
            values[key] = _expect(data[key], str, path, key, display)
    if not safe_base_url(values.get("base_url", "")):
        raise SourceError(display, key_line(path, "base_url"),
                          f"base_url must be an http(s) address or a path, not {values['base_url']!r}")
    if values.get("date") and not valid_date(values["date"]):
        raise SourceError(display, key_line(path, "date"), f"date must be YYYY-MM-DD, not {values['date']!r}")
    encodings = _expect(data.get("encodings", {}), dict, path, "encodings", display)
    for name, encoding in encodings.items():
        _expect(encoding, str, path, name, display)
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SourceError(display, key_line(path, name), f"unknown encoding {encoding!r}") from exc
    return Settings(**values), dict(encodings)


def safe_base_url(url: str) -> bool:
    """An http(s) address or a plain path: anything else (javascript:, data:) would end up in links."""
    return urlsplit(url).scheme in ("", "http", "https")


def read_taxonomy(path: Path, warnings: list[str] | None = None, *,
                  relative_to: Path | None = None) -> Taxonomy:
    """topics.toml -> Taxonomy: ``[[topic]]`` tables with name, description, keywords, strong."""
    warnings = warnings if warnings is not None else []
    display = _display(path, relative_to)
    data = load_toml(path, display)
    if data is None:
        warnings.append(f"{display}: not found; articles get no topics")
        return Taxonomy(topics=())
    topics = _expect(data.get("topic", []), list, path, "topic", display)
    _warn_unknown_keys(data, _TAXONOMY_KEYS, path, display, warnings, {})
    definitions = []
    seen: dict[str, int] = {}  # how many earlier topics had each unknown key, to find its line
    for index, entry in enumerate(topics):
        definitions.append(_topic_definition(entry, index, path, display, warnings))
        _warn_unknown_keys(entry, _TOPIC_KEYS, path, display, warnings, seen)
    names = [d.name for d in definitions]
    for name in sorted({n for n in names if names.count(n) > 1}):
        second = names.index(name, names.index(name) + 1)
        raise SourceError(display, key_line(path, "name", second), f"topic {name!r} defined twice")
    if not definitions:
        warnings.append(f"{display}: defines no topics; articles get no topics")
    defaults = Taxonomy(topics=())
    return Taxonomy(
        topics=tuple(definitions),
        min_score=float(_expect(data.get("min_score", defaults.min_score), (int, float), path, "min_score", display)),
        max_topics=int(_expect(data.get("max_topics", defaults.max_topics), int, path, "max_topics", display)),
    )


def _warn_unknown_keys(table: dict[str, Any], known: set[str], path: Path, display: str,
                       warnings: list[str], seen: dict[str, int]) -> None:
    """A warning naming each key of ``table`` that is not in ``known`` (usually a typo)."""
    for key in sorted(set(table) - known):
        line = key_line(path, key, seen.get(key, 0))
        seen[key] = seen.get(key, 0) + 1
        where = f"{display}:{line + 1}" if line is not None else display
        warnings.append(f"{where}: unknown key '{key}' ignored (known: {', '.join(sorted(known))})")


def _topic_definition(entry: Any, index: int, path: Path, display: str,
                      warnings: list[str]) -> TopicDefinition:
    line = key_line(path, "name", index)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise SourceError(display, line, f"topic #{index + 1} needs a name")
    name = entry["name"].strip()
    keywords: list[tuple[str, float]] = []
    for key, weight in (("keywords", 1.0), ("strong", _STRONG_KEYWORD_WEIGHT)):
        phrases = entry.get(key, [])
        if isinstance(phrases, dict):  # {phrase = weight} for maintainers who want exact weights
            pairs = list(phrases.items())
        elif isinstance(phrases, list):
            pairs = [(phrase, weight) for phrase in phrases]
        else:
            raise SourceError(display, line, f"topic {name!r}: '{key}' must be a list of phrases")
        for phrase, value in pairs:
            if not isinstance(phrase, str) or not isinstance(value, (int, float)) or not phrase.strip():
                raise SourceError(display, line, f"topic {name!r}: bad entry {phrase!r} in '{key}'")
            keywords.append((" ".join(phrase.lower().split()), float(value)))
    if not keywords:
        warnings.append(f"{display}:{(line or 0) + 1}: topic {name!r} has no keywords; only corrections can assign it")
    slug = entry.get("slug") or slugify(name) or f"topic-{index + 1}"
    if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9-]+", slug):
        raise SourceError(display, line, f"topic {name!r}: slug must match [a-z0-9-]+")
    return TopicDefinition(name, slug, str(entry.get("description", "")), tuple(keywords))


# -- corrections -----------------------------------------------------------

def read_corrections(path: Path, content_dir: Path) -> tuple[tuple[SplitCorrection, ...], tuple[ArticleOverride, ...]]:
    """corrections.toml: ``[[split]] before=``, ``[[join]] at=``, ``[[article]] id=`` overrides."""
    display = _display(path, content_dir)
    data = load_toml(path, display)
    if data is None:
        return (), ()
    unknown = sorted(set(data) - {"split", "join", "article"})
    if unknown:
        raise SourceError(display, _line_of(path, unknown[0]),
                          f"unknown section {unknown[0]!r} (known: split, join, article)")
    splits = [
        _split_correction(entry, action, quote_key, index, path, display)
        for action, quote_key in (("split", "before"), ("join", "at"))
        for index, entry in enumerate(_expect(data.get(action, []), list, path, action, display))
    ]
    overrides = [
        _override_from_table(entry, index, path, display)
        for index, entry in enumerate(_expect(data.get("article", []), list, path, "article", display))
    ]
    return tuple(splits), tuple(overrides)


def _table_line(path: Path, name: str, occurrence: int = 0) -> int | None:
    seen = 0
    for index, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines()):
        if line.strip() in (f"[[{name}]]", f"[{name}]"):
            if seen == occurrence:
                return index
            seen += 1
    return None


def _split_correction(entry: Any, action: str, quote_key: str, index: int, path: Path,
                      display: str) -> SplitCorrection:
    line = _table_line(path, action, index)
    quote = entry.get(quote_key) if isinstance(entry, dict) else None
    if not isinstance(quote, str) or len(quote.split()) < 2:
        raise SourceError(display, line, f"[[{action}]] needs {quote_key} = \"the paragraph's opening words\" (two words or more)")
    digest = entry.get("digest", "")
    _expect(digest, str, path, "digest", display)
    where = f"{display}:{(line or 0) + 1}"
    return SplitCorrection(action, quote, digest, where)  # type: ignore[arg-type]


def _override_from_table(entry: Any, index: int, path: Path, display: str) -> ArticleOverride:
    line = _table_line(path, "article", index)
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise SourceError(display, line, "[[article]] needs id = \"<the article's id>\"")
    try:
        return override_from_mapping(entry, f"{display}:{(line or 0) + 1}")
    except ValueError as exc:
        raise SourceError(display, line, str(exc)) from exc


# -- Markdown articles -----------------------------------------------------

_PARALLEL_MIN_PAGES = 2000  # below this, forking costs more than parsing on one core
_PAGES_PER_TASK = 500


@dataclass
class PageMemo:
    """The Markdown pages one ``read_content`` parsed, kept by a caller for the next: a
    page whose file has the same size and time (``cache.unchanged_file``) is not read
    again. Afterwards it holds exactly that call's pages.

    ``articles``: the hand-written articles ``corrections.apply_corrections`` made from
    these pages, by the page's source, with the page object and order each was made from;
    ``hashes``: the ``cache.article_hash`` of the article the build published for a page.

    It is stored in ``SHARDS`` parts by file name (``shards``), so that after one edit
    only one part is written again; ``dirty`` names the parts this build changed (from
    the last ``read_content`` on). A page and the article made from it share a part
    (and a pickle: the page is stored once)."""

    SHARDS: ClassVar[int] = 16

    pages: dict[str, tuple[int, int, ArticleOverride]] = field(default_factory=dict)  # path -> size, time, page
    articles: dict[str, tuple[ArticleOverride, int, Article]] = field(default_factory=dict)
    hashes: dict[str, tuple[Article, str]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        """Whether any page was read, added or dropped, or any article made (worth storing)."""
        return bool(self.dirty)

    @classmethod
    def shard_of(cls, path: str) -> int:
        """The part that holds a file's page and article (both keys end in its name)."""
        # rpartition rather than os.path.basename: called for every page when the memo is stored
        return zlib.crc32(path.rpartition(os.sep)[2].encode("utf-8", "surrogateescape")) % cls.SHARDS

    def shards(self) -> list[PageMemo]:
        """The memo cut into ``SHARDS`` parts; ``joined`` puts them back together."""
        parts = [PageMemo() for _ in range(self.SHARDS)]
        for path, entry in self.pages.items():
            parts[self.shard_of(path)].pages[path] = entry
        for source, made in self.articles.items():
            parts[self.shard_of(source)].articles[source] = made
        for source, hashed in self.hashes.items():
            parts[self.shard_of(source)].hashes[source] = hashed
        return parts

    @classmethod
    def joined(cls, parts: Iterable[object]) -> PageMemo:
        """One memo from stored parts; a missing or foreign part (None) only costs its pages a read."""
        memo = cls()
        for part in parts:
            if isinstance(part, PageMemo):
                memo.pages.update(part.pages)
                memo.articles.update(part.articles)
                memo.hashes.update(part.hashes)
        return memo


def _read_article_pages(content_dir: Path, memo: PageMemo | None = None,
                        known_stats: Mapping[str, os.stat_result] = {}) -> tuple[ArticleOverride, ...]:
    """articles/*.md, in file-name order: corrections (with a source digest) or new articles.
    Parsed by forked workers when there are many (the same pages, in the same order)."""
    folder = content_dir / "articles"
    # names and stats from one scandir, and no Path per page: a rebuild of 10,000 pages
    # reads one or two of them (what glob("*.md") finds, in the order of the path's text)
    entries = sorted((entry for entry in _entries(folder) if entry.name.endswith(".md")), key=lambda e: e.name)
    stats = [known_stats.get(entry.path) or entry.stat() for entry in entries] if memo is not None else []
    known = memo.pages if memo is not None else {}
    # absolute: a cache shared by two projects must not mistake one's content/ for the other's
    absolute = os.path.abspath(folder)
    keys = [os.path.join(absolute, entry.name) for entry in entries] if memo is not None else []
    missing = (list(range(len(entries))) if memo is None
               else [i for i, key in enumerate(keys) if not unchanged_file(stats[i], known.get(key))])

    shown = _display(folder, content_dir)  # as each page is named in errors, less its name

    def read_pages(start: int) -> list[ArticleOverride]:
        return [_read_article_page(entries[i].path, f"{shown}/{entries[i].name}")
                for i in missing[start:start + _PAGES_PER_TASK]]

    workers = usable_workers() if len(missing) >= _PARALLEL_MIN_PAGES else 1
    chunks = parallel_map(read_pages, range(0, len(missing), _PAGES_PER_TASK), workers)
    found = dict(zip(missing, (page for chunk in chunks for page in chunk)))
    pages = tuple(found[i] if i in found else known[keys[i]][2] for i in range(len(entries)))
    if memo is not None:
        memo.dirty = {PageMemo.shard_of(keys[i]) for i in missing}
        memo.dirty.update(PageMemo.shard_of(key) for key in known.keys() - set(keys))  # dropped pages
        memo.pages = {key: (stat.st_size, stat.st_mtime_ns, page) for key, stat, page in zip(keys, stats, pages)}
    return pages


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as scan:
            return list(scan)
    except (FileNotFoundError, NotADirectoryError):
        return []  # as glob finds nothing there


def _read_article_page(path: str, display: str) -> ArticleOverride:
    return override_from_markdown(_read_utf8(path, display), display, require_id=False)
