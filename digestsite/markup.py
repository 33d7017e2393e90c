"""Text-to-markup helpers for the renderer: Markdown, safe JSON in <script>, clean text.

Contract:

- ``render_markdown(body)`` turns article Markdown into an HTML fragment with
  CommonMark rules, raw HTML disabled (``<b>`` in the text shows as text),
  no linkify, no images (the site loads nothing from other hosts), and an
  ``id`` on every heading. The page owns the only ``h1``, so a ``#`` heading
  in the body is rendered as ``h2`` (levels shift down by one, capped at
  ``h6``) only when the body uses ``#``; ``##`` stays ``h2`` otherwise.
- ``clean_text(text)`` removes the code points that XML 1.0 forbids and that
  the HTML parser reports as errors (C0/C1 controls other than tab, LF, CR;
  lone surrogates; non-characters). The Jinja environment applies it to
  every value it prints, so no template can forget it.
- ``script_json(data)`` is ``json.dumps`` made safe inside ``<script>``:
  ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so ``</script>`` and ``<!--``
  in any text cannot end or confuse the element; the result parses back to
  the same data.

All functions are pure and deterministic.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from .text import slugify

__all__ = [
    "MARKDOWN_TAGS",
    "clean_text",
    "display_date",
    "is_clean",
    "reading_minutes",
    "render_markdown",
    "render_markdown_with_toc",
    "script_json",
]

# Every tag the Markdown renderer can emit (the property test checks this set).
MARKDOWN_TAGS = frozenset(
    "a blockquote br code em h2 h3 h4 h5 h6 hr li ol p pre strong ul".split()
)

# Ids the page templates use themselves; a heading must never take one.
RESERVED_IDS = frozenset(
    {"main", "search", "site-search-q", "contents", "contents-title", "related", "related-title",
     "statements", "top", "article-body", "topics-strip", "speakers-strip", "pagination"}
)

_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)

_MONTHS = (
    "January February March April May June July August September October November December"
).split()

WORDS_PER_MINUTE = 230


def clean_text(text: str) -> str:
    """``text`` without code points that are illegal in XML 1.0 or errors in HTML."""
    if is_clean(text):
        return text
    return _ILLEGAL.sub("", text)


# The whitespace characters that are illegal (str.split() drops them; see is_clean).
_ILLEGAL_SPACES = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"


def is_clean(text: str) -> bool:
    """True only when ``clean_text`` would return ``text`` unchanged (False may be either);
    much faster than its regex.

    Every code point ``_ILLEGAL`` matches is non-printable (controls, surrogates,
    non-characters), so a printable string is clean: most values are. Text with
    line breaks or other spaces is clean when it is printable without its
    whitespace and holds none of the few whitespace characters that are illegal.
    """
    if text.isprintable() or text.replace("\n", "").isprintable():  # line breaks are legal
        return True
    # str.split, not text.split: on Markup the latter makes a Markup of every word
    return not any(c in text for c in _ILLEGAL_SPACES) and "".join(str.split(text)).isprintable()


def script_json(data: Any) -> str:
    """JSON that is safe to place verbatim inside a ``<script>`` element, with no
    code point ``clean_text`` would remove."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if not is_clean(raw) or _CONTROL_ESCAPE.search(raw):
        raw = json.dumps(_cleaned(data), ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# json.dumps writes every code point as it is except the controls below U+0020, escaped:
# \n \r \t are legal, \b, \f and \u00XX are not. Without those escapes, clean JSON text
# means clean strings, and ``_cleaned`` (a tenth of an article page's cost) is skipped.
_CONTROL_ESCAPE = re.compile(r"\\[bfu]")


def _cleaned(data: Any) -> Any:
    """``data`` with ``clean_text`` applied to every string, keys included."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {_cleaned(k): _cleaned(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_cleaned(v) for v in data]
    return data


@lru_cache(maxsize=4096)  # every card shows a date, and a site has few distinct ones
def display_date(iso: str | None) -> str:
    """``2025-02-14`` -> ``14 February 2025``; anything unparseable is returned as given."""
    if not iso:
        return ""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return iso
    year, month, day = match.groups()
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def reading_minutes(body: str) -> int:
    """Whole minutes to read ``body`` at 230 words a minute, at least 1. Words are
    counted between spaces: an estimate needs no tokeniser (five times slower)."""
    return max(1, math.ceil(len(body.split()) / WORDS_PER_MINUTE))


def _make_parser() -> MarkdownIt:
    # xhtmlOut off: HTML5 void elements without the XML-style " /".
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "xhtmlOut": False})
    md.disable("image")
    md.core.ruler.push("heading_ids", _heading_ids)
    return md


def _heading_ids(state: StateCore) -> None:
    """Give headings unique ids; shift levels down when the body uses ``#`` (h1)."""
    tokens = state.tokens
    shift = 1 if any(t.type == "heading_open" and t.tag == "h1" for t in tokens) else 0
    used = set(RESERVED_IDS)
    toc: list[tuple[str, str, int]] = []
    for i, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = min(6, int(token.tag[1]) + shift)
        token.tag = f"h{level}"
        if token.type == "heading_close":
            continue
        inline = tokens[i + 1]
        text = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        anchor = _anchor(text, used)
        token.attrSet("id", anchor)
        toc.append((anchor, " ".join(text.split()), level))
    state.env["toc"] = toc


def _anchor(text: str, used: set[str]) -> str:
    """A heading's id: its slug, made unique against ``used`` (which it joins)."""
    base = slugify(text) or "section"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


_PARSER = _make_parser()


def render_markdown_with_toc(body: str) -> tuple[str, tuple[tuple[str, str, int], ...]]:
    """The HTML of ``body`` and its headings as ``(id, text, level)`` in document order."""
    body = clean_text(body)
    plain = _render_plain(body)
    if plain is not None:
        return plain
    env: dict[str, Any] = {}
    html = _PARSER.render(body, env)
    return html, tuple(env.get("toc", ()))


# -- plain bodies, without the parser -------------------------------------------
#
# Most article bodies are plain prose: paragraphs of text and "## " subheadings,
# with no character that starts Markdown syntax. For those, the parser's HTML is
# known in advance ("<p>text</p>", quotes and nothing else escaped), and writing
# it directly is about nine times faster. Anything else, or anything in doubt, goes to
# the parser; a property test holds the two to the same output.

# Nowhere in a plain body: characters that can start inline syntax in CommonMark
# (escapes, code, emphasis, autolinks and raw HTML), tabs, returns. "&" and "[" are
# text unless they start an entity ("&amp;", "&#38;") or a link ("[text](url)"): there
# is no reference definition to link "[text]" to, since no plain line opens with "[".
_INLINE_SYNTAX = re.compile(r"[\\`*_<>\t\r\x00]")
_ENTITY = re.compile(r"&#?[0-9A-Za-z]+;")
# How a plain paragraph line may not start: with what opens a block (a list, quote,
# rule, heading, setext underline, fence, table-like bar, HTML block, reference
# definition), with space, or with an ordered-list number.
_PLAIN_START = re.compile(r"(?![-+*>#=~|_`<\[\s])(?!\d{1,9}[.)](?:\s|$))")
_HEADING = re.compile(r"(#{1,6}) ([^#\s][^#]*)")


def _render_plain(body: str) -> tuple[str, tuple[tuple[str, str, int], ...]] | None:
    """``render_markdown_with_toc(body)`` for a plain body (see above), else None."""
    if _INLINE_SYNTAX.search(body) or "](" in body or ("&" in body and _ENTITY.search(body)):
        return None  # (three searches: one pattern with the three alternatives is ten times slower)
    blocks: list[tuple[str, list[str]]] = []  # ("p", lines) or (heading marks, [text])
    for line in body.split("\n"):
        if line != line.strip():
            return None  # indented code, a hard break, a blank-looking line: the parser knows
        if line.startswith("#"):
            heading = _HEADING.fullmatch(line)
            if not heading:
                return None  # "#hashtag", "####### x", a closing "##"
            blocks.append((heading.group(1), [heading.group(2)]))
        elif not line:
            blocks.append(("", []))
        elif "#" in line or not _PLAIN_START.match(line):
            return None  # a list, quote, rule, setext underline, a "#" inside the text
        elif blocks and blocks[-1][0] == "p":
            blocks[-1][1].append(line)  # the paragraph goes on (a soft line break)
        else:
            blocks.append(("p", [line]))
    return _plain_html(blocks)


def _plain_html(blocks: list[tuple[str, list[str]]]) -> tuple[str, tuple[tuple[str, str, int], ...]]:
    # a "#" heading makes every heading one level lower: the page owns the h1
    shift = 1 if any(kind == "#" for kind, _ in blocks) else 0
    html, toc, used = [], [], set(RESERVED_IDS)
    for kind, lines in blocks:
        text = "\n".join(lines).replace("&", "&amp;").replace('"', "&quot;")
        if kind == "p":
            html.append(f"<p>{text}</p>\n")
        elif kind:
            level = min(6, len(kind) + shift)
            anchor = _anchor(lines[0], used)
            html.append(f'<h{level} id="{anchor}">{text}</h{level}>\n')
            toc.append((anchor, " ".join(lines[0].split()), level))
    return "".join(html), tuple(toc)


def render_markdown(body: str) -> str:
    """Article Markdown -> HTML fragment (raw HTML escaped, headings with ids)."""
    return render_markdown_with_toc(body)[0]
