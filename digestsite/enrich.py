"""The enrichment stage: one Segment -> one Article.

Contract:

- ``enrich_segment(segment, taxonomy)`` is a pure function of its inputs. It
  never raises on odd text (empty paragraphs, markup, any script); the worst
  case is an article titled from its first words with no topics or tags.
- ``article_body`` keeps every digest word: one Markdown paragraph per digest
  paragraph, each subhead as a ``## `` line, all digest text escaped so that it
  renders literally (no links, images, HTML, emphasis or template syntax).
- ``stable_id`` depends on the article's own text only, so reordering digests
  or moving an article to another digest keeps its id.
- Headlines come from ``headline.make_headline`` (the lede, with the article
  as context); ``headline.py`` states their rules.
- Slugs: each article gets its title's (``text.article_slug``); the
  cross-article pass that makes them unique is ``pipeline.assign_slugs``.

People, spokespersons, statements and named-entity tags live in ``people.py``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress
from typing import NamedTuple

from .model import Article, Segment, Subhead, Taxonomy
from .headline import MAX_HEADLINE_CHARS, headline_problems, make_headline
from .people import find_speakers, find_tags, sentences_of
from .text import DATELINE, article_slug, is_header_line, is_title_line, normalize, speaker_turn, strip_dateline, words

__all__ = [
    "MAX_HEADLINE_CHARS",
    "article_body",
    "enrich_segment",
    "escape_markdown",
    "headline_problems",
    "make_headline",
    "score_topics",
    "stable_id",
]

ID_LENGTH = 12  # hex chars of sha1: 48 bits, no collision in any realistic archive

# ---------------------------------------------------------------------------
# Article assembly


def enrich_segment(segment: Segment, taxonomy: Taxonomy, *, date: str | None = None,
                   order: int = 0) -> Article:
    """Interpret one segment: title, standfirst, body, topics, tags and speakers."""
    texts = _normalized(segment)  # the id, the prose and the body all start from these
    article_id = _text_id(texts)
    paragraphs = _content_paragraphs(segment, texts)
    # a story that keeps its own title above its lede is headed by it, and led by the lede
    given_title = _given_title(paragraphs)
    if given_title:
        paragraphs = paragraphs[1:]
    lede_paragraph = next((text for _, text in paragraphs if text), "")
    # a wire story's dateline stays in its standfirst and body, but is no part of its headline,
    # and its city and agency are not what the story is about (tags, topics, people); the lede is
    # the first sentence after it ("MOSCOW, March 5. /TASS/." is a sentence of its own)
    after_dateline = _strip_lede_label(lede_paragraph)
    sentences = sentences_of(after_dateline)  # cached, so find_speakers and find_tags reuse this split
    lede = sentences[0] if sentences else after_dateline
    standfirst = lede_paragraph[: len(lede_paragraph) - len(after_dateline)] + lede
    paragraphs = _without_dateline(paragraphs)
    text = "\n".join(text for _, text in paragraphs)
    title = given_title if given_title and not headline_problems(given_title) else make_headline(lede, context=text)
    speakers = find_speakers(paragraphs)
    topics = tuple(name for name, _ in score_topics(text, title + " " + lede, taxonomy))
    return Article(
        id=article_id,
        slug=article_slug(title, article_id),
        title=title,
        standfirst=standfirst,
        body=_markdown_body(segment, texts),
        topics=topics,
        tags=tuple(find_tags(paragraphs, lede, speakers)),
        spokespersons=speakers.spokespersons,
        people=speakers.people,
        statements=speakers.statements,
        date=date,
        digest=str(segment.digest),
        start=segment.start,
        end=segment.end,
        order=order,
        subheads=segment.subheads,
    )


def _normalized(segment: Segment) -> list[str]:
    """Each paragraph's text, NFC and whitespace-collapsed (``normalize``)."""
    return [normalize(p.text) for p in segment.paragraphs]


