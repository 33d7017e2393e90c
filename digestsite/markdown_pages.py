"""Stage 4: Article <-> Markdown page with TOML front matter.

A page is ``+++``, TOML front matter, ``+++``, a blank line, then the Markdown
body (the format Hugo and Zola read). TOML because Python reads it without a
dependency and its parser reports the line of an error. The same format serves
three purposes: the pages published beside each article's HTML
(``articles/<slug>/index.md``), hand-written articles in ``content/articles/``,
and corrections (a page exported from a digest article, edited and saved in
``content/articles/``). ``article_from_markdown(article_to_markdown(a))``
gives ``a`` back, bar the build-only fields ``order`` and ``subheads``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from typing import Any

from .errors import SourceError, toml_error
from .model import Article, ArticleOverride, Person, Spokesperson, Statement

__all__ = ["article_to_markdown", "article_from_markdown", "override_from_markdown", "read_front_matter"]

FENCE = "+++"


# -- writing ---------------------------------------------------------------

def article_to_markdown(article: Article) -> str:
    """The page for ``article``: front matter then body, ending in one newline."""
    front: list[tuple[str, Any]] = [
        ("id", article.id),
        ("slug", article.slug),
        ("title", article.title),
        ("standfirst", article.standfirst),
        ("date", article.date),
        ("topics", list(article.topics)),
        ("tags", list(article.tags)),
        ("spokespersons", [{"name": s.name, "organisation": s.organisation} for s in article.spokespersons]),
        ("people", [{"name": p.name, "role": p.role} for p in article.people]),
        ("statements", [{"speaker": s.speaker, "line": s.line, "text": s.text} for s in article.statements]),
    ]
    if article.digest:
        front.append(("source", {"digest": article.digest, "start": article.start, "end": article.end}))
    lines = [f"{key} = {_toml_value(value)}" for key, value in front if value is not None]
    return f"{FENCE}\n" + "\n".join(lines) + f"\n{FENCE}\n\n{article.body.rstrip()}\n"


def _toml_value(value: Any) -> str:
    if type(value) is str:  # nearly every value: tested first
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes, except that TOML
    # has no \/ (json never writes it) and wants controls escaped (it does). The encoder's
    # own string function is what json.dumps(text, ensure_ascii=False) calls, without its
    # per-call set-up (a tenth of writing a page).
    return _json_string(text).replace("\x7f", "\\u007f")


_json_string = json.encoder.encode_basestring


# -- reading ---------------------------------------------------------------

def read_front_matter(text: str, display: str) -> tuple[dict[str, Any], str, int]:
    """Split a page into (front matter, body, 0-based line where the body starts)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise SourceError(display, 0, "no front matter", hint=f"start the file with a '{FENCE}' line, "
                          f"the TOML fields, and another '{FENCE}' line")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise SourceError(display, 0, "front matter is not closed", hint=f"add a '{FENCE}' line after the fields") from None
    toml_text = "\n".join(lines[1:close])
    try:
        front = _plain_toml(toml_text)
        if front is None:
            front = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, display, toml_text, first_line=1, what="malformed front matter") from exc
    body = "\n".join(lines[close + 1:]).strip("\n")
    return front, body, close + 1


# The usual front matter is lines of ``key = "text"`` and ``key = ["text", ...]``; read
# here without tomllib (pure Python, a tenth of a 10,000-page build). A plain basic string
# has no escape and no control character but tab; any other line leaves it all to tomllib.
_PLAIN_STRING = r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*"'
_PLAIN_LINE = re.compile(
    rf"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    rf"({_PLAIN_STRING}|\[[ \t]*(?:{_PLAIN_STRING}[ \t]*,[ \t]*)*(?:{_PLAIN_STRING}[ \t]*)?\])[ \t]*"
)
_PLAIN_STRINGS = re.compile(_PLAIN_STRING)


def _plain_toml(text: str) -> dict[str, Any] | None:
    """``tomllib.loads(text)`` when every line is blank or a plain key = value (see above), else None."""
    fields: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line.strip(" \t"):
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None or match.group(1) in fields:
            return None  # a duplicate key is tomllib's error to report
        value = match.group(2)
        fields[match.group(1)] = value[1:-1] if value[0] == '"' else [v[1:-1] for v in _PLAIN_STRINGS.findall(value)]
    return fields