def _content_paragraphs(segment: Segment, texts: Sequence[str]) -> list[tuple[int, str]]:
    """(line, text) of the article's prose: heading lines dropped, glued headings cut off, and the
    lines above the story (a byline, "FOR IMMEDIATE RELEASE") left out: they say who wrote it or
    how it was sent, not what it is about.

    ``texts`` are the segment's paragraphs, normalised (``_normalized``).
    """
    line_heads = {s.line for s in segment.subheads if s.kind == "line"}
    glued = {s.line: s for s in segment.subheads if s.kind == "glued"}
    result = []
    for paragraph, text in zip(segment.paragraphs, texts):
        if paragraph.line in line_heads:
            continue
        if paragraph.line in glued:
            text = _split_glued(text, glued[paragraph.line])[0]
        if text:
            result.append((paragraph.line, text))
    while len(result) > 1 and is_header_line(result[0][1]):
        del result[0]
    return result


def _given_title(paragraphs: list[tuple[int, str]]) -> str:
    """The story's own title on its first line, without a wire's slug, or "": a line that its lede
    restates (``is_title_line``), or a short line with no closing stop right over a dateline, as
    wire copy sends its headline ("TIMELINE-Key events in Sudan's conflict" over "KHARTOUM, May 12
    (Reuters) - ..."), whose lede need not restate it."""
    if len(paragraphs) < 2:
        return ""
    first, second = paragraphs[0][1], paragraphs[1][1]
    over_dateline = len(first) <= MAX_HEADLINE_CHARS and first[-1] not in ".!:;,\"”" and DATELINE.match(second)
    if not over_dateline and not is_title_line(first, second):
        return ""
    return _WIRE_SLUG.sub("", first, count=1)


# A wire's slug before its headline ("FACTBOX-", "TIMELINE-", "UPDATE 2-"): a word of six or more
# capitals glued by a hyphen to the capitalised headline, which no acronym of a name is ("NATO-Russia").
_WIRE_SLUG = re.compile(r"^[A-Z]{6,}(?: \d{1,2})?-(?=[A-Z\"'‘“][a-z ])")


# A dateline of a city alone before a dash ("GENEVA — More than ..."), as international bodies
# and many papers write it: one to three words in capitals, then a prose sentence. ``DATELINE``
# asks for a date or an agency as well, because the segmenter reads it as a story's mark.
_CITY_DASH = re.compile(r"[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,2} (?:—|–|-{1,2}) (?=[A-Z0-9][a-z0-9 ])")
# A live blog's update time before a dash ("10:42 GMT – Rescue teams ...", "9.15am - ..."): like a
# dateline it says when a line was sent, not what the story is about, and it opens every update.
_UPDATE_TIME = re.compile(r"\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?(?:\s[A-Z]{2,5})?\s(?:—|–|-{1,2})\s(?=\S)")
# A list item's marker opening a story's first line ("- ", "• ", "1. ", "# "), as a factbox or a
# key-points list writes it: the marker says how the line was set, and "1." is no sentence of its own.
_LIST_MARKER = re.compile(r"(?:[-*•·▪◦‣–—]|\d{1,2}[.)]|#{1,6})\s+(?=\S)")
# A dateline closed by a colon after its agency ("ISLAMABAD, May 14 (APP): ..."), as some agencies
# write it. Not in ``DATELINE``, which the segmenter reads: the colon is only the dash's stand-in.
_AGENCY_COLON = re.compile(r"[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3}(?:,[^()\n:]{1,40})?\s*\([A-Z][^()\n]{0,39}\):\s+(?=\S)")


def _strip_lede_label(text: str) -> str:
    """``text`` without a list item's marker or its dateline (``strip_dateline``, a city alone before a
    dash, an agency's dateline closed by a colon, or a live update's time) or, for a
    transcript's question that opens an exchange ("Reuters: The coast guard said ... Do you have
    any comment?"), without the questioner's label: who asked is no part of the headline, tags or
    people, as an agency's dateline is not."""
    marker = _LIST_MARKER.match(text)
    if marker is not None:
        return text[marker.end():]
    stripped = strip_dateline(text)
    if stripped is not text:
        return stripped
    city = _CITY_DASH.match(text) or _UPDATE_TIME.match(text) or _AGENCY_COLON.match(text)
    if city is not None and city.end() < len(text):
        return text[city.end():]
    turn = speaker_turn(text)
    if turn is None or not turn[1]:
        return text
    return text[len(turn[0]) + 1:].lstrip() or text


def _without_dateline(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``paragraphs`` (``_content_paragraphs``) with the first one's dateline, and every live
    update's time, cut off."""
    if not paragraphs:
        return paragraphs
    line, first = paragraphs[0]
    stripped = _strip_lede_label(first)
    rest = [(number, _without_update_time(text)) for number, text in paragraphs[1:]]
    return [(line, stripped), *rest]


def _without_update_time(text: str) -> str:
    match = _UPDATE_TIME.match(text)
    return text[match.end():] if match is not None else text


def _split_glued(text: str, subhead: Subhead) -> tuple[str, str]:
    """(paragraph without the heading, heading); the heading is matched from the end."""
    heading = normalize(subhead.text)
    at = text.rfind(heading) if heading else -1
    if at <= 0:
        return text, heading
    return text[:at].rstrip(), heading


def stable_id(segment: Segment) -> str:
    """sha1 of the NFC, whitespace-collapsed paragraph texts joined by newlines."""
    return _text_id(_normalized(segment))


def _text_id(texts: Sequence[str]) -> str:
    return hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:ID_LENGTH]


# ---------------------------------------------------------------------------
# Markdown body


def article_body(segment: Segment) -> str:
    """The whole article as Markdown: escaped paragraphs and ``## `` subheads."""
    return _markdown_body(segment, _normalized(segment))


def _markdown_body(segment: Segment, texts: Sequence[str]) -> str:
    """``article_body``, given the segment's normalised paragraphs."""
    line_heads = {s.line: s for s in segment.subheads if s.kind == "line"}
    glued = {s.line: s for s in segment.subheads if s.kind == "glued"}
    blocks: list[str] = []
    for paragraph, text in zip(segment.paragraphs, texts):
        if paragraph.line in line_heads:
            blocks.append("## " + escape_markdown(normalize(line_heads[paragraph.line].text) or text))
            continue
        heading = ""
        if paragraph.line in glued:
            text, heading = _split_glued(text, glued[paragraph.line])
        if text:
            blocks.append(escape_markdown(text))
        if heading:
            blocks.append("## " + escape_markdown(heading))
    return "\n\n".join(blocks) + "\n" if blocks else ""


# Characters markdown-it-py gives a meaning anywhere in a line: code spans,
# emphasis, links/images, autolinks and raw HTML, entities, tables,
# strikethrough, the escape itself, and Jinja delimiters should a template
# ever see the body. ``!`` and ``(`` are harmless once ``[`` is escaped.
_INLINE_SPECIAL = "\\`*_[]<>&|~{}#"
# One C pass with a template, not a Python callback per match; and three times
# quicker than ``str.translate``, which has no fast path for two-character replacements.
_INLINE_SPECIAL_CHAR = re.compile(f"[{re.escape(_INLINE_SPECIAL)}]")
# Block syntax only counts at the start of a line: list bullets, thematic
# breaks, setext underlines, block quotes, and "1." / "1)" ordered lists.
_LEADING_BLOCK = re.compile(r"^([-+=>])|^(\d{1,9})([.)])")


def escape_markdown(text: str) -> str:
    """Digest text -> Markdown source that renders as exactly that text."""
    flat = " ".join(text.split())  # no indented code blocks, no hard breaks
    escaped = _INLINE_SPECIAL_CHAR.sub(r"\\\g<0>", flat)
    return _LEADING_BLOCK.sub(_escape_block_marker, escaped)