def _field_line(text: str, key: str) -> int:
    for index, line in enumerate(text.splitlines()):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return index
    return 0


def article_from_markdown(text: str, display: str, *, order: int = 0) -> Article:
    """A page -> Article; every field checked, errors point at the field's line."""
    override = override_from_markdown(text, display, require_id=False)
    front, body, _ = read_front_matter(text, display)
    if not override.title:
        raise SourceError(display, 0, "an article needs a title")
    try:
        people = tuple(Person(_nfc(p["name"]), str(p.get("role", ""))) for p in front.get("people", []))
        statements = tuple(Statement(_nfc(s["speaker"]), str(s["text"]), int(s["line"]))
                           for s in front.get("statements", []))
        source = front.get("source", {})
        start, end = int(source.get("start", 0)), int(source.get("end", 0))
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        key = next((k for k in ("people", "statements", "source") if k in front), "source")
        raise SourceError(display, _field_line(text, key), f"malformed '{key}': {exc!r}") from exc
    return Article(
        id=override.id, slug=override.slug or "", title=override.title,
        standfirst=override.standfirst or "", body=body,
        topics=override.topics or (), tags=override.tags or (),
        spokespersons=override.spokespersons or (), people=people, statements=statements,
        date=override.date, digest=override.digest, start=start, end=end, order=order,
        source_path=display,
    )


def override_from_markdown(text: str, display: str, *, require_id: bool = True) -> ArticleOverride:
    """A page -> the fields it sets; ``people``/``statements`` are build output, not corrections."""
    front, body, _ = read_front_matter(text, display)
    if require_id and not isinstance(front.get("id"), str):
        raise SourceError(display, 1, "a correction needs the article's id")
    source = front.get("source", {})
    digest = source.get("digest", "") if isinstance(source, dict) else ""
    fields = {k: v for k, v in front.items() if k not in {"people", "statements", "source"}}
    fields.setdefault("id", "")
    try:
        return override_from_mapping(fields, display, body=body or None, digest=str(digest))
    except ValueError as exc:
        key = re.search(r"'(\w+)'", str(exc))
        raise SourceError(display, _field_line(text, key.group(1)) if key else 0, str(exc)) from exc


def override_from_mapping(entry: Mapping[str, Any], source: str, **made: Any) -> ArticleOverride:
    """Checked ArticleOverride from a table; ValueError says which field is wrong.
    ``made``: fields the caller found elsewhere than in the table (a page's body)."""
    known = {"id", "title", "standfirst", "topics", "tags", "spokespersons", "date", "slug"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})")
    fields: dict[str, Any] = {}
    for key in ("title", "standfirst", "date", "slug"):
        if key in entry:
            if not isinstance(entry[key], str) or (key != "standfirst" and not entry[key].strip()):
                raise ValueError(f"'{key}' must be a non-empty string")
            fields[key] = entry[key].strip()
    if "slug" in fields and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", fields["slug"]):
        raise ValueError(f"'slug' must match [a-z0-9-]+ (no '/', '..' or drive letters), not {fields['slug']!r}")
    if "date" in fields and not valid_date(fields["date"]):
        raise ValueError(f"'date' must be YYYY-MM-DD, not {fields['date']!r}")
    for key in ("topics", "tags"):
        if key in entry:
            if not isinstance(entry[key], list) or not all(isinstance(v, str) for v in entry[key]):
                raise ValueError(f"'{key}' must be a list of strings")
            fields[key] = tuple(v.strip() for v in entry[key] if v.strip())
    if "spokespersons" in entry:
        fields["spokespersons"] = _spokespersons(entry["spokespersons"])
    return ArticleOverride(id=entry["id"], source=source, **fields, **made)


def _spokespersons(value: Any) -> tuple[Spokesperson, ...]:
    """["Name"] or [{name = "...", organisation = "..."}] -> Spokespersons."""
    if not isinstance(value, list):
        raise ValueError("'spokespersons' must be a list")
    people = []
    for item in value:
        if isinstance(item, str) and item.strip():
            people.append(Spokesperson(unicodedata.normalize("NFC", item.strip()), ""))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            people.append(Spokesperson(unicodedata.normalize("NFC", item["name"].strip()),
                                       str(item.get("organisation", ""))))
        else:
            raise ValueError("each spokesperson is a name or {name = ..., organisation = ...}")
    return tuple(people)


def valid_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _nfc(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return unicodedata.normalize("NFC", value)