def _escape_block_marker(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


# ---------------------------------------------------------------------------
# Topics

TITLE_BONUS = 1.0  # a keyword in the title or lede counts once more: it is what the story is about
RELATIVE_FLOOR = 0.35  # a secondary topic needs this share of the best score, or it is noise
MAX_PHRASE_WORDS = 4


def score_topics(text: str, title: str, taxonomy: Taxonomy) -> list[tuple[str, float]]:
    """(topic, score) best first: keyword weight x (1 + ln count), plus a title/lede bonus."""
    keywords = _keyword_index(taxonomy)
    body_counts = _phrase_counts(text, keywords)
    head_counts = _phrase_counts(title, keywords)
    scores = [0.0] * len(keywords.topic_names)
    for phrase, count in body_counts.items():
        for topic, weight in keywords.entries(phrase):
            scores[topic] += weight * (1.0 + math.log(count))
    for phrase in head_counts:
        for topic, weight in keywords.entries(phrase):
            scores[topic] += weight * TITLE_BONUS
    scored = [(keywords.topic_names[i], round(score, 3)) for i, score in enumerate(scores)
              if score >= taxonomy.min_score]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    if not scored:
        return []
    floor = scored[0][1] * RELATIVE_FLOOR
    return [pair for pair in scored if pair[1] >= floor][: max(taxonomy.max_topics, 0)]


_Phrase = tuple[str, ...]  # a keyword's folded tokens


class _KeywordIndex(NamedTuple):
    """A taxonomy's keywords, indexed for one dict look-up per text word."""

    by_first_token: dict[str, dict[_Phrase, list[tuple[int, float]]]]  # -> {phrase -> [(topic, weight)]}
    # Every token, as ``_lowered_words`` gives it, whose fold starts a keyword -> that fold.
    # Folding only drops "s" or "'s", so these are a first token plus at most those.
    first_token_spellings: dict[str, str]
    topic_names: tuple[str, ...]

    def entries(self, phrase: _Phrase) -> list[tuple[int, float]]:
        return self.by_first_token[phrase[0]][phrase]


@lru_cache(maxsize=8)
def _keyword_index(taxonomy: Taxonomy) -> _KeywordIndex:
    """Keywords as folded token tuples, indexed by first token and its spellings."""
    index: dict[str, dict[_Phrase, list[tuple[int, float]]]] = {}
    for number, topic in enumerate(taxonomy.topics):
        merged: dict[_Phrase, float] = {}
        for phrase, weight in topic.keywords:
            key = tuple(_fold(w) for w in words(phrase.lower()))[:MAX_PHRASE_WORDS]
            if key:
                merged[key] = max(merged.get(key, 0.0), weight)  # one spelling counts once
        for key, weight in merged.items():
            index.setdefault(key[0], {}).setdefault(key, []).append((number, weight))
    spellings = {spelling: first for first in index for spelling in (first, first + "s", first + "'s")
                 if _fold(spelling) == first}
    return _KeywordIndex(index, spellings, tuple(t.name for t in taxonomy.topics))


def _lowered_words(text: str) -> list[str]:
    """The lower-cased words of ``text``, with "’" written "'" as ``_fold`` reads it."""
    return words(text.lower().replace("’", "'"))  # the same words: both marks join a word alike


def _phrase_counts(text: str, keywords: _KeywordIndex) -> Counter[_Phrase]:
    """How often each keyword phrase occurs in ``text``, on word boundaries."""
    tokens = _lowered_words(text)
    spellings = keywords.first_token_spellings
    counts: Counter[_Phrase] = Counter()
    # Most words start no keyword: pick out the ones that do at C speed, and fold only
    # the words that might continue their phrase (folding every word was a third of the time).
    for i in compress(range(len(tokens)), map(spellings.__contains__, tokens)):
        for phrase in keywords.by_first_token[spellings[tokens[i]]]:
            if tuple(map(_fold, tokens[i:i + len(phrase)])) == phrase:
                counts[phrase] += 1
    return counts


# Plural endings that are not plurals; folding them would merge unrelated words.
_NO_FOLD_ENDINGS = ("ss", "us", "is", "ics", "ws", "'s", "’s")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Light plural folding so "tariffs" matches the keyword "tariff" (and vice versa)."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_NO_FOLD_ENDINGS):
        return word[:-1]
    return word
